using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kiln.IR;

namespace Kiln.Kernels.Elementwise;

/// <summary>Runs unary elementwise ops over any dtype and layout, optionally writing an in-place output.</summary>
internal static class UnaryDriver
{
    /// <summary>A float op: integer and bool inputs give float32; float16/bfloat16 compute in float32 and round back.</summary>
    internal static Tensor Float<TOp>(string name, Tensor x, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, IFloatUnaryOp
    {
        var plan = ElementwisePlan.Create(name, [x], x.DType, ResultKind.Float, allowed, output);
        TypeDispatch.Float(plan.Compute, new FloatAction<TOp>(plan, op));
        return plan.Finish();
    }

    /// <summary>An op in each dtype's own arithmetic (the result has the input's dtype).</summary>
    internal static Tensor Number<TOp>(string name, Tensor x, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, INumberUnaryOp
    {
        var plan = ElementwisePlan.Create(name, [x], x.DType, ResultKind.Same, allowed, output);
        TypeDispatch.Number(plan.Compute, new NumberAction<TOp>(plan, op));
        return plan.Finish();
    }

    /// <summary>A predicate with a bool result, evaluated in the input's own dtype (bool as uint8).</summary>
    internal static Tensor Predicate<TOp>(string name, Tensor x, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, IPredicateOp
    {
        var plan = ElementwisePlan.Create(name, [x], x.DType, ResultKind.Bool, allowed, output);
        TypeDispatch.Number(plan.Compute, new PredicateAction<TOp>(plan, op));
        return plan.Finish();
    }

    /// <summary>
    /// A rounding op (floor, ceil, round, trunc): integers are already whole, so they are returned unchanged
    /// (copied, or left as they are in place); floats go through <paramref name="op"/>.
    /// </summary>
    internal static Tensor Rounding<TOp>(string name, Tensor x, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, IFloatUnaryOp
    {
        if (x.DType.IsFloatingPoint() || !allowed.Contains(x.DType))
            return Float(name, x, op, allowed, output);
        if (output is null) return x.CloneUntracked();
        if (!ReferenceEquals(output, x)) return output.Copy_(x);
        x.MarkModified();
        return x;
    }

    private readonly struct FloatAction<TOp>(ElementwisePlan plan, TOp op) : IFloatAction
        where TOp : struct, IFloatUnaryOp
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T> => plan.Run(new FloatRows<T, TOp>(plan.Dest, plan.Inputs[0], op));
    }

    private readonly struct NumberAction<TOp>(ElementwisePlan plan, TOp op) : INumberAction
        where TOp : struct, INumberUnaryOp
    {
        public void Invoke<T>() where T : unmanaged, INumber<T> => plan.Run(new NumberRows<T, TOp>(plan.Dest, plan.Inputs[0], op));
    }

    private readonly struct PredicateAction<TOp>(ElementwisePlan plan, TOp op) : INumberAction
        where TOp : struct, IPredicateOp
    {
        public void Invoke<T>() where T : unmanaged, INumber<T> => plan.Run(new PredicateRows<T, TOp>(plan.Dest, plan.Inputs[0], op));
    }

    private readonly struct FloatRows<T, TOp>(Tensor d, Tensor x, TOp op) : IRowKernel
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IFloatUnaryOp
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T dst = ref d.Ref<T>(offsets[0]);
            ref T src = ref x.Ref<T>(offsets[1]);
            long ds = strides[0], ss = strides[1];
            if (TOp.HasSpan && ds == 1 && ss == 1)
            {
                op.ApplySpan(MemoryMarshal.CreateReadOnlySpan(ref src, (int)n), MemoryMarshal.CreateSpan(ref dst, (int)n));
                return;
            }
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * ds)) = op.Apply(Unsafe.Add(ref src, (nint)(i * ss)));
        }
    }

    private readonly struct NumberRows<T, TOp>(Tensor d, Tensor x, TOp op) : IRowKernel
        where T : unmanaged, INumber<T> where TOp : struct, INumberUnaryOp
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T dst = ref d.Ref<T>(offsets[0]);
            ref T src = ref x.Ref<T>(offsets[1]);
            long ds = strides[0], ss = strides[1];
            if (TOp.HasSpan && ds == 1 && ss == 1)
            {
                op.ApplySpan(MemoryMarshal.CreateReadOnlySpan(ref src, (int)n), MemoryMarshal.CreateSpan(ref dst, (int)n));
                return;
            }
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * ds)) = op.Apply(Unsafe.Add(ref src, (nint)(i * ss)));
        }
    }

    private readonly struct PredicateRows<T, TOp>(Tensor d, Tensor x, TOp op) : IRowKernel
        where T : unmanaged, INumber<T> where TOp : struct, IPredicateOp
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref bool dst = ref d.Ref<bool>(offsets[0]);
            ref T src = ref x.Ref<T>(offsets[1]);
            long ds = strides[0], ss = strides[1];
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * ds)) = op.Apply(Unsafe.Add(ref src, (nint)(i * ss)));
        }
    }
}
