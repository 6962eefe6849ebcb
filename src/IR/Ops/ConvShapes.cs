namespace Kiln.IR.Ops;

/// <summary>
/// The shape rules of the convolution family (conv1d, conv2d, conv_transpose2d, unfold, fold) with
/// PyTorch's checks and messages. Each rule validates its arguments and resolves them to a
/// <see cref="ConvPlan"/>; the type rules and the eager kernels both call these, so each check exists once.
/// Per-dim arguments (stride, padding ...) are null for the default, one value for every spatial dim, or
/// one value per spatial dim.
/// </summary>
public static class ConvShapes
{
    /// <summary>
    /// Resolves <c>conv1d</c>/<c>conv2d</c> (<paramref name="spatialRank"/> 1 or 2): input [N, C_in, *spatial]
    /// or unbatched [C_in, *spatial], weight [C_out, C_in/groups, *kernel], bias [C_out].
    /// <paramref name="paddingMode"/> ("same" or "valid"), when given, replaces <paramref name="padding"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A shape, a per-dim argument, the groups or the padding mode is invalid.</exception>
    public static ConvPlan Convolution(string op, int spatialRank, long[] input, long[] weight, long[]? bias,
        long[]? stride, long[]? padding, string? paddingMode, long[]? dilation, long groups)
    {
        string context = $" (input {Shapes.Format(input)}, weight {Shapes.Format(weight)}{(bias is null ? "" : ", bias " + Shapes.Format(bias))})";
        ArgumentException Fail(string problem) => new($"{op}: {problem}{context}");

        bool batched = CheckInputRank(op, input, spatialRank, context);
        if (weight.Length != spatialRank + 2)
            throw Fail($"expected a {spatialRank + 2}-d weight [out_channels, in_channels/groups, {KernelDims(spatialRank)}], but got weight of size {Shapes.Format(weight)}");
        if (groups <= 0)
            throw Fail($"non-positive groups is not supported (groups={groups})");
        long[] s = Expand(op, "stride", stride, spatialRank, 1, context);
        long[] d = Expand(op, "dilation", dilation, spatialRank, 1, context);
        if (s.Any(v => v <= 0)) throw Fail($"non-positive stride is not supported (stride={Shapes.Format(s)})");
        if (d.Any(v => v <= 0)) throw Fail($"non-positive dilation is not supported (dilation={Shapes.Format(d)})");
        long[] kernel = weight[2..];
        if (kernel.Any(k => k <= 0))
            throw Fail($"expected a non-empty kernel, but got weight of size {Shapes.Format(weight)}");
        var (before, after) = ResolvePadding(op, padding, paddingMode, kernel, s, d, context);

        long outChannels = weight[0];
        if (outChannels < 1)
            throw Fail($"Given groups={groups}, expected weight to be at least 1 at dimension 0, but got weight of size {Shapes.Format(weight)} instead");
        if (outChannels % groups != 0)
            throw Fail($"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {Shapes.Format(weight)} instead");
        long inChannels = input[batched ? 1 : 0];
        if (inChannels != weight[1] * groups)
            throw Fail($"Given groups={groups}, weight of size {Shapes.Format(weight)}, expected input{Shapes.Format(input)} to have {weight[1] * groups} channels, but got {inChannels} channels instead");
        if (bias is not null && (bias.Length != 1 || bias[0] != outChannels))
            throw Fail($"Given weight of size {Shapes.Format(weight)}, expected bias to be 1-dimensional with {outChannels} elements, but got bias of size {Shapes.Format(bias)} instead");

        long[] spatial = input[^spatialRank..];
        CheckNonEmptySpatial(op, input, spatial, context);
        var padded = new long[spatialRank];
        var dilatedKernel = new long[spatialRank];
        var outSize = new long[spatialRank];
        for (int i = 0; i < spatialRank; i++)
        {
            padded[i] = spatial[i] + before[i] + after[i];
            dilatedKernel[i] = d[i] * (kernel[i] - 1) + 1;
            outSize[i] = (padded[i] - dilatedKernel[i]) / s[i] + 1;
        }
        if (padded.Where((p, i) => p < dilatedKernel[i]).Any())
        {
            throw Fail($"Calculated padded input size per channel: ({string.Join(" x ", padded)}). Kernel size: ({string.Join(" x ", dilatedKernel)}). "
                + $"Kernel size can't be greater than actual input size (padding={(paddingMode is null ? Shapes.Format(before) : "'" + paddingMode + "'")}, dilation={Shapes.Format(d)})");
        }
        long[] outputShape = batched ? [input[0], outChannels, .. outSize] : [outChannels, .. outSize];
        var window = Window2d(weight[1], spatial, kernel, s, before, d, outSize);
        return new ConvPlan(outputShape, batched, batched ? input[0] : 1, groups, inChannels, outChannels, window);
    }

