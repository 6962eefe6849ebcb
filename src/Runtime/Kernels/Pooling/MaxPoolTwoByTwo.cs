using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Pooling;

/// <summary>
/// Max pooling's common 2×2 window (stride 2, no padding or dilation, no ceil-mode overhang), maxima with or without
/// their positions, each output row from one pass over its two input rows. Rows are short (14 and 5 outputs in LeNet),
/// so rows are walked by pointer with no per-row division or span, and float32 takes 4 outputs a step in vectors: the
/// general path's per-row vector calls, and the branches of a scalar maximum on random data, cost ~10 ns an output.
/// Results match the general path's: NaN wins, and positions follow PyTorch's order (a later candidate wins when
/// larger or NaN: the first of equal maxima, the last NaN).
/// </summary>
internal static unsafe class MaxPoolTwoByTwo
{
    /// <summary>
    /// Pools dense <paramref name="input"/> into <paramref name="output"/> (and the positions h·W + w into
    /// <paramref name="indices"/> unless it is null) when both window axes are the 2×2 window this serves, output rows
    /// split across threads; false, with nothing written, for any other window.
    /// </summary>
    internal static bool TryRun<T>(Tensor input, Tensor output, Tensor? indices, PoolGeometry geometry) where T : unmanaged, INumber<T>
    {
        var (h, w) = (geometry.Height, geometry.Width);
        if (!IsTwoByTwo(h) || !IsTwoByTwo(w)) return false;
        PoolPlanes.ForRows(geometry.Planes * h.Output, 4 * w.Output, (start, end) => Rows<T>(input, output, indices, h, w, start, end));
        return true;
    }

    private static bool IsTwoByTwo(PoolAxis axis) =>
        axis is { Kernel: 2, Stride: 2, Padding: 0, Dilation: 1 } && 2 * axis.Output <= axis.Input;

    /// <summary>Output rows [<paramref name="start"/>, <paramref name="end"/>) (counted over all planes) of <see cref="TryRun"/>.</summary>
    private static void Rows<T>(Tensor input, Tensor output, Tensor? indices, PoolAxis h, PoolAxis w, long start, long end)
        where T : unmanaged, INumber<T>
    {
        long plane = start / h.Output, oh = start % h.Output, planeSize = h.Input * w.Input, width = w.Input;
        int outputs = (int)w.Output;
        ref long firstIndex = ref indices is null ? ref Unsafe.NullRef<long>() : ref indices.Ref<long>();
        fixed (T* x = &input.Ref<T>(), y = &output.Ref<T>())
        fixed (long* z = &firstIndex)
        {
            for (long row = start; row < end; row++)
            {
                T* upper = x + plane * planeSize + 2 * oh * width;
                if (z == null) Maxima(upper, upper + width, y + row * outputs, outputs);
                else Positions(upper, upper + width, y + row * outputs, z + row * outputs, 2 * oh * width, width, outputs);
                if (++oh == h.Output) (oh, plane) = (0, plane + 1);
            }
        }
    }

