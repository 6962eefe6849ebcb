namespace Kiln;

/// <summary>Shape arithmetic shared by every op: broadcasting, dim wrapping, element counts.</summary>
public static class Shapes
{
    /// <summary>The number of elements of a shape (1 for a 0-d shape).</summary>
    /// <exception cref="OverflowException">The count does not fit in 64 bits.</exception>
    public static long Numel(ReadOnlySpan<long> shape)
    {
        long n = 1;
        foreach (var d in shape)
            n = checked(n * d);
        return n;
    }

    /// <summary>Row-major (C-contiguous) strides, in elements, for <paramref name="shape"/>.</summary>
    public static long[] ContiguousStrides(ReadOnlySpan<long> shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    /// <summary>
    /// PyTorch's broadcasting: shapes are aligned at their last dims; each pair of sizes must be equal or
    /// one of them 1.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast; the message names <paramref name="op"/>.</exception>
    public static long[] Broadcast(string op, ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        if (a.SequenceEqual(b))
            return a.ToArray();
        int rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (int i = 1; i <= rank; i++)
        {
            long da = i <= a.Length ? a[^i] : 1, db = i <= b.Length ? b[^i] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast: at dim {rank - i} (counting from the left of the broadcast shape) sizes {da} and {db} differ and neither is 1");
            result[^i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Broadcasts any number of shapes (see <see cref="Broadcast(string, ReadOnlySpan{long}, ReadOnlySpan{long})"/>).</summary>
    public static long[] Broadcast(string op, IEnumerable<long[]> shapes)
    {
        long[]? acc = null;
        foreach (var s in shapes)
            acc = acc is null ? s.ToArray() : Broadcast(op, acc, s);
        return acc ?? [];
    }

    /// <summary>Whether <paramref name="from"/> can be expanded to <paramref name="to"/> by broadcasting.</summary>
    public static bool CanExpand(ReadOnlySpan<long> from, ReadOnlySpan<long> to)
    {
        if (from.Length > to.Length) return false;
        for (int i = 1; i <= from.Length; i++)
        {
            if (from[^i] != to[^i] && from[^i] != 1) return false;
        }
        return true;
    }

    /// <summary>
    /// Turns a possibly negative dim into an index in [0, rank). A 0-d tensor accepts dims 0 and -1,
    /// as in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The dim is out of range; the message names <paramref name="op"/>.</exception>
    public static int WrapDim(string op, long dim, int rank)
    {
        int effective = Math.Max(rank, 1);
        if (dim < -effective || dim >= effective)
            throw new ArgumentOutOfRangeException(nameof(dim), dim,
                $"{op}: dim {dim} is out of range for a tensor of rank {rank} (expected a dim in [{-effective}, {effective - 1}])");
        return (int)(dim < 0 ? dim + effective : dim);
    }

    /// <summary>Wraps a set of dims and checks none repeats. An empty or null set means every dim.</summary>
    public static bool[] DimMask(string op, ReadOnlySpan<long> dims, int rank, bool emptyMeansAll = true)
    {
        var mask = new bool[rank];
        if (dims.IsEmpty && emptyMeansAll)
        {
            Array.Fill(mask, true);
            return mask;
        }
        foreach (var d in dims)
        {
            int w = WrapDim(op, d, rank);
            if (rank == 0) continue;
            if (mask[w])
                throw new ArgumentException($"{op}: dim {w} appears more than once in the list of dims [{string.Join(", ", dims.ToArray())}]");
            mask[w] = true;
        }
        return mask;
    }

    /// <summary>Formats a shape the way error messages show it: <c>[2, 3]</c>.</summary>
    public static string Format(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
