using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// Matrix-vector products (a GEMM with one column): memory-bound, so instead of packing they stream
/// the matrix once, as row dot products when its rows are contiguous or as column sweeps when its
/// columns are.
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>
    /// y = (accumulate ? y : 0) + A·x for A m×k, x k×1 and y m×1 (any strides). Returns false, doing
    /// nothing, when A has neither unit row nor unit column stride.
    /// </summary>
    internal static bool TryRun<T>(int m, int k, MatrixRef<T> a, MatrixRef<T> x, MatrixRef<T> y, bool accumulate, bool parallel)
        where T : unmanaged, INumberBase<T>
    {
        bool rowsContiguous = a.ColStride == 1, columnsContiguous = a.RowStride == 1;
        if (!rowsContiguous && !columnsContiguous) return false;
        T[]? gathered = x.RowStride == 1 ? null : Gather(x, k);
        long grain = Math.Max(1, Gemm.ParallelThreshold / k);
        fixed (T* pGathered = gathered)
        {
            var xv = new MatrixRef<T>(gathered is null ? x.Data : pGathered, 1, 1);
            void Rows(long start, long end)
            {
                if (rowsContiguous)
                    RowDots((int)start, (int)end, k, a, xv.Data, y, accumulate);
                else
                    ColumnSweeps((int)start, (int)end, k, a, xv.Data, y, accumulate);
            }
            if (parallel)
                CpuParallel.For(m, grain, Rows);
            else
                Rows(0, m);
        }
        return true;
    }

    /// <summary>The k entries of a strided column vector, copied to a dense array.</summary>
    private static T[] Gather<T>(MatrixRef<T> x, int k) where T : unmanaged
    {
        var dense = GC.AllocateUninitializedArray<T>(k);
        for (int p = 0; p < k; p++)
            dense[p] = *x.At(p, 0);
        return dense;
    }

    private static void RowDots<T>(int start, int end, int k, MatrixRef<T> a, T* x, MatrixRef<T> y, bool accumulate)
        where T : unmanaged, INumberBase<T>
    {
        var xs = new ReadOnlySpan<T>(x, k);
        for (int i = start; i < end; i++)
        {
            T dot = TensorPrimitives.Dot<T>(new ReadOnlySpan<T>(a.At(i, 0), k), xs);
            T* yi = y.At(i, 0);
            *yi = accumulate ? *yi + dot : dot;
        }
    }

    /// <summary>y[start..end) accumulated column by column in a dense buffer, then written back.</summary>
    private static void ColumnSweeps<T>(int start, int end, int k, MatrixRef<T> a, T* x, MatrixRef<T> y, bool accumulate)
        where T : unmanaged, INumberBase<T>
    {
        int rows = end - start;
        Span<T> sum = y.RowStride == 1 ? new Span<T>(y.At(start, 0), rows) : new T[rows];
        if (!accumulate)
        {
            sum.Clear();
        }
        else if (y.RowStride != 1)
        {
            for (int i = 0; i < rows; i++) sum[i] = *y.At(start + i, 0);
        }
        for (int p = 0; p < k; p++)
            TensorPrimitives.MultiplyAdd<T>(new ReadOnlySpan<T>(a.At(start, p), rows), x[p], sum, sum);
        if (y.RowStride != 1)
        {
            for (int i = 0; i < rows; i++) *y.At(start + i, 0) = sum[i];
        }
    }
}