    /// <summary>
    /// Resolves <c>conv_transpose2d</c> (<paramref name="spatialRank"/> 2; 1 for conv_transpose1d): input
    /// [N, C_in, *spatial] or unbatched, weight [C_in, C_out/groups, *kernel], bias [C_out]. The output size per
    /// dim is (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1.
    /// </summary>
    /// <exception cref="ArgumentException">A shape, a per-dim argument or the groups is invalid, or the output would be empty.</exception>
    public static ConvPlan TransposedConvolution(string op, int spatialRank, long[] input, long[] weight, long[]? bias,
        long[]? stride, long[]? padding, long[]? outputPadding, long groups, long[]? dilation)
    {
        string context = $" (input {Shapes.Format(input)}, weight {Shapes.Format(weight)}{(bias is null ? "" : ", bias " + Shapes.Format(bias))})";
        ArgumentException Fail(string problem) => new($"{op}: {problem}{context}");

        bool batched = CheckInputRank(op, input, spatialRank, context);
        if (weight.Length != spatialRank + 2 || Shapes.Numel(weight) == 0)
            throw Fail($"expected a non-empty {spatialRank + 2}-d weight [in_channels, out_channels/groups, {KernelDims(spatialRank)}], but got weight of size {Shapes.Format(weight)}");
        if (groups <= 0)
            throw Fail($"non-positive groups is not supported (groups={groups})");
        long[] s = Expand(op, "stride", stride, spatialRank, 1, context);
        long[] p = Expand(op, "padding", padding, spatialRank, 0, context);
        long[] o = Expand(op, "output_padding", outputPadding, spatialRank, 0, context);
        long[] d = Expand(op, "dilation", dilation, spatialRank, 1, context);
        if (s.Any(v => v <= 0)) throw Fail($"non-positive stride is not supported (stride={Shapes.Format(s)})");
        if (p.Any(v => v < 0)) throw Fail($"negative padding is not supported (padding={Shapes.Format(p)})");
        if (o.Any(v => v < 0)) throw Fail($"negative output_padding is not supported (output_padding={Shapes.Format(o)})");
        if (d.Any(v => v <= 0)) throw Fail($"non-positive dilation is not supported (dilation={Shapes.Format(d)})");
        for (int i = 0; i < spatialRank; i++)
        {
            if (o[i] >= s[i] && o[i] >= d[i])
                throw Fail($"output padding must be smaller than either stride or dilation, but got output_padding={Shapes.Format(o)}, stride={Shapes.Format(s)}, dilation={Shapes.Format(d)}");
        }
        if (weight[0] % groups != 0)
            throw Fail($"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {Shapes.Format(weight)} instead");
        long inChannels = input[batched ? 1 : 0];
        if (inChannels != weight[0])
            throw Fail($"Given transposed=1, weight of size {Shapes.Format(weight)}, expected input{Shapes.Format(input)} to have {weight[0]} channels, but got {inChannels} channels instead");
        long outChannels = weight[1] * groups;
        if (bias is not null && (bias.Length != 1 || bias[0] != outChannels))
            throw Fail($"Given transposed=1, groups={groups}, weight of size {Shapes.Format(weight)}, expected bias to be 1-dimensional with {outChannels} elements, but got bias of size {Shapes.Format(bias)} instead");

        long[] spatial = input[^spatialRank..];
        CheckNonEmptySpatial(op, input, spatial, context);
        long[] kernel = weight[2..];
        var outSize = new long[spatialRank];
        for (int i = 0; i < spatialRank; i++)
            outSize[i] = (spatial[i] - 1) * s[i] - 2 * p[i] + d[i] * (kernel[i] - 1) + o[i] + 1;
        if (outSize.Any(v => v < 1))
        {
            throw Fail($"Given input size per channel: ({string.Join(" x ", spatial)}). Calculated output size per channel: ({string.Join(" x ", outSize)}). "
                + $"Output size is too small (stride={Shapes.Format(s)}, padding={Shapes.Format(p)}, dilation={Shapes.Format(d)}, output_padding={Shapes.Format(o)})");
        }
        long[] outputShape = batched ? [input[0], outChannels, .. outSize] : [outChannels, .. outSize];
        // The window of the convolution this op transposes: it slides over the output and lands on the input's positions.
        var window = Window2d(weight[1], outSize, kernel, s, p, d, spatial);
        return new ConvPlan(outputShape, batched, batched ? input[0] : 1, groups, inChannels, outChannels, window);
    }

