namespace Kiln.IR.Ops;

/// <summary>How <c>pad</c> fills the border (<c>torch.nn.functional.pad</c>'s <c>mode</c>).</summary>
public enum PadMode : byte
{
    /// <summary>A constant value (<c>"constant"</c>).</summary>
    Constant,
    /// <summary>The input mirrored about its edge element, which is not repeated (<c>"reflect"</c>).</summary>
    Reflect,
    /// <summary>The edge element repeated (<c>"replicate"</c>).</summary>
    Replicate,
    /// <summary>The input wrapped around (<c>"circular"</c>).</summary>
    Circular,
}

public static partial class MovementOps
{
    // Shape and attribute rules shared by the type rules and the eager kernels, so each check and its
    // message exist once. Semantics follow PyTorch (1.13 where it raises, 2.x where 1.13 lacks a kernel).

    /// <summary>An integer attribute the op cannot do without.</summary>
    /// <exception cref="ArgumentException">The attribute is absent or null.</exception>
    public static long RequiredLong(string op, Attrs attrs, string name) =>
        attrs[name] is null ? throw Missing(op, name) : attrs.GetLong(name, 0);

    /// <summary>A list-of-integers attribute the op cannot do without (a single integer counts as a list of one).</summary>
    /// <exception cref="ArgumentException">The attribute is absent or null.</exception>
    public static long[] RequiredLongs(string op, Attrs attrs, string name) =>
        attrs[name] is null ? throw Missing(op, name) : attrs.GetLongs(name);

    private static ArgumentException Missing(string op, string name) => new($"{op}: the attribute '{name}' is required");

    /// <summary>
    /// The result shape of <c>torch.cat</c> along <paramref name="dim"/> and the wrapped dim. Tensors of
    /// shape [0] are skipped (PyTorch's legacy rule); the others must have one rank and equal sizes
    /// outside <paramref name="dim"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, a 0-d tensor, or shapes that do not match; the message names the tensor's position.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The dim is out of range.</exception>
    public static (long[] Shape, int Dim) CatShape(string op, IReadOnlyList<long[]> shapes, long dim)
    {
        if (shapes.Count == 0)
            throw new ArgumentException($"{op}: expected a non-empty list of tensors");
        for (int i = 0; i < shapes.Count; i++)
        {
            if (shapes[i].Length == 0)
                throw new ArgumentException($"{op}: tensor {i} is 0-d and cannot be concatenated; unsqueeze it (or use stack)");
        }
        int first = -1;
        for (int i = 0; i < shapes.Count && first < 0; i++)
        {
            if (!IsLegacyEmpty(shapes[i])) first = i;
        }
        if (first < 0)
        {
            Shapes.WrapDim(op, dim, 1);
            return ([0], 0);
        }
        var reference = shapes[first];
        int d = Shapes.WrapDim(op, dim, reference.Length);
        var result = (long[])reference.Clone();
        result[d] = 0;
        for (int i = 0; i < shapes.Count; i++)
        {
            var s = shapes[i];
            if (IsLegacyEmpty(s)) continue;
            if (s.Length != reference.Length)
                throw new ArgumentException($"{op}: tensors must have the same number of dims, but tensor {first} has shape {Shapes.Format(reference)} and tensor {i} has shape {Shapes.Format(s)}");
            for (int k = 0; k < s.Length; k++)
            {
                if (k != d && s[k] != reference[k])
                    throw new ArgumentException($"{op}: sizes of tensors must match except in dim {d}: tensor {i} has shape {Shapes.Format(s)} but tensor {first} has shape {Shapes.Format(reference)} (size {s[k]} vs {reference[k]} at dim {k})");
            }
            result[d] += s[d];
        }
        return (result, d);
    }

    /// <summary>Whether <c>cat</c> skips a tensor of this shape: 1-d with no elements, whatever the other shapes.</summary>
    public static bool IsLegacyEmpty(ReadOnlySpan<long> shape) => shape.Length == 1 && shape[0] == 0;

