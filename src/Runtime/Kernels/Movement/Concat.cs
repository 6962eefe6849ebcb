using Kiln.IR.Ops;

namespace Kiln.Kernels.Movement;

/// <summary>cat and stack: each input copied (or converted) into its slice of one new tensor, row by row.</summary>
internal static class Concat
{
    /// <summary><c>torch.cat</c>: the inputs joined along <paramref name="dim"/>, in their promoted dtype.</summary>
    internal static Tensor Cat(string op, IReadOnlyList<Tensor> tensors, long dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var (shape, d) = MovementOps.CatShape(op, ShapesOf(op, tensors), dim);
        var result = Tensor.Empty(MovementOps.PromoteAll(tensors.Select(t => t.DType)), shape);
        var joined = tensors.Where(t => !MovementOps.IsLegacyEmpty(t.shape)).ToArray();
        if (joined.All(t => t.IsContiguous && t.DType == result.DType && BlockBytes(t, d) >= MinBlockBytes))
        {
            CopyContiguous(joined, result, d);
            return result;
        }
        long offset = 0;
        foreach (var t in tensors)
        {
            if (MovementOps.IsLegacyEmpty(t.shape)) continue;
            long size = t.shape[d];
            if (t.numel > 0)
            {
                var slice = result.Narrow(d, offset, size);
                if (t.DType == result.DType) CopyKernel.Copy(t, slice);
                else CastKernel.Cast(t, slice);
            }
            offset += size;
        }
        return result;
    }

    /// <summary>Below this many bytes per block, a span copy per block costs more than the strided element loop.</summary>
    private const long MinBlockBytes = 64;

    /// <summary>The bytes an input contributes per position of the dims before <paramref name="dim"/>.</summary>
    private static long BlockBytes(Tensor t, int dim) => Kiln.Shapes.Numel(t.shape.AsSpan(dim)) * t.DType.ElementSize();

    /// <summary>
    /// Contiguous inputs of the result's dtype: for each position of the dims before <paramref name="dim"/>, each
    /// input's block is one span copy, so the result is written once, in order (PyTorch's serial cat kernel).
    /// </summary>
    private static void CopyContiguous(Tensor[] inputs, Tensor result, int dim)
    {
        if (result.numel == 0) return;
        int size = result.DType.ElementSize();
        long outer = Kiln.Shapes.Numel(result.shape.AsSpan(0, dim)), outRow = result.numel / outer;
        var rows = inputs.Select(t => BlockBytes(t, dim)).ToArray();
        CpuParallel.For(outer, Math.Max(1, CpuParallel.ElementwiseGrain / outRow), (start, end) =>
        {
            var output = result.ByteSpan();
            for (long o = start; o < end; o++)
            {
                long at = o * outRow * size;
                for (int i = 0; i < inputs.Length; i++)
                {
                    inputs[i].ByteSpan().Slice((int)(o * rows[i]), (int)rows[i]).CopyTo(output.Slice((int)at, (int)rows[i]));
                    at += rows[i];
                }
            }
        });
    }

    /// <summary><c>torch.stack</c>: inputs of one shape joined along a new dim <paramref name="dim"/>.</summary>
    internal static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var (_, d) = MovementOps.StackShape("stack", ShapesOf("stack", tensors), dim);
        return Cat("stack", [.. tensors.Select(t => t.Unsqueeze(d))], d);
    }

    private static long[][] ShapesOf(string op, IReadOnlyList<Tensor> tensors)
    {
        var shapes = new long[tensors.Count][];
        for (int i = 0; i < tensors.Count; i++)
            shapes[i] = (tensors[i] ?? throw new ArgumentNullException(nameof(tensors), $"{op}: tensor {i} is null")).shape;
        return shapes;
    }
}
