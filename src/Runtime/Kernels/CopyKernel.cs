using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels;

/// <summary>Copies elements between tensors of one dtype, whatever their strides (bit patterns are moved, not converted).</summary>
internal static class CopyKernel
{
    /// <summary>Copies <paramref name="src"/> (broadcast to <paramref name="dst"/>'s shape) into <paramref name="dst"/>.</summary>
    internal static void Copy(Tensor src, Tensor dst)
    {
        if (src.DType.ElementSize() != dst.DType.ElementSize())
            throw new InvalidOperationException($"copy: element sizes differ ({src.DType.Name()} to {dst.DType.Name()})");
        if (src.IsContiguous && dst.IsContiguous && src.numel == dst.numel)
        {
            src.ByteSpan().CopyTo(dst.ByteSpan());
            return;
        }
        var strides = new[] { dst.strides, BroadcastStrides(src, dst.shape, "copy") };
        switch (src.DType.ElementSize())
        {
            case 1: RowLoop.Run(dst.shape, strides, new Rows<byte>(dst, src)); break;
            case 2: RowLoop.Run(dst.shape, strides, new Rows<short>(dst, src)); break;
            case 4: RowLoop.Run(dst.shape, strides, new Rows<int>(dst, src)); break;
            default: RowLoop.Run(dst.shape, strides, new Rows<long>(dst, src)); break;
        }
    }

    /// <summary>The strides with which <paramref name="t"/> is read when broadcast to <paramref name="shape"/> (0 on broadcast dims).</summary>
    internal static long[] BroadcastStrides(Tensor t, long[] shape, string op)
    {
        if (!Shapes.CanExpand(t.shape, shape))
            throw new ArgumentException($"{op}: a tensor of shape {Shapes.Format(t.shape)} cannot be broadcast to {Shapes.Format(shape)}");
        var result = new long[shape.Length];
        int shift = shape.Length - t.shape.Length;
        for (int d = 0; d < t.shape.Length; d++)
            result[d + shift] = t.shape[d] == 1 ? 0 : t.strides[d];
        return result;
    }

    private readonly struct Rows<T>(Tensor dst, Tensor src) : IRowKernel
        where T : unmanaged
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T d = ref dst.Ref<T>(offsets[0]);
            ref T s = ref src.Ref<T>(offsets[1]);
            long ds = strides[0], ss = strides[1];
            if (ds == 1 && ss == 1)
            {
                MemoryMarshal.CreateSpan(ref s, (int)n).CopyTo(MemoryMarshal.CreateSpan(ref d, (int)n));
                return;
            }
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref d, (nint)(i * ds)) = Unsafe.Add(ref s, (nint)(i * ss));
        }
    }
}
