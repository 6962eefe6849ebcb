using System.Globalization;

namespace Kiln.IR.Ops;

public static partial class ViewOps
{
    // Shape rules shared by the type rules and the eager Tensor view methods, so each check and its message
    // exist once. Semantics follow PyTorch's (aten's reshape, expand, permute, squeeze, slice, select, diagonal).

    /// <summary>
    /// Resolves the one -1 in <paramref name="requested"/> so that the shape holds <paramref name="count"/> elements,
    /// and checks the count (<paramref name="shape"/> is only for messages).
    /// </summary>
    /// <exception cref="ArgumentException">Two -1s, a size below -1, or a shape that does not hold <paramref name="count"/> elements.</exception>
    public static long[] InferSize(string op, ReadOnlySpan<long> requested, long count, ReadOnlySpan<long> shape)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < requested.Length; i++)
        {
            if (requested[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dim can be -1 in {Shapes.Format(requested)}");
                infer = i;
            }
            else if (requested[i] < 0)
            {
                throw new ArgumentException($"{op}: invalid size {requested[i]} in {Shapes.Format(requested)}");
            }
            else
            {
                known *= requested[i];
            }
        }
        var result = requested.ToArray();
        if (infer >= 0)
        {
            if (known == 0 || count % known != 0)
                throw new ArgumentException($"{op}: shape {Shapes.Format(requested)} is invalid for input of size {count} (shape {Shapes.Format(shape)})"
                    + (known == 0 ? ": the -1 could be any size" : ""));
            result[infer] = count / known;
        }
        else if (known != count)
        {
            throw new ArgumentException($"{op}: shape {Shapes.Format(requested)} is invalid for input of size {count} (shape {Shapes.Format(shape)})");
        }
        return result;
    }

    /// <summary>The shape <c>self.expand(size)</c> gives: -1 keeps a dim, size-1 dims stretch, new dims go in front.</summary>
    /// <exception cref="ArgumentException">Fewer dims than the tensor, -1 for a new dim, or a dim of size other than 1 asked to change.</exception>
    public static long[] ExpandShape(string op, ReadOnlySpan<long> shape, ReadOnlySpan<long> size)
    {
        if (size.Length < shape.Length)
            throw new ArgumentException($"{op}: the target shape {Shapes.Format(size)} has fewer dims than the tensor's {Shapes.Format(shape)}");
        int shift = size.Length - shape.Length;
        var result = new long[size.Length];
        for (int i = 0; i < size.Length; i++)
        {
            int src = i - shift;
            long target = size[i];
            if (src < 0)
            {
                if (target < 0) throw new ArgumentException($"{op}: size {target} is not allowed for the new leading dim {i} in {Shapes.Format(size)}");
                result[i] = target;
            }
            else if (target == -1 || target == shape[src])
            {
                result[i] = shape[src];
            }
            else if (shape[src] == 1 && target >= 0)
            {
                result[i] = target;
            }
            else
            {
                throw new ArgumentException(target < 0
                    ? $"{op}: size {target} is not allowed in {Shapes.Format(size)} (tensor of shape {Shapes.Format(shape)})"
                    : $"{op}: the tensor of shape {Shapes.Format(shape)} cannot be expanded to {Shapes.Format(size)}: dim {src} has size {shape[src]}, which is not 1");
            }
        }
        return result;
    }

    /// <summary>The wrapped dims of <c>self.permute(dims)</c>: dim i of the result is dim <c>dims[i]</c> of the tensor.</summary>
    /// <exception cref="ArgumentException">Not one dim per dim of the tensor, or a dim given twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dim is out of range.</exception>
    public static int[] PermuteDims(string op, ReadOnlySpan<long> dims, ReadOnlySpan<long> shape)
    {
        var wrapped = new int[dims.Length];
        PermuteDims(op, dims, shape, wrapped);
        return wrapped;
    }

    /// <summary>Writes the wrapped dims of <c>self.permute(dims)</c> into <paramref name="wrapped"/> (as long as <paramref name="dims"/>; no allocation for callers that stackalloc it).</summary>
    /// <exception cref="ArgumentException">Not one dim per dim of the tensor, or a dim given twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dim is out of range.</exception>
    public static void PermuteDims(string op, ReadOnlySpan<long> dims, ReadOnlySpan<long> shape, Span<int> wrapped)
    {
        if (dims.Length != shape.Length)
            throw new ArgumentException($"{op}: expected {shape.Length} dims for a tensor of shape {Shapes.Format(shape)}, got [{string.Join(", ", dims.ToArray())}]");
        Shapes.DimMask(op, dims, shape.Length, emptyMeansAll: false); // rejects repeated dims
        for (int i = 0; i < dims.Length; i++)
            wrapped[i] = Shapes.WrapDim(op, dims[i], shape.Length);
    }

    /// <summary>The permutation that undoes <c>permute(dims)</c>.</summary>
    public static long[] InversePermutation(string op, ReadOnlySpan<long> dims, ReadOnlySpan<long> shape)
    {
        var wrapped = PermuteDims(op, dims, shape);
        var inverse = new long[wrapped.Length];
        for (int i = 0; i < wrapped.Length; i++)
            inverse[wrapped[i]] = i;
        return inverse;
    }

    /// <summary>Which dims <c>squeeze(dim)</c> removes: the size-1 dims among <paramref name="dims"/> (every dim when empty).</summary>
    /// <exception cref="ArgumentException">A dim is out of range or given twice.</exception>
    public static bool[] SqueezedDims(string op, ReadOnlySpan<long> dims, ReadOnlySpan<long> shape)
    {
        var mask = Shapes.DimMask(op, dims, shape.Length);
        for (int i = 0; i < mask.Length; i++)
            mask[i] &= shape[i] == 1;
        return mask;
    }

    /// <summary>
    /// The dim, first position and length of <c>aten.slice(self, dim, start, end, step)</c>: absent bounds mean the
    /// dim's ends, negative bounds count from the end, and bounds past the dim are clamped.
    /// </summary>
    /// <exception cref="ArgumentException">A 0-d tensor, a step that is not positive, or a dim out of range.</exception>
    public static (int Dim, long Start, long Length) SliceRange(string op, ReadOnlySpan<long> shape, long dim, long? start, long? end, long step)
    {
        if (shape.Length == 0) throw new ArgumentException($"{op}: cannot slice a 0-d tensor");
        int d = Shapes.WrapDim(op, dim, shape.Length);
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), step, $"{op}: step must be positive, got {step} (negative steps are not supported; use flip)");
        long size = shape[d];
        long s = Clamp(start ?? 0, size), e = Clamp(end ?? size, size);
        return (d, s, e > s ? (e - s + step - 1) / step : 0);

        static long Clamp(long i, long size) => Math.Clamp(i < 0 ? i + size : i, 0, size);
    }

    /// <summary>The wrapped dim of <c>select(dim, index)</c> on a tensor of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">A 0-d tensor or a dim out of range.</exception>
    public static int SelectDim(string op, ReadOnlySpan<long> shape, long dim)
    {
        if (shape.Length == 0) throw new ArgumentException($"{op}: cannot select from a 0-d tensor");
        return Shapes.WrapDim(op, dim, shape.Length);
    }

    /// <summary>The position <paramref name="index"/> picks in a dim of <paramref name="size"/> (negative counts from the end), or -1 when outside it.</summary>
    public static long SelectPosition(long index, long size)
    {
        long i = index < 0 ? index + size : index;
        return i >= 0 && i < size ? i : -1;
    }

    /// <summary>The message for a <c>select</c> index outside its dim.</summary>
    public static string SelectIndexMessage(string op, ReadOnlySpan<long> shape, int dim, long index) =>
        $"{op}: index {index} is out of range for dim {dim} of size {shape[dim]} (shape {Shapes.Format(shape)})";

    /// <summary>The wrapped dim and position of <c>select(dim, index)</c>; the error is an <see cref="ArgumentOutOfRangeException"/> (a type rule's error).</summary>
    public static (int Dim, long Index) SelectChecked(string op, ReadOnlySpan<long> shape, long dim, long index)
    {
        int d = SelectDim(op, shape, dim);
        long i = SelectPosition(index, shape[d]);
        if (i < 0) throw new ArgumentOutOfRangeException(nameof(index), index, SelectIndexMessage(op, shape, d, index));
        return (d, i);
    }

    /// <summary>The shape without dim <paramref name="dim"/>.</summary>
    public static long[] Without(ReadOnlySpan<long> shape, int dim) => [.. shape[..dim], .. shape[(dim + 1)..]];

    /// <summary>
    /// The wrapped dims and the length of <c>diagonal(offset, dim1, dim2)</c>: the diagonal <paramref name="offset"/>
    /// above (below when negative) the main one of the matrices spanned by the two dims.
    /// </summary>
    /// <exception cref="ArgumentException">The dims are equal or out of range, or the tensor has fewer than 2 dims.</exception>
    public static (int Dim1, int Dim2, long Length) DiagonalRange(string op, ReadOnlySpan<long> shape, long offset, long dim1, long dim2)
    {
        if (shape.Length < 2) throw new ArgumentException($"{op}: expects a tensor of at least 2 dims, got shape {Shapes.Format(shape)}");
        int a = Shapes.WrapDim(op, dim1, shape.Length), b = Shapes.WrapDim(op, dim2, shape.Length);
        if (a == b) throw new ArgumentException($"{op}: dim1 and dim2 cannot be the same dim ({dim1} and {dim2} are both dim {a})");
        long length = offset >= 0 ? Math.Min(shape[a], shape[b] - offset) : Math.Min(shape[a] + offset, shape[b]);
        return (a, b, Math.Max(length, 0));
    }

    /// <summary>The shape of <c>diagonal</c>: the two dims removed and the diagonal appended.</summary>
    public static long[] DiagonalShape(string op, ReadOnlySpan<long> shape, long offset, long dim1, long dim2)
    {
        var (a, b, length) = DiagonalRange(op, shape, offset, dim1, dim2);
        var result = new List<long>(shape.Length - 1);
        for (int i = 0; i < shape.Length; i++)
        {
            if (i != a && i != b) result.Add(shape[i]);
        }
        result.Add(length);
        return [.. result];
    }

    /// <summary>
    /// Checks that a scatter's <paramref name="src"/> has exactly the shape of the part of self it fills;
    /// <paramref name="part"/> describes that part (the view and its arguments) for the message.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void CheckScatterSource(string op, ReadOnlySpan<long> self, ReadOnlySpan<long> partShape, ReadOnlySpan<long> src, string part)
    {
        if (!partShape.SequenceEqual(src))
            throw new ArgumentException($"{op}: src of shape {Shapes.Format(src)} must have the shape {Shapes.Format(partShape)} of the part {part} of self (shape {Shapes.Format(self)}) that it fills");
    }

    /// <summary>How a message shows the slice <c>slice_scatter</c> fills.</summary>
    public static string DescribeSlice(long dim, long? start, long? end, long step) =>
        $"slice(dim={dim}, start={start?.ToString(CultureInfo.InvariantCulture) ?? "None"}, end={end?.ToString(CultureInfo.InvariantCulture) ?? "None"}, step={step})";

    /// <summary>How a message shows the part <c>select_scatter</c> fills.</summary>
    public static string DescribeSelect(long dim, long index) => $"select(dim={dim}, index={index})";

    /// <summary>How a message shows the diagonal <c>diagonal_scatter</c> fills.</summary>
    public static string DescribeDiagonal(long offset, long dim1, long dim2) => $"diagonal(offset={offset}, dim1={dim1}, dim2={dim2})";

    /// <summary>The dim, start, end and step attributes of <c>slice</c> and <c>slice_scatter</c> (start and end may be absent).</summary>
    public static (long Dim, long? Start, long? End, long Step) SliceAttributesOf(Attrs a) =>
        (a.GetLong("dim", 0), a["start"] is null ? null : a.GetLong("start", 0), a["end"] is null ? null : a.GetLong("end", 0), a.GetLong("step", 1));

    /// <summary>The dim and index attributes of <c>select</c> and <c>select_scatter</c>.</summary>
    /// <exception cref="ArgumentException">An attribute is missing.</exception>
    public static (long Dim, long Index) SelectAttributesOf(string op, Attrs a) =>
        (MovementOps.RequiredLong(op, a, "dim"), MovementOps.RequiredLong(op, a, "index"));

    /// <summary>The offset, dim1 and dim2 attributes of <c>diagonal</c> and <c>diagonal_scatter</c>.</summary>
    public static (long Offset, long Dim1, long Dim2) DiagonalAttributesOf(Attrs a) =>
        (a.GetLong("offset", 0), a.GetLong("dim1", 0), a.GetLong("dim2", 1));

    private static long[] SliceShape(string op, long[] shape, Attrs a)
    {
        var (dim, start, end, step) = SliceAttributesOf(a);
        var (d, _, length) = SliceRange(op, shape, dim, start, end, step);
        var result = (long[])shape.Clone();
        result[d] = length;
        return result;
    }

    private static string DescribeSlice(Attrs a)
    {
        var (dim, start, end, step) = SliceAttributesOf(a);
        return DescribeSlice(dim, start, end, step);
    }

    private static string DescribeSelect(Attrs a) => DescribeSelect(a.GetLong("dim", 0), a.GetLong("index", 0));

    private static string DescribeDiagonal(Attrs a)
    {
        var (offset, dim1, dim2) = DiagonalAttributesOf(a);
        return DescribeDiagonal(offset, dim1, dim2);
    }

    private static long[] SelectShape(string op, long[] shape, Attrs a)
    {
        var (dim, index) = SelectAttributesOf(op, a);
        return Without(shape, SelectChecked(op, shape, dim, index).Dim);
    }

    private static long[] DiagonalShape(string op, long[] shape, Attrs a)
    {
        var (offset, dim1, dim2) = DiagonalAttributesOf(a);
        return DiagonalShape(op, shape, offset, dim1, dim2);
    }
}
