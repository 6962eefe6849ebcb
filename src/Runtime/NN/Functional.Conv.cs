using Kiln.Kernels.Conv;

namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// A 1-d convolution (<c>torch.nn.functional.conv1d</c>): input [N, C_in, L] or unbatched [C_in, L], weight
    /// [C_out, C_in/groups, kW], bias [C_out]. <paramref name="stride"/>, <paramref name="padding"/> (zeros on both
    /// sides) and <paramref name="dilation"/> take one value (null: 1, 0, 1).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes, dtypes, groups or per-dim arguments are invalid, or the kernel is larger than the padded input.</exception>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return TrackConvolution(ConvKernel.Forward("conv1d", 1, input, weight, bias, stride, padding, null, dilation, groups), "conv1d", input, weight, bias, stride, padding, dilation, groups);
    }

    /// <summary>
    /// A 1-d convolution with a padding mode: <c>"valid"</c> (no padding) or <c>"same"</c> (the output as long as
    /// the input; stride 1 only; an odd total padding puts the extra zero at the end, as torch does).
    /// </summary>
    /// <exception cref="ArgumentException">The padding mode is unknown, "same" is used with a stride, or the call is otherwise invalid.</exception>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, string padding, long[]? dilation = null, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(padding);
        return TrackConvolution(ConvKernel.Forward("conv1d", 1, input, weight, bias, stride, null, padding, dilation, groups), "conv1d", input, weight, bias, stride, padding, dilation, groups);
    }

    /// <summary>
    /// A 2-d convolution (<c>torch.nn.functional.conv2d</c>): input [N, C_in, H, W] or unbatched [C_in, H, W],
    /// weight [C_out, C_in/groups, kH, kW], bias [C_out]; output [N, C_out, H_out, W_out] with
    /// H_out = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1. <paramref name="stride"/>,
    /// <paramref name="padding"/> and <paramref name="dilation"/> take one value for both dims or one per dim
    /// (null: 1, 0, 1). Computed as im2col + GEMM on both cores; 1×1 kernels as a plain GEMM.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes, dtypes, groups or per-dim arguments are invalid, or the kernel is larger than the padded input.</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return TrackConvolution(ConvKernel.Forward("conv2d", 2, input, weight, bias, stride, padding, null, dilation, groups), "conv2d", input, weight, bias, stride, padding, dilation, groups);
    }

    /// <summary>
    /// A 2-d convolution with a padding mode: <c>"valid"</c> (no padding) or <c>"same"</c> (the output the size of
    /// the input; stride 1 only; an odd total padding puts the extra zero at the bottom/right, as torch does).
    /// </summary>
    /// <exception cref="ArgumentException">The padding mode is unknown, "same" is used with a stride, or the call is otherwise invalid.</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, string padding, long[]? dilation = null, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(padding);
        return TrackConvolution(ConvKernel.Forward("conv2d", 2, input, weight, bias, stride, null, padding, dilation, groups), "conv2d", input, weight, bias, stride, padding, dilation, groups);
    }

    /// <summary>
    /// A 2-d transposed convolution (<c>torch.nn.functional.conv_transpose2d</c>, the adjoint of conv2d with the
    /// same stride, padding and dilation): input [N, C_in, H, W] or [C_in, H, W], weight [C_in, C_out/groups, kH, kW],
    /// bias [C_out]; H_out = (H − 1)·stride − 2·padding + dilation·(kH − 1) + output_padding + 1.
    /// <paramref name="outputPadding"/> must be smaller than the stride or the dilation.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes, dtypes, groups or per-dim arguments are invalid, or the output would be empty.</exception>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null,
        long[]? outputPadding = null, long groups = 1, long[]? dilation = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var result = ConvTransposeKernel.Forward("conv_transpose2d", 2, input, weight, bias, stride, padding, outputPadding, groups, dilation);
        if (!ConvolutionNeedsGrad(input, weight, bias)) return result;
        var attrs = ConvolutionAttrs(stride, padding, dilation, groups);
        if (outputPadding is not null) attrs.Add("output_padding", outputPadding);
        return GradRecorder.Record("conv_transpose2d", attrs, bias is null ? [input, weight] : [input, weight, bias], [result])[0];
    }

    /// <summary>
    /// Extracts sliding local blocks (<c>torch.nn.functional.unfold</c>, im2col): input [N, C, H, W] or [C, H, W]
    /// → [N, C·kH·kW, L] (or [C·kH·kW, L]), column l holding the window at position l (row-major over positions).
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 3-d or 4-d, an argument is invalid, or no window fits.</exception>
    public static Tensor Unfold(Tensor input, long[] kernelSize, long[]? dilation = null, long[]? padding = null, long[]? stride = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(kernelSize);
        var result = FoldKernels.Unfold(input, kernelSize, dilation, padding, stride);
        return GradRecorder.IsNeeded(input) ? GradRecorder.Record("unfold", WindowAttrs(kernelSize, dilation, padding, stride), [input], [result])[0] : result;
    }

    /// <summary>
    /// Combines sliding local blocks into an image (<c>torch.nn.functional.fold</c>, col2im, the adjoint of
    /// <see cref="Unfold"/>): input [N, C·kH·kW, L] or [C·kH·kW, L] → [N, C, *outputSize], overlapping values summed.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 2-d or 3-d, an argument is invalid, or L is not the number of windows.</exception>
    public static Tensor Fold(Tensor input, long[] outputSize, long[] kernelSize, long[]? dilation = null, long[]? padding = null, long[]? stride = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(outputSize);
        ArgumentNullException.ThrowIfNull(kernelSize);
        var result = FoldKernels.Fold(input, outputSize, kernelSize, dilation, padding, stride);
        if (!GradRecorder.IsNeeded(input)) return result;
        var attrs = WindowAttrs(kernelSize, dilation, padding, stride);
        attrs.Add("output_size", outputSize);
        return GradRecorder.Record("fold", attrs, [input], [result])[0];
    }

    private static bool ConvolutionNeedsGrad(Tensor input, Tensor weight, Tensor? bias) =>
        GradRecorder.IsNeeded(input, weight) || (bias is not null && GradRecorder.IsNeeded(bias));

    /// <summary>Records conv1d/conv2d when an input requires grad; padding is per-dim ints or a mode string.</summary>
    private static Tensor TrackConvolution(Tensor result, string op, Tensor input, Tensor weight, Tensor? bias, long[]? stride, object? padding, long[]? dilation, long groups) =>
        ConvolutionNeedsGrad(input, weight, bias)
            ? GradRecorder.Record(op, ConvolutionAttrs(stride, padding, dilation, groups), bias is null ? [input, weight] : [input, weight, bias], [result])[0]
            : result;

    private static IR.Attrs ConvolutionAttrs(long[]? stride, object? padding, long[]? dilation, long groups)
    {
        var attrs = new IR.Attrs { { "groups", groups } };
        if (stride is not null) attrs.Add("stride", stride);
        if (padding is not null) attrs.Add("padding", padding);
        if (dilation is not null) attrs.Add("dilation", dilation);
        return attrs;
    }

    private static IR.Attrs WindowAttrs(long[] kernelSize, long[]? dilation, long[]? padding, long[]? stride)
    {
        var attrs = new IR.Attrs { { "kernel_size", kernelSize } };
        if (dilation is not null) attrs.Add("dilation", dilation);
        if (padding is not null) attrs.Add("padding", padding);
        if (stride is not null) attrs.Add("stride", stride);
        return attrs;
    }
}
