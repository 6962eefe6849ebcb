using System.Runtime.InteropServices;
using Kiln.Kernels;

namespace Kiln;

public partial class Tensor
{
    /// <summary>A new tensor holding a copy of <paramref name="data"/> with shape <paramref name="shape"/> (a 1-d tensor when no shape is given).</summary>
    /// <typeparam name="T">float, double, Half, BFloat16, long, int, short, sbyte, byte or bool.</typeparam>
    /// <exception cref="ArgumentException">The shape does not match the data's length.</exception>
    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromSpan<T>(data, shape);
    }

    /// <summary>A new tensor holding a copy of <paramref name="data"/> (see <see cref="FromArray{T}"/>).</summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        var dtype = ElementTypes.DTypeOf<T>();
        long[] s = shape.Length == 0 ? [data.Length] : (long[])shape.Clone();
        foreach (var d in s)
        {
            if (d < 0) throw new ArgumentException($"from_array: negative size {d} in shape {Shapes.Format(s)}");
        }
        if (Shapes.Numel(s) != data.Length)
            throw new ArgumentException($"from_array: shape {Shapes.Format(s)} needs {Shapes.Numel(s)} elements, but the data has {data.Length}");
        var t = Empty(dtype, s);
        data.CopyTo(t.Span<T>());
        return t;
    }

    /// <summary>A 0-d tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar<T>(T value) where T : unmanaged
    {
        var t = Empty(ElementTypes.DTypeOf<T>(), []);
        t.Ref<T>() = value;
        return t;
    }

    /// <summary>The elements in row-major order, copied out.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not this tensor's element type.</exception>
    /// <exception cref="ScriptException">Called by user code during <c>Jit.Trace</c> on a tensor computed from the traced inputs (KILN0100).</exception>
    public T[] ToArray<T>() where T : unmanaged
    {
        ElementTypes.Check<T>(DType, "ToArray");
        Scripting.Tracer.CheckRead(this, nameof(ToArray));
        var result = new T[numel];
        Contiguous().Span<T>().CopyTo(result);
        return result;
    }

    /// <summary>Copies the elements, in row-major order, into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is too short.</exception>
    /// <exception cref="ScriptException">Called by user code during <c>Jit.Trace</c> on a tensor computed from the traced inputs (KILN0100).</exception>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        ElementTypes.Check<T>(DType, "CopyTo");
        Scripting.Tracer.CheckRead(this, nameof(CopyTo));
        if (destination.Length < numel)
            throw new ArgumentException($"CopyTo: the destination holds {destination.Length} elements, the tensor has {numel}", nameof(destination));
        Contiguous().Span<T>().CopyTo(destination);
    }

    /// <summary>The value of a one-element tensor (<c>tensor.item()</c>).</summary>
    /// <exception cref="InvalidOperationException">The tensor does not have exactly one element, or <typeparamref name="T"/> is not its element type.</exception>
    /// <exception cref="ScriptException">Called by user code during <c>Jit.Trace</c> on a tensor computed from the traced inputs (KILN0100).</exception>
    public T Item<T>() where T : unmanaged
    {
        ElementTypes.Check<T>(DType, "Item");
        Scripting.Tracer.CheckRead(this, nameof(Item));
        if (numel != 1)
            throw new InvalidOperationException($"Item: a tensor with {numel} elements (shape {Shapes.Format(shape)}) cannot be converted to a scalar; only one-element tensors can");
        return Ref<T>();
    }

    /// <summary>Copies <paramref name="src"/> (broadcast to this shape and converted to this dtype) into this tensor (<c>tensor.copy_</c>).</summary>
    public Tensor Copy_(Tensor src)
    {
        ArgumentNullException.ThrowIfNull(src);
        return InPlaceGrad.IsNeeded(this, src)
            ? InPlaceGrad.Run(this, "copy_", () => src.To(DType).Expand(shape).Clone())
            : Overwrite(src);
    }

    /// <summary>
    /// Copies <paramref name="src"/> into this tensor as <see cref="Copy_"/> does, outside autograd and tracing: the
    /// write an in-place op makes once its result is computed.
    /// </summary>
    internal Tensor Overwrite(Tensor src)
    {
        using (GradMode.Set(false))
            CopyKernel.Copy(src.DType == DType ? src : src.To(DType), this);
        MarkModified();
        return this;
    }

    /// <summary>The element at a flat row-major position, converted to double (for printing and tests).</summary>
    internal double GetAsDouble(long flatIndex)
    {
        long off = 0, rem = flatIndex;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            off += rem % shape[d] * strides[d];
            rem /= shape[d];
        }
        return DType switch
        {
            DType.Float32 => Ref<float>(off),
            DType.Float64 => Ref<double>(off),
            DType.Float16 => (double)Ref<Half>(off),
            DType.BFloat16 => (double)Ref<BFloat16>(off),
            DType.Int64 => Ref<long>(off),
            DType.Int32 => Ref<int>(off),
            DType.Int16 => Ref<short>(off),
            DType.Int8 => Ref<sbyte>(off),
            DType.UInt8 => Ref<byte>(off),
            _ => Ref<byte>(off) != 0 ? 1 : 0,
        };
    }
}
