namespace Kiln.Kernels.Conv;

/// <summary>
/// Per-thread scratch memory of the convolution kernels, one buffer per <see cref="Slot"/>: pinned and kept between
/// calls, so steady-state calls allocate nothing (a fresh array per call would cost page faults and, being pinned,
/// full collections). Separate from the GEMM's pack buffer, which the GEMMs running alongside use at the same time.
/// </summary>
internal static unsafe class ThreadScratch
{
    /// <summary>What a scratch buffer holds; the slots of one thread may be in use at the same time.</summary>
    internal enum Slot
    {
        /// <summary>conv_transpose2d's im2col-shaped columns before col2im.</summary>
        Columns,

        /// <summary>The weights in the micro-kernel's packed layout, read by every thread of one convolution.</summary>
        PackedWeights,

        /// <summary>One zero-padded (image, group) that <see cref="ChannelVectorConv"/> reads, per worker thread.</summary>
        PaddedImage,

        /// <summary>One channel block's outputs over <see cref="FlatPositionConv{T}"/>'s flat positions, per worker thread.</summary>
        FlatOutput,
    }

    [ThreadStatic]
    private static byte[]?[]? buffers;

    /// <summary>Scratch for <paramref name="count"/> elements in <paramref name="slot"/>, valid until this thread's next call for that slot.</summary>
    internal static T* Get<T>(Slot slot, long count) where T : unmanaged
    {
        long bytes = checked(count * sizeof(T));
        buffers ??= new byte[]?[Enum.GetValues<Slot>().Length];
        ref byte[]? buffer = ref buffers[(int)slot];
        if (buffer is null || buffer.Length < bytes)
            buffer = GC.AllocateUninitializedArray<byte>(checked((int)Math.Max(bytes, 1)), pinned: true);
        fixed (byte* start = buffer)
        {
            // The array lives on the pinned object heap, so its address outlives this fixed block.
            return (T*)start;
        }
    }
}
