using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Movement;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// The tensors joined along the existing dim <paramref name="dim"/> (<c>torch.cat</c>), in their promoted dtype.
    /// Every tensor has the same shape outside <paramref name="dim"/>; 1-d empty tensors are skipped, as in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty, a tensor is 0-d, or the shapes do not match (the message names the tensor).</exception>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var result = Concat.Cat("cat", tensors, dim);
        return GradRecorder.IsNeeded(tensors) ? GradRecorder.Track(result, "cat", tensors, new Attrs { { "dim", dim } }) : result;
    }

    /// <summary>Tensors of one shape joined along a new dim <paramref name="dim"/> (<c>torch.stack</c>), in their promoted dtype.</summary>
    /// <exception cref="ArgumentException">The list is empty or the shapes differ.</exception>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var result = Concat.Stack(tensors, dim);
        return GradRecorder.IsNeeded(tensors) ? GradRecorder.Track(result, "stack", tensors, new Attrs { { "dim", dim } }) : result;
    }

    /// <summary>Views of consecutive pieces of <paramref name="splitSizeOrSections"/> elements along <paramref name="dim"/>, the last one shorter if need be (<c>torch.split</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is 0-d, or the size is negative (or 0 for a non-empty dim).</exception>
    public Tensor[] Split(long splitSizeOrSections, long dim = 0) => Pieces("split", new() { { "split_size_or_sections", splitSizeOrSections }, { "dim", dim } });

    /// <summary>Views of consecutive pieces with the sizes <paramref name="splitSizeOrSections"/> along <paramref name="dim"/> (<c>torch.split</c> with a list).</summary>
    /// <exception cref="ArgumentException">The tensor is 0-d, or the sizes are negative or do not add up to the dim's size.</exception>
    public Tensor[] Split(long[] splitSizeOrSections, long dim = 0) => Pieces("split", new() { { "split_size_or_sections", splitSizeOrSections }, { "dim", dim } });

    /// <summary>At most <paramref name="chunks"/> views of ⌈size / chunks⌉ elements along <paramref name="dim"/> (<c>torch.chunk</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is 0-d or <paramref name="chunks"/> is not positive.</exception>
    public Tensor[] Chunk(long chunks, long dim = 0) => Pieces("chunk", new() { { "chunks", chunks }, { "dim", dim } });

    /// <summary>The views at each index of <paramref name="dim"/>, with the dim removed (<c>torch.unbind</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is 0-d.</exception>
    public Tensor[] Unbind(long dim = 0)
    {
        if (Dim == 0) throw new ArgumentException("unbind: a 0-d tensor has no dim to unbind");
        int d = Shapes.WrapDim("unbind", dim, Dim);
        var result = new Tensor[shape[d]];
        using (GradMode.Set(false))
        {
            for (long i = 0; i < result.Length; i++) result[i] = Select(d, i);
        }
        return GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, "unbind", [this], new Attrs { { "dim", dim } }) : result;
    }

    /// <summary>A copy with the order of the elements along <paramref name="dims"/> reversed (<c>torch.flip</c>).</summary>
    /// <exception cref="ArgumentException">A dim repeats.</exception>
    public Tensor Flip(params long[] dims) => Moved("flip", () => new() { { "dims", dims } }, () => FlipUnrecorded(dims));

    private Tensor FlipUnrecorded(long[] dims)
    {
        var mask = Shapes.DimMask("flip", dims, Dim, emptyMeansAll: false);
        var maps = new long[]?[Dim];
        for (int d = 0; d < Dim; d++)
            maps[d] = mask[d] && shape[d] > 1 ? MappedCopy.Reversed(shape[d]) : null;
        return MappedCopy.Run(this, Shape, maps);
    }

    /// <summary>The elements of the flattened tensor shifted cyclically by <paramref name="shifts"/> (<c>torch.roll</c>), or along <paramref name="dim"/> when given.</summary>
    public Tensor Roll(long shifts, long? dim = null) => dim is { } d ? Roll([shifts], [d]) : Roll([shifts], []);

    /// <summary>The elements shifted cyclically by <c>shifts[i]</c> along <c>dims[i]</c> (<c>torch.roll</c>); with no dims, one shift of the flattened tensor.</summary>
    /// <exception cref="ArgumentException">The shifts and dims do not align.</exception>
    public Tensor Roll(long[] shifts, long[] dims) => Moved("roll", () => new() { { "shifts", shifts }, { "dims", dims } }, () => RollUnrecorded(shifts, dims));

    private Tensor RollUnrecorded(long[] shifts, long[] dims)
    {
        ArgumentNullException.ThrowIfNull(shifts);
        ArgumentNullException.ThrowIfNull(dims);
        MovementOps.CheckRoll(shape, shifts, dims);
        if (dims.Length == 0)
            return Flatten().RollUnrecorded(shifts, [0]).Reshape(Shape);
        var total = new long[Dim];
        for (int i = 0; i < dims.Length; i++)
            total[Shapes.WrapDim("roll", dims[i], Dim)] += shifts[i];
        var maps = new long[]?[Dim];
        for (int d = 0; d < Dim; d++)
        {
            long n = shape[d], shift = n == 0 ? 0 : total[d] % n;
            if (shift != 0)
                maps[d] = MappedCopy.Map(n, o => ((o - shift) % n + n) % n);
        }
        return MappedCopy.Run(this, Shape, maps);
    }

    /// <summary>The tensor tiled <c>repeats[i]</c> times along each dim (<c>tensor.repeat</c>); extra leading repeats add dims.</summary>
    /// <exception cref="ArgumentException">Fewer repeats than dims, or a negative repeat.</exception>
    public Tensor Repeat(params long[] repeats) => Moved("repeat", () => new() { { "repeats", repeats } }, () => Tiled("repeat", repeats));

    /// <summary><see cref="Repeat"/> with 1s put in front of <paramref name="dims"/> up to the tensor's rank (<c>torch.tile</c>).</summary>
    /// <exception cref="ArgumentException">A negative repeat.</exception>
    public Tensor Tile(params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        return Moved("tile", () => new() { { "dims", dims } }, () => Tiled("tile", MovementOps.TileRepeats(Dim, dims)));
    }

    /// <summary>Each element repeated <paramref name="repeats"/> times along <paramref name="dim"/>, or along the flattened tensor when it is null (<c>torch.repeat_interleave</c>).</summary>
    /// <exception cref="ArgumentException">The count is negative, or a dim is given for a 0-d tensor.</exception>
    public Tensor RepeatInterleave(long repeats, long? dim = null) =>
        Moved("repeat_interleave", () => new() { { "repeats", repeats }, { "dim", dim } }, () => RepeatInterleaveUnrecorded(repeats, dim));

    private Tensor RepeatInterleaveUnrecorded(long repeats, long? dim)
    {
        var outShape = MovementOps.RepeatInterleaveShape(shape, dim, repeats, null);
        var source = dim is null ? Flatten() : this;
        int d = dim is null ? 0 : Shapes.WrapDim("repeat_interleave", dim.Value, Dim);
        var maps = new long[]?[source.Dim];
        if (repeats != 1) maps[d] = MappedCopy.Map(outShape[d], o => o / repeats);
        return MappedCopy.Run(source, outShape, maps);
    }

    /// <summary>
    /// Element i along <paramref name="dim"/> (of the flattened tensor when it is null) repeated <c>repeats[i]</c> times
    /// (<c>torch.repeat_interleave</c>); <paramref name="repeats"/> is an int64 or int32 tensor with one count per
    /// element, or a single count.
    /// </summary>
    /// <exception cref="ArgumentException">The repeats tensor has the wrong dtype, rank or length, or holds a negative count.</exception>
    public Tensor RepeatInterleave(Tensor repeats, long? dim = null)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (!GradRecorder.IsNeeded(this)) return RepeatInterleaveUnrecorded(repeats, dim);
        Tensor result;
        using (GradMode.Set(false)) result = RepeatInterleaveUnrecorded(repeats, dim);
        return GradRecorder.Track(result, "repeat_interleave", this, repeats, new Attrs { { "dim", dim } });
    }

    private Tensor RepeatInterleaveUnrecorded(Tensor repeats, long? dim)
    {
        var outShape = MovementOps.RepeatInterleaveShape(shape, dim, null, new TensorType(repeats.DType, repeats.shape));
        var source = dim is null ? Flatten() : this;
        int d = dim is null ? 0 : Shapes.WrapDim("repeat_interleave", dim.Value, Dim);
        var counts = repeats.To(DType.Int64).ToArray<long>();
        if (counts.Any(c => c < 0))
            throw new ArgumentException($"repeat_interleave: repeats must be non-negative, got [{string.Join(", ", counts)}]");
        var map = new List<long>();
        for (long i = 0; i < source.shape[d]; i++)
        {
            long count = counts.Length == 1 ? counts[0] : counts[i];
            for (long c = 0; c < count; c++) map.Add(i);
        }
        outShape[d] = map.Count;
        var maps = new long[]?[source.Dim];
        maps[d] = [.. map];
        return MappedCopy.Run(source, outShape, maps);
    }

    /// <summary>The lower triangle of each matrix in the last two dims (<c>torch.tril</c>): elements with j ≤ i + <paramref name="diagonal"/> kept, the rest 0.</summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dims.</exception>
    public Tensor Tril(long diagonal = 0)
    {
        MovementOps.CheckMatrices("tril", shape);
        return Moved("tril", () => new() { { "diagonal", diagonal } }, () => Triangle.Run(this, diagonal, lower: true));
    }

    /// <summary>The upper triangle of each matrix in the last two dims (<c>torch.triu</c>): elements with j ≥ i + <paramref name="diagonal"/> kept, the rest 0.</summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dims.</exception>
    public Tensor Triu(long diagonal = 0)
    {
        MovementOps.CheckMatrices("triu", shape);
        return Moved("triu", () => new() { { "diagonal", diagonal } }, () => Triangle.Run(this, diagonal, lower: false));
    }

    /// <summary>
    /// A vector made into a square matrix with the vector on diagonal <paramref name="diagonal"/> and zeros elsewhere,
    /// or a copy of a matrix's diagonal <paramref name="diagonal"/> (<c>torch.diag</c>; above the main one when positive).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is neither 1-d nor 2-d.</exception>
    public Tensor Diag(long diagonal = 0) => Moved("diag", () => new() { { "diagonal", diagonal } }, () => DiagUnrecorded(diagonal));

    private Tensor DiagUnrecorded(long diagonal)
    {
        var outShape = MovementOps.DiagShape(shape, diagonal);
        if (Dim == 1)
        {
            var result = Zeros(outShape, DType);
            long side = outShape[0];
            long start = diagonal >= 0 ? diagonal : -diagonal * side;
            if (numel > 0) Kernels.CopyKernel.Copy(this, result.AsStrided([shape[0]], [side + 1], start));
            return result;
        }
        long first = diagonal >= 0 ? diagonal * strides[1] : -diagonal * strides[0];
        return outShape[0] == 0 ? Empty(DType, outShape) : AsStrided(outShape, [strides[0] + strides[1]], offset + first).Clone();
    }

    private Tensor[] Pieces(string op, Attrs attrs)
    {
        var (sizes, d) = MovementOps.PieceSizes(op, shape, attrs);
        var result = new Tensor[sizes.Length];
        long start = 0;
        using (GradMode.Set(false))
        {
            for (int i = 0; i < sizes.Length; i++)
            {
                result[i] = Narrow(d, start, sizes[i]);
                start += sizes[i];
            }
        }
        return GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, op, [this], attrs) : result;
    }

    /// <summary>
    /// Runs a one-input movement op, recording it as <paramref name="op"/> when this tensor needs a gradient (the
    /// computation itself then runs unrecorded, so its inner views and copies add no nodes).
    /// </summary>
    private Tensor Moved(string op, Func<Attrs> attrs, Func<Tensor> run)
    {
        if (!GradRecorder.IsNeeded(this)) return run();
        Tensor result;
        using (GradMode.Set(false)) result = run();
        return GradRecorder.Track(result, op, this, attrs());
    }

    private Tensor Tiled(string op, long[] repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        var outShape = MovementOps.RepeatShape(op, shape, repeats);
        var source = this;
        while (source.Dim < repeats.Length) source = source.Unsqueeze(0);
        var maps = new long[]?[repeats.Length];
        for (int d = 0; d < repeats.Length; d++)
        {
            long n = source.shape[d];
            if (repeats[d] != 1 && n > 0) maps[d] = MappedCopy.Map(outShape[d], o => o % n);
        }
        return MappedCopy.Run(source, outShape, maps);
    }
}
