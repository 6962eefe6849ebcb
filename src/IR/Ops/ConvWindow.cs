namespace Kiln.IR.Ops;

/// <summary>
/// One 2-D sliding-window pass over planes of [<see cref="Channels"/>, <see cref="InHeight"/>, <see cref="InWidth"/>]:
/// the geometry that im2col (unfold) and col2im (fold) walk. Every convolution is described by the window of its
/// forward direction (conv1d as height 1; conv_transpose2d by the convolution whose transpose it is).
/// </summary>
/// <remarks>
/// Only the top and left padding are stored: positions past the bottom and right edges are zeros whatever the
/// padding there, and the output size says how far the window goes. So the asymmetric padding of
/// <c>padding="same"</c> with an even kernel needs no padded copy of the input.
/// </remarks>
/// <param name="Channels">Planes the window slides over (per group for a grouped convolution).</param>
/// <param name="InHeight">Height of each plane.</param>
/// <param name="InWidth">Width of each plane.</param>
/// <param name="KernelHeight">Window height in taps.</param>
/// <param name="KernelWidth">Window width in taps.</param>
/// <param name="StrideHeight">Rows the window moves per output row.</param>
/// <param name="StrideWidth">Columns the window moves per output column.</param>
/// <param name="PadTop">Zero rows above the plane.</param>
/// <param name="PadLeft">Zero columns left of the plane.</param>
/// <param name="DilationHeight">Rows between the window's taps.</param>
/// <param name="DilationWidth">Columns between the window's taps.</param>
/// <param name="OutHeight">Window positions down the plane.</param>
/// <param name="OutWidth">Window positions across the plane.</param>
public sealed record ConvWindow(
    long Channels, long InHeight, long InWidth,
    long KernelHeight, long KernelWidth,
    long StrideHeight, long StrideWidth,
    long PadTop, long PadLeft,
    long DilationHeight, long DilationWidth,
    long OutHeight, long OutWidth)
{
    /// <summary>Taps per channel: KernelHeight·KernelWidth.</summary>
    public long KernelArea => KernelHeight * KernelWidth;

    /// <summary>Rows of the im2col matrix: one per (channel, tap).</summary>
    public long Rows => Channels * KernelArea;

    /// <summary>Columns of the im2col matrix: one per window position.</summary>
    public long Columns => OutHeight * OutWidth;

    /// <summary>Elements of one plane stack: Channels·InHeight·InWidth.</summary>
    public long ImageSize => Channels * InHeight * InWidth;
}

/// <summary>
/// A convolution-like op resolved against its input shapes: the output shape, the batch (1 for an unbatched
/// input), the groups and channel counts, and the sliding window each group's GEMM walks.
/// </summary>
/// <param name="OutputShape">The result's shape.</param>
/// <param name="Batched">Whether the input has a batch dim (torch accepts unbatched inputs too).</param>
/// <param name="Batch">The batch size (1 when unbatched).</param>
/// <param name="Groups">Channel groups (1 for unfold and fold).</param>
/// <param name="InChannels">Channels of the input.</param>
/// <param name="OutChannels">Channels of the output.</param>
/// <param name="Window">The window of one group, in the forward (im2col) direction.</param>
public sealed record ConvPlan(long[] OutputShape, bool Batched, long Batch, long Groups, long InChannels, long OutChannels, ConvWindow Window);
