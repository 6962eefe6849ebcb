using System.Numerics;
using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Reductions;

/// <summary>
/// The eager entry points of the reductions: check dtypes and dims with the registry's rules, pick the
/// compute dtype, lay the input out for <see cref="ReduceEngine"/>, run the op's reduction and give the
/// result its PyTorch dtype and shape.
/// </summary>
internal static class ReductionDriver
{
    /// <summary>Everything a reduction needs once its dims are settled.</summary>
    private readonly record struct Plan(Tensor Input, ReduceLayout Layout, long[] OutShape);

    private static Plan Prepare(string op, Tensor x, ReadOnlySpan<long> dims, bool keepdim, bool rowMajorInner = false, bool nonEmpty = false, Tensor? input = null)
    {
        var mask = ReductionOps.ReducedDims(op, x.shape, dims);
        if (nonEmpty) ReductionOps.CheckNonEmpty(op, x.shape, mask, dims.IsEmpty);
        input ??= ComputeViews.ComputeView(x);
        return new Plan(input, ReduceLayout.Create(input, mask, rowMajorInner), ReductionOps.ReducedShape(x.shape, mask, keepdim));
    }

    /// <summary>The dtype sums and products accumulate in for a compute dtype: float, double or int64.</summary>
    private static DType AccumulatorDType(DType compute) => compute is DType.Float32 or DType.Float64 ? compute : DType.Int64;

    /// <summary><c>torch.sum</c>.</summary>
    internal static Tensor Sum(Tensor x, ReadOnlySpan<long> dims, bool keepdim) => Accumulate("sum", x, dims, keepdim, product: false);

    /// <summary><c>torch.prod</c>.</summary>
    internal static Tensor Prod(Tensor x, ReadOnlySpan<long> dims, bool keepdim) => Accumulate("prod", x, dims, keepdim, product: true);

    /// <summary><c>torch.mean</c>: the sum divided by N in the input's dtype, as PyTorch's CPU kernel does.</summary>
    internal static Tensor Mean(Tensor x, ReadOnlySpan<long> dims, bool keepdim)
    {
        TypeRules.CheckDType("mean", x.DType, ReductionOps.FloatDTypes);
        var mask = ReductionOps.ReducedDims("mean", x.shape, dims);
        long count = 1;
        for (int d = 0; d < mask.Length; d++)
        {
            if (mask[d]) count *= x.shape[d];
        }
        return Accumulate("mean", x, dims, keepdim, product: false).Div(count);
    }

    private static Tensor Accumulate(string op, Tensor x, ReadOnlySpan<long> dims, bool keepdim, bool product)
    {
        var plan = Prepare(op, x, dims, keepdim);
        var output = Tensor.Empty(AccumulatorDType(plan.Input.DType), plan.OutShape);
        TypeDispatch.Number(plan.Input.DType, new AccumulateAction(plan, output, product));
        return output.To(ReductionOps.AccumulatingDType(x.DType));
    }

    /// <summary><c>torch.amax</c> / <c>torch.amin</c> (and the full <c>max()</c> / <c>min()</c>): NaN wins; empty reductions throw.</summary>
    internal static Tensor Extremum(string op, Tensor x, ReadOnlySpan<long> dims, bool keepdim, bool max)
    {
        var plan = Prepare(op, x, dims, keepdim, nonEmpty: true);
        var output = Tensor.Empty(plan.Input.DType, plan.OutShape);
        TypeDispatch.Number(plan.Input.DType, new ExtremumAction(plan, output, max));
        return ComputeViews.FromCompute(output, x.DType);
    }

