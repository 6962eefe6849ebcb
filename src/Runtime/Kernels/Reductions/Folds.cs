using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels.Reductions;

/// <summary>Sums <typeparamref name="TMap"/>'s value of each element in a <see cref="Cascade{TAcc}"/>.</summary>
internal struct SumFold<T, TAcc, TMap>(TMap map) : IFold<T, SumFold<T, TAcc, TMap>>
    where T : unmanaged where TAcc : unmanaged, INumberBase<TAcc> where TMap : struct, IValueMap<T, TAcc>
{
    private Cascade<TAcc> sum;

    /// <summary>The sum so far.</summary>
    public readonly TAcc Total => sum.Total;

    public void Add(T x, long position) => sum.Add(map.Apply(x));

    public void AddSpan(ReadOnlySpan<T> xs, long first)
    {
        for (int start = 0; start < xs.Length; start += Cascade<TAcc>.Block)
            sum.AddPartial(map.SumBlock(xs.Slice(start, Math.Min(Cascade<TAcc>.Block, xs.Length - start))));
    }

    public void Merge(in SumFold<T, TAcc, TMap> later) => sum.Merge(later.sum);
}

/// <summary>Multiplies the elements in the accumulator type (integers wrap around, as in PyTorch).</summary>
internal struct ProdFold<T, TAcc>() : IFold<T, ProdFold<T, TAcc>>
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, INumberBase<TAcc>
{
    /// <summary>The product so far.</summary>
    public TAcc Product { get; private set; } = TAcc.One;

    public void Add(T x, long position) => Product *= TAcc.CreateTruncating(x);

    public void AddSpan(ReadOnlySpan<T> xs, long first)
    {
        if (ValueMaps.TrySame<T, TAcc>(xs, out var same))
        {
            Product *= TensorPrimitives.Product(same);
            return;
        }
        foreach (var x in xs) Product *= TAcc.CreateTruncating(x);
    }

    public void Merge(in ProdFold<T, TAcc> later) => Product *= later.Product;
}

/// <summary>Picks the larger or the smaller of two values (max and min share their folds through this).</summary>
internal interface IPick
{
    /// <summary>Whether <paramref name="x"/> should replace <paramref name="best"/> (strictly better, so ties keep the first).</summary>
    static abstract bool Better<T>(T x, T best) where T : INumber<T>;

    /// <summary>The best element of a non-empty span; NaN when it holds a NaN.</summary>
    static abstract T Best<T>(ReadOnlySpan<T> xs) where T : INumber<T>;

    /// <summary>
    /// The index of the best element of a non-empty span: the first NaN if there is one, else the first
    /// best value except that +0 counts as larger than -0 (callers fix that tie).
    /// </summary>
    static abstract int IndexOfBest<T>(ReadOnlySpan<T> xs) where T : INumber<T>;
}

/// <summary>The larger value.</summary>
internal readonly struct PickMax : IPick
{
    public static bool Better<T>(T x, T best) where T : INumber<T> => x > best;

    public static T Best<T>(ReadOnlySpan<T> xs) where T : INumber<T> => TensorPrimitives.Max(xs);

    public static int IndexOfBest<T>(ReadOnlySpan<T> xs) where T : INumber<T> => TensorPrimitives.IndexOfMax(xs);
}

/// <summary>The smaller value.</summary>
internal readonly struct PickMin : IPick
{
    public static bool Better<T>(T x, T best) where T : INumber<T> => x < best;

    public static T Best<T>(ReadOnlySpan<T> xs) where T : INumber<T> => TensorPrimitives.Min(xs);

    public static int IndexOfBest<T>(ReadOnlySpan<T> xs) where T : INumber<T> => TensorPrimitives.IndexOfMin(xs);
}

/// <summary>
/// The largest or smallest value of <typeparamref name="TMap"/> (the element, or |x| for the ±inf norms),
/// NaN winning over everything, as in PyTorch.
/// </summary>
internal struct ExtremumFold<T, TPick, TMap>(TMap map) : IFold<T, ExtremumFold<T, TPick, TMap>>
    where T : unmanaged, INumber<T> where TPick : struct, IPick where TMap : struct, IValueMap<T, T>
{
    private const int VectorThreshold = 16;

    /// <summary>The best value so far (meaningful once <see cref="Any"/>).</summary>
    public T Best { get; private set; }

    /// <summary>Whether any element was seen.</summary>
    public bool Any { get; private set; }

    public void Add(T x, long position) => Offer(map.Apply(x));

    public void AddSpan(ReadOnlySpan<T> xs, long first)
    {
        if (typeof(TMap) == typeof(IdentityMap<T, T>) && xs.Length >= VectorThreshold)
        {
            Offer(TPick.Best(xs));
            return;
        }
        foreach (var x in xs) Offer(map.Apply(x));
    }

    public void Merge(in ExtremumFold<T, TPick, TMap> later)
    {
        if (later.Any) Offer(later.Best);
    }

    private void Offer(T v)
    {
        if (!Any)
        {
            Best = v;
            Any = true;
        }
        else if (!T.IsNaN(Best) && (T.IsNaN(v) || TPick.Better(v, Best)))
        {
            Best = v;
        }
    }
}

/// <summary>The largest or smallest value and its position: the first occurrence on ties, the first NaN if any.</summary>
internal struct ArgExtremumFold<T, TPick> : IFold<T, ArgExtremumFold<T, TPick>>
    where T : unmanaged, INumber<T> where TPick : struct, IPick
{
    /// <summary>The best value so far.</summary>
    public T Best { get; private set; }

    /// <summary>The position of <see cref="Best"/>.</summary>
    public long Position { get; private set; }

    /// <summary>Whether any element was seen.</summary>
    public bool Any { get; private set; }

    public void Add(T x, long position)
    {
        if (!Any)
        {
            (Best, Position, Any) = (x, position, true);
        }
        else if (!T.IsNaN(Best) && (T.IsNaN(x) || TPick.Better(x, Best)))
        {
            (Best, Position) = (x, position);
        }
    }

    public void AddSpan(ReadOnlySpan<T> xs, long first)
    {
        if (xs.Length < VectorThreshold)
        {
            for (int i = 0; i < xs.Length; i++) Add(xs[i], first + i);
            return;
        }
        int best = TPick.IndexOfBest(xs);
        if (xs[best] == T.Zero)
        {
            // TensorPrimitives ranks +0 above -0; PyTorch treats them as equal, so the first zero wins.
            for (best = 0; xs[best] != T.Zero; best++) { }
        }
        Add(xs[best], first + best);
    }

    private const int VectorThreshold = 16;

    public void Merge(in ArgExtremumFold<T, TPick> later)
    {
        if (later.Any) Add(later.Best, later.Position);
    }
}

/// <summary>Whether a zero and whether a nonzero element (NaN counts as nonzero) were seen: all and any.</summary>
internal struct TruthFold<T> : IFold<T, TruthFold<T>>
    where T : unmanaged, INumberBase<T>
{
    /// <summary>Whether some element was zero.</summary>
    public bool SawZero { get; private set; }

    /// <summary>Whether some element was nonzero.</summary>
    public bool SawNonZero { get; private set; }

    public void Add(T x, long position)
    {
        if (x == T.Zero) SawZero = true;
        else SawNonZero = true;
    }

    public void AddSpan(ReadOnlySpan<T> xs, long first)
    {
        foreach (var x in xs)
        {
            Add(x, first);
            if (SawZero && SawNonZero) return;
        }
    }

    public void Merge(in TruthFold<T> later)
    {
        SawZero |= later.SawZero;
        SawNonZero |= later.SawNonZero;
    }
}
