using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Indexing;

/// <summary>
/// <c>torch.nonzero</c>: the coordinates of the nonzero elements, [n, rank] int64, in row-major order; and the
/// flat positions of a mask's set elements (what an index by one mask reads). Both count in parallel first,
/// then write without a branch per element.
/// </summary>
internal static class NonzeroKernel
{
    /// <summary>The coordinates of the nonzero elements of <paramref name="input"/> (NaN counts as nonzero, -0.0 as zero).</summary>
    internal static Tensor Run(Tensor input)
    {
        var src = input.Contiguous();
        var result = new StrongBox<Tensor?>();
        ElementDispatch.BySize(src.DType, new Coordinates(src, Compaction.ValueBits(src.DType), result));
        return result.Value!;
    }

    /// <summary>The row-major positions, as an int64 vector, of the set elements of a bool or uint8 <paramref name="mask"/>.</summary>
    internal static Tensor Flat(Tensor mask)
    {
        var m = mask.Contiguous();
        Tensor? result = null;
        Compaction.Run(m.numel,
            (start, end) => Compaction.CountSet(m, start, end),
            count => result = Tensor.Empty(DType.Int64, [count]),
            (start, end, first, count) =>
            {
                ref long output = ref result!.Ref<long>(first);
                long at = 0;
                for (long i = start; i < end && at < count; i++)
                {
                    Unsafe.Add(ref output, (nint)at) = i;
                    at += m.Ref<byte>(i) != 0 ? 1 : 0;
                }
            });
        return result!;
    }

    private readonly struct Coordinates(Tensor src, ulong valueBits, StrongBox<Tensor?> result) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged
        {
            var (s, bits, box) = (src, valueBits, result);
            int rank = s.Dim;
            long[] shape = s.shape;
            Compaction.Run(s.numel,
                (start, end) =>
                {
                    if (Unsafe.SizeOf<T>() == 1 && bits == ulong.MaxValue) return Compaction.CountSet(s, start, end);
                    long n = 0;
                    foreach (var v in s.Span<T>(start, end - start))
                        n += Compaction.IsNonzero(v, bits) ? 1 : 0;
                    return n;
                },
                count => box.Value = Tensor.Empty(DType.Int64, [count, rank]),
                (start, end, first, count) =>
                {
                    if (rank == 0 || count == 0) return;
                    var coords = new long[rank];
                    long rem = start;
                    for (int d = rank - 1; d >= 0; d--)
                    {
                        coords[d] = rem % shape[d];
                        rem /= shape[d];
                    }
                    ref long output = ref box.Value!.Ref<long>(first * rank);
                    long row = 0;
                    for (long i = start; i < end && row < count; i++)
                    {
                        // Branch-free: write the coordinates at the next free row, which advances only past nonzeros.
                        ref long written = ref Unsafe.Add(ref output, (nint)(row * rank));
                        for (int d = 0; d < rank; d++) Unsafe.Add(ref written, d) = coords[d];
                        row += Compaction.IsNonzero(s.Ref<T>(i), bits) ? 1 : 0;
                        for (int d = rank - 1; d >= 0 && ++coords[d] == shape[d]; d--) coords[d] = 0;
                    }
                });
        }
    }
}
