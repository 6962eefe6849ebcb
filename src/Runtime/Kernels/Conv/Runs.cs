using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels.Conv;

/// <summary>
/// Copies, zero fills and adds over short runs of elements, the inner loops of im2col and col2im. Runs are
/// often a few to a few dozen elements long, so the vector paths finish with one overlapping vector instead
/// of a scalar tail.
/// </summary>
internal static unsafe class Runs
{
    /// <summary>dst[i] = src[i·stride] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy<T>(T* dst, T* src, int stride, int n) where T : unmanaged
    {
        if (stride != 1)
        {
            for (int i = 0; i < n; i++)
                dst[i] = src[(nint)i * stride];
            return;
        }
        if (Vector256<T>.IsSupported && n >= Vector256<T>.Count)
        {
            int w = Vector256<T>.Count, i = 0;
            for (; i <= n - w; i += w)
                Vector256.Store(Vector256.Load(src + i), dst + i);
            if (i < n)
                Vector256.Store(Vector256.Load(src + n - w), dst + n - w);
            return;
        }
        if (Vector128<T>.IsSupported && n >= Vector128<T>.Count)
        {
            int w = Vector128<T>.Count;
            Vector128<T> head = Vector128.Load(src), tail = Vector128.Load(src + n - w);
            head.Store(dst);
            tail.Store(dst + n - w);
            return;
        }
        for (int i = 0; i < n; i++)
            dst[i] = src[i];
    }

    /// <summary>dst[i] = 0 for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Zero<T>(T* dst, int n) where T : unmanaged
    {
        if (Vector256<T>.IsSupported && n >= Vector256<T>.Count)
        {
            int w = Vector256<T>.Count, i = 0;
            for (; i <= n - w; i += w)
                Vector256<T>.Zero.Store(dst + i);
            if (i < n)
                Vector256<T>.Zero.Store(dst + n - w);
            return;
        }
        for (int i = 0; i < n; i++)
            dst[i] = default;
    }

    /// <summary>dst[i·stride] += src[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Add<T>(T* dst, int stride, T* src, int n) where T : unmanaged, INumberBase<T>
    {
        int i = 0;
        if (stride == 1 && Vector256<T>.IsSupported)
        {
            // No overlapping tail here: adding an element twice would count it twice.
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                (Vector256.Load(dst + i) + Vector256.Load(src + i)).Store(dst + i);
        }
        for (; i < n; i++)
            dst[(nint)i * stride] += src[i];
    }

    /// <summary>dst[i] = value for i &lt; n.</summary>
    internal static void Fill<T>(T* dst, T value, nint n) where T : unmanaged => new Span<T>(dst, checked((int)n)).Fill(value);
}
