using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Indexing;

/// <summary>
/// Reads a source at the positions an int64 index picks along one dim, whatever the strides: gather, and
/// index_select or embedding on a source that is not contiguous. Walks the result with
/// <see cref="RowLoop"/>, so large results use both cores.
/// </summary>
internal static class GatherKernel
{
    /// <summary>
    /// <c>out[p] = src[p with dim <paramref name="dim"/> replaced by index[p]]</c> for every position p of
    /// <paramref name="result"/>. The index has the result's shape (strides 0 where it broadcasts) and
    /// values already checked to lie in the dim; src is at least as large as the result in the other dims.
    /// </summary>
    internal static void Run(Tensor src, int dim, Tensor index, Tensor result)
    {
        if (result.numel == 0) return;
        var srcStrides = (long[])src.strides.Clone();
        long dimStride = srcStrides[dim];
        srcStrides[dim] = 0;
        ElementDispatch.BySize(result.DType, new Dispatch(src, index, result, [result.strides, index.strides, srcStrides], dimStride));
    }

    private readonly struct Dispatch(Tensor src, Tensor index, Tensor result, long[][] strides, long dimStride) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged => RowLoop.Run(result.shape, strides, new Rows<T>(result, index, src, dimStride));
    }

    private readonly struct Rows<T>(Tensor result, Tensor index, Tensor src, long dimStride) : IRowKernel
        where T : unmanaged
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T o = ref result.Ref<T>(offsets[0]);
            ref long ix = ref index.Ref<long>(offsets[1]);
            ref T s = ref src.Ref<T>(offsets[2]);
            long os = strides[0], xs = strides[1], ss = strides[2], ds = dimStride;
            if (xs == 0)
            {
                // One index for the whole row (index_select's rows): a plain strided copy.
                StridedCopy.Copy(ref o, os, ref Unsafe.Add(ref s, (nint)(ix * ds)), ss, n);
                return;
            }
            if (os == 1 && xs == 1 && ss == 0)
            {
                // Gather along the (dense) last dim: the loop the JIT can keep tight.
                for (long i = 0; i < n; i++)
                    Unsafe.Add(ref o, (nint)i) = Unsafe.Add(ref s, (nint)(Unsafe.Add(ref ix, (nint)i) * ds));
                return;
            }
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref o, (nint)(i * os)) = Unsafe.Add(ref s, (nint)(i * ss + Unsafe.Add(ref ix, (nint)(i * xs)) * ds));
        }
    }
}