    /// <summary>
    /// Resolves the weight gradient of conv1d/conv2d: grad_output [N, C_out, *out] and input [N, C_in, *in] (or both
    /// unbatched) for a weight of size <paramref name="weightSize"/> [C_out, C_in/groups, *kernel].
    /// <paramref name="padBefore"/> is the padding before each spatial dim; the output size comes from grad_output.
    /// </summary>
    /// <exception cref="ArgumentException">A rank, size or per-dim argument does not fit the others.</exception>
    public static ConvPlan WeightGradient(string op, long[] gradOutput, long[] input, long[] weightSize, long[]? stride, long[]? padBefore, long[]? dilation, long groups)
    {
        string context = $" (grad_output {Shapes.Format(gradOutput)}, input {Shapes.Format(input)}, weight_size {Shapes.Format(weightSize)})";
        ArgumentException Fail(string problem) => new($"{op}: {problem}{context}");
        int spatialRank = weightSize.Length - 2;
        if (spatialRank is not (1 or 2) || weightSize.Any(v => v <= 0))
            throw Fail("expected a 3-d or 4-d weight_size [out_channels, in_channels/groups, *kernel] of positive sizes");
        bool batched = CheckInputRank(op, input, spatialRank, context);
        if (gradOutput.Length != input.Length)
            throw Fail("expected grad_output to have as many dims as input");
        if (groups <= 0 || weightSize[0] % groups != 0)
            throw Fail($"groups={groups} must be positive and divide the {weightSize[0]} output channels");
        long[] s = Expand(op, "stride", stride, spatialRank, 1, context);
        long[] p = Expand(op, "padding", padBefore, spatialRank, 0, context);
        long[] d = Expand(op, "dilation", dilation, spatialRank, 1, context);
        if (s.Any(v => v <= 0) || p.Any(v => v < 0) || d.Any(v => v <= 0))
            throw Fail($"stride and dilation must be positive and padding non-negative (stride={Shapes.Format(s)}, padding={Shapes.Format(p)}, dilation={Shapes.Format(d)})");
        int channel = batched ? 1 : 0;
        if (input[channel] != weightSize[1] * groups)
            throw Fail($"expected input to have {weightSize[1] * groups} channels (weight_size[1] * groups), but got {input[channel]}");
        if (gradOutput[channel] != weightSize[0])
            throw Fail($"expected grad_output to have {weightSize[0]} channels (weight_size[0]), but got {gradOutput[channel]}");
        if (batched && gradOutput[0] != input[0])
            throw Fail($"expected grad_output and input to have the same batch size, but got {gradOutput[0]} and {input[0]}");
        long[] spatial = input[^spatialRank..], outSize = gradOutput[^spatialRank..], kernel = weightSize[2..];
        for (int i = 0; i < spatialRank; i++)
        {
            // Windows may lie wholly in the padding (padding wider than the kernel); they read zeros.
            if (outSize[i] < 1)
                throw Fail($"grad_output's spatial size {Shapes.Format(outSize)} does not fit input {Shapes.Format(spatial)} with kernel {Shapes.Format(kernel)}, stride={Shapes.Format(s)}, padding={Shapes.Format(p)}, dilation={Shapes.Format(d)}");
        }
        var window = Window2d(weightSize[1], spatial, kernel, s, p, d, outSize);
        return new ConvPlan(weightSize, batched, batched ? input[0] : 1, groups, input[channel], weightSize[0], window);
    }

    /// <summary>
    /// Resolves <c>unfold</c> (im2col): input [N, C, H, W] or [C, H, W] → [N, C·kH·kW, L] or [C·kH·kW, L],
    /// L being the number of window positions.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 3-d or 4-d with non-zero dims, an argument is missing or invalid, or no window fits.</exception>
    public static ConvPlan Unfold(long[] input, long[]? kernelSize, long[]? dilation, long[]? padding, long[]? stride)
    {
        const string Op = "unfold";
        string context = $" (input {Shapes.Format(input)})";
        if (input.Length is not (3 or 4) || input.Skip(input.Length - 3).Any(v => v == 0))
            throw new ArgumentException($"{Op}: Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {Shapes.Format(input)}");
        var (k, d, p, s) = WindowArguments(Op, kernelSize, dilation, padding, stride, context);
        long[] spatial = input[^2..];
        long[] blocks = Blocks(spatial, k, d, p, s);
        if (blocks.Any(b => b < 1))
        {
            throw new ArgumentException($"{Op}: Given input with spatial size ({string.Join(", ", spatial)}), kernel_size={Tuple(k)}, dilation={Tuple(d)}, padding={Tuple(p)}, "
                + $"stride={Tuple(s)}, calculated shape of the array of sliding blocks as {Tuple(blocks)}, but its components must be at least one.{context}");
        }
        bool batched = input.Length == 4;
        long channels = input[^3];
        long rows = channels * k[0] * k[1], columns = blocks[0] * blocks[1];
        long[] outputShape = batched ? [input[0], rows, columns] : [rows, columns];
        return new ConvPlan(outputShape, batched, batched ? input[0] : 1, 1, channels, channels, Window2d(channels, spatial, k, s, p, d, blocks));
    }