    /// <summary>The dtype <c>cat</c> and <c>stack</c> give: every input's dtype promoted together.</summary>
    public static DType PromoteAll(IEnumerable<DType> dtypes) => dtypes.Aggregate(DTypePromotion.Promote);

    /// <summary>The result shape of <c>torch.stack</c>: every shape equal, a new dim inserted at <paramref name="dim"/>.</summary>
    /// <exception cref="ArgumentException">No tensors, or shapes that differ; the message names the positions.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The dim is out of range.</exception>
    public static (long[] Shape, int Dim) StackShape(string op, IReadOnlyList<long[]> shapes, long dim)
    {
        if (shapes.Count == 0)
            throw new ArgumentException($"{op}: expected a non-empty list of tensors");
        var reference = shapes[0];
        int d = Shapes.WrapDim(op, dim, reference.Length + 1);
        for (int i = 1; i < shapes.Count; i++)
        {
            if (!shapes[i].AsSpan().SequenceEqual(reference))
                throw new ArgumentException($"{op}: expects tensors of one shape to stack along a new dim {d}, but tensor 0 has shape {Shapes.Format(reference)} and tensor {i} has shape {Shapes.Format(shapes[i])}");
        }
        return ([.. reference[..d], shapes.Count, .. reference[d..]], d);
    }

    /// <summary>
    /// The sizes of the pieces <c>torch.split</c> cuts a dim of size <paramref name="size"/> into: pieces of
    /// <paramref name="splitSize"/> with a shorter last one, or one empty piece of an empty dim.
    /// </summary>
    /// <exception cref="ArgumentException">The size is negative, or 0 for a non-empty dim.</exception>
    public static long[] SplitSizes(string op, long size, long splitSize)
    {
        if (splitSize < 0)
            throw new ArgumentException($"{op}: split_size must be non-negative, got {splitSize}");
        if (splitSize == 0 && size != 0)
            throw new ArgumentException($"{op}: split_size can only be 0 if the dim has size 0, but it has size {size}");
        long pieces = splitSize == 0 ? 1 : Math.Max((size + splitSize - 1) / splitSize, 1);
        var sizes = new long[pieces];
        Array.Fill(sizes, splitSize);
        sizes[^1] = size - splitSize * (pieces - 1);
        return sizes;
    }

    /// <summary>Checks the sections of <c>torch.split</c> with a list: non-negative sizes that add up to the dim's size.</summary>
    /// <exception cref="ArgumentException">A section is negative or the sum is not the dim's size.</exception>
    public static long[] SplitSections(string op, long size, long[] sections, int dim)
    {
        if (sections.Any(s => s < 0) || sections.Sum() != size)
            throw new ArgumentException($"{op}: split sizes [{string.Join(", ", sections)}] must be non-negative and add up to {size}, the size of dim {dim}");
        return sections;
    }

    /// <summary>The sizes of <c>torch.chunk</c>'s pieces: ⌈size / chunks⌉ each (fewer pieces when they run out); an empty dim gives <paramref name="chunks"/> empty pieces.</summary>
    /// <exception cref="ArgumentException">Chunks is not positive.</exception>
    public static long[] ChunkSizes(string op, long size, long chunks)
    {
        if (chunks <= 0)
            throw new ArgumentException($"{op}: chunks must be greater than 0, got {chunks}");
        long piece = (size + chunks - 1) / chunks;
        if (size == 0) return new long[chunks];
        return SplitSizes(op, size, piece);
    }

