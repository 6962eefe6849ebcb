using Kiln.IR;
using Kiln.Kernels.Reductions;

namespace Kiln;

public partial class Tensor
{
    // Reductions follow PyTorch 1.13: a list of dims may hold negative dims and must not repeat one; an
    // empty list means every dim; keepdim keeps the reduced dims with size 1. Integer and bool sums and
    // products are int64; float16 and bfloat16 accumulate in float32.

    /// <summary>The sum of all elements as a 0-d tensor (<c>torch.sum</c>); integers and bool give int64, nothing sums to 0.</summary>
    public Tensor Sum() => Reduced(ReductionDriver.Sum(this, [], false), "sum", [], false);

    /// <summary>The sum over dim <paramref name="dim"/>.</summary>
    public Tensor Sum(long dim, bool keepdim = false) => Sum([dim], keepdim);

    /// <summary>The sum over <paramref name="dims"/> (empty: every dim).</summary>
    public Tensor Sum(long[] dims, bool keepdim = false) => Reduced(ReductionDriver.Sum(this, Dims(dims), keepdim), "sum", dims, keepdim);

    /// <summary>The mean of all elements (<c>torch.mean</c>); floating dtypes only; the mean of nothing is NaN.</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor Mean() => Reduced(ReductionDriver.Mean(this, [], false), "mean", [], false);

    /// <summary>The mean over dim <paramref name="dim"/>.</summary>
    public Tensor Mean(long dim, bool keepdim = false) => Mean([dim], keepdim);

    /// <summary>The mean over <paramref name="dims"/> (empty: every dim).</summary>
    public Tensor Mean(long[] dims, bool keepdim = false) => Reduced(ReductionDriver.Mean(this, Dims(dims), keepdim), "mean", dims, keepdim);

    /// <summary>The product of all elements (<c>torch.prod</c>); integers and bool give int64, nothing multiplies to 1.</summary>
    public Tensor Prod() => GradRecorder.Track(ReductionDriver.Prod(this, [], false), "prod", this);

    /// <summary>The product over dim <paramref name="dim"/>.</summary>
    public Tensor Prod(long dim, bool keepdim = false) => Reduced(ReductionDriver.Prod(this, [dim], keepdim), "prod", dim, keepdim);

    /// <summary>The largest element as a 0-d tensor (<c>torch.max(x)</c>); NaN if any element is NaN.</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Max() => Reduced(ReductionDriver.Extremum("max", this, [], false, max: true), "amax", [], false);

    /// <summary>
    /// The largest values along <paramref name="dim"/> and the int64 index of each (<c>torch.max(x, dim)</c>):
    /// the first occurrence on ties; NaN wins.
    /// </summary>
    /// <exception cref="ArgumentException">The dim has size 0.</exception>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepdim = false) => Reduced(ReductionDriver.WithIndices("max", this, dim, keepdim, max: true), "max", dim, keepdim);

    /// <summary>The smallest element as a 0-d tensor (<c>torch.min(x)</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Min() => Reduced(ReductionDriver.Extremum("min", this, [], false, max: false), "amin", [], false);

    /// <summary>The smallest values along <paramref name="dim"/> and their indices (<c>torch.min(x, dim)</c>).</summary>
    /// <exception cref="ArgumentException">The dim has size 0.</exception>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepdim = false) => Reduced(ReductionDriver.WithIndices("min", this, dim, keepdim, max: false), "min", dim, keepdim);

    /// <summary>The largest values over dim <paramref name="dim"/> (<c>torch.amax</c>), in this tensor's dtype.</summary>
    /// <exception cref="ArgumentException">The dim has size 0.</exception>
    public Tensor Amax(long dim, bool keepdim = false) => Amax([dim], keepdim);

    /// <summary>The largest values over <paramref name="dims"/> (null or empty: every dim).</summary>
    /// <exception cref="ArgumentException">A reduced dim has size 0.</exception>
    public Tensor Amax(long[]? dims = null, bool keepdim = false) => Reduced(ReductionDriver.Extremum("amax", this, dims ??= [], keepdim, max: true), "amax", dims, keepdim);

