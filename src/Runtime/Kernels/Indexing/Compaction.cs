using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Indexing;

/// <summary>
/// Writes the selected elements of a range to a dense output in order (nonzero, masked_select): the range is
/// cut into one chunk per thread, each chunk counts its selections, and then each writes from its own
/// starting position, so both passes use both cores.
/// </summary>
internal static class Compaction
{
    /// <summary>Counts the selections in [start, end).</summary>
    internal delegate long Counter(long start, long end);

    /// <summary>
    /// Writes the <paramref name="count"/> selections of [start, end) from output position <paramref name="first"/>;
    /// it may stop once it has written them all.
    /// </summary>
    internal delegate void Writer(long start, long end, long first, long count);

    /// <summary>
    /// Counts the selections of [0, <paramref name="total"/>), lets <paramref name="allocate"/> make the output
    /// for that many, then writes them with <paramref name="write"/>.
    /// </summary>
    internal static void Run(long total, Counter count, Action<long> allocate, Writer write)
    {
        int chunks = total < CpuParallel.ElementwiseGrain ? 1 : Threading.NumThreads;
        var counts = new long[chunks];
        CpuParallel.For(chunks, 1, (c0, c1) =>
        {
            for (long c = c0; c < c1; c++) counts[c] = count(Start(total, chunks, c), Start(total, chunks, c + 1));
        });
        allocate(counts.Sum());
        var firsts = new long[chunks];
        for (int c = 1; c < chunks; c++) firsts[c] = firsts[c - 1] + counts[c - 1];
        CpuParallel.For(chunks, 1, (c0, c1) =>
        {
            for (long c = c0; c < c1; c++) write(Start(total, chunks, c), Start(total, chunks, c + 1), firsts[c], counts[c]);
        });
    }

    /// <summary>How many of the bytes in [start, end) of a bool or uint8 tensor are set (vectorized).</summary>
    internal static long CountSet(Tensor mask, long start, long end) => end - start - mask.Span<byte>(start, end - start).Count((byte)0);

    /// <summary>Whether an element's bits make it nonzero: any bit for integers and bool, any bit but the sign for floats (so -0.0 is zero and NaN is not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsNonzero<T>(T bits, ulong valueBits) where T : unmanaged
    {
        ulong v = Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.As<T, byte>(ref bits),
            2 => Unsafe.As<T, ushort>(ref bits),
            4 => Unsafe.As<T, uint>(ref bits),
            _ => Unsafe.As<T, ulong>(ref bits),
        };
        return (v & valueBits) != 0;
    }

    /// <summary>The bits of a <paramref name="dtype"/> element that must be clear for it to be zero.</summary>
    internal static ulong ValueBits(DType dtype) => dtype switch
    {
        DType.Float16 or DType.BFloat16 => 0x7FFF,
        DType.Float32 => 0x7FFF_FFFF,
        DType.Float64 => 0x7FFF_FFFF_FFFF_FFFF,
        _ => ulong.MaxValue,
    };

    private static long Start(long total, int chunks, long c) => total * c / chunks;
}
