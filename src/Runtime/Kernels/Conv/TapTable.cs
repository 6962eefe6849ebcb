namespace Kiln.Kernels.Conv;

/// <summary>
/// Where each row of an im2col slice reads: for row r (one channel and tap), the row and column shift of its tap
/// relative to a window position's origin pixel, and the element offset of that pixel's tap from the image start.
/// Worked out once per slice, used for every sliver of it.
/// </summary>
internal readonly unsafe struct TapTable
{
    internal readonly int* ShiftH, ShiftW, Offset;
    internal readonly int Count;

    /// <summary>The least and greatest row and column shifts over the slice's rows.</summary>
    internal readonly int MinShiftH, MaxShiftH, MinShiftW, MaxShiftW;

    /// <summary>The table of rows [rowStart, rowStart + rowCount) of window <paramref name="w"/>, in <paramref name="storage"/> (3·rowCount ints).</summary>
    internal TapTable(in SlidingWindow w, int rowStart, int rowCount, int* storage)
    {
        ShiftH = storage;
        ShiftW = storage + rowCount;
        Offset = storage + 2 * rowCount;
        Count = rowCount;
        int area = w.KernelArea;
        MinShiftH = MinShiftW = int.MaxValue;
        MaxShiftH = MaxShiftW = int.MinValue;
        for (int r = 0; r < rowCount; r++)
        {
            int row = rowStart + r, c = row / area, tap = row - c * area, ki = tap / w.KernelWidth, kj = tap - ki * w.KernelWidth;
            ShiftH[r] = ki * w.DilationHeight - w.PadTop;
            ShiftW[r] = kj * w.DilationWidth - w.PadLeft;
            Offset[r] = c * w.PlaneSize + ShiftH[r] * w.InWidth + ShiftW[r];
            MinShiftH = Math.Min(MinShiftH, ShiftH[r]);
            MaxShiftH = Math.Max(MaxShiftH, ShiftH[r]);
            MinShiftW = Math.Min(MinShiftW, ShiftW[r]);
            MaxShiftW = Math.Max(MaxShiftW, ShiftW[r]);
        }
    }
}