    /// <summary>The smallest values over dim <paramref name="dim"/> (<c>torch.amin</c>).</summary>
    /// <exception cref="ArgumentException">The dim has size 0.</exception>
    public Tensor Amin(long dim, bool keepdim = false) => Amin([dim], keepdim);

    /// <summary>The smallest values over <paramref name="dims"/> (null or empty: every dim).</summary>
    /// <exception cref="ArgumentException">A reduced dim has size 0.</exception>
    public Tensor Amin(long[]? dims = null, bool keepdim = false) => Reduced(ReductionDriver.Extremum("amin", this, dims ??= [], keepdim, max: false), "amin", dims, keepdim);

    /// <summary>
    /// The int64 index of the largest value along <paramref name="dim"/>, or in the flattened tensor when
    /// it is null (<c>torch.argmax</c>); the first occurrence on ties; bool is not supported.
    /// </summary>
    /// <exception cref="ArgumentException">The dtype is bool or the reduced dim is empty.</exception>
    public Tensor Argmax(long? dim = null, bool keepdim = false) => ReductionDriver.ArgIndex("argmax", this, dim, keepdim, max: true);

    /// <summary>The int64 index of the smallest value (<c>torch.argmin</c>).</summary>
    /// <exception cref="ArgumentException">The dtype is bool or the reduced dim is empty.</exception>
    public Tensor Argmin(long? dim = null, bool keepdim = false) => ReductionDriver.ArgIndex("argmin", this, dim, keepdim, max: false);

    /// <summary>
    /// The variance over <paramref name="dims"/> (null or empty: every dim; <c>torch.var</c>): the sum of
    /// squared deviations divided by max(0, N - <paramref name="correction"/>). Floating dtypes only.
    /// </summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor Var(long[]? dims = null, double correction = 1, bool keepdim = false) => Spread("var", dims ?? [], correction, keepdim);

    /// <summary>The variance over dim <paramref name="dim"/>.</summary>
    public Tensor Var(long dim, double correction = 1, bool keepdim = false) => Spread("var", [dim], correction, keepdim);

    /// <summary>The standard deviation (the square root of <see cref="Var(long[], double, bool)"/>; <c>torch.std</c>).</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor Std(long[]? dims = null, double correction = 1, bool keepdim = false) => Spread("std", dims ?? [], correction, keepdim);

    /// <summary>The standard deviation over dim <paramref name="dim"/>.</summary>
    public Tensor Std(long dim, double correction = 1, bool keepdim = false) => Spread("std", [dim], correction, keepdim);

    /// <summary>
    /// log(sum(exp(x))) over dim <paramref name="dim"/>, computed stably (<c>torch.logsumexp</c>); integers
    /// and bool give float32.
    /// </summary>
    public Tensor Logsumexp(long dim, bool keepdim = false) => Logsumexp([dim], keepdim);

    /// <summary>log(sum(exp(x))) over <paramref name="dims"/> (empty: every dim).</summary>
    public Tensor Logsumexp(long[] dims, bool keepdim = false) => Reduced(ReductionDriver.Logsumexp(this, Dims(dims), keepdim), "logsumexp", dims, keepdim);

    /// <summary>Whether every element is nonzero, as a 0-d bool tensor (uint8 for a uint8 tensor, as PyTorch 1.13).</summary>
    public Tensor All() => ReductionDriver.Truth("all", this, null, false, all: true);

    /// <summary>Whether every element along <paramref name="dim"/> is nonzero.</summary>
    public Tensor All(long dim, bool keepdim = false) => ReductionDriver.Truth("all", this, dim, keepdim, all: true);

    /// <summary>Whether some element is nonzero, as a 0-d bool tensor (uint8 for a uint8 tensor).</summary>
    public Tensor Any() => ReductionDriver.Truth("any", this, null, false, all: false);

    /// <summary>Whether some element along <paramref name="dim"/> is nonzero.</summary>
    public Tensor Any(long dim, bool keepdim = false) => ReductionDriver.Truth("any", this, dim, keepdim, all: false);

