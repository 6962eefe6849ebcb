using Kiln.IR.Ops;

namespace Kiln.Kernels.Conv;

/// <summary>A <see cref="ConvWindow"/> in ints, the form the im2col and col2im loops walk.</summary>
internal readonly struct SlidingWindow
{
    internal readonly int Channels, InHeight, InWidth;
    internal readonly int KernelHeight, KernelWidth;
    internal readonly int StrideHeight, StrideWidth;
    internal readonly int PadTop, PadLeft;
    internal readonly int DilationHeight, DilationWidth;
    internal readonly int OutHeight, OutWidth;

    /// <exception cref="OverflowException">A size does not fit in an int (the tensors could not be allocated anyway).</exception>
    internal SlidingWindow(ConvWindow w)
    {
        Channels = checked((int)w.Channels);
        InHeight = checked((int)w.InHeight);
        InWidth = checked((int)w.InWidth);
        KernelHeight = checked((int)w.KernelHeight);
        KernelWidth = checked((int)w.KernelWidth);
        StrideHeight = checked((int)w.StrideHeight);
        StrideWidth = checked((int)w.StrideWidth);
        PadTop = checked((int)w.PadTop);
        PadLeft = checked((int)w.PadLeft);
        DilationHeight = checked((int)w.DilationHeight);
        DilationWidth = checked((int)w.DilationWidth);
        OutHeight = checked((int)w.OutHeight);
        OutWidth = checked((int)w.OutWidth);
        _ = checked(Rows * Columns + PlaneSize * Channels);
    }

    /// <summary>Taps per channel.</summary>
    internal int KernelArea => KernelHeight * KernelWidth;

    /// <summary>Rows of the im2col matrix: (channel, tap) pairs.</summary>
    internal int Rows => Channels * KernelArea;

    /// <summary>Columns of the im2col matrix: window positions.</summary>
    internal int Columns => OutHeight * OutWidth;

    /// <summary>Elements of one input plane.</summary>
    internal int PlaneSize => InHeight * InWidth;

    /// <summary>Elements of one stack of <see cref="Channels"/> input planes.</summary>
    internal long ImageSize => (long)Channels * PlaneSize;

    /// <summary>Whether the window is a plain 1×1 pass (stride 1, no padding): the im2col matrix is the image itself.</summary>
    internal bool IsPointwise => KernelArea == 1 && StrideHeight == 1 && StrideWidth == 1 && PadTop == 0 && PadLeft == 0
        && OutHeight == InHeight && OutWidth == InWidth;
}
