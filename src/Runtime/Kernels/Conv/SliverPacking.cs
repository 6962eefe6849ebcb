using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels.Conv;

/// <summary>
/// im2col straight into one sliver of the GEMM's packed B (<see cref="PanelLayout.Slivers"/>): the B operand of every
/// convolution, packed one sliver at a time just before the micro-kernel uses it, so it is written and read in L1.
/// A sliver whose every row lies in one output row and reads only pixels inside the image — most slivers away from
/// the edges, found by checking the slice's extreme tap shifts (<see cref="TapTable"/>) once — is copies only: for
/// stride 1 one or two vector loads and stores per row. Otherwise each sliver row — one (channel, tap) row of
/// <c>width</c> window positions — takes the cheapest path that fits: the same copy when it lies inside the image
/// (two range checks against bounds worked out once per sliver); for stride 1, masked vector loads
/// (<see cref="SliverRow{T}"/>) of its two stretches when it wraps onto the next output row or touches the padding;
/// <see cref="Im2Col.Gather{T}"/> otherwise.
/// </summary>
internal static unsafe class SliverPacking
{
    /// <summary>
    /// Writes the rows of <paramref name="taps"/> (im2col rows [rowStart, rowStart + taps.Count)) × columns
    /// [col, col + count) of the im2col matrix of <paramref name="image"/> to <paramref name="dst"/>, row r at
    /// dst + r·width. Columns past <paramref name="count"/> are left unwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack<T>(T* image, in SlidingWindow w, in TapTable taps, int rowStart, int col, int count, T* dst, int width)
        where T : unmanaged
    {
        int sh = w.StrideHeight, sw = w.StrideWidth;
        int oh = col / w.OutWidth, ow = col - oh * w.OutWidth;
        int split = Math.Min(count, w.OutWidth - ow);
        T* origin = image + ((nint)oh * sh * w.InWidth + ow * sw);
        // The taps whose reads all land inside the image: shiftH in [hLo, hLo + hSpan), shiftW in [wLo, wLo + wSpan).
        int hLo = -oh * sh, hSpan = split == count ? w.InHeight : 0;
        int wLo = -ow * sw, wSpan = Math.Max(0, w.InWidth - (count - 1) * sw);
        // Stride 1: any sliver row is two stretches, columns [0, split) of output row oh and [split, count) of row
        // oh + 1 from output column 0, which masked loads read at a + t and a + nextRow + t.
        bool masked = sw == 1 && count - split <= w.OutWidth && SliverRow<T>.IsSupported && width % Vector256<T>.Count == 0;
        nint nextRow = (nint)sh * w.InWidth - ow - split;
        bool whole = sw == 1 && count == width;
        int* shiftH = taps.ShiftH, shiftW = taps.ShiftW, offset = taps.Offset;
        T* d = dst;
        if (whole && (uint)(taps.MinShiftH - hLo) < (uint)hSpan && (uint)(taps.MaxShiftH - hLo) < (uint)hSpan
            && (uint)(taps.MinShiftW - wLo) < (uint)wSpan && (uint)(taps.MaxShiftW - wLo) < (uint)wSpan)
        {
            // Every row of the sliver reads inside the image (most slivers away from the edges): copies only.
            for (int r = 0; r < taps.Count; r++, d += width)
                CopyWhole(d, origin + offset[r], width);
            return;
        }
        for (int r = 0; r < taps.Count; r++, d += width)
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
                General(image, w, rowStart + r, col, count, d, width);
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
