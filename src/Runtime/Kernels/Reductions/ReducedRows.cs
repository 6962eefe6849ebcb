using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Reductions;

/// <summary>
/// Accumulates the elements one output reduces. Folds are mutable structs; <see cref="Add"/> and
/// <see cref="AddSpan"/> see the elements in order of their position within the reduced dims, and
/// <see cref="Merge"/> appends the state of a fold that saw later positions.
/// </summary>
internal interface IFold<T, TSelf>
    where T : unmanaged where TSelf : struct, IFold<T, TSelf>
{
    /// <summary>Adds element <paramref name="x"/> at reduced position <paramref name="position"/>.</summary>
    void Add(T x, long position);

    /// <summary>Adds consecutive elements; <paramref name="first"/> is the position of <c>xs[0]</c>.</summary>
    void AddSpan(ReadOnlySpan<T> xs, long first);

    /// <summary>Appends the state of <paramref name="later"/>, which folded the positions after this one's.</summary>
    void Merge(in TSelf later);
}

/// <summary>
/// The elements one output reduces: a base offset into the input plus the layout's (coalesced) reduced
/// dims. <see cref="Fold{TFold}"/> walks them row by row, handing contiguous rows over as spans, and
/// splits a long walk across threads when the layout asked for it.
/// </summary>
internal readonly struct ReducedRows<T>(Tensor input, ReduceLayout layout, bool splitAcrossThreads, long baseOffset = 0)
    where T : unmanaged
{
    /// <summary>How many elements are reduced (N).</summary>
    internal long Count => layout.InnerCount;

    /// <summary>The same walk for the output whose elements start at <paramref name="offset"/>.</summary>
    internal ReducedRows<T> At(long offset) => new(input, layout, splitAcrossThreads, offset);

    /// <summary>Feeds every reduced element to <paramref name="fold"/>, in position order.</summary>
    internal void Fold<TFold>(ref TFold fold) where TFold : struct, IFold<T, TFold>
    {
        long count = Count;
        if (count == 0) return;
        if (!splitAcrossThreads)
        {
            if (layout.Inner.Length == 1 && layout.InnerStrides[0] == 1)
                fold.AddSpan(MemoryMarshal.CreateReadOnlySpan(ref input.Ref<T>(baseOffset), (int)count), 0);  // one contiguous run: no walk
            else
                FoldRange(ref fold, 0, count);
            return;
        }
        var self = this;
        var seed = fold;
        var parts = new List<(long Start, TFold Fold)>();
        CpuParallel.For(count, CpuParallel.ElementwiseGrain, (start, end) =>
        {
            var part = seed;
            self.FoldRange(ref part, start, end);
            lock (parts) parts.Add((start, part));
        });
        parts.Sort((a, b) => a.Start.CompareTo(b.Start));
        fold = parts[0].Fold;
        for (int i = 1; i < parts.Count; i++)
            fold.Merge(in CollectionsMarshal.AsSpan(parts)[i].Fold);
    }

    /// <summary>Feeds the elements at reduced positions [start, end) to <paramref name="fold"/>.</summary>
    private void FoldRange<TFold>(ref TFold fold, long start, long end) where TFold : struct, IFold<T, TFold>
    {
        var runs = new FoldRuns<TFold>(input, fold);
        ReducedWalk.Walk(layout, baseOffset, start, end, ref runs);
        fold = runs.Fold;
    }

    /// <summary>Hands each run of the walk to a fold: as a span when it is contiguous.</summary>
    private struct FoldRuns<TFold>(Tensor input, TFold fold) : IRunVisitor
        where TFold : struct, IFold<T, TFold>
    {
        public TFold Fold = fold;

        public void Run(long offset, long step, long n, long position)
        {
            ref T row = ref input.Ref<T>(offset);
            if (step == 1)
            {
                Fold.AddSpan(MemoryMarshal.CreateReadOnlySpan(ref row, (int)n), position);
                return;
            }
            for (long i = 0; i < n; i++)
                Fold.Add(Unsafe.Add(ref row, (nint)(i * step)), position + i);
        }
    }
}

/// <summary>Receives the walk over a layout's reduced dims one run (a stretch of the innermost reduced dim) at a time.</summary>
internal interface IRunVisitor
{
    /// <summary><paramref name="n"/> elements from storage offset <paramref name="offset"/>, <paramref name="step"/> apart, at reduced positions from <paramref name="position"/> on.</summary>
    void Run(long offset, long step, long n, long position);
}

/// <summary>The odometer over a layout's reduced dims, shared by the per-output folds and the column reductions.</summary>
internal static class ReducedWalk
{
    /// <summary>Visits reduced positions [start, end) of the output whose elements start at <paramref name="baseOffset"/>.</summary>
    internal static void Walk<TVisitor>(ReduceLayout layout, long baseOffset, long start, long end, ref TVisitor visitor)
        where TVisitor : struct, IRunVisitor, allows ref struct
    {
        var shape = layout.Inner;
        var strides = layout.InnerStrides;
        int last = shape.Length - 1;
        Span<long> index = stackalloc long[shape.Length];
        long offset = baseOffset, rem = start;
        for (int d = last; d >= 0; d--)
        {
            index[d] = rem % shape[d];
            rem /= shape[d];
            offset += index[d] * strides[d];
        }
        long step = strides[last], position = start;
        while (position < end)
        {
            long n = Math.Min(shape[last] - index[last], end - position);
            visitor.Run(offset, step, n, position);
            position += n;
            if (position >= end) break;
            // Back to the start of the run, then carry into the outer reduced dims.
            offset -= index[last] * step;
            index[last] = 0;
            for (int d = last - 1; d >= 0; d--)
            {
                index[d]++;
                offset += strides[d];
                if (index[d] < shape[d]) break;
                offset -= shape[d] * strides[d];
                index[d] = 0;
            }
        }
    }
}
