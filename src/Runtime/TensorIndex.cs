using System.Globalization;

namespace Kiln;

/// <summary>
/// One entry of a tensor index <c>t[...]</c>, as in Python: an integer picks one position and removes the
/// dim; a range or <see cref="Slice"/> keeps a strided part of the dim; <see cref="Ellipsis"/> stands for
/// all the dims not otherwise indexed; <see cref="NewAxis"/> inserts a dim of size 1. Converts implicitly from
/// <c>int</c>, <c>long</c> (negative counts from the end), <see cref="System.Index"/> (<c>^1</c>) and
/// <see cref="System.Range"/> (<c>1..3</c>, <c>..</c>, <c>^2..</c>).
/// </summary>
public readonly record struct TensorIndex
{
    private readonly Kind kind;
    private readonly Bound start;
    private readonly Bound stop;
    private readonly long step;

    private TensorIndex(Kind kind, Bound start = default, Bound stop = default, long step = 1)
    {
        this.kind = kind;
        this.start = start;
        this.stop = stop;
        this.step = step;
    }

    internal enum Kind : byte
    {
        /// <summary>One position (held in start), removing the dim.</summary>
        Position,
        /// <summary>Positions start, start + step, ... before stop.</summary>
        Slice,
        /// <summary>Every dim not otherwise indexed.</summary>
        Ellipsis,
        /// <summary>A new dim of size 1.</summary>
        NewAxis,
    }

    /// <summary>A position in a dim, counted from the start or (for <c>^n</c>) from the end; absent means the dim's start or end.</summary>
    private readonly record struct Bound(long Value, bool FromEnd, bool Present)
    {
        internal static Bound Of(long? value) => value is { } v ? new(v, false, true) : default;

        internal static Bound Of(Index index) => new(index.Value, index.IsFromEnd, true);

        /// <summary>The position in a dim of <paramref name="size"/>: <c>^n</c> and negative values count from the end.</summary>
        internal long Resolve(long size) => FromEnd ? size - Value : Value < 0 ? size + Value : Value;

        public override string ToString() => !Present ? "" : (FromEnd ? "^" : "") + Value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Stands for as many full slices as the dims that the other entries leave (Python's <c>...</c>).</summary>
    public static TensorIndex Ellipsis { get; } = new(Kind.Ellipsis);

    /// <summary>Inserts a dim of size 1 (Python's <c>None</c>).</summary>
    public static TensorIndex NewAxis { get; } = new(Kind.NewAxis);

    /// <summary>
    /// The Python slice <c>start:stop:step</c>: null bounds mean the dim's start and end, negative bounds count
    /// from the end, and bounds past the dim are clamped. The step must be positive.
    /// </summary>
    public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1) =>
        new(Kind.Slice, Bound.Of(start), Bound.Of(stop), step);

    /// <summary>The position <paramref name="index"/> of a dim (negative counts from the end).</summary>
    public static TensorIndex At(long index) => new(Kind.Position, Bound.Of(index));

    /// <summary>The position <paramref name="index"/> of a dim.</summary>
    public static implicit operator TensorIndex(int index) => At(index);

    /// <summary>The position <paramref name="index"/> of a dim (negative counts from the end).</summary>
    public static implicit operator TensorIndex(long index) => At(index);

    /// <summary>The position <paramref name="index"/> of a dim; <c>^1</c> is the last.</summary>
    public static implicit operator TensorIndex(Index index) => new(Kind.Position, Bound.Of(index));

    /// <summary>The positions of <paramref name="range"/> in a dim, with step 1; <c>..</c> is the whole dim.</summary>
    public static implicit operator TensorIndex(Range range) => new(Kind.Slice, Bound.Of(range.Start), Bound.Of(range.End));

    /// <summary>Makes an index entry from a position (the named form of the implicit conversion).</summary>
    public static TensorIndex FromInt64(long index) => At(index);

    /// <summary>Makes an index entry from a <see cref="System.Index"/> (the named form of the implicit conversion).</summary>
    public static TensorIndex FromIndex(Index index) => index;

    /// <summary>Makes an index entry from a <see cref="System.Range"/> (the named form of the implicit conversion).</summary>
    public static TensorIndex FromRange(Range range) => range;

    internal Kind IndexKind => kind;

    internal long Step => step;

    /// <summary>Whether this entry consumes a dim of the indexed tensor (an integer or a slice).</summary>
    internal bool ConsumesDim => kind is Kind.Position or Kind.Slice;

    /// <summary>The position a <see cref="Kind.Position"/> entry picks in a dim of <paramref name="size"/>, or -1 when outside it.</summary>
    internal long ResolvePosition(long size)
    {
        long i = start.Resolve(size);
        return i >= 0 && i < size ? i : -1;
    }

    /// <summary>The [start, stop) a <see cref="Kind.Slice"/> entry covers in a dim of <paramref name="size"/>, clamped to it.</summary>
    internal (long Start, long Stop) ResolveSlice(long size)
    {
        long s = start.Present ? Math.Clamp(start.Resolve(size), 0, size) : 0;
        long e = stop.Present ? Math.Clamp(stop.Resolve(size), 0, size) : size;
        return (s, e);
    }

    /// <summary>The entry as written in Python-like syntax: <c>2</c>, <c>^1</c>, <c>1:3</c>, <c>::2</c>, <c>...</c>, <c>None</c>.</summary>
    public override string ToString() => kind switch
    {
        Kind.Position => start.ToString(),
        Kind.Slice => $"{start}:{stop}" + (step == 1 ? "" : ":" + step.ToString(CultureInfo.InvariantCulture)),
        Kind.Ellipsis => "...",
        _ => "None",
    };
}
