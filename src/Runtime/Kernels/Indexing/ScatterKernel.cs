using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Indexing;

/// <summary>
/// The scatter family's loop: for every position p of an int64 index, combine <c>src[p]</c> into
/// <c>target[p with dim replaced by index[p]]</c>. Positions that differ only along the dim (a "column")
/// all land in one column of the target and are handled in order along the dim by one thread; different
/// columns never meet, so columns are split across cores and accumulations stay deterministic, in PyTorch's
/// order. scatter, scatter_add, scatter_reduce and index_add (an index broadcast along the other dims) use it.
/// </summary>
internal static class ScatterKernel
{
    /// <summary>
    /// Combines <paramref name="src"/> (read with its own strides over the index's shape; strides 0 for a
    /// broadcast value) into <paramref name="target"/> in place, with <paramref name="op"/>. The index's
    /// values must already be checked against the target's dim.
    /// </summary>
    internal static void Run<T, TOp>(Tensor target, int dim, Tensor index, Tensor src, TOp op)
        where T : unmanaged where TOp : struct, IScatterOp<T>
    {
        if (index.numel == 0) return;
        long count = index.shape[dim];
        var columns = (long[])index.shape.Clone();
        columns[dim] = 1;
        var kernel = new Columns<T, TOp>(target, index, src, op, count, target.strides[dim], index.strides[dim], src.strides[dim]);
        RowLoop.Run(columns, [target.strides, index.strides, src.strides], kernel, Math.Max(1, CpuParallel.ElementwiseGrain / count));
    }

    /// <summary>Overwrites target elements with src elements (any dtype: only the bits move).</summary>
    internal static void Assign(Tensor target, int dim, Tensor index, Tensor src) =>
        ElementDispatch.BySize(target.DType, new AssignAction(target, dim, index, src));

    private readonly struct AssignAction(Tensor target, int dim, Tensor index, Tensor src) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged => Run<T, AssignOp<T>>(target, dim, index, src, default);
    }

    private readonly struct Columns<T, TOp>(Tensor target, Tensor index, Tensor src, TOp op, long count, long targetDim, long indexDim, long srcDim) : IRowKernel
        where T : unmanaged where TOp : struct, IScatterOp<T>
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T t = ref target.Ref<T>(offsets[0]);
            ref long ix = ref index.Ref<long>(offsets[1]);
            ref T s = ref src.Ref<T>(offsets[2]);
            // Fields in locals: the writes through t could alias this struct, so the JIT would reload them per element.
            var (apply, k0, td, xd, sd) = (op, count, targetDim, indexDim, srcDim);
            long ts = strides[0], xs = strides[1], ss = strides[2];
            if (n == 1 || Math.Abs(xd) <= Math.Abs(xs))
            {
                // Walk each column along the dim (the index is denser that way).
                for (long j = 0; j < n; j++)
                {
                    ref T column = ref Unsafe.Add(ref t, (nint)(j * ts));
                    ref long indices = ref Unsafe.Add(ref ix, (nint)(j * xs));
                    ref T values = ref Unsafe.Add(ref s, (nint)(j * ss));
                    for (long k = 0; k < k0; k++)
                        apply.Apply(ref Unsafe.Add(ref column, (nint)(Unsafe.Add(ref indices, (nint)(k * xd)) * td)), Unsafe.Add(ref values, (nint)(k * sd)));
                }
            }
            else if (xs == 0 && ts == 1 && ss == 1)
            {
                // One index for the whole row (index_add): each step combines two dense runs.
                for (long k = 0; k < k0; k++)
                {
                    ref T run = ref Unsafe.Add(ref t, (nint)(Unsafe.Add(ref ix, (nint)(k * xd)) * td));
                    ref T values = ref Unsafe.Add(ref s, (nint)(k * sd));
                    if (!apply.TryApplyRun(MemoryMarshal.CreateSpan(ref run, (int)n), MemoryMarshal.CreateReadOnlySpan(ref values, (int)n)))
                    {
                        for (long j = 0; j < n; j++) apply.Apply(ref Unsafe.Add(ref run, (nint)j), Unsafe.Add(ref values, (nint)j));
                    }
                }
            }
            else
            {
                // Walk across columns, one step along the dim at a time; each column still goes in order.
                for (long k = 0; k < k0; k++)
                {
                    ref long indices = ref Unsafe.Add(ref ix, (nint)(k * xd));
                    ref T values = ref Unsafe.Add(ref s, (nint)(k * sd));
                    for (long j = 0; j < n; j++)
                        apply.Apply(ref Unsafe.Add(ref t, (nint)(j * ts + Unsafe.Add(ref indices, (nint)(j * xs)) * td)), Unsafe.Add(ref values, (nint)(j * ss)));
                }
            }
        }
    }
}