    /// <summary>
    /// The vector norm of order <paramref name="p"/> over <paramref name="dims"/> (null or empty: every dim;
    /// <c>torch.linalg.vector_norm</c>): (sum |x|^p)^(1/p); p = ±infinity gives the largest / smallest
    /// magnitude and p = 0 the number of nonzero elements. Floating dtypes only.
    /// </summary>
    /// <exception cref="ArgumentException">The dtype is not floating point, p is NaN, or an infinite-order norm reduces an empty dim.</exception>
    public Tensor Norm(double p = 2, long[]? dims = null, bool keepdim = false)
    {
        var result = ReductionDriver.Norm(this, p, dims ??= [], keepdim);
        return GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, "norm", this, new Attrs { { "p", p }, { "dim", dims }, { "keepdim", keepdim } }) : result;
    }

    /// <summary>The vector norm of order <paramref name="p"/> over dim <paramref name="dim"/>.</summary>
    public Tensor Norm(double p, long dim, bool keepdim = false) => Norm(p, [dim], keepdim);

    /// <summary>softmax along <paramref name="dim"/>: exp(x - max) / sum(exp(x - max)) (<c>torch.softmax</c>); floating dtypes only.</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor Softmax(long dim) => AlongDim(LineOps.Softmax("softmax", this, dim, log: false), "softmax", dim);

    /// <summary>log_softmax along <paramref name="dim"/>: x - max - log(sum(exp(x - max))) (<c>torch.log_softmax</c>).</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor LogSoftmax(long dim) => AlongDim(LineOps.Softmax("log_softmax", this, dim, log: true), "log_softmax", dim);

    /// <summary>Running sums along <paramref name="dim"/> (<c>torch.cumsum</c>); integers and bool give int64.</summary>
    public Tensor Cumsum(long dim) => AlongDim(LineOps.Scan("cumsum", this, dim, product: false), "cumsum", dim);

    /// <summary>Running products along <paramref name="dim"/> (<c>torch.cumprod</c>); integers and bool give int64.</summary>
    public Tensor Cumprod(long dim) => AlongDim(LineOps.Scan("cumprod", this, dim, product: true), "cumprod", dim);

    /// <summary>Records a reduction over a list of dims (the registry's <c>dim</c>, <c>keepdim</c>) when autograd needs it.</summary>
    private Tensor Reduced(Tensor result, string op, long[] dims, bool keepdim) =>
        GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, op, this, new Attrs { { "dim", dims }, { "keepdim", keepdim } }) : result;

    /// <summary>Records a reduction over one dim when autograd needs it.</summary>
    private Tensor Reduced(Tensor result, string op, long dim, bool keepdim) =>
        GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, op, this, new Attrs { { "dim", dim }, { "keepdim", keepdim } }) : result;

    /// <summary>Records max / min along a dim (values and indices) when autograd needs it.</summary>
    private (Tensor Values, Tensor Indices) Reduced((Tensor Values, Tensor Indices) result, string op, long dim, bool keepdim)
    {
        if (!GradRecorder.IsNeeded(this)) return result;
        var recorded = GradRecorder.Track([result.Values, result.Indices], op, [this], new Attrs { { "dim", dim }, { "keepdim", keepdim } });
        return (recorded[0], recorded[1]);
    }

    /// <summary>Records an op that runs along one dim (the registry's <c>dim</c>) when autograd needs it.</summary>
    private Tensor AlongDim(Tensor result, string op, long dim) =>
        GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, op, this, new Attrs { { "dim", dim } }) : result;

    /// <summary>var or std, recorded with the registry's attributes (an integral correction as an int).</summary>
    private Tensor Spread(string op, long[] dims, double correction, bool keepdim)
    {
        var result = ReductionDriver.Spread(op, this, dims, correction, keepdim, root: op == "std");
        if (!GradRecorder.IsNeeded(this)) return result;
        object correctionAttr = correction == Math.Floor(correction) ? (long)correction : correction;
        return GradRecorder.Track(result, op, this, new Attrs { { "dim", dims }, { "correction", correctionAttr }, { "keepdim", keepdim } });
    }

    private static long[] Dims(long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        return dims;
    }
}
