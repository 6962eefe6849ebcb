using Kiln.Kernels.Reductions;

namespace Kiln;

public sealed partial class Tensor
{
    // Reductions follow PyTorch 1.13: a list of dims may hold negative dims and must not repeat one; an
    // empty list means every dim; keepdim keeps the reduced dims with size 1. Integer and bool sums and
    // products are int64; float16 and bfloat16 accumulate in float32.

    /// <summary>The sum of all elements as a 0-d tensor (<c>torch.sum</c>); integers and bool give int64, nothing sums to 0.</summary>
    public Tensor Sum() => ReductionDriver.Sum(this, [], false);

    /// <summary>The sum over dim <paramref name="dim"/>.</summary>
    public Tensor Sum(long dim, bool keepdim = false) => ReductionDriver.Sum(this, [dim], keepdim);

    /// <summary>The sum over <paramref name="dims"/> (empty: every dim).</summary>
    public Tensor Sum(long[] dims, bool keepdim = false) => ReductionDriver.Sum(this, Dims(dims), keepdim);

    /// <summary>The mean of all elements (<c>torch.mean</c>); floating dtypes only; the mean of nothing is NaN.</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor Mean() => ReductionDriver.Mean(this, [], false);

    /// <summary>The mean over dim <paramref name="dim"/>.</summary>
    public Tensor Mean(long dim, bool keepdim = false) => ReductionDriver.Mean(this, [dim], keepdim);

    /// <summary>The mean over <paramref name="dims"/> (empty: every dim).</summary>
    public Tensor Mean(long[] dims, bool keepdim = false) => ReductionDriver.Mean(this, Dims(dims), keepdim);

    /// <summary>The product of all elements (<c>torch.prod</c>); integers and bool give int64, nothing multiplies to 1.</summary>
    public Tensor Prod() => ReductionDriver.Prod(this, [], false);

    /// <summary>The product over dim <paramref name="dim"/>.</summary>
    public Tensor Prod(long dim, bool keepdim = false) => ReductionDriver.Prod(this, [dim], keepdim);

    /// <summary>The largest element as a 0-d tensor (<c>torch.max(x)</c>); NaN if any element is NaN.</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Max() => ReductionDriver.Extremum("max", this, [], false, max: true);

    /// <summary>
    /// The largest values along <paramref name="dim"/> and the int64 index of each (<c>torch.max(x, dim)</c>):
    /// the first occurrence on ties; NaN wins.
    /// </summary>
    /// <exception cref="ArgumentException">The dim has size 0.</exception>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepdim = false) => ReductionDriver.WithIndices("max", this, dim, keepdim, max: true);

    /// <summary>The smallest element as a 0-d tensor (<c>torch.min(x)</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Min() => ReductionDriver.Extremum("min", this, [], false, max: false);

    /// <summary>The smallest values along <paramref name="dim"/> and their indices (<c>torch.min(x, dim)</c>).</summary>
    /// <exception cref="ArgumentException">The dim has size 0.</exception>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepdim = false) => ReductionDriver.WithIndices("min", this, dim, keepdim, max: false);

    /// <summary>The largest values over dim <paramref name="dim"/> (<c>torch.amax</c>), in this tensor's dtype.</summary>
    /// <exception cref="ArgumentException">The dim has size 0.</exception>
    public Tensor Amax(long dim, bool keepdim = false) => ReductionDriver.Extremum("amax", this, [dim], keepdim, max: true);

    /// <summary>The largest values over <paramref name="dims"/> (null or empty: every dim).</summary>
    /// <exception cref="ArgumentException">A reduced dim has size 0.</exception>
    public Tensor Amax(long[]? dims = null, bool keepdim = false) => ReductionDriver.Extremum("amax", this, dims ?? [], keepdim, max: true);

    /// <summary>The smallest values over dim <paramref name="dim"/> (<c>torch.amin</c>).</summary>
    /// <exception cref="ArgumentException">The dim has size 0.</exception>
    public Tensor Amin(long dim, bool keepdim = false) => ReductionDriver.Extremum("amin", this, [dim], keepdim, max: false);

    /// <summary>The smallest values over <paramref name="dims"/> (null or empty: every dim).</summary>
    /// <exception cref="ArgumentException">A reduced dim has size 0.</exception>
    public Tensor Amin(long[]? dims = null, bool keepdim = false) => ReductionDriver.Extremum("amin", this, dims ?? [], keepdim, max: false);

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
    public Tensor Var(long[]? dims = null, double correction = 1, bool keepdim = false) => ReductionDriver.Spread("var", this, dims ?? [], correction, keepdim, root: false);

    /// <summary>The variance over dim <paramref name="dim"/>.</summary>
    public Tensor Var(long dim, double correction = 1, bool keepdim = false) => ReductionDriver.Spread("var", this, [dim], correction, keepdim, root: false);

    /// <summary>The standard deviation (the square root of <see cref="Var(long[], double, bool)"/>; <c>torch.std</c>).</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor Std(long[]? dims = null, double correction = 1, bool keepdim = false) => ReductionDriver.Spread("std", this, dims ?? [], correction, keepdim, root: true);

    /// <summary>The standard deviation over dim <paramref name="dim"/>.</summary>
    public Tensor Std(long dim, double correction = 1, bool keepdim = false) => ReductionDriver.Spread("std", this, [dim], correction, keepdim, root: true);

    /// <summary>
    /// log(sum(exp(x))) over dim <paramref name="dim"/>, computed stably (<c>torch.logsumexp</c>); integers
    /// and bool give float32.
    /// </summary>
    public Tensor Logsumexp(long dim, bool keepdim = false) => ReductionDriver.Logsumexp(this, [dim], keepdim);

    /// <summary>log(sum(exp(x))) over <paramref name="dims"/> (empty: every dim).</summary>
    public Tensor Logsumexp(long[] dims, bool keepdim = false) => ReductionDriver.Logsumexp(this, Dims(dims), keepdim);

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
    public Tensor Norm(double p = 2, long[]? dims = null, bool keepdim = false) => ReductionDriver.Norm(this, p, dims ?? [], keepdim);

    /// <summary>The vector norm of order <paramref name="p"/> over dim <paramref name="dim"/>.</summary>
    public Tensor Norm(double p, long dim, bool keepdim = false) => ReductionDriver.Norm(this, p, [dim], keepdim);

    /// <summary>softmax along <paramref name="dim"/>: exp(x - max) / sum(exp(x - max)) (<c>torch.softmax</c>); floating dtypes only.</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor Softmax(long dim) => LineOps.Softmax("softmax", this, dim, log: false);

    /// <summary>log_softmax along <paramref name="dim"/>: x - max - log(sum(exp(x - max))) (<c>torch.log_softmax</c>).</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point.</exception>
    public Tensor LogSoftmax(long dim) => LineOps.Softmax("log_softmax", this, dim, log: true);

    /// <summary>Running sums along <paramref name="dim"/> (<c>torch.cumsum</c>); integers and bool give int64.</summary>
    public Tensor Cumsum(long dim) => LineOps.Scan("cumsum", this, dim, product: false);

    /// <summary>Running products along <paramref name="dim"/> (<c>torch.cumprod</c>); integers and bool give int64.</summary>
    public Tensor Cumprod(long dim) => LineOps.Scan("cumprod", this, dim, product: true);

    private static long[] Dims(long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        return dims;
    }
}
