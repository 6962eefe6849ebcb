using Kiln.IR;
using Kiln.Kernels;

namespace Kiln;

public partial class Tensor
{
    /// <summary>This tensor converted to <paramref name="dtype"/> (this tensor itself when it already has that dtype, as in PyTorch).</summary>
    /// <remarks>
    /// Floats convert to integers by truncation toward zero, wrapping like C when out of range; any
    /// nonzero value (NaN included) converts to true; floats round to float16 and bfloat16 to nearest-even.
    /// </remarks>
    public Tensor To(DType dtype)
    {
        var result = ToUntracked(dtype);
        return ReferenceEquals(result, this) || !GradRecorder.IsNeeded(this)
            ? result
            : GradRecorder.Record("to", new Attrs { { "dtype", dtype } }, [this], [result])[0];
    }

    /// <summary>The conversion of <see cref="To(DType)"/> without autograd recording (for kernels' internal casts).</summary>
    internal Tensor ToUntracked(DType dtype)
    {
        if (dtype == DType) return this;
        var result = Empty(dtype, (long[])shape.Clone());
        CastKernel.Cast(this, result);
        return result;
    }

    /// <summary>This tensor on <paramref name="device"/> (this tensor itself when it is already there).</summary>
    /// <exception cref="NotSupportedException">The device is not available in this build.</exception>
    public Tensor To(Device device) => device == Device ? this
        : throw new NotSupportedException($"to: device {device} is not available; this build of Kiln runs on the CPU only");
}