    /// <summary><c>torch.max(x, dim)</c> / <c>torch.min(x, dim)</c>: values and the int64 index of their first occurrence.</summary>
    internal static (Tensor Values, Tensor Indices) WithIndices(string op, Tensor x, long dim, bool keepdim, bool max)
    {
        var plan = Prepare(op, x, [dim], keepdim, rowMajorInner: true, nonEmpty: true);
        var values = Tensor.Empty(plan.Input.DType, plan.OutShape);
        var indices = Tensor.Empty(DType.Int64, plan.OutShape);
        TypeDispatch.Number(plan.Input.DType, new ArgAction(plan, values, indices, max));
        return (ComputeViews.FromCompute(values, x.DType), indices);
    }

    /// <summary><c>torch.argmax</c> / <c>torch.argmin</c>: over one dim, or over the flattened tensor when <paramref name="dim"/> is null.</summary>
    internal static Tensor ArgIndex(string op, Tensor x, long? dim, bool keepdim, bool max)
    {
        TypeRules.CheckDType(op, x.DType, ReductionOps.NumericDTypes);
        var plan = Prepare(op, x, dim is { } d ? [d] : [], keepdim, rowMajorInner: true, nonEmpty: true);
        var indices = Tensor.Empty(DType.Int64, plan.OutShape);
        TypeDispatch.Number(plan.Input.DType, new ArgAction(plan, null, indices, max));
        return indices;
    }

    /// <summary><c>torch.var</c> / <c>torch.std</c> with a correction, computed in double.</summary>
    internal static Tensor Spread(string op, Tensor x, ReadOnlySpan<long> dims, double correction, bool keepdim, bool root)
    {
        TypeRules.CheckDType(op, x.DType, ReductionOps.FloatDTypes);
        if (double.IsNaN(correction))
            throw new ArgumentException($"{op}: the correction must be a number, got NaN");
        var plan = Prepare(op, x, dims, keepdim);
        var output = Tensor.Empty(DType.Float64, plan.OutShape);
        TypeDispatch.Float(plan.Input.DType, new SpreadAction(plan, output, correction, root));
        return output.To(x.DType);
    }

    /// <summary><c>torch.logsumexp</c>: integers and bool are computed (and returned) as float32.</summary>
    internal static Tensor Logsumexp(Tensor x, ReadOnlySpan<long> dims, bool keepdim)
    {
        var plan = Prepare("logsumexp", x, dims, keepdim, input: x.DType == DType.Float64 ? x : x.ToUntracked(DType.Float32));
        var output = Tensor.Empty(plan.Input.DType, plan.OutShape);
        TypeDispatch.Float(plan.Input.DType, new LogSumExpAction(plan, output));
        return output.To(ReductionOps.FloatResultDType(x.DType));
    }

    /// <summary><c>torch.all</c> / <c>torch.any</c>: bool results (uint8 for uint8 input, as PyTorch 1.13).</summary>
    internal static Tensor Truth(string op, Tensor x, long? dim, bool keepdim, bool all)
    {
        var plan = Prepare(op, x, dim is { } d ? [d] : [], keepdim);
        var output = Tensor.Empty(DType.Bool, plan.OutShape);
        TypeDispatch.Number(plan.Input.DType, new TruthAction(plan, output, all));
        return ReductionOps.TruthDType(x.DType) == DType.UInt8 ? ComputeViews.Reinterpret(output, DType.UInt8) : output;
    }

    /// <summary><c>torch.linalg.vector_norm</c> of order <paramref name="p"/>.</summary>
    internal static Tensor Norm(Tensor x, double p, ReadOnlySpan<long> dims, bool keepdim)
    {
        TypeRules.CheckDType("norm", x.DType, ReductionOps.FloatDTypes);
        ReductionOps.CheckNormOrder(p);
        var plan = Prepare("norm", x, dims, keepdim, nonEmpty: double.IsInfinity(p));
        var output = Tensor.Empty(plan.Input.DType, plan.OutShape);
        TypeDispatch.Float(plan.Input.DType, new NormAction(plan, output, p));
        return output.To(x.DType);
    }

