using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln;

/// <summary>
/// An n-dimensional array with a dtype, a shape and strides over shared storage (PyTorch's
/// <c>torch.Tensor</c>). Views (<see cref="View"/>, <see cref="Transpose"/>, slicing ...) share storage
/// with their base; CPU tensors are garbage-collected and need no <c>Dispose</c>.
/// </summary>
public partial class Tensor
{
    internal readonly Storage storage;
    internal readonly long[] shape;
    internal readonly long[] strides;
    internal readonly long offset;
    internal readonly long numel;

    internal Tensor(Storage storage, DType dtype, long[] shape, long[] strides, long offset)
    {
        this.storage = storage;
        DType = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        numel = Shapes.Numel(shape);
        IsContiguous = ComputeIsContiguous(shape, strides);
    }

    /// <summary>A new contiguous tensor with unspecified contents.</summary>
    internal static Tensor Empty(DType dtype, long[] shape) =>
        new(Storage.Allocate(dtype, Shapes.Numel(shape)), dtype, shape, Shapes.ContiguousStrides(shape), 0);

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The device the tensor lives on.</summary>
    public Device Device => Device.Cpu;

    /// <summary>The sizes of the dims, outermost first (a copy: changing it does not change the tensor).</summary>
    public long[] Shape => (long[])shape.Clone();

    /// <summary>The element strides of the dims (a copy).</summary>
    public long[] Strides => (long[])strides.Clone();

    /// <summary>The offset of the first element in the storage, in elements.</summary>
    public long StorageOffset => offset;

    /// <summary>The number of dims (<c>tensor.dim()</c>).</summary>
    public int Dim => shape.Length;

    /// <summary>The number of elements.</summary>
    public long Numel => numel;

    /// <summary>Whether the elements are laid out row-major and dense, starting at <see cref="StorageOffset"/>.</summary>
    public bool IsContiguous { get; }

    /// <summary>The size of dim <paramref name="dim"/> (negative dims count from the end).</summary>
    public long Size(long dim) => shape[Shapes.WrapDim("size", dim, Dim)];

    /// <summary>The stride of dim <paramref name="dim"/>.</summary>
    public long Stride(long dim) => strides[Shapes.WrapDim("stride", dim, Dim)];

    /// <summary>Whether this tensor and <paramref name="other"/> share storage.</summary>
    public bool SharesStorageWith(Tensor other) => ReferenceEquals(storage, other.storage);

    private static bool ComputeIsContiguous(long[] shape, long[] strides)
    {
        long expected = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (shape[i] == 0) return true;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /// <summary>A reference to element <paramref name="index"/> of the storage, counted from this tensor's offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref T Ref<T>(long index = 0) =>
        ref Unsafe.Add(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(storage.Bytes)), (nint)(offset + index));

    /// <summary>The elements of a contiguous tensor as a span. Valid only when <see cref="IsContiguous"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<T> Span<T>() => MemoryMarshal.CreateSpan(ref Ref<T>(), (int)numel);

    /// <summary>A sub-range of the elements of a contiguous tensor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<T> Span<T>(long start, long length) => MemoryMarshal.CreateSpan(ref Ref<T>(start), (int)length);

    /// <summary>The bytes of a contiguous tensor's elements. Valid only when <see cref="IsContiguous"/>.</summary>
    internal Span<byte> ByteSpan()
    {
        int size = DType.ElementSize();
        return storage.Bytes.AsSpan((int)(offset * size), (int)(numel * size));
    }
}