    /// <summary>
    /// Resolves <c>fold</c> (col2im, the adjoint of unfold): input [N, C·kH·kW, L] or [C·kH·kW, L] → [N, C, *output_size]
    /// or [C, *output_size], where L must equal the number of window positions over output_size.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 2-d or 3-d with non-zero dims, an argument is missing or invalid, or the sizes disagree.</exception>
    public static ConvPlan Fold(long[] input, long[]? outputSize, long[]? kernelSize, long[]? dilation, long[]? padding, long[]? stride)
    {
        const string Op = "fold";
        string context = $" (input {Shapes.Format(input)})";
        if (input.Length is not (2 or 3) || input.Skip(input.Length - 2).Any(v => v == 0))
            throw new ArgumentException($"{Op}: Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: {Shapes.Format(input)}");
        if (outputSize is null)
            throw new ArgumentException($"{Op}: output_size is required{context}");
        long[] size = Expand(Op, "output_size", outputSize, 2, 0, context);
        var (k, d, p, s) = WindowArguments(Op, kernelSize, dilation, padding, stride, context);
        bool batched = input.Length == 3;
        long rows = input[^2], columns = input[^1], area = k[0] * k[1];
        if (rows % area != 0)
            throw new ArgumentException($"{Op}: Expected size of input's dimension {input.Length - 2} to be divisible by the product of kernel_size, but got input.size({input.Length - 2})={rows} and kernel_size={Tuple(k)}.{context}");
        long[] blocks = Blocks(size, k, d, p, s);
        string arguments = $"output_size={Tuple(size)}, kernel_size={Tuple(k)}, dilation={Tuple(d)}, padding={Tuple(p)}, stride={Tuple(s)}";
        if (blocks.Any(b => b < 1))
            throw new ArgumentException($"{Op}: Given {arguments}, calculated shape of the array of sliding blocks as {Tuple(blocks)}, but its components must be at least one.{context}");
        if (columns != blocks[0] * blocks[1])
        {
            throw new ArgumentException($"{Op}: Given {arguments}, expected size of input's dimension {input.Length - 1} to match the calculated number of sliding blocks "
                + $"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got input.size({input.Length - 1})={columns}.{context}");
        }
        long channels = rows / area;
        long[] outputShape = batched ? [input[0], channels, .. size] : [channels, .. size];
        return new ConvPlan(outputShape, batched, batched ? input[0] : 1, 1, rows, channels, Window2d(channels, size, k, s, p, d, blocks));
    }

    /// <summary>Whether the input is batched; throws unless it has <paramref name="spatialRank"/> + 1 or + 2 dims.</summary>
    private static bool CheckInputRank(string op, long[] input, int spatialRank, string context)
    {
        if (input.Length != spatialRank + 1 && input.Length != spatialRank + 2)
            throw new ArgumentException($"{op}: Expected {spatialRank + 1}D (unbatched) or {spatialRank + 2}D (batched) input to {op}, but got input of size: {Shapes.Format(input)}{context}");
        return input.Length == spatialRank + 2;
    }

    private static void CheckNonEmptySpatial(string op, long[] input, long[] spatial, string context)
    {
        if (spatial.Any(v => v == 0))
            throw new ArgumentException($"{op}: Only zero batch or zero channel inputs are supported, but got input shape: {Shapes.Format(input)}{context}");
    }

    private static string KernelDims(int spatialRank) => spatialRank switch
    {
        1 => "kW",
        2 => "kH, kW",
        _ => string.Join(", ", Enumerable.Range(1, spatialRank).Select(i => $"k{i}")),
    };

