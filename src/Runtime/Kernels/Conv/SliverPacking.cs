using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels.Conv;

/// <summary>
/// im2col straight into the GEMM's packed-B layout (<see cref="PanelLayout.Slivers"/>): the B operand of every
/// convolution, written sliver by sliver so the writes stream. Each sliver row — one (channel, tap) row of
/// <c>width</c> window positions — takes the cheapest path that fits: a plain copy when it lies in one output row
/// and reads only pixels inside the image (most of them: for stride 1 one or two vector loads and stores, found
/// with two range checks against bounds worked out once per sliver); for stride 1, masked vector loads
/// (<see cref="SliverRow{T}"/>) of its two stretches when it wraps onto the next output row or touches the padding;
/// <see cref="Im2Col.Gather{T}"/> otherwise.
/// </summary>
internal static unsafe class SliverPacking
{
    /// <summary>
    /// Writes rows [rowStart, rowStart + rowCount) × columns [colStart, colStart + colCount) of the im2col matrix of
    /// <paramref name="image"/> as slivers of <paramref name="width"/> columns, <paramref name="rowCount"/> rows each.
    /// The last sliver's columns past <paramref name="colCount"/> are left unwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack<T>(T* image, in SlidingWindow w, int rowStart, int rowCount, int colStart, int colCount, T* dst, int width)
        where T : unmanaged
    {
        // Per row: where its tap reads relative to a window position's origin pixel (which may lie in the padding).
        int[]? heap = rowCount <= 1024 ? null : new int[3 * rowCount];
        Span<int> rows = heap ?? stackalloc int[3 * rowCount];
        fixed (int* shifts = rows)
        {
            int* shiftH = shifts, shiftW = shifts + rowCount, offset = shifts + 2 * rowCount;
            int area = w.KernelArea;
            for (int r = 0; r < rowCount; r++)
            {
                int row = rowStart + r, c = row / area, tap = row - c * area, ki = tap / w.KernelWidth, kj = tap - ki * w.KernelWidth;
                shiftH[r] = ki * w.DilationHeight - w.PadTop;
                shiftW[r] = kj * w.DilationWidth - w.PadLeft;
                offset[r] = c * w.PlaneSize + shiftH[r] * w.InWidth + shiftW[r];
            }
            int sh = w.StrideHeight, sw = w.StrideWidth;
            T* d = dst;
            for (int j = colStart; j < colStart + colCount; j += width)
            {
                int oh = j / w.OutWidth, ow = j - oh * w.OutWidth, count = Math.Min(width, colStart + colCount - j);
                int split = Math.Min(count, w.OutWidth - ow);
                T* origin = image + ((nint)oh * sh * w.InWidth + ow * sw);
                // The taps whose reads all land inside the image: shiftH in [hLo, hLo + hSpan), shiftW in [wLo, wLo + wSpan).
                int hLo = -oh * sh, hSpan = split == count ? w.InHeight : 0;
                int wLo = -ow * sw, wSpan = Math.Max(0, w.InWidth - (count - 1) * sw);
                // Stride 1: any sliver row is two stretches, columns [0, split) of output row oh and [split, count) of
                // row oh + 1 from output column 0, which masked loads read at a + t and a + nextRow + t.
                bool masked = sw == 1 && count - split <= w.OutWidth && SliverRow<T>.IsSupported && width % Vector256<T>.Count == 0;
                nint nextRow = (nint)sh * w.InWidth - ow - split;
                bool whole = sw == 1 && count == width;
                for (int r = 0; r < rowCount; r++, d += width)
                {
                    int dh = shiftH[r], dw = shiftW[r];
                    T* a = origin + offset[r];
                    if ((uint)(dh - hLo) < (uint)hSpan && (uint)(dw - wLo) < (uint)wSpan)
                    {
                        if (whole)
                            CopyWhole(d, a, width);
                        else
                            Runs.Copy(d, a, sw, count);
                    }
                    else if (masked)
                    {
                        // The stretches' columns inside the image; none where the stretch's input row is outside it.
                        int ihA = oh * sh + dh, firstA = ow + dw;
                        int loA = Math.Clamp(-firstA, 0, split), hiA = Math.Clamp(w.InWidth - firstA, loA, split);
                        if ((uint)ihA >= (uint)w.InHeight) hiA = loA;
                        int loB = split + Math.Clamp(-dw, 0, count - split), hiB = split + Math.Clamp(w.InWidth - dw, loB - split, count - split);
                        if ((uint)(ihA + sh) >= (uint)w.InHeight) hiB = loB;
                        SliverRow<T>.Write(d, width, a, loA, hiA, a + nextRow, loB, hiB);
                    }
                    else
                    {
                        General(image, w, rowStart + r, j, count, d, width);
                    }
                }
            }
        }
    }

    /// <summary>Copies one whole sliver row of <paramref name="width"/> contiguous elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyWhole<T>(T* dst, T* src, int width) where T : unmanaged
    {
        int bytes = width * sizeof(T);
        if (Vector512.IsHardwareAccelerated && bytes % 64 == 0)
        {
            for (int b = 0; b < bytes; b += 64)
                Vector512.Load((byte*)src + b).Store((byte*)dst + b);
        }
        else if (Vector256.IsHardwareAccelerated && bytes % 32 == 0)
        {
            for (int b = 0; b < bytes; b += 32)
                Vector256.Load((byte*)src + b).Store((byte*)dst + b);
        }
        else
        {
            Runs.Copy(dst, src, 1, width);
        }
    }

    /// <summary>A sliver row of a strided convolution that touches the padding or spans output rows: the general im2col.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void General<T>(T* image, in SlidingWindow w, int row, int col, int count, T* dst, int width) where T : unmanaged =>
        Im2Col.Gather(image, w, row, 1, col, count, dst, PanelLayout.Slivers(width, 1));
}
