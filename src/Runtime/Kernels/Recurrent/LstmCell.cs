using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Elementwise;

namespace Kiln.Kernels.Recurrent;

/// <summary>The LSTM cell on one row of units: gates in, new cell state and h out.</summary>
/// <remarks>
/// The cell evaluates five activations per unit, as much work as the step's product, so float32 uses a rational tanh
/// (<see cref="Tanh"/>) and <c>σ(x) = (1 + tanh(x/2))/2</c>: a dozen fused multiply-adds and a reciprocal each, where the
/// exp-based forms take twice the instructions. Both are within 4e-7 of the true values (absolute; σ of very negative x
/// is 0 to within that), which is what gate values that scale other values need; the registry's own sigmoid and tanh
/// ops keep their relative accuracy. float64 runs the registry's activation kernels.
/// </remarks>
internal static class LstmCell
{
    /// <summary>
    /// For the pre-activation gates (i, f, g, o, each <c>c.Length</c> long) plus <paramref name="bias"/> (laid out
    /// like the gates, or empty for none): <c>c = σ(f)·c + σ(i)·tanh(g)</c> in place and <c>h = σ(o)·tanh(c)</c>.
    /// The gates are overwritten.
    /// </summary>
    internal static void Apply<T>(Span<T> gates, ReadOnlySpan<T> bias, Span<T> c, Span<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = c.Length;
        if (typeof(T) == typeof(float))
        {
            ApplyFloat(MemoryMarshal.Cast<T, float>(gates), MemoryMarshal.Cast<T, float>(bias), MemoryMarshal.Cast<T, float>(c), MemoryMarshal.Cast<T, float>(h));
            return;
        }
        if (!bias.IsEmpty) TensorPrimitives.Add(gates, bias, gates);
        Span<T> i = gates[..n], f = gates.Slice(n, n), g = gates.Slice(2 * n, n), o = gates.Slice(3 * n, n);
        default(SigmoidOp).ApplySpan<T>(gates[..(2 * n)], gates[..(2 * n)]);
        default(TanhOp).ApplySpan<T>(g, g);
        default(SigmoidOp).ApplySpan<T>(o, o);
        TensorPrimitives.Multiply(i, g, i);
        TensorPrimitives.FusedMultiplyAdd(f, c, i, c);
        default(TanhOp).ApplySpan<T>(c, g);
        TensorPrimitives.Multiply(o, g, h);
    }

    /// <summary>float32, a vector of units at a time; a partial vector at the end goes through the same code, padded.</summary>
    private static void ApplyFloat(Span<float> gates, ReadOnlySpan<float> bias, Span<float> c, Span<float> h)
    {
        int n = c.Length, width = Vector<float>.Count, j = 0;
        for (; j <= n - width; j += width)
        {
            var (cell, hidden) = Unit(Gate(gates, bias, j), Gate(gates, bias, n + j), Gate(gates, bias, 2 * n + j), Gate(gates, bias, 3 * n + j),
                new Vector<float>(c[j..]));
            cell.CopyTo(c[j..]);
            hidden.CopyTo(h[j..]);
        }
        if (j == n) return;
        Span<float> padded = stackalloc float[5 * width];
        padded.Clear();
        for (int k = 0; k < 4; k++)
        {
            gates.Slice(k * n + j, n - j).CopyTo(padded[(k * width)..]);
            if (!bias.IsEmpty) TensorPrimitives.Add(padded.Slice(k * width, n - j), bias.Slice(k * n + j, n - j), padded[(k * width)..]);
        }
        c[j..].CopyTo(padded[(4 * width)..]);
        var (lastCell, lastHidden) = Unit(new Vector<float>(padded), new Vector<float>(padded[width..]), new Vector<float>(padded[(2 * width)..]),
            new Vector<float>(padded[(3 * width)..]), new Vector<float>(padded[(4 * width)..]));
        lastCell.CopyTo(padded);
        lastHidden.CopyTo(padded[width..]);
        padded[..(n - j)].CopyTo(c[j..]);
        padded.Slice(width, n - j).CopyTo(h[j..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Gate(ReadOnlySpan<float> gates, ReadOnlySpan<float> bias, int at) =>
        bias.IsEmpty ? new Vector<float>(gates[at..]) : new Vector<float>(gates[at..]) + new Vector<float>(bias[at..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<float> Cell, Vector<float> Hidden) Unit(Vector<float> i, Vector<float> f, Vector<float> g, Vector<float> o, Vector<float> c)
    {
        var cell = Vector.FusedMultiplyAdd(Sigmoid(f), c, Sigmoid(i) * Tanh(g));
        return (cell, Sigmoid(o) * Tanh(cell));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Sigmoid(Vector<float> x)
    {
        var half = new Vector<float>(0.5f);
        return Vector.FusedMultiplyAdd(Tanh(x * half), half, half);
    }

    /// <summary>1/q for q ≥ 1: the CPU's 12-bit estimate and one Newton step where there is one (a division's throughput is a
    /// fifth of an FMA's), else a division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Reciprocal(Vector<float> q)
    {
        if (Vector<float>.Count != 8 || !Avx.IsSupported) return Vector<float>.One / q;
        var r = Vector256.AsVector(Avx.Reciprocal(Vector256.AsVector256(q)));
        return r * Vector.FusedMultiplyAdd(-q, r, new Vector<float>(2f));
    }

    /// <summary>
    /// tanh(x) as <c>x·P(x²)/Q(x²)</c> on |x| ≤ 9 (beyond which float32 tanh is ±1), P of degree 5 and Q of degree 3, fitted
    /// for least maximum relative error (5.9e-8 before rounding; 3.9e-7 absolute as evaluated). NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Tanh(Vector<float> x)
    {
        var xc = Vector.ClampNative(x, new Vector<float>(-9f), new Vector<float>(9f));
        var t = xc * xc;
        var p = new Vector<float>(1.8255036864395601e-11f);
        p = Vector.FusedMultiplyAdd(p, t, new Vector<float>(-1.2780327330246648e-08f));
        p = Vector.FusedMultiplyAdd(p, t, new Vector<float>(9.2673724540291301e-06f));
        p = Vector.FusedMultiplyAdd(p, t, new Vector<float>(0.0029207556511616404f));
        p = Vector.FusedMultiplyAdd(p, t, new Vector<float>(0.1291922238120124f));
        p = Vector.FusedMultiplyAdd(p, t, new Vector<float>(0.99999994121201674f));
        var q = new Vector<float>(0.00022809939732523556f);
        q = Vector.FusedMultiplyAdd(q, t, new Vector<float>(0.023763142375980421f));
        q = Vector.FusedMultiplyAdd(q, t, new Vector<float>(0.46252506240505808f));
        q = Vector.FusedMultiplyAdd(q, t, Vector<float>.One);
        // Near |x| = 9 the fit rounds a little above 1; tanh never does.
        var tanh = Vector.ClampNative(xc * p * Reciprocal(q), -Vector<float>.One, Vector<float>.One);
        return Vector.ConditionalSelect(Vector.Equals(x, x), tanh, x);
    }
}
