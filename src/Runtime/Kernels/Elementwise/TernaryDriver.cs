using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kiln.IR;

namespace Kiln.Kernels.Elementwise;

/// <summary>Runs three-input elementwise ops (where, lerp, clamp with bounds), all three broadcast together.</summary>
internal static class TernaryDriver
{
    /// <summary>An op in the promoted dtype's own arithmetic.</summary>
    internal static Tensor Number<TOp>(string name, Tensor a, Tensor b, Tensor c, DType promoted, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, INumberTernaryOp
    {
        var plan = ElementwisePlan.Create(name, [a, b, c], promoted, ResultKind.Same, allowed, output);
        TypeDispatch.Number(plan.Compute, new NumberAction<TOp>(plan, op));
        return plan.Finish();
    }

    /// <summary>A float op: the result is the promoted dtype if floating, else float32.</summary>
    internal static Tensor Float<TOp>(string name, Tensor a, Tensor b, Tensor c, DType promoted, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, IFloatTernaryOp
    {
        var plan = ElementwisePlan.Create(name, [a, b, c], promoted, ResultKind.Float, allowed, output);
        TypeDispatch.Float(plan.Compute, new FloatAction<TOp>(plan, op));
        return plan.Finish();
    }

    /// <summary>
    /// <c>condition ? x : y</c>, elementwise. <paramref name="condition"/> must be bool; x and y are converted
    /// to <paramref name="promoted"/>, and elements are moved without arithmetic.
    /// </summary>
    internal static Tensor Where(Tensor condition, Tensor x, Tensor y, DType promoted, IReadOnlyList<DType> allowed, Tensor? output = null)
    {
        if (condition.DType != DType.Bool)
            throw new ArgumentException($"where: expected condition to be a bool tensor, but got dtype {condition.DType.Name()}");
        var plan = ElementwisePlan.Create("where", [x, y, condition], promoted, ResultKind.Same, allowed, output, compute: promoted, passThrough: 1);
        switch (promoted.ElementSize())
        {
            case 1: plan.Run(new WhereRows<byte>(plan)); break;
            case 2: plan.Run(new WhereRows<short>(plan)); break;
            case 4: plan.Run(new WhereRows<int>(plan)); break;
            default: plan.Run(new WhereRows<long>(plan)); break;
        }
        return plan.Finish();
    }

    private readonly struct NumberAction<TOp>(ElementwisePlan plan, TOp op) : INumberAction
        where TOp : struct, INumberTernaryOp
    {
        public void Invoke<T>() where T : unmanaged, INumber<T> => plan.Run(new NumberRows<T, TOp>(plan, op));
    }

    private readonly struct FloatAction<TOp>(ElementwisePlan plan, TOp op) : IFloatAction
        where TOp : struct, IFloatTernaryOp
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T> => plan.Run(new FloatRows<T, TOp>(plan, op));
    }

    private readonly struct NumberRows<T, TOp>(ElementwisePlan plan, TOp op) : IRowKernel
        where T : unmanaged, INumber<T> where TOp : struct, INumberTernaryOp
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T dst = ref plan.Dest.Ref<T>(offsets[0]);
            ref T a = ref plan.Inputs[0].Ref<T>(offsets[1]);
            ref T b = ref plan.Inputs[1].Ref<T>(offsets[2]);
            ref T c = ref plan.Inputs[2].Ref<T>(offsets[3]);
            long ds = strides[0], sa = strides[1], sb = strides[2], sc = strides[3];
            if (TOp.HasSpan && ds == 1 && sa == 1 && sb == 0 && sc == 0)
            {
                op.ApplySpan(MemoryMarshal.CreateReadOnlySpan(ref a, (int)n), b, c, MemoryMarshal.CreateSpan(ref dst, (int)n));
                return;
            }
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * ds)) = op.Apply(Unsafe.Add(ref a, (nint)(i * sa)), Unsafe.Add(ref b, (nint)(i * sb)), Unsafe.Add(ref c, (nint)(i * sc)));
        }
    }

    private readonly struct FloatRows<T, TOp>(ElementwisePlan plan, TOp op) : IRowKernel
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IFloatTernaryOp
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T dst = ref plan.Dest.Ref<T>(offsets[0]);
            ref T a = ref plan.Inputs[0].Ref<T>(offsets[1]);
            ref T b = ref plan.Inputs[1].Ref<T>(offsets[2]);
            ref T c = ref plan.Inputs[2].Ref<T>(offsets[3]);
            long ds = strides[0], sa = strides[1], sb = strides[2], sc = strides[3];
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * ds)) = op.Apply(Unsafe.Add(ref a, (nint)(i * sa)), Unsafe.Add(ref b, (nint)(i * sb)), Unsafe.Add(ref c, (nint)(i * sc)));
        }
    }

    /// <summary>
    /// Moves elements of size <c>sizeof(T)</c> (their bits, as integers): inputs are x, y (converted) and the
    /// bool condition. The select is done with masks, not branches, since conditions are often random.
    /// </summary>
    private readonly struct WhereRows<T>(ElementwisePlan plan) : IRowKernel
        where T : unmanaged, IBinaryInteger<T>
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T dst = ref plan.Dest.Ref<T>(offsets[0]);
            ref T x = ref plan.Inputs[0].Ref<T>(offsets[1]);
            ref T y = ref plan.Inputs[1].Ref<T>(offsets[2]);
            ref byte c = ref plan.Inputs[2].Ref<byte>(offsets[3]);
            long ds = strides[0], sx = strides[1], sy = strides[2], sc = strides[3];
            for (long i = 0; i < n; i++)
            {
                // Bool storage is 0 or 1, so the mask is all zeros or all ones.
                T mask = T.Zero - T.CreateTruncating(Unsafe.Add(ref c, (nint)(i * sc)));
                Unsafe.Add(ref dst, (nint)(i * ds)) = (Unsafe.Add(ref x, (nint)(i * sx)) & mask) | (Unsafe.Add(ref y, (nint)(i * sy)) & ~mask);
            }
        }
    }
}