    /// <summary>The sizes <c>split</c> or <c>chunk</c> cut the <c>dim</c> attribute's dim of <paramref name="shape"/> into (a 0-d tensor cannot be split).</summary>
    /// <exception cref="ArgumentException">The tensor is 0-d or the attributes are invalid.</exception>
    public static (long[] Sizes, int Dim) PieceSizes(string op, ReadOnlySpan<long> shape, Attrs attrs)
    {
        if (shape.Length == 0)
            throw new ArgumentException($"{op}: expects a tensor with at least one dim, got a 0-d tensor");
        int d = Shapes.WrapDim(op, attrs.GetLong("dim", 0), shape.Length);
        long size = shape[d];
        if (op == "chunk")
            return (ChunkSizes(op, size, RequiredLong(op, attrs, "chunks")), d);
        return attrs["split_size_or_sections"] switch
        {
            long splitSize => (SplitSizes(op, size, splitSize), d),
            long[] sections => (SplitSections(op, size, sections, d), d),
            _ => throw Missing(op, "split_size_or_sections"),
        };
    }

    /// <summary>Parses <c>pad</c>'s mode.</summary>
    /// <exception cref="ArgumentException">The mode is not constant, reflect, replicate or circular.</exception>
    public static PadMode ParsePadMode(string mode) => mode switch
    {
        "constant" => PadMode.Constant,
        "reflect" => PadMode.Reflect,
        "replicate" => PadMode.Replicate,
        "circular" => PadMode.Circular,
        _ => throw new ArgumentException($"pad: unknown mode '{mode}'; expected constant, reflect, replicate or circular"),
    };

    /// <summary>
    /// The result shape of <c>pad</c>: <paramref name="pad"/> holds (before, after) pairs for the last dim,
    /// then the one before it, and so on; negative amounts crop. The non-constant modes pad the last 1 to 3
    /// dims of an input with one or two more dims, which (but for the first) must not be empty; reflect pads
    /// must be smaller than the dim, circular ones no larger.
    /// </summary>
    /// <exception cref="ArgumentException">The pad list, the mode, the value or the input shape is invalid; the message names the dim.</exception>
    public static long[] PadShape(ReadOnlySpan<long> shape, ReadOnlySpan<long> pad, PadMode mode, bool hasValue)
    {
        if (pad.Length % 2 != 0)
            throw new ArgumentException($"pad: the pad list must have an even length ((before, after) pairs), got {pad.Length} values [{string.Join(", ", pad.ToArray())}]");
        int padded = pad.Length / 2;
        if (padded > shape.Length)
            throw new ArgumentException($"pad: the pad list [{string.Join(", ", pad.ToArray())}] pads {padded} dims, but the input has shape {Shapes.Format(shape)}");
        if (mode != PadMode.Constant)
            CheckNonConstantPad(shape, pad, mode, hasValue);
        var result = shape.ToArray();
        for (int i = 0; i < padded; i++)
        {
            int d = shape.Length - 1 - i;
            long before = pad[2 * i], after = pad[2 * i + 1];
            result[d] = shape[d] + before + after;
            if (result[d] < 0)
                throw new ArgumentException($"pad: padding ({before}, {after}) makes dim {d} of the input of shape {Shapes.Format(shape)} negative ({result[d]})");
        }
        return result;
    }

    private static void CheckNonConstantPad(ReadOnlySpan<long> shape, ReadOnlySpan<long> pad, PadMode mode, bool hasValue)
    {
        string name = mode.ToString().ToLowerInvariant();
        int padded = pad.Length / 2;
        if (hasValue)
            throw new ArgumentException($"pad: mode '{name}' does not take a value");
        if (padded is < 1 or > 3 || (shape.Length != padded + 1 && shape.Length != padded + 2))
            throw new ArgumentException($"pad: mode '{name}' pads the last 1 to 3 dims of an input with 1 or 2 dims more, but got a pad list of {pad.Length} values for an input of shape {Shapes.Format(shape)}");
        for (int d = 1; d < shape.Length && mode != PadMode.Circular; d++)
        {
            if (shape[d] == 0)
                throw new ArgumentException($"pad: mode '{name}' needs an input whose dims other than the first are not empty, but dim {d} of shape {Shapes.Format(shape)} is empty");
        }
        for (int i = 0; i < padded; i++)
        {
            int d = shape.Length - 1 - i;
            long before = pad[2 * i], after = pad[2 * i + 1], size = shape[d];
            bool tooLarge = mode switch
            {
                PadMode.Reflect => before >= size || after >= size,
                PadMode.Circular => before > size || after > size,
                _ => false,
            };
            if (tooLarge)
                throw new ArgumentException($"pad: padding ({before}, {after}) at dim {d} of the input of shape {Shapes.Format(shape)} is too large for mode '{name}': it must be {(mode == PadMode.Reflect ? "less than" : "at most")} the dim's size {size}");
            if (mode == PadMode.Circular && before + after + size > 0 && size + Math.Min(before, 0) + Math.Min(after, 0) <= 0)
                throw new ArgumentException($"pad: circular padding ({before}, {after}) at dim {d} of the input of shape {Shapes.Format(shape)} crops away every element it would wrap around");
        }
    }

