using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// View ops: reshape, expand, permute, transpose, squeeze, unsqueeze, slicing and selecting, diagonals, clone,
/// and the scatters that write a slice back (the gradients of the slicing views), with PyTorch's semantics.
/// </summary>
public static partial class ViewOps
{
    private const string Family = "view";

    /// <summary><c>self.reshape(shape)</c>: the elements in row-major order with another shape (one dim may be -1); covers <c>view</c> and <c>flatten</c>.</summary>
    public static OpDef Reshape { get; } = Unary("reshape", [new AttrDef("shape", "ints")],
        (t, a) => InferSize("reshape", MovementOps.RequiredLongs("reshape", a, "shape"), Shapes.Numel(t), t),
        c => [c.Grad.Reshape(c.Input(0).Shape)], ReshapeSamples);

    /// <summary><c>self.expand(size)</c>: size-1 dims broadcast to <c>size</c> without copying (-1 keeps a dim; new dims go in front).</summary>
    public static OpDef Expand { get; } = Unary("expand", [new AttrDef("size", "ints")],
        (t, a) => ExpandShape("expand", t, MovementOps.RequiredLongs("expand", a, "size")),
        c => [c.Grad.SumTo(c.Input(0).Shape, c.Input(0).DType)], ExpandSamples);

    /// <summary><c>self.permute(dims)</c>: the dims reordered; dim i of the result is dim <c>dims[i]</c>.</summary>
    public static OpDef Permute { get; } = Unary("permute", [new AttrDef("dims", "ints")],
        (t, a) => [.. PermuteDims("permute", MovementOps.RequiredLongs("permute", a, "dims"), t).Select(d => t[d])],
        c => [c.Grad.Call("permute", new Attrs { { "dims", InversePermutation("permute", c.Attrs.GetLongs("dims"), c.Input(0).Shape) } })],
        PermuteSamples);

    /// <summary><c>self.transpose(dim0, dim1)</c>: two dims swapped.</summary>
    public static OpDef Transpose { get; } = Unary("transpose", [new AttrDef("dim0", "int"), new AttrDef("dim1", "int")],
        (t, a) =>
        {
            int d0 = Shapes.WrapDim("transpose", MovementOps.RequiredLong("transpose", a, "dim0"), t.Length);
            int d1 = Shapes.WrapDim("transpose", MovementOps.RequiredLong("transpose", a, "dim1"), t.Length);
            var shape = (long[])t.Clone();
            if (shape.Length > 0) (shape[d0], shape[d1]) = (shape[d1], shape[d0]);
            return shape;
        },
        c => [c.Grad.Transpose(c.Attrs.GetLong("dim0", 0), c.Attrs.GetLong("dim1", 0))], TransposeSamples);

    /// <summary><c>self.squeeze(dim)</c>: the size-1 dims among <c>dim</c> removed (every size-1 dim when <c>dim</c> is empty).</summary>
    public static OpDef Squeeze { get; } = Unary("squeeze", [new AttrDef("dim", "ints", Array.Empty<long>())],
        (t, a) =>
        {
            var removed = SqueezedDims("squeeze", a.GetLongs("dim"), t);
            return [.. t.Where((_, i) => !removed[i])];
        },
        c => [c.Grad.Reshape(c.Input(0).Shape)], SqueezeSamples);

    /// <summary><c>self.unsqueeze(dim)</c>: a size-1 dim inserted at <c>dim</c> (in [-rank - 1, rank]).</summary>
    public static OpDef Unsqueeze { get; } = Unary("unsqueeze", [new AttrDef("dim", "int")],
        (t, a) =>
        {
            int d = Shapes.WrapDim("unsqueeze", MovementOps.RequiredLong("unsqueeze", a, "dim"), t.Length + 1);
            return [.. t[..d], 1, .. t[d..]];
        },
        c => [c.Grad.Reshape(c.Input(0).Shape)], UnsqueezeSamples);

    private static readonly AttrDef[] SliceAttributes = [new("dim", "int", 0L), new("start", "int"), new("end", "int"), new("step", "int", 1L)];
    private static readonly AttrDef[] SelectAttributes = [new("dim", "int"), new("index", "int")];
    private static readonly AttrDef[] DiagonalAttributes = [new("offset", "int", 0L), new("dim1", "int", 0L), new("dim2", "int", 1L)];

    /// <summary>
    /// <c>aten.slice(self, dim, start, end, step)</c> (<c>self[..., start:end:step]</c>): absent bounds mean the dim's ends,
    /// negative bounds count from the end, bounds past the dim are clamped; the step must be positive. Covers <c>narrow</c>.
    /// </summary>
    public static OpDef Slice { get; } = Unary("slice", SliceAttributes, (t, a) => SliceShape("slice", t, a), ViewGradient("slice_scatter"), SliceSamples);

