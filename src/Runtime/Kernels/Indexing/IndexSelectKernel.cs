using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Indexing;

/// <summary>
/// index_select (and embedding, which is index_select of rows): whole slices of the source copied to the
/// result, one per index. A contiguous source is copied block by block (each block the slice's
/// contiguous inner part, a row for embedding) across both cores; other sources go through
/// <see cref="GatherKernel"/> with the index broadcast along the other dims.
/// </summary>
internal static class IndexSelectKernel
{
    /// <summary>
    /// <c>src.index_select(dim, index)</c> into a new tensor of <paramref name="shape"/>; the index is a
    /// checked contiguous int64 vector and src has at least one dim.
    /// </summary>
    internal static Tensor Run(Tensor src, int dim, Tensor index, long[] shape)
    {
        var result = Tensor.Empty(src.DType, shape);
        if (result.numel == 0) return result;
        if (!src.IsContiguous)
        {
            var strides = new long[shape.Length];
            strides[dim] = 1;
            GatherKernel.Run(src, dim, index.AsStrided(shape, strides, index.offset), result);
            return result;
        }
        long inner = 1;
        for (int d = dim + 1; d < src.Dim; d++) inner *= src.shape[d];
        ElementDispatch.BySize(src.DType, new Blocks(src, index, result, src.shape[dim], inner));
        return result;
    }

    private readonly struct Blocks(Tensor src, Tensor index, Tensor result, long size, long inner) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged
        {
            var (s, x, r, dimSize, blockLength) = (src, index, result, size, inner);
            long count = x.numel, blocks = r.numel / blockLength;
            CpuParallel.For(blocks, Math.Max(1, CpuParallel.ElementwiseGrain / blockLength), (start, end) =>
            {
                long outer = start / count, i = start % count;
                ref long ix = ref x.Ref<long>();
                for (long b = start; b < end; b++)
                {
                    long from = (outer * dimSize + Unsafe.Add(ref ix, (nint)i)) * blockLength;
                    if (blockLength == 1) r.Ref<T>(b) = s.Ref<T>(from);
                    else StridedCopy.Copy(ref r.Ref<T>(b * blockLength), 1, ref s.Ref<T>(from), 1, blockLength);
                    if (++i == count)
                    {
                        i = 0;
                        outer++;
                    }
                }
            });
        }
    }
}