    /// <summary>
    /// One row's maxima. In float32, 4 (or 8) outputs a step from the vertical maxima of 8 (or 16) columns split into even
    /// and odd columns by shuffles; a row's last step overlaps the one before rather than leave a scalar tail.
    /// </summary>
    private static void Maxima<T>(T* upper, T* lower, T* output, int outputs) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float) && Avx2.IsSupported && outputs >= 4)
        {
            float* top = (float*)upper, bottom = (float*)lower, result = (float*)output;
            int o = 0;
            for (; o + 8 <= outputs; o += 8)
            {
                var a = Vector256.Max(Vector256.Load(top + 2 * o), Vector256.Load(bottom + 2 * o));
                var b = Vector256.Max(Vector256.Load(top + 2 * o + 8), Vector256.Load(bottom + 2 * o + 8));
                // Within each 128-bit half: a's and b's even columns, then their odd ones; Permute4x64 restores the order.
                var pairs = Vector256.Max(Avx.Shuffle(a, b, 0b10_00_10_00), Avx.Shuffle(a, b, 0b11_01_11_01));
                Avx2.Permute4x64(pairs.AsDouble(), 0b11_01_10_00).AsSingle().Store(result + o);
            }
            for (; o < outputs; o = Math.Min(o + 4, outputs))
            {
                int at = Math.Min(o, outputs - 4);
                var a = Vector128.Max(Vector128.Load(top + 2 * at), Vector128.Load(bottom + 2 * at));
                var b = Vector128.Max(Vector128.Load(top + 2 * at + 4), Vector128.Load(bottom + 2 * at + 4));
                Vector128.Max(Evens(a, b), Odds(a, b)).Store(result + at);
            }
            return;
        }
        for (int o = 0; o < outputs; o++)
            output[o] = T.Max(T.Max(upper[2 * o], upper[2 * o + 1]), T.Max(lower[2 * o], lower[2 * o + 1]));
    }

    /// <summary>
    /// One row's maxima and positions (<paramref name="top"/>: the upper row's position in its plane). In float32, 4
    /// outputs a step: the four candidates of each window as vectors, each later one taken where larger or NaN.
    /// </summary>
    private static void Positions<T>(T* upper, T* lower, T* output, long* indices, long top, long width, int outputs) where T : unmanaged, INumber<T>
    {
        int o = 0;
        if (typeof(T) == typeof(float) && Sse41.IsSupported && outputs >= 4 && width <= int.MaxValue / 2)
        {
            float* up = (float*)upper, down = (float*)lower;
            var columns = Vector128.Create(0, 2, 4, 6);
            var right = Vector128.Create(1);
            var below = Vector128.Create((int)width);
            for (; o < outputs; o = Math.Min(o + 4, outputs))
            {
                int at = Math.Min(o, outputs - 4);
                Vector128<float> u0 = Vector128.Load(up + 2 * at), u1 = Vector128.Load(up + 2 * at + 4);
                Vector128<float> d0 = Vector128.Load(down + 2 * at), d1 = Vector128.Load(down + 2 * at + 4);
                var best = Evens(u0, u1);
                var offset = Vector128<int>.Zero;
                Take(Odds(u0, u1), right, ref best, ref offset);
                Take(Evens(d0, d1), below, ref best, ref offset);
                Take(Odds(d0, d1), below + right, ref best, ref offset);
                best.Store((float*)output + at);
                var within = Vector128.Create(2 * at) + columns + offset;
                (Vector128.WidenLower(within) + Vector128.Create(top)).Store(indices + at);
                (Vector128.WidenUpper(within) + Vector128.Create(top)).Store(indices + at + 2);
            }
            return;
        }
        for (; o < outputs; o++)
        {
            long iw = 2 * o;
            T best = upper[iw];
            long at = iw;
            T v = upper[iw + 1];
            if (v > best || T.IsNaN(v)) (best, at) = (v, iw + 1);
            v = lower[iw];
            if (v > best || T.IsNaN(v)) (best, at) = (v, width + iw);
            v = lower[iw + 1];
            if (v > best || T.IsNaN(v)) (best, at) = (v, width + iw + 1);
            output[o] = best;
            indices[o] = top + at;
        }
    }

    /// <summary>Where <paramref name="candidate"/> is larger than <paramref name="best"/> or NaN, takes it and its offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector128<float> candidate, Vector128<int> candidateOffset, ref Vector128<float> best, ref Vector128<int> offset)
    {
        var wins = Vector128.GreaterThan(candidate, best) | ~Vector128.Equals(candidate, candidate);
        best = Vector128.ConditionalSelect(wins, candidate, best);
        offset = Vector128.ConditionalSelect(wins.AsInt32(), candidateOffset, offset);
    }

    /// <summary>Elements 0, 2 of <paramref name="a"/> then 0, 2 of <paramref name="b"/>: the even columns of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Evens(Vector128<float> a, Vector128<float> b) => Sse.Shuffle(a, b, 0b10_00_10_00);

    /// <summary>Elements 1, 3 of <paramref name="a"/> then 1, 3 of <paramref name="b"/>: the odd columns of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Odds(Vector128<float> a, Vector128<float> b) => Sse.Shuffle(a, b, 0b11_01_11_01);
}