    /// <summary><c>torch.select(self, dim, index)</c>: the part at <c>index</c> (negative counts from the end) along <c>dim</c>, with the dim removed.</summary>
    public static OpDef Select { get; } = Unary("select", SelectAttributes, (t, a) => SelectShape("select", t, a), ViewGradient("select_scatter"), SelectSamples);

    /// <summary><c>torch.diagonal(self, offset, dim1, dim2)</c>: the diagonal of the matrices spanned by two dims, as a last dim.</summary>
    public static OpDef Diagonal { get; } = Unary("diagonal", DiagonalAttributes, (t, a) => DiagonalShape("diagonal", t, a), ViewGradient("diagonal_scatter"), DiagonalSamples);

    /// <summary><c>self.clone()</c>: a contiguous copy (also what <c>contiguous()</c> computes when it copies).</summary>
    public static OpDef Clone { get; } = Unary("clone", [], (t, _) => t, c => [c.Grad], CloneSamples);

    /// <summary><c>torch.slice_scatter(self, src, dim, start, end, step)</c>: a copy of self with <c>src</c> (converted to self's dtype) written into the slice.</summary>
    public static OpDef SliceScatter { get; } = Scatter("slice_scatter", SliceAttributes, (t, a) => SliceShape("slice_scatter", t, a), DescribeSlice, "slice", SliceScatterSamples);

    /// <summary><c>torch.select_scatter(self, src, dim, index)</c>: a copy of self with <c>src</c> written at <c>index</c> along <c>dim</c>.</summary>
    public static OpDef SelectScatter { get; } = Scatter("select_scatter", SelectAttributes, (t, a) => SelectShape("select_scatter", t, a), DescribeSelect, "select", SelectScatterSamples);

    /// <summary><c>torch.diagonal_scatter(self, src, offset, dim1, dim2)</c>: a copy of self with <c>src</c> written onto the diagonal.</summary>
    public static OpDef DiagonalScatter { get; } = Scatter("diagonal_scatter", DiagonalAttributes, (t, a) => DiagonalShape("diagonal_scatter", t, a), DescribeDiagonal, "diagonal", DiagonalScatterSamples);

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } =
        [Reshape, Expand, Permute, Transpose, Squeeze, Unsqueeze, Slice, Select, Diagonal, Clone, SliceScatter, SelectScatter, DiagonalScatter];

    /// <summary>The gradient of a view that picks part of its input: the incoming gradient scattered into zeros.</summary>
    private static VjpRule ViewGradient(string scatter) => c =>
        [c.Emitter.Zeros(c.Grad.DType, c.Input(0).Shape).Call(scatter, c.Attrs, c.Grad)];

    /// <summary>A scatter's gradient: for self, the incoming gradient with the part zeroed; for src, the part of it.</summary>
    private static VjpRule ScatterGradient(string scatter, string view) => c =>
    [
        c.NeedsInputGrad[0] ? c.Grad.Call(scatter, c.Attrs, c.Emitter.Zeros(c.Grad.DType, c.Input(1).Shape)) : null,
        c.NeedsInputGrad[1] ? c.Grad.Call(view, c.Attrs) : null,
    ];

    /// <summary>An op that writes <c>src</c> into the part of a copy of <c>self</c> that the view <paramref name="view"/> picks.</summary>
    private static OpDef Scatter(string name, IReadOnlyList<AttrDef> attributes, Func<long[], Attrs, long[]> part, Func<Attrs, string> describe, string view, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = Family,
        Inputs = ["self", "src"],
        Attributes = attributes,
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            TypeRules.CheckArity(name, 2, inputs.Count);
            CheckScatterSource(name, inputs[0].Shape, part(inputs[0].Shape, a), inputs[1].Shape, describe(a));
            return [inputs[0]];
        },
        Gradient = ScatterGradient(name, view),
        Samples = samples,
    };

    /// <summary>A one-input op whose result keeps the input's dtype and gets the shape <paramref name="shape"/> computes.</summary>
    private static OpDef Unary(string name, IReadOnlyList<AttrDef> attributes, Func<long[], Attrs, long[]> shape, VjpRule gradient, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = Family,
        Inputs = ["self"],
        Attributes = attributes,
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            TypeRules.CheckArity(name, 1, inputs.Count);
            return [new TensorType(inputs[0].DType, shape(inputs[0].Shape, a))];
        },
        Gradient = gradient,
        Samples = samples,
    };
}
