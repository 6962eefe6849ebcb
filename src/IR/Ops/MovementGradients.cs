using Kiln.IR.Autodiff;
using static Kiln.IR.Ops.IndexingGradients;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the movement ops: each moves the gradient back the way the data came (slices of a
/// join, a join of pieces, the inverse reordering), and sums it where one element was copied to several places.
/// Sort-like ops' index results and the searching ops take no gradient.
/// </summary>
internal static class MovementGradients
{
    /// <summary>cat: each input gets its slice of the gradient (an input skipped as legacy-empty gets zeros).</summary>
    internal static VjpValue?[] Cat(VjpContext c)
    {
        var shapes = c.Inputs.Select(i => i!.Shape).ToArray();
        var (_, d) = MovementOps.CatShape("cat", shapes, c.Attrs.GetLong("dim", 0));
        var grads = new VjpValue?[shapes.Length];
        long start = 0;
        for (int i = 0; i < shapes.Length; i++)
        {
            if (MovementOps.IsLegacyEmpty(shapes[i]))
            {
                if (c.NeedsInputGrad[i]) grads[i] = c.Emitter.Zeros(c.Grad.DType, shapes[i]);
                continue;
            }
            long end = start + shapes[i][d];
            if (c.NeedsInputGrad[i]) grads[i] = Slice(c.Grad, d, start, end);
            start = end;
        }
        return grads;
    }

    /// <summary>stack: each input gets the gradient at its index of the new dim.</summary>
    internal static VjpValue?[] Stack(VjpContext c)
    {
        int d = Shapes.WrapDim("stack", c.Attrs.GetLong("dim", 0), c.Input(0).Rank + 1);
        var grads = new VjpValue?[c.Inputs.Count];
        for (int i = 0; i < grads.Length; i++)
        {
            if (c.NeedsInputGrad[i]) grads[i] = c.Grad.Call("select", new Attrs { { "dim", (long)d }, { "index", (long)i } });
        }
        return grads;
    }

    /// <summary>split and chunk: the pieces' gradients joined back (zeros for pieces that got none).</summary>
    internal static VjpValue?[] Pieces(VjpContext c, string op)
    {
        var (_, d) = MovementOps.PieceSizes(op, c.Input(0).Shape, c.Attrs);
        return [c.Emitter.Call("cat", OutputGrads(c), new Attrs { { "dim", (long)d } })[0]];
    }

    /// <summary>unbind: the results' gradients stacked back along the removed dim.</summary>
    internal static VjpValue?[] Unbind(VjpContext c)
    {
        int d = Shapes.WrapDim("unbind", c.Attrs.GetLong("dim", 0), c.Input(0).Rank);
        return [c.Emitter.Call("stack", OutputGrads(c), new Attrs { { "dim", (long)d } })[0]];
    }

    private static VjpValue[] OutputGrads(VjpContext c)
    {
        var grads = new VjpValue[c.Outputs.Count];
        for (int i = 0; i < grads.Length; i++) grads[i] = c.GradOutput(i);
        return grads;
    }

    /// <summary>
    /// pad: constant padding's gradient is the gradient cropped back (padding it by the negated amounts); the other
    /// modes copy input elements to several places, so each padded dim's gradient is added back through the map
    /// from output to input positions (that map found by padding a ramp 0, 1, ... in the same mode).
    /// </summary>
    internal static VjpValue?[] Pad(VjpContext c)
    {
        var pad = MovementOps.RequiredLongs("pad", c.Attrs, "pad");
        var mode = c.Attrs.GetString("mode", "constant");
        if (MovementOps.ParsePadMode(mode) == PadMode.Constant)
            return [c.Grad.Call("pad", new Attrs { { "pad", pad.Select(p => -p).ToArray() }, { "mode", "constant" } })];
        var shape = c.Input(0).Shape;
        var g = c.Grad;
        for (int i = 0; i < pad.Length / 2; i++)
        {
            int d = shape.Length - 1 - i;
            if (pad[2 * i] == 0 && pad[2 * i + 1] == 0) continue;
            var ramp = Ramp(c.Emitter, shape[d]).Reshape([1, shape[d]]);
            var map = ramp.Call("pad", new Attrs { { "pad", new[] { pad[2 * i], pad[2 * i + 1] } }, { "mode", mode } });
            map = map.Reshape([map.Shape[1]]).To(DType.Int64);
            var target = (long[])g.Shape.Clone();
            target[d] = shape[d];
            g = Op("index_add", new Attrs { { "dim", (long)d } }, c.Emitter.Zeros(g.DType, target), map, g);
        }
        return [g];
    }

    /// <summary>The float64 vector 0, 1, ..., n - 1, built from registered ops.</summary>
    internal static VjpValue Ramp(IVjpEmitter emitter, long n) =>
        (emitter.Zeros(DType.Float64, [n]) + 1).Call("cumsum", new Attrs { { "dim", 0L } }) - 1;

    private static VjpValue Slice(VjpValue g, int dim, long start, long end) =>
        g.Call("slice", new Attrs { { "dim", (long)dim }, { "start", start }, { "end", end }, { "step", 1L } });

    /// <summary>flip: the gradient flipped back.</summary>
    internal static VjpValue?[] Flip(VjpContext c) => [c.Grad.Call("flip", new Attrs { { "dims", c.Attrs["dims"] } })];

    /// <summary>roll: the gradient rolled back.</summary>
    internal static VjpValue?[] Roll(VjpContext c)
    {
        var shifts = MovementOps.RequiredLongs("roll", c.Attrs, "shifts").Select(s => -s).ToArray();
        return [c.Grad.Call("roll", new Attrs { { "shifts", shifts }, { "dims", c.Attrs.GetLongs("dims") } })];
    }

    /// <summary>repeat and tile: the gradient of every copy summed (the result viewed as [r0, s0, r1, s1, ...]).</summary>
    internal static VjpValue?[] Tiling(VjpContext c, long[] repeats)
    {
        var self = c.Input(0).Shape;
        int lead = repeats.Length - self.Length;
        var interleaved = new long[2 * repeats.Length];
        var summed = new long[repeats.Length];
        for (int i = 0; i < repeats.Length; i++)
        {
            interleaved[2 * i] = repeats[i];
            interleaved[2 * i + 1] = i < lead ? 1 : self[i - lead];
            summed[i] = 2 * i;
        }
        return [c.Grad.Reshape(interleaved).Sum(summed).Reshape(self)];
    }

    /// <summary>repeat_interleave: each element's copies summed (by a reshape for one count, by index_add for a repeats tensor).</summary>
    internal static VjpValue?[] RepeatInterleave(VjpContext c)
    {
        var self = c.Input(0);
        bool flat = c.Attrs["dim"] is null;
        var source = flat ? [Shapes.Numel(self.Shape)] : self.Shape;
        int d = flat ? 0 : Shapes.WrapDim("repeat_interleave", c.Attrs.GetLong("dim", 0), self.Rank);
        VjpValue grad;
        if (c.Inputs.Count == 2)
        {
            var map = Ramp(c.Emitter, source[d]).Call("repeat_interleave", new Attrs { { "dim", 0L } }, c.Input(1)).To(DType.Int64);
            grad = Op("index_add", new Attrs { { "dim", (long)d } }, c.Emitter.Zeros(c.Grad.DType, source), map, c.Grad);
        }
        else
        {
            long r = MovementOps.RequiredLong("repeat_interleave", c.Attrs, "repeats");
            long[] split = [.. source[..(d + 1)], r, .. source[(d + 1)..]];
            grad = c.Grad.Reshape(split).Sum([d + 1]);
        }
        return c.Inputs.Count == 2 ? [grad.Reshape(self.Shape), null] : [grad.Reshape(self.Shape)];
    }

    /// <summary>tril and triu: the same triangle of the gradient.</summary>
    internal static VjpValue?[] Triangle(VjpContext c, string op) =>
        [c.Grad.Call(op, new Attrs { { "diagonal", c.Attrs.GetLong("diagonal", 0) } })];

    /// <summary>diag: a vector's gradient is the gradient's diagonal; a matrix's is the gradient on its diagonal, zeros elsewhere.</summary>
    internal static VjpValue?[] Diag(VjpContext c)
    {
        long k = c.Attrs.GetLong("diagonal", 0);
        var self = c.Input(0).Shape;
        var diag = c.Grad.Call("diag", new Attrs { { "diagonal", k } });
        if (self.Length == 1) return [diag];
        long side = diag.Shape[0];
        return [diag.Call("pad", new Attrs { { "pad", new[] { 0, self[1] - side, 0, self[0] - side } }, { "mode", "constant" } })];
    }

    /// <summary>sort and topk: the values' gradient scattered back to where each value came from.</summary>
    internal static VjpValue?[] Sorted(VjpContext c)
    {
        var self = c.Input(0);
        if (self.Rank == 0) return [c.Grad];
        var dim = new Attrs { { "dim", c.Attrs.GetLong("dim", -1) } };
        return [Op("scatter", dim, self.ZerosLike(), c.Outputs[1], c.Grad)];
    }
}
