using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels;

/// <summary>
/// The float32 operations of a kernel loop written once for the zmm and the ymm registers (a convolution tile holding
/// one output column's channels, an LSTM cell's units). Every operation rounds each lane as IEEE 754 does, so the two
/// forms give the same bits lane for lane.
/// </summary>
/// <typeparam name="TVec">The register type.</typeparam>
internal unsafe interface IFloatLanes<TVec> where TVec : struct
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether the instructions run on this CPU.</summary>
    static abstract bool IsSupported { get; }

    /// <summary><see cref="Count"/> floats from <paramref name="p"/>.</summary>
    static abstract TVec Load(float* p);

    /// <summary><paramref name="value"/> in every lane.</summary>
    static abstract TVec Broadcast(float value);

    /// <summary>a + b.</summary>
    static abstract TVec Add(TVec a, TVec b);

    /// <summary>a · b.</summary>
    static abstract TVec Multiply(TVec a, TVec b);

    /// <summary>a / b.</summary>
    static abstract TVec Divide(TVec a, TVec b);

    /// <summary>a · b + c, fused.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary><paramref name="x"/> limited to [min, max] (a NaN lane comes out as one of the limits).</summary>
    static abstract TVec Clamp(TVec x, TVec min, TVec max);

    /// <summary><paramref name="value"/>, except NaN in the lanes where <paramref name="x"/> is NaN.</summary>
    static abstract TVec KeepNaN(TVec x, TVec value);

    /// <summary>Writes the <see cref="Count"/> lanes of <paramref name="v"/> to <paramref name="p"/>.</summary>
    static abstract void Store(TVec v, float* p);
}

/// <summary>16 floats in a zmm register (AVX-512F).</summary>
internal readonly unsafe struct Lanes512 : IFloatLanes<Vector512<float>>
{
    public static int Count => 16;

    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Clamp(Vector512<float> x, Vector512<float> min, Vector512<float> max) => Vector512.ClampNative(x, min, max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeepNaN(Vector512<float> x, Vector512<float> value) => Vector512.ConditionalSelect(Vector512.Equals(x, x), value, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> v, float* p) => v.Store(p);
}

/// <summary>8 floats in a ymm register (AVX2 with FMA, as on Zen 1 and on CPUs that run zmm code slowly).</summary>
internal readonly unsafe struct Lanes256 : IFloatLanes<Vector256<float>>
{
    public static int Count => 8;

    public static bool IsSupported => Fma.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Clamp(Vector256<float> x, Vector256<float> min, Vector256<float> max) => Vector256.ClampNative(x, min, max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeepNaN(Vector256<float> x, Vector256<float> value) => Vector256.ConditionalSelect(Vector256.Equals(x, x), value, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, float* p) => v.Store(p);
}