    /// <summary>The result shape of <c>repeat</c>: the shape, with 1s put in front to the length of <paramref name="repeats"/>, times the repeats.</summary>
    /// <exception cref="ArgumentException">Fewer repeats than dims, or a negative repeat.</exception>
    public static long[] RepeatShape(string op, ReadOnlySpan<long> shape, ReadOnlySpan<long> repeats)
    {
        if (repeats.Length < shape.Length)
            throw new ArgumentException($"{op}: the number of repeats ({repeats.Length}: [{string.Join(", ", repeats.ToArray())}]) cannot be smaller than the number of dims of the tensor of shape {Shapes.Format(shape)}");
        var result = new long[repeats.Length];
        int lead = repeats.Length - shape.Length;
        for (int i = 0; i < repeats.Length; i++)
        {
            if (repeats[i] < 0)
                throw new ArgumentException($"{op}: repeats must be non-negative, got [{string.Join(", ", repeats.ToArray())}]");
            result[i] = (i < lead ? 1 : shape[i - lead]) * repeats[i];
        }
        return result;
    }

    /// <summary><c>tile</c>'s repeats: <paramref name="dims"/> with 1s put in front up to the tensor's rank.</summary>
    public static long[] TileRepeats(int rank, ReadOnlySpan<long> dims)
    {
        if (dims.Length >= rank) return dims.ToArray();
        var result = new long[rank];
        Array.Fill(result, 1L);
        dims.CopyTo(result.AsSpan(rank - dims.Length));
        return result;
    }

    /// <summary>
    /// The shape of <c>repeat_interleave</c>: the dim (every element of the flattened tensor when
    /// <paramref name="dim"/> is null) times <paramref name="repeats"/>, or <see cref="DataDependent"/> where
    /// the repeats are in a tensor and the size is known only when the op runs.
    /// </summary>
    /// <exception cref="ArgumentException">A negative repeat count, or a repeats tensor of the wrong rank, dtype or length.</exception>
    public static long[] RepeatInterleaveShape(ReadOnlySpan<long> shape, long? dim, long? repeats, TensorType? repeatsTensor)
    {
        const string op = "repeat_interleave";
        long[] source = dim is null ? [Shapes.Numel(shape)] : shape.ToArray();
        int d = dim is { } given ? Shapes.WrapDim(op, given, shape.Length) : 0;
        if (dim is not null && shape.Length == 0)
            throw new ArgumentException($"{op}: cannot repeat along dim {dim} of a 0-d tensor");
        var result = (long[])source.Clone();
        if (repeatsTensor is { } r)
        {
            if (r.DType is not (DType.Int64 or DType.Int32))
                throw new ArgumentException($"{op}: the repeats tensor must be int64 or int32, got {r.DType.Name()}");
            if (r.Rank > 1)
                throw new ArgumentException($"{op}: the repeats tensor must be 0-d or 1-d, got shape {Shapes.Format(r.Shape)}");
            long count = Shapes.Numel(r.Shape);
            if (r.Rank == 1 && count != 1 && count != source[d])
                throw new ArgumentException($"{op}: the repeats tensor of shape {Shapes.Format(r.Shape)} must have one element or one per element of dim {d} (size {source[d]}) of the input of shape {Shapes.Format(shape)}");
            result[d] = DataDependent;
            return result;
        }
        long n = repeats ?? throw Missing(op, "repeats");
        if (n < 0)
            throw new ArgumentException($"{op}: repeats must be non-negative, got {n}");
        result[d] = source[d] * n;
        return result;
    }

