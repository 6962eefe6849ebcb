using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Indexing;

/// <summary>
/// masked_fill and masked_select: a bool (or uint8) mask, broadcast against the data, picks elements. Only
/// element bits move, so each kernel is compiled once per element size.
/// </summary>
internal static class MaskedKernels
{
    /// <summary><c>result = mask ? value : self</c> over the result's shape (self and mask broadcast to it); value is 0-d of self's dtype.</summary>
    internal static void Select(Tensor self, Tensor mask, Tensor value, Tensor result)
    {
        var strides = new[] { result.strides, CopyKernel.BroadcastStrides(self, result.shape, "masked_fill"), CopyKernel.BroadcastStrides(mask, result.shape, "masked_fill") };
        ElementDispatch.BySize(self.DType, new SelectAction(self, mask, value, result, strides));
    }

    /// <summary><c>self[mask] = value</c> in place (the mask broadcast to self's shape); value is 0-d of self's dtype.</summary>
    internal static void Fill(Tensor self, Tensor mask, Tensor value)
    {
        var strides = new[] { self.strides, CopyKernel.BroadcastStrides(mask, self.shape, "masked_fill_") };
        ElementDispatch.BySize(self.DType, new FillAction(self, mask, value, strides));
    }

    /// <summary>The elements of <paramref name="self"/> where <paramref name="mask"/> is set, both broadcast to <paramref name="shape"/>, in row-major order.</summary>
    internal static Tensor Select(Tensor self, Tensor mask, long[] shape)
    {
        var data = Dense(self, shape);
        var m = Dense(mask, shape);
        var result = new StrongBox<Tensor?>();
        ElementDispatch.BySize(self.DType, new CompactAction(data, m, result));
        return result.Value!;
    }

    /// <summary>
    /// <c>mask ? value : other</c> on the element bits, without a branch: random masks would mispredict about
    /// every other element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Choose<T>(byte mask, T value, T other) where T : unmanaged
    {
        ulong select = 0UL - (mask != 0 ? 1UL : 0UL);
        ulong bits = (Bits(value) & select) | (Bits(other) & ~select);
        return Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.BitCast<byte, T>((byte)bits),
            2 => Unsafe.BitCast<ushort, T>((ushort)bits),
            4 => Unsafe.BitCast<uint, T>((uint)bits),
            _ => Unsafe.BitCast<ulong, T>(bits),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bits<T>(T value) where T : unmanaged => Unsafe.SizeOf<T>() switch
    {
        1 => Unsafe.BitCast<T, byte>(value),
        2 => Unsafe.BitCast<T, ushort>(value),
        4 => Unsafe.BitCast<T, uint>(value),
        _ => Unsafe.BitCast<T, ulong>(value),
    };

    /// <summary>A contiguous tensor of <paramref name="shape"/> holding <paramref name="t"/> broadcast (itself when it already is one).</summary>
    private static Tensor Dense(Tensor t, long[] shape) =>
        t.shape.AsSpan().SequenceEqual(shape) ? t.Contiguous() : t.Expand(shape).Contiguous();

    private readonly struct SelectAction(Tensor self, Tensor mask, Tensor value, Tensor result, long[][] strides) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged => RowLoop.Run(result.shape, strides, new SelectRows<T>(result, self, mask, value.Ref<T>()));
    }

    private readonly struct SelectRows<T>(Tensor result, Tensor self, Tensor mask, T value) : IRowKernel where T : unmanaged
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T r = ref result.Ref<T>(offsets[0]);
            ref T s = ref self.Ref<T>(offsets[1]);
            ref byte m = ref mask.Ref<byte>(offsets[2]);
            long rs = strides[0], ss = strides[1], ms = strides[2];
            T v = value;
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref r, (nint)(i * rs)) = Choose(Unsafe.Add(ref m, (nint)(i * ms)), v, Unsafe.Add(ref s, (nint)(i * ss)));
        }
    }

    private readonly struct FillAction(Tensor self, Tensor mask, Tensor value, long[][] strides) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged => RowLoop.Run(self.shape, strides, new FillRows<T>(self, mask, value.Ref<T>()));
    }

    private readonly struct FillRows<T>(Tensor self, Tensor mask, T value) : IRowKernel where T : unmanaged
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T s = ref self.Ref<T>(offsets[0]);
            ref byte m = ref mask.Ref<byte>(offsets[1]);
            long ss = strides[0], ms = strides[1];
            T v = value;
            for (long i = 0; i < n; i++)
            {
                ref T target = ref Unsafe.Add(ref s, (nint)(i * ss));
                target = Choose(Unsafe.Add(ref m, (nint)(i * ms)), v, target);
            }
        }
    }

    private readonly struct CompactAction(Tensor data, Tensor mask, StrongBox<Tensor?> result) : IBitsAction
    {
        public void Invoke<T>() where T : unmanaged
        {
            var (d, m, box) = (data, mask, result);
            Compaction.Run(d.numel,
                (start, end) => Compaction.CountSet(m, start, end),
                count => box.Value = Tensor.Empty(d.DType, [count]),
                (start, end, first, count) =>
                {
                    // Branch-free: every element is written at the next free slot, which advances only past selected ones.
                    ref T output = ref box.Value!.Ref<T>(first);
                    long at = 0;
                    for (long i = start; i < end && at < count; i++)
                    {
                        Unsafe.Add(ref output, (nint)at) = d.Ref<T>(i);
                        at += m.Ref<byte>(i) != 0 ? 1 : 0;
                    }
                });
        }
    }
}
