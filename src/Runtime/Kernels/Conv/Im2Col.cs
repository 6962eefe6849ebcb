using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Conv;

/// <summary>
/// Where element (row, column) of a gathered im2col block is written: the block's columns are cut into panels
/// of <see cref="Width"/> columns; within a panel rows lie <see cref="RowStride"/> apart, and panels lie
/// <see cref="PanelStride"/> apart. A plain row-major matrix is one panel as wide as the block.
/// </summary>
internal readonly struct PanelLayout(int width, nint rowStride, nint panelStride)
{
    internal readonly int Width = width;
    internal readonly nint RowStride = rowStride;
    internal readonly nint PanelStride = panelStride;

    /// <summary>A row-major matrix whose rows lie <paramref name="leadingDimension"/> elements apart (unfold's output).</summary>
    internal static PanelLayout Matrix(nint leadingDimension) => new(int.MaxValue, leadingDimension, 0);

    /// <summary>The GEMM's packed B: slivers of <paramref name="width"/> columns, each storing its <paramref name="rows"/> rows one after another.</summary>
    internal static PanelLayout Slivers(int width, int rows) => new(width, width, (nint)width * rows);
}

/// <summary>
/// The one im2col (<see cref="Gather{T}"/>: unfold, and every convolution GEMM's operand B, whose packing
/// (<see cref="SliverPacking"/>) adds vector fast paths for the common sliver rows and calls this for the rest) and
/// col2im (<see cref="Scatter{T}"/>: fold, and the last step of conv_transpose2d). Both walk a row of the column
/// matrix — one (channel, tap) pair — one output row at a time, working out once per output row which window
/// positions land inside the image, so the inner loops are plain copies and adds.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>
    /// Writes rows [rowStart, rowStart + rowCount) × columns [colStart, colStart + colCount) of the im2col
    /// matrix of <paramref name="image"/> ([Channels, InHeight, InWidth], contiguous) to <paramref name="dst"/>
    /// in <paramref name="layout"/>; positions in the padding read as zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Gather<T>(T* image, in SlidingWindow w, int rowStart, int rowCount, int colStart, int colCount, T* dst, PanelLayout layout)
        where T : unmanaged
    {
        int area = w.KernelArea;
        int ohStart = colStart / w.OutWidth, owStart = colStart - ohStart * w.OutWidth;
        for (int r = 0; r < rowCount; r++)
        {
            int row = rowStart + r, c = row / area, tap = row - c * area, ki = tap / w.KernelWidth, kj = tap - ki * w.KernelWidth;
            T* plane = image + (nint)c * w.PlaneSize;
            int shiftH = ki * w.DilationHeight - w.PadTop, shiftW = kj * w.DilationWidth - w.PadLeft;
            var cursor = new PanelCursor<T>(dst + r * layout.RowStride, layout);
            int oh = ohStart, ow = owStart;
            for (int j = 0; j < colCount; oh++, ow = 0)
            {
                int run = Math.Min(w.OutWidth - ow, colCount - j);
                int ih = oh * w.StrideHeight + shiftH;
                int first = ow * w.StrideWidth + shiftW;
                int lo = 0, hi = 0;
                if ((uint)ih < (uint)w.InHeight)
                    ValidRange(first, run, w.StrideWidth, w.InWidth, out lo, out hi);
                // Rows above or below the image leave lo = hi = 0: the pointer is then never read.
                cursor.Write(plane + (nint)ih * w.InWidth + first, w.StrideWidth, run, lo, hi);
                j += run;
            }
        }
    }

    /// <summary>
    /// Adds the im2col-shaped matrix <paramref name="col"/> (rows <paramref name="leadingDimension"/> apart, all
    /// <see cref="SlidingWindow.Columns"/> columns) back into <paramref name="image"/> for channels
    /// [channelStart, channelStart + channelCount): each element goes to the pixel its window position read,
    /// positions in the padding are dropped. Channels touch disjoint planes, so ranges may run in parallel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Scatter<T>(T* col, nint leadingDimension, in SlidingWindow w, int channelStart, int channelCount, T* image)
        where T : unmanaged, INumberBase<T>
    {
        int area = w.KernelArea;
        for (int c = channelStart; c < channelStart + channelCount; c++)
        {
            T* plane = image + (nint)c * w.PlaneSize;
            for (int tap = 0; tap < area; tap++)
            {
                int ki = tap / w.KernelWidth, kj = tap - ki * w.KernelWidth;
                int shiftH = ki * w.DilationHeight - w.PadTop, shiftW = kj * w.DilationWidth - w.PadLeft;
                ValidRange(shiftW, w.OutWidth, w.StrideWidth, w.InWidth, out int lo, out int hi);
                if (hi <= lo) continue;
                T* src = col + (c * area + tap) * leadingDimension + lo;
                for (int oh = 0; oh < w.OutHeight; oh++, src += w.OutWidth)
                {
                    int ih = oh * w.StrideHeight + shiftH;
                    if ((uint)ih < (uint)w.InHeight)
                        Runs.Add(plane + (nint)ih * w.InWidth + shiftW + lo * w.StrideWidth, w.StrideWidth, src, hi - lo);
                }
            }
        }
    }

    /// <summary>
    /// Of the <paramref name="run"/> window positions whose input columns are first + t·stride, those inside
    /// [0, <paramref name="width"/>): t in [lo, hi).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ValidRange(int first, int run, int stride, int width, out int lo, out int hi)
    {
        if (stride == 1)
        {
            lo = Math.Max(0, -first);
            hi = Math.Min(run, width - first);
        }
        else
        {
            lo = first >= 0 ? 0 : (stride - 1 - first) / stride;
            hi = first >= width ? 0 : Math.Min(run, (width - first + stride - 1) / stride);
        }
        lo = Math.Min(lo, run);
        hi = Math.Max(hi, lo);
    }

    /// <summary>Writes one im2col row into its panels, piece by piece.</summary>
    private struct PanelCursor<T>(T* rowStart, PanelLayout layout) where T : unmanaged
    {
        private T* panel = rowStart;
        private int within;

        /// <summary>Appends <paramref name="run"/> elements: src[t·stride] for t in [lo, hi), zero elsewhere.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write(T* src, int stride, int run, int lo, int hi)
        {
            for (int t = 0; t < run;)
            {
                int piece = Math.Min(run - t, layout.Width - within);
                T* d = panel + within;
                int zeroEnd = Math.Clamp(lo, t, t + piece), copyEnd = Math.Clamp(hi, zeroEnd, t + piece);
                Runs.Zero(d, zeroEnd - t);
                Runs.Copy(d + (zeroEnd - t), src + (nint)zeroEnd * stride, stride, copyEnd - zeroEnd);
                Runs.Zero(d + (copyEnd - t), t + piece - copyEnd);
                t += piece;
                within += piece;
                if (within == layout.Width)
                {
                    within = 0;
                    panel += layout.PanelStride;
                }
            }
        }
    }
}
