using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels.Conv;

/// <summary>
/// The float32 vector a <see cref="ChannelVectorConv{TLanes, TVec}"/> tile holds one output column's channels in:
/// the few operations its inner loop needs, so one loop serves the zmm and the ymm forms.
/// </summary>
/// <typeparam name="TVec">The register type.</typeparam>
internal unsafe interface IChannelLanes<TVec> where TVec : struct
{
    /// <summary>Output channels per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether the instructions run on this CPU.</summary>
    static abstract bool IsSupported { get; }

    /// <summary><see cref="Count"/> floats from <paramref name="p"/>.</summary>
    static abstract TVec Load(float* p);

    /// <summary><paramref name="value"/> in every lane.</summary>
    static abstract TVec Broadcast(float value);

    /// <summary>a · b + c, fused.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>Writes the <see cref="Count"/> lanes of <paramref name="v"/> to <paramref name="p"/>.</summary>
    static abstract void Store(TVec v, float* p);
}

/// <summary>16 channels in a zmm register (AVX-512F).</summary>
internal readonly unsafe struct Lanes512 : IChannelLanes<Vector512<float>>
{
    public static int Count => 16;

    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> v, float* p) => v.Store(p);
}

/// <summary>8 channels in a ymm register (AVX2 with FMA, as on Zen 1 and on CPUs that run zmm code slowly).</summary>
internal readonly unsafe struct Lanes256 : IChannelLanes<Vector256<float>>
{
    public static int Count => 8;

    public static bool IsSupported => Fma.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, float* p) => v.Store(p);
}
