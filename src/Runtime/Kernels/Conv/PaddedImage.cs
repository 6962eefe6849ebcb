namespace Kiln.Kernels.Conv;

/// <summary>Computes output rows [<paramref name="oh0"/>, <paramref name="oh1"/>) of (image, group) <paramref name="imageGroup"/> from its padded copy.</summary>
internal unsafe delegate void PaddedRows<T>(T* padded, long imageGroup, int oh0, int oh1) where T : unmanaged;

/// <summary>
/// The zero-padded copy of one (image, group) that a direct kernel reads instead of the image, so its inner loop has
/// no edge cases: every input row any window reaches, each widened to hold every column any window of one output row
/// reaches, plus slack past the last row for the junk columns a row's last tile computes and never stores.
/// </summary>
internal readonly unsafe struct PaddedImage
{
    /// <summary>Padded row length: one output row's windows, stride 1.</summary>
    internal readonly int Width;

    /// <summary>Padded rows per channel.</summary>
    internal readonly int Height;

    /// <summary>Elements, with the slack a last tile's junk columns read past the last row.</summary>
    internal readonly long Size;

    private readonly int slack;

    /// <param name="w">The window; stride 1 across columns.</param>
    /// <param name="slack">Elements a tile may read past the last padded row.</param>
    internal PaddedImage(in SlidingWindow w, int slack)
    {
        Width = w.OutWidth + (w.KernelWidth - 1) * w.DilationWidth;
        Height = (w.OutHeight - 1) * w.StrideHeight + (w.KernelHeight - 1) * w.DilationHeight + 1;
        this.slack = slack;
        Size = checked((long)w.Channels * Width * Height + slack);
    }

    /// <summary>
    /// Runs <paramref name="rows"/> over every output row of <paramref name="images"/> (image, group) stacks of
    /// <paramref name="input"/> on the worker threads, each stack first copied into the thread's padded scratch;
    /// <paramref name="work"/> is the multiply-adds of one stack, for the grain.
    /// </summary>
    internal void ForEach<T>(T* input, long images, in SlidingWindow w, long work, PaddedRows<T> rows) where T : unmanaged
    {
        var geometry = this;
        var window = w;
        // Too few images for the threads: split each one's output rows as well (each part pads its own copy).
        int parts = images < Threading.NumThreads ? Math.Min(Threading.NumThreads, w.OutHeight) : 1;
        int rowsPerPart = (w.OutHeight + parts - 1) / parts;
        CpuParallel.For(images * parts, Math.Max(1, Gemm.Gemm.ParallelThreshold / Math.Max(1, work / parts)), (start, end) =>
        {
            T* padded = ThreadScratch.Get<T>(ThreadScratch.Slot.PaddedImage, geometry.Size);
            for (long unit = start; unit < end; unit++)
            {
                long imageGroup = unit / parts;
                int part = (int)(unit % parts);
                int oh0 = part * rowsPerPart, oh1 = Math.Min(window.OutHeight, oh0 + rowsPerPart);
                if (oh0 >= oh1) continue;
                geometry.Fill(padded, input + imageGroup * window.ImageSize, window);
                rows(padded, imageGroup, oh0, oh1);
            }
        });
    }

    /// <summary>Elements of one padded channel.</summary>
    internal int PlaneSize => Width * Height;

    /// <summary>Copies <paramref name="image"/> (w.Channels planes) into <paramref name="dst"/>, zero where the window reaches padding.</summary>
    internal void Fill<T>(T* dst, T* image, in SlidingWindow w) where T : unmanaged
    {
        for (int ch = 0; ch < w.Channels; ch++)
        {
            T* plane = image + (nint)ch * w.PlaneSize;
            for (int r = 0; r < Height; r++)
            {
                T* row = dst + ((nint)ch * Height + r) * Width;
                int ih = r - w.PadTop;
                if ((uint)ih >= (uint)w.InHeight)
                {
                    Runs.Zero(row, Width);
                    continue;
                }
                // Padded column c holds input column c − PadLeft where that lies in the input row.
                int first = Math.Clamp(w.PadLeft, 0, Width), last = Math.Clamp(w.PadLeft + w.InWidth, first, Width);
                Runs.Zero(row, first);
                new ReadOnlySpan<T>(plane + (nint)ih * w.InWidth + (first - w.PadLeft), last - first).CopyTo(new Span<T>(row + first, last - first));
                Runs.Zero(row + last, Width - last);
            }
        }
        Runs.Zero(dst + (nint)w.Channels * PlaneSize, slack);
    }
}
