using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// The fused multiply-add steps the GEMM and direct-convolution micro-kernels are built from, for float32 and
/// float64 lanes (the type test folds away in each instantiation).
/// </summary>
internal static class FmaStep
{
    /// <summary>a·b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        typeof(T) == typeof(float)
            ? Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    /// <summary>a·b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> MultiplyAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
        typeof(T) == typeof(float)
            ? Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    /// <summary>One row of a two-vector tile, one step of k: (lo, hi) += x·(b0, b1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Row<T>(T x, Vector256<T> b0, Vector256<T> b1, ref Vector256<T> lo, ref Vector256<T> hi)
    {
        var xs = Vector256.Create(x);
        lo = MultiplyAdd(xs, b0, lo);
        hi = MultiplyAdd(xs, b1, hi);
    }

    /// <summary>One row of a two-vector tile, one step of k: (lo, hi) += x·(b0, b1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Row<T>(T x, Vector512<T> b0, Vector512<T> b1, ref Vector512<T> lo, ref Vector512<T> hi)
    {
        var xs = Vector512.Create(x);
        lo = MultiplyAdd(xs, b0, lo);
        hi = MultiplyAdd(xs, b1, hi);
    }
}
