using System.Text.Json;
using Kiln.IR;

namespace Kiln.Tests.OpInfo;

/// <summary>
/// Builds a sample input in Kiln with the memory layout its spec names, the way torch_oracle.py builds
/// it in PyTorch: the values are the same, only the strides differ.
/// </summary>
internal static class LayoutBuilder
{
    /// <summary>The input tensor for <paramref name="spec"/> holding <paramref name="values"/> (logical, row-major).</summary>
    public static Tensor Build(TensorSpec spec, JsonElement values)
    {
        var tensor = spec.DType switch
        {
            DType.Float32 => Build(spec, values, e => (float)ReferenceValues.Float(e, DType.Float32), float.NaN),
            DType.Float64 => Build(spec, values, e => ReferenceValues.Float(e, DType.Float64), double.NaN),
            DType.Float16 => Build(spec, values, e => (Half)ReferenceValues.Float(e, DType.Float16), Half.NaN),
            DType.BFloat16 => Build(spec, values, e => (BFloat16)(float)ReferenceValues.Float(e, DType.BFloat16), (BFloat16)float.NaN),
            DType.Int64 => Build(spec, values, ReferenceValues.Integer, 99L),
            DType.Int32 => Build(spec, values, e => (int)ReferenceValues.Integer(e), 99),
            DType.Int16 => Build(spec, values, e => (short)ReferenceValues.Integer(e), (short)99),
            DType.Int8 => Build(spec, values, e => (sbyte)ReferenceValues.Integer(e), (sbyte)99),
            DType.UInt8 => Build(spec, values, e => (byte)ReferenceValues.Integer(e), (byte)99),
            DType.Bool => Build(spec, values, e => ReferenceValues.Integer(e) != 0, true),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.DType, "unknown dtype"),
        };
        AssertLayout(tensor, spec);
        return tensor;
    }

    /// <summary>A contiguous tensor of zeros (for bad-input tests, where the values do not matter).</summary>
    public static Tensor Zeros(DType dtype, long[] shape) =>
        new(Storage.AllocateZeroed(dtype, Shapes.Numel(shape)), dtype, shape, Shapes.ContiguousStrides(shape), 0);

    /// <summary>
    /// Whether a tensor of <paramref name="shape"/> in <paramref name="layout"/> cannot be contiguous; sizes
    /// of 0 and 1 make any strides contiguous. (torch_oracle.py's <c>strided_layout</c> is the same rule.)
    /// </summary>
    public static bool MustBeNonContiguous(long[] shape, SampleLayout layout) => !shape.Contains(0) && layout switch
    {
        SampleLayout.Transposed => shape[^1] > 1 && shape[^2] > 1,
        SampleLayout.Strided => shape[^1] > 1,
        SampleLayout.Expanded => shape[0] > 1,
        _ => false,
    };

    private static Tensor Build<T>(TensorSpec spec, JsonElement values, Func<JsonElement, T> parse, T filler) where T : unmanaged
    {
        var logical = values.EnumerateArray().Select(parse).ToArray();
        var shape = spec.Shape;
        Assert.Equal(Shapes.Numel(shape), logical.Length);
        switch (spec.Layout)
        {
            case SampleLayout.Contiguous:
                return Dense(spec.DType, logical, shape);
            case SampleLayout.Transposed:
            {
                // Stored with the last two dims swapped, then viewed through a transpose.
                long rows = shape[^2], cols = shape[^1], matrix = rows * cols;
                var stored = new T[logical.Length];
                for (long b = 0; b < logical.Length; b += matrix)
                {
                    for (long i = 0; i < rows; i++)
                    {
                        for (long j = 0; j < cols; j++)
                            stored[b + j * rows + i] = logical[b + i * cols + j];
                    }
                }
                return Dense(spec.DType, stored, [.. shape[..^2], cols, rows]).Transpose(-2, -1);
            }
            case SampleLayout.Strided:
            {
                // Every other element of a buffer twice as long in the last dim; the gaps hold a filler
                // (NaN for floats) that shows up in the result if a kernel ignores the stride.
                long cols = shape[^1];
                var buffer = new T[logical.Length * 2];
                Array.Fill(buffer, filler);
                for (long k = 0; k < logical.Length; k++)
                    buffer[k / cols * 2 * cols + k % cols * 2] = logical[k];
                return Dense(spec.DType, buffer, [.. shape[..^1], 2 * cols]).Slice(-1, 0, null, 2);
            }
            case SampleLayout.Expanded:
            {
                // Size 1 in dim 0, broadcast to the full size (stride 0); the values are constant along dim 0.
                long[] rowShape = [1, .. shape[1..]];
                var row = new T[Shapes.Numel(rowShape)];
                if (shape[0] > 0) Array.Copy(logical, row, row.Length);
                return Dense(spec.DType, row, rowShape).Expand(shape);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Layout, "unknown layout");
        }
    }

    private static Tensor Dense<T>(DType dtype, T[] data, long[] shape) where T : unmanaged
    {
        var t = Tensor.Empty(dtype, shape);
        data.CopyTo(t.Span<T>());
        return t;
    }

    /// <summary>Checks that the built tensor really has the strides its layout promises.</summary>
    private static void AssertLayout(Tensor t, TensorSpec spec)
    {
        Assert.Equal(spec.Shape, t.Shape);
        switch (spec.Layout)
        {
            case SampleLayout.Contiguous: Assert.True(t.IsContiguous, $"{spec} should be contiguous"); break;
            case SampleLayout.Transposed: Assert.Equal(1, t.Stride(-2)); break;
            case SampleLayout.Strided: Assert.Equal(2, t.Stride(-1)); break;
            case SampleLayout.Expanded when spec.Shape[0] > 1: Assert.Equal(0, t.Stride(0)); break;
        }
        if (MustBeNonContiguous(spec.Shape, spec.Layout))
            Assert.False(t.IsContiguous, $"{spec} was built contiguous: the sample would not exercise strided access");
    }
}