    /// <summary>Checks the input of <c>tril</c> and <c>triu</c>: a matrix or a batch of matrices.</summary>
    /// <exception cref="ArgumentException">The input has fewer than 2 dims.</exception>
    public static void CheckMatrices(string op, ReadOnlySpan<long> shape)
    {
        if (shape.Length < 2)
            throw new ArgumentException($"{op}: expects a tensor with at least 2 dims (a matrix or a batch of matrices), got shape {Shapes.Format(shape)}");
    }

    /// <summary>The length of diagonal <paramref name="diagonal"/> of a rows × cols matrix (0 when it lies outside).</summary>
    public static long DiagonalLength(long rows, long cols, long diagonal) =>
        Math.Max(0, diagonal >= 0 ? Math.Min(rows, cols - diagonal) : Math.Min(rows + diagonal, cols));

    /// <summary>The shape of <c>diag</c>: a square matrix of side n + |diagonal| for a vector of n, the diagonal's length for a matrix.</summary>
    /// <exception cref="ArgumentException">The input is neither 1-d nor 2-d.</exception>
    public static long[] DiagShape(ReadOnlySpan<long> shape, long diagonal)
    {
        if (shape.Length == 1)
        {
            long side = shape[0] + Math.Abs(diagonal);
            return [side, side];
        }
        if (shape.Length == 2)
            return [DiagonalLength(shape[0], shape[1], diagonal)];
        throw new ArgumentException($"diag: expects a matrix or a vector, got shape {Shapes.Format(shape)}");
    }

    /// <summary>Checks <c>topk</c>'s k against the size of the dim (a 0-d tensor has one element) and gives the result shape.</summary>
    /// <exception cref="ArgumentException">k is negative or larger than the dim.</exception>
    public static long[] TopkShape(ReadOnlySpan<long> shape, long k, long dim)
    {
        int d = Shapes.WrapDim("topk", dim, shape.Length);
        long size = shape.Length == 0 ? 1 : shape[d];
        if (k < 0 || k > size)
            throw new ArgumentException($"topk: k ({k}) is out of range for dim {d} of size {size} (shape {Shapes.Format(shape)}): it must be in [0, {size}]");
        if (shape.Length == 0) return [];
        var result = shape.ToArray();
        result[d] = k;
        return result;
    }

    /// <summary>
    /// Checks the operands of <c>searchsorted</c>: a 1-d sorted sequence serves every value; an n-d one has one
    /// sequence per row of values (the leading dims must match). A 0-d value needs a 1-d sequence.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, or both operands are bool.</exception>
    public static DType CheckSearchsorted(TensorType sequence, TensorType values)
    {
        const string op = "searchsorted";
        if (sequence.Rank == 0)
            throw new ArgumentException($"{op}: the sorted sequence must have at least one dim, got a 0-d tensor");
        if (sequence.Rank > 1 && (values.Rank != sequence.Rank || !sequence.Shape.AsSpan(0, sequence.Rank - 1).SequenceEqual(values.Shape.AsSpan(0, values.Rank - 1))))
            throw new ArgumentException($"{op}: the sorted sequence must be 1-d or share all but its last dim with the values, but got shapes {Shapes.Format(sequence.Shape)} and {Shapes.Format(values.Shape)}");
        var common = DTypePromotion.Promote(sequence.DType, values.DType);
        if (common == DType.Bool)
            throw new ArgumentException($"{op}: not supported for bool sequences and values (convert them to an integer dtype)");
        return common;
    }
}