    private readonly struct AccumulateAction(Plan plan, Tensor output, bool product) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T>
        {
            if (typeof(T) == typeof(double)) Run<T, double>();
            else if (typeof(T) == typeof(float)) Run<T, float>();
            else Run<T, long>();
        }

        private void Run<T, TAcc>() where T : unmanaged, INumber<T> where TAcc : unmanaged, INumber<TAcc>
        {
            if (product)
                ReduceEngine.Run<T, ProdReduction<T, TAcc>>(plan.Input, plan.Layout, new(output));
            else if (typeof(T) == typeof(TAcc) && plan.Layout.ColumnWidth > 0)
                ColumnEngine.Run<T, AddColumns>(plan.Input, plan.Layout, output);
            else
                ReduceEngine.Run<T, SumReduction<T, TAcc, IdentityMap<T, TAcc>, KeepTotal<TAcc>>>(plan.Input, plan.Layout, new(output, default, default));
        }
    }

    private readonly struct ExtremumAction(Plan plan, Tensor output, bool max) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T>
        {
            bool columns = plan.Layout.ColumnWidth > 0;
            if (max && columns) ColumnEngine.Run<T, MaxColumns>(plan.Input, plan.Layout, output);
            else if (max) ReduceEngine.Run<T, ExtremumReduction<T, PickMax, IdentityMap<T, T>>>(plan.Input, plan.Layout, new(output, default));
            else if (columns) ColumnEngine.Run<T, MinColumns>(plan.Input, plan.Layout, output);
            else ReduceEngine.Run<T, ExtremumReduction<T, PickMin, IdentityMap<T, T>>>(plan.Input, plan.Layout, new(output, default));
        }
    }

    private readonly struct ArgAction(Plan plan, Tensor? values, Tensor indices, bool max) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T>
        {
            if (max) ReduceEngine.Run<T, ArgReduction<T, PickMax>>(plan.Input, plan.Layout, new(values, indices));
            else ReduceEngine.Run<T, ArgReduction<T, PickMin>>(plan.Input, plan.Layout, new(values, indices));
        }
    }

    private readonly struct TruthAction(Plan plan, Tensor output, bool all) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T> =>
            ReduceEngine.Run<T, TruthReduction<T>>(plan.Input, plan.Layout, new(output, all));
    }

    private readonly struct SpreadAction(Plan plan, Tensor output, double correction, bool root) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
            ReduceEngine.Run<T, VarReduction<T>>(plan.Input, plan.Layout, new(output, correction, root));
    }

    private readonly struct LogSumExpAction(Plan plan, Tensor output) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
            ReduceEngine.Run<T, LogSumExpReduction<T>>(plan.Input, plan.Layout, new(output));
    }

    private readonly struct NormAction(Plan plan, Tensor output, double p) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (input, layout) = (plan.Input, plan.Layout);
            switch (p)
            {
                case 2: ReduceEngine.Run<T, SumReduction<T, T, SquareMap<T, T>, SqrtTotal<T>>>(input, layout, new(output, default, default)); break;
                case 1: ReduceEngine.Run<T, SumReduction<T, T, AbsMap<T, T>, KeepTotal<T>>>(input, layout, new(output, default, default)); break;
                case 0: ReduceEngine.Run<T, SumReduction<T, T, NonZeroMap<T, T>, KeepTotal<T>>>(input, layout, new(output, default, default)); break;
                case double.PositiveInfinity: ReduceEngine.Run<T, ExtremumReduction<T, PickMax, AbsMap<T, T>>>(input, layout, new(output, default)); break;
                case double.NegativeInfinity: ReduceEngine.Run<T, ExtremumReduction<T, PickMin, AbsMap<T, T>>>(input, layout, new(output, default)); break;
                default:
                    var order = T.CreateTruncating(p);
                    ReduceEngine.Run<T, SumReduction<T, T, PowAbsMap<T, T>, RootTotal<T>>>(input, layout, new(output, new(order), new(T.One / order)));
                    break;
            }
        }
    }
}
