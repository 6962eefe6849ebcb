using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kiln.IR;

namespace Kiln.Kernels.Elementwise;

/// <summary>
/// Runs binary elementwise ops over any dtypes and layouts: promotion, broadcasting, an optional output
/// tensor for in-place variants, and span fast paths for contiguous and scalar-broadcast operands.
/// </summary>
internal static class BinaryDriver
{
    /// <summary>An op in the promoted dtype's own arithmetic (add, mul, maximum ...); bool results are normalised to 0/1.</summary>
    /// <exception cref="ArgumentException">An integer division by zero (PyTorch's ZeroDivisionError).</exception>
    internal static Tensor Number<TOp>(string name, Tensor a, Tensor b, DType promoted, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, INumberBinaryOp
    {
        var plan = ElementwisePlan.Create(name, [a, b], promoted, ResultKind.Same, allowed, output);
        try
        {
            TypeDispatch.Number(plan.Compute, new NumberAction<TOp>(plan, op));
        }
        catch (DivideByZeroException e)
        {
            throw new ArgumentException($"{name}: ZeroDivisionError: integer division by zero (dtype {promoted.Name()})", e);
        }
        return plan.Finish();
    }

    /// <summary>A float op: the result is the promoted dtype if floating, else float32.</summary>
    internal static Tensor Float<TOp>(string name, Tensor a, Tensor b, DType promoted, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, IFloatBinaryOp
    {
        var plan = ElementwisePlan.Create(name, [a, b], promoted, ResultKind.Float, allowed, output);
        TypeDispatch.Float(plan.Compute, new FloatAction<TOp>(plan, op));
        return plan.Finish();
    }

    /// <summary>A predicate with a bool result, evaluated in the promoted dtype.</summary>
    internal static Tensor Compare<TOp>(string name, Tensor a, Tensor b, DType promoted, TOp op, IReadOnlyList<DType> allowed, Tensor? output = null)
        where TOp : struct, ICompareOp
    {
        var plan = ElementwisePlan.Create(name, [a, b], promoted, ResultKind.Bool, allowed, output);
        TypeDispatch.Number(plan.Compute, new CompareAction<TOp>(plan, op));
        return plan.Finish();
    }

    private readonly struct NumberAction<TOp>(ElementwisePlan plan, TOp op) : INumberAction
        where TOp : struct, INumberBinaryOp
    {
        public void Invoke<T>() where T : unmanaged, INumber<T> => plan.Run(new NumberRows<T, TOp>(plan.Dest, plan.Inputs[0], plan.Inputs[1], op));
    }

    private readonly struct FloatAction<TOp>(ElementwisePlan plan, TOp op) : IFloatAction
        where TOp : struct, IFloatBinaryOp
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T> => plan.Run(new FloatRows<T, TOp>(plan.Dest, plan.Inputs[0], plan.Inputs[1], op));
    }

    private readonly struct CompareAction<TOp>(ElementwisePlan plan, TOp op) : INumberAction
        where TOp : struct, ICompareOp
    {
        public void Invoke<T>() where T : unmanaged, INumber<T> => plan.Run(new CompareRows<T, TOp>(plan.Dest, plan.Inputs[0], plan.Inputs[1], op));
    }

    private readonly struct NumberRows<T, TOp>(Tensor d, Tensor a, Tensor b, TOp op) : IRowKernel
        where T : unmanaged, INumber<T> where TOp : struct, INumberBinaryOp
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T dst = ref d.Ref<T>(offsets[0]);
            ref T x = ref a.Ref<T>(offsets[1]);
            ref T y = ref b.Ref<T>(offsets[2]);
            long ds = strides[0], xs = strides[1], ys = strides[2];
            if (TOp.HasSpan && ds == 1)
            {
                var dspan = MemoryMarshal.CreateSpan(ref dst, (int)n);
                if (xs == 1 && ys == 1) { op.ApplySpan(MemoryMarshal.CreateReadOnlySpan(ref x, (int)n), MemoryMarshal.CreateReadOnlySpan(ref y, (int)n), dspan); return; }
                if (xs == 1 && ys == 0) { op.ApplySpan(MemoryMarshal.CreateReadOnlySpan(ref x, (int)n), y, dspan); return; }
                if (xs == 0 && ys == 1) { op.ApplySpan(x, MemoryMarshal.CreateReadOnlySpan(ref y, (int)n), dspan); return; }
            }
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * ds)) = op.Apply(Unsafe.Add(ref x, (nint)(i * xs)), Unsafe.Add(ref y, (nint)(i * ys)));
        }
    }

    private readonly struct FloatRows<T, TOp>(Tensor d, Tensor a, Tensor b, TOp op) : IRowKernel
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IFloatBinaryOp
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T dst = ref d.Ref<T>(offsets[0]);
            ref T x = ref a.Ref<T>(offsets[1]);
            ref T y = ref b.Ref<T>(offsets[2]);
            long ds = strides[0], xs = strides[1], ys = strides[2];
            if (TOp.HasSpan && ds == 1)
            {
                var dspan = MemoryMarshal.CreateSpan(ref dst, (int)n);
                if (xs == 1 && ys == 1) { op.ApplySpan(MemoryMarshal.CreateReadOnlySpan(ref x, (int)n), MemoryMarshal.CreateReadOnlySpan(ref y, (int)n), dspan); return; }
                if (xs == 1 && ys == 0) { op.ApplySpan(MemoryMarshal.CreateReadOnlySpan(ref x, (int)n), y, dspan); return; }
                if (xs == 0 && ys == 1) { op.ApplySpan(x, MemoryMarshal.CreateReadOnlySpan(ref y, (int)n), dspan); return; }
            }
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * ds)) = op.Apply(Unsafe.Add(ref x, (nint)(i * xs)), Unsafe.Add(ref y, (nint)(i * ys)));
        }
    }

    private readonly struct CompareRows<T, TOp>(Tensor d, Tensor a, Tensor b, TOp op) : IRowKernel
        where T : unmanaged, INumber<T> where TOp : struct, ICompareOp
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref bool dst = ref d.Ref<bool>(offsets[0]);
            ref T x = ref a.Ref<T>(offsets[1]);
            ref T y = ref b.Ref<T>(offsets[2]);
            long ds = strides[0], xs = strides[1], ys = strides[2];
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * ds)) = op.Apply(Unsafe.Add(ref x, (nint)(i * xs)), Unsafe.Add(ref y, (nint)(i * ys)));
        }
    }
}
