using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Movement;

namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// Pads <paramref name="input"/> (<c>torch.nn.functional.pad</c>). <paramref name="pad"/> holds (before, after)
    /// amounts for the last dim, then for the one before it, and so on; negative amounts crop.
    /// <paramref name="mode"/> is <c>"constant"</c> (filled with <paramref name="value"/>, 0 by default),
    /// <c>"reflect"</c> (mirrored about the edge element), <c>"replicate"</c> (the edge element repeated) or
    /// <c>"circular"</c> (wrapped around). The non-constant modes pad the last 1 to 3 dims of an input with one or
    /// two more dims (batch and channels), and take no value.
    /// </summary>
    /// <exception cref="ArgumentException">The pad list, mode, value or input shape is invalid (a reflect pad as large as the dim, for instance).</exception>
    public static Tensor Pad(Tensor input, long[] pad, string mode = "constant", double? value = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(pad);
        var padMode = MovementOps.ParsePadMode(mode);
        if (padMode is PadMode.Reflect or PadMode.Replicate)
            TypeRules.CheckDType($"pad (mode '{mode}')", input.DType, MovementOps.NumericDTypes);
        var shape = MovementOps.PadShape(input.Shape, pad, padMode, value is not null);
        var maps = new long[]?[input.Dim];
        for (int i = 0; i < pad.Length / 2; i++)
        {
            int d = input.Dim - 1 - i;
            long before = pad[2 * i], after = pad[2 * i + 1], size = input.Size(d);
            if (before != 0 || after != 0)
                maps[d] = MappedCopy.Map(shape[d], PadIndex(padMode, size, before, after));
        }
        var fill = padMode == PadMode.Constant ? Tensor.Full([], value ?? 0, input.DType) : null;
        var result = MappedCopy.Run(input, shape, maps, fill);
        if (!GradRecorder.IsNeeded(input)) return result;
        var attrs = new Attrs { { "pad", pad }, { "mode", mode } };
        if (value is { } v) attrs.Add("value", v);
        return GradRecorder.Track(result, "pad", input, attrs);
    }

    /// <summary>The input index output index o reads along a dim of <paramref name="size"/> padded by (before, after); -1 for the constant.</summary>
    private static Func<long, long> PadIndex(PadMode mode, long size, long before, long after)
    {
        // PyTorch's index arithmetic: positions are taken relative to the (possibly cropped) input.
        long inputStart = Math.Max(0, -before), outputStart = Math.Max(0, before);
        return mode switch
        {
            PadMode.Constant => o => o - before is var i && i >= 0 && i < size ? i : -1,
            PadMode.Reflect => o => (o < before ? 2 * before - o : o < size + before ? o : 2 * (size + before - 1) - o) - outputStart + inputStart,
            PadMode.Replicate => o => (o < before ? before : o < size + before ? o : size + before - 1) - outputStart + inputStart,
            _ => CircularIndex(size, before, after),
        };
    }

    private static Func<long, long> CircularIndex(long size, long before, long after)
    {
        long first = Math.Max(0, -before), kept = size - first - Math.Max(0, -after), outputStart = Math.Max(0, before);
        return o => first + (((o - outputStart) % kept) + kept) % kept;
    }
}