    /// <summary>Padding before and after each spatial dim: explicit, "valid" (none) or "same" (the output keeps the input's size).</summary>
    private static (long[] Before, long[] After) ResolvePadding(string op, long[]? padding, string? mode, long[] kernel, long[] stride, long[] dilation, string context)
    {
        int rank = kernel.Length;
        switch (mode)
        {
            case null:
                long[] p = Expand(op, "padding", padding, rank, 0, context);
                if (p.Any(v => v < 0))
                    throw new ArgumentException($"{op}: negative padding is not supported (padding={Shapes.Format(p)}){context}");
                return (p, p);
            case "valid":
                return (new long[rank], new long[rank]);
            case "same":
                if (stride.Any(v => v != 1))
                    throw new ArgumentException($"{op}: padding='same' is not supported for strided convolutions (stride={Shapes.Format(stride)}){context}");
                // An odd total pads one more at the end, as torch does.
                long[] total = [.. kernel.Select((k, i) => dilation[i] * (k - 1))];
                long[] before = [.. total.Select(t => t / 2)];
                return (before, [.. total.Select((t, i) => t - before[i])]);
            default:
                throw new ArgumentException($"{op}: Invalid padding string: '{mode}'; expected 'valid', 'same' or a list of ints{context}");
        }
    }

    /// <summary>The kernel size, dilation, padding and stride of unfold and fold, checked as torch checks them.</summary>
    private static (long[] Kernel, long[] Dilation, long[] Padding, long[] Stride) WindowArguments(string op, long[]? kernelSize, long[]? dilation, long[]? padding, long[]? stride, string context)
    {
        if (kernelSize is null)
            throw new ArgumentException($"{op}: kernel_size is required{context}");
        long[] k = Expand(op, "kernel_size", kernelSize, 2, 0, context);
        long[] d = Expand(op, "dilation", dilation, 2, 1, context);
        long[] p = Expand(op, "padding", padding, 2, 0, context);
        long[] s = Expand(op, "stride", stride, 2, 1, context);
        if (k.Any(v => v <= 0))
            throw new ArgumentException($"{op}: kernel size should be greater than zero, but got kernel_size={Tuple(k)}{context}");
        if (d.Any(v => v <= 0))
            throw new ArgumentException($"{op}: dilation should be greater than zero, but got dilation={Tuple(d)}{context}");
        if (p.Any(v => v < 0))
            throw new ArgumentException($"{op}: padding should be non-negative, but got padding={Tuple(p)}{context}");
        if (s.Any(v => v <= 0))
            throw new ArgumentException($"{op}: stride should be greater than zero, but got stride={Tuple(s)}{context}");
        return (k, d, p, s);
    }

    /// <summary>Window positions along each dim: ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1, or 0 when the window does not fit.</summary>
    private static long[] Blocks(long[] size, long[] kernel, long[] dilation, long[] padding, long[] stride)
    {
        var blocks = new long[size.Length];
        for (int i = 0; i < size.Length; i++)
        {
            long room = size[i] + 2 * padding[i] - (dilation[i] * (kernel[i] - 1) + 1);
            blocks[i] = room < 0 ? 0 : room / stride[i] + 1;
        }
        return blocks;
    }

    /// <summary>
    /// A per-dim argument: null gives <paramref name="fallback"/> for every dim, one value is used for every dim
    /// (torch's <c>stride=2</c> or <c>stride=[2]</c>), otherwise there must be one value per spatial dim.
    /// </summary>
    private static long[] Expand(string op, string name, long[]? values, int rank, long fallback, string context)
    {
        if (values is null)
            return Enumerable.Repeat(fallback, rank).ToArray();
        if (values.Length == 1)
            return Enumerable.Repeat(values[0], rank).ToArray();
        if (values.Length != rank)
            throw new ArgumentException($"{op}: expected {name} to be a single integer value or a list of {rank} values to match the convolution dimensions, but got {name}={Shapes.Format(values)}{context}");
        return values;
    }

    /// <summary>A 2-D window from per-dim values of a 1-d (height 1) or 2-d op.</summary>
    private static ConvWindow Window2d(long channels, long[] inSize, long[] kernel, long[] stride, long[] padBefore, long[] dilation, long[] outSize)
    {
        if (inSize.Length == 1)
            return new ConvWindow(channels, 1, inSize[0], 1, kernel[0], 1, stride[0], 0, padBefore[0], 1, dilation[0], 1, outSize[0]);
        return new ConvWindow(channels, inSize[0], inSize[1], kernel[0], kernel[1], stride[0], stride[1], padBefore[0], padBefore[1], dilation[0], dilation[1], outSize[0], outSize[1]);
    }

    private static string Tuple(long[] values) => "(" + string.Join(", ", values) + ")";
}
