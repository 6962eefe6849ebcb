using System.Numerics;

namespace Kiln.Kernels.Reductions;

/// <summary>What a summing reduction does with its total: nothing (sum), a root (norms) ...</summary>
internal interface IFinish<TAcc>
{
    /// <summary>The output value for a total of <paramref name="total"/>.</summary>
    TAcc Apply(TAcc total);
}

/// <summary>The total itself.</summary>
internal readonly struct KeepTotal<TAcc> : IFinish<TAcc>
{
    public TAcc Apply(TAcc total) => total;
}

/// <summary>The square root of the total (the 2-norm).</summary>
internal readonly struct SqrtTotal<TAcc> : IFinish<TAcc> where TAcc : IRootFunctions<TAcc>
{
    public TAcc Apply(TAcc total) => TAcc.Sqrt(total);
}

/// <summary>The total to the power 1/p (the p-norm).</summary>
internal readonly struct RootTotal<TAcc>(TAcc inverseP) : IFinish<TAcc> where TAcc : IPowerFunctions<TAcc>
{
    public TAcc Apply(TAcc total) => TAcc.Pow(total, inverseP);
}

/// <summary>Sum-like reductions: the finished sum of a map of the elements, stored as <typeparamref name="TAcc"/>.</summary>
internal readonly struct SumReduction<T, TAcc, TMap, TFinish>(Tensor output, TMap map, TFinish finish) : IReduction<T>
    where T : unmanaged where TAcc : unmanaged, INumberBase<TAcc> where TMap : struct, IValueMap<T, TAcc> where TFinish : struct, IFinish<TAcc>
{
    public void Reduce(ReducedRows<T> rows, long outOffset)
    {
        var fold = new SumFold<T, TAcc, TMap>(map);
        rows.Fold(ref fold);
        output.Ref<TAcc>(outOffset) = finish.Apply(fold.Total);
    }
}

/// <summary>The product of the elements, stored as <typeparamref name="TAcc"/>.</summary>
internal readonly struct ProdReduction<T, TAcc>(Tensor output) : IReduction<T>
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, INumberBase<TAcc>
{
    public void Reduce(ReducedRows<T> rows, long outOffset)
    {
        var fold = new ProdFold<T, TAcc>();
        rows.Fold(ref fold);
        output.Ref<TAcc>(outOffset) = fold.Product;
    }
}

/// <summary>The largest or smallest (mapped) element, stored as <typeparamref name="T"/>; the layout is never empty.</summary>
internal readonly struct ExtremumReduction<T, TPick, TMap>(Tensor output, TMap map) : IReduction<T>
    where T : unmanaged, INumber<T> where TPick : struct, IPick where TMap : struct, IValueMap<T, T>
{
    public void Reduce(ReducedRows<T> rows, long outOffset)
    {
        var fold = new ExtremumFold<T, TPick, TMap>(map);
        rows.Fold(ref fold);
        output.Ref<T>(outOffset) = fold.Best;
    }
}

/// <summary>The position of the largest or smallest element (int64), and optionally the value itself.</summary>
internal readonly struct ArgReduction<T, TPick>(Tensor? values, Tensor indices) : IReduction<T>
    where T : unmanaged, INumber<T> where TPick : struct, IPick
{
    public void Reduce(ReducedRows<T> rows, long outOffset)
    {
        var fold = new ArgExtremumFold<T, TPick>();
        rows.Fold(ref fold);
        indices.Ref<long>(outOffset) = fold.Position;
        if (values is not null) values.Ref<T>(outOffset) = fold.Best;
    }
}

/// <summary>all (no element is zero) or any (some element is nonzero), stored as a 0/1 byte.</summary>
internal readonly struct TruthReduction<T>(Tensor output, bool all) : IReduction<T>
    where T : unmanaged, INumberBase<T>
{
    public void Reduce(ReducedRows<T> rows, long outOffset)
    {
        var fold = new TruthFold<T>();
        rows.Fold(ref fold);
        output.Ref<bool>(outOffset) = all ? !fold.SawZero : fold.SawNonZero;
    }
}

/// <summary>
/// Variance (or its root) in double, in two passes (mean, then squared deviations) like PyTorch's
/// double-precision CPU kernel: the divisor is max(0, N - correction), so a correction ≥ N gives inf
/// (or NaN for zero deviation).
/// </summary>
internal readonly struct VarReduction<T>(Tensor output, double correction, bool root) : IReduction<T>
    where T : unmanaged, INumberBase<T>
{
    public void Reduce(ReducedRows<T> rows, long outOffset)
    {
        var sum = new SumFold<T, double, IdentityMap<T, double>>(default);
        rows.Fold(ref sum);
        double mean = sum.Total / rows.Count;
        var deviations = new SumFold<T, double, SquaredDeviationMap<T>>(new(mean));
        rows.Fold(ref deviations);
        double variance = deviations.Total / Math.Max(0, rows.Count - correction);
        output.Ref<double>(outOffset) = root ? Math.Sqrt(variance) : variance;
    }
}

/// <summary>
/// log(sum(exp(x))) computed as max + log(sum(exp(x - max))); an infinite max is not subtracted (so
/// all -inf gives -inf and any +inf gives +inf), and an empty reduction gives log(0) = -inf.
/// </summary>
internal readonly struct LogSumExpReduction<T>(Tensor output) : IReduction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Reduce(ReducedRows<T> rows, long outOffset)
    {
        var max = new ExtremumFold<T, PickMax, IdentityMap<T, T>>(default);
        rows.Fold(ref max);
        T shift = max.Any && !T.IsInfinity(max.Best) ? max.Best : T.Zero;
        var sum = new SumFold<T, T, ExpShiftMap<T, T>>(new(shift));
        rows.Fold(ref sum);
        output.Ref<T>(outOffset) = T.Log(sum.Total) + shift;
    }
}
