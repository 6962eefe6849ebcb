using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels.Reductions;

/// <summary>Combines a row of partial results with a row of inputs, element by element (add, max, min).</summary>
internal interface IColumnOp
{
    /// <summary><c>acc[i] = op(acc[i], row[i])</c>.</summary>
    static abstract void Combine<T>(Span<T> acc, ReadOnlySpan<T> row) where T : INumber<T>;
}

/// <summary>Column sums.</summary>
internal readonly struct AddColumns : IColumnOp
{
    public static void Combine<T>(Span<T> acc, ReadOnlySpan<T> row) where T : INumber<T> => TensorPrimitives.Add(acc, row, acc);
}

/// <summary>Column maxima (NaN propagates).</summary>
internal readonly struct MaxColumns : IColumnOp
{
    public static void Combine<T>(Span<T> acc, ReadOnlySpan<T> row) where T : INumber<T> => TensorPrimitives.Max(acc, row, acc);
}

/// <summary>Column minima (NaN propagates).</summary>
internal readonly struct MinColumns : IColumnOp
{
    public static void Combine<T>(Span<T> acc, ReadOnlySpan<T> row) where T : INumber<T> => TensorPrimitives.Min(acc, row, acc);
}

/// <summary>
/// Reductions whose innermost kept dim is contiguous (the sum over the rows of a matrix, the max over
/// the batch dim ...): instead of walking each output's strided column, whole input rows are combined
/// into a row of results with SIMD, a chunk of <see cref="Chunk"/> columns at a time. Rows are grouped
/// in a cascade (blocks of <see cref="Block"/>) so long float sums stay accurate. Tasks (outer position
/// × column chunk) are split across threads, or, when there are too few, the rows are.
/// </summary>
internal static class ColumnEngine
{
    private const int Chunk = 1024;
    private const int Block = 128;

    /// <summary>Reduces <paramref name="input"/> into <paramref name="output"/> (of <typeparamref name="T"/>) for a layout with a <see cref="ReduceLayout.ColumnWidth"/>.</summary>
    internal static void Run<T, TOp>(Tensor input, ReduceLayout layout, Tensor output)
        where T : unmanaged, INumber<T> where TOp : struct, IColumnOp
    {
        long width = layout.ColumnWidth, rows = layout.InnerCount;
        long chunks = (width + Chunk - 1) / Chunk;
        long tasks = layout.OutCount / width * chunks;
        if (tasks < Threading.NumThreads && rows * Math.Min(width, Chunk) >= 2 * CpuParallel.ElementwiseGrain)
        {
            for (long t = 0; t < tasks; t++)
                RunSplitRows<T, TOp>(input, layout, output, Locate(layout, chunks, t));
            return;
        }
        long grain = Math.Max(1, CpuParallel.ElementwiseGrain / (Math.Min(width, Chunk) * rows));
        CpuParallel.For(tasks, grain, (start, end) =>
        {
            for (long t = start; t < end; t++)
            {
                var task = Locate(layout, chunks, t);
                FoldRows<T, TOp>(input, layout, task, 0, rows, output.Span<T>(task.OutOffset, task.Width));
            }
        });
    }

    /// <summary>One task: where its inputs and outputs start and how many columns it covers.</summary>
    private readonly record struct ColumnTask(long InOffset, long OutOffset, int Width);

    private static ColumnTask Locate(ReduceLayout layout, long chunks, long task)
    {
        int last = layout.Kept.Length - 1;
        long outer = task / chunks, first = task % chunks * Chunk;
        long inOffset = first, outOffset = first * layout.OutStrides[last];
        for (int d = last - 1; d >= 0; d--)
        {
            long i = outer % layout.Kept[d];
            outer /= layout.Kept[d];
            inOffset += i * layout.KeptStrides[d];
            outOffset += i * layout.OutStrides[d];
        }
        return new ColumnTask(inOffset, outOffset, (int)Math.Min(Chunk, layout.Kept[last] - first));
    }

    private static void RunSplitRows<T, TOp>(Tensor input, ReduceLayout layout, Tensor output, ColumnTask task)
        where T : unmanaged, INumber<T> where TOp : struct, IColumnOp
    {
        var parts = new List<(long Start, T[] Result)>();
        CpuParallel.For(layout.InnerCount, Math.Max(2, CpuParallel.ElementwiseGrain / task.Width), (start, end) =>
        {
            var part = new T[task.Width];
            FoldRows<T, TOp>(input, layout, task, start, end, part);
            lock (parts) parts.Add((start, part));
        });
        parts.Sort((a, b) => a.Start.CompareTo(b.Start));
        var result = output.Span<T>(task.OutOffset, task.Width);
        parts[0].Result.CopyTo(result);
        for (int i = 1; i < parts.Count; i++)
            TOp.Combine<T>(result, parts[i].Result);
    }

    /// <summary>Combines the rows at reduced positions [start, end) (at least one) of <paramref name="task"/> into <paramref name="result"/>.</summary>
    private static void FoldRows<T, TOp>(Tensor input, ReduceLayout layout, ColumnTask task, long start, long end, Span<T> result)
        where T : unmanaged, INumber<T> where TOp : struct, IColumnOp
    {
        Span<T> level0 = stackalloc T[task.Width];
        Span<T> level1 = stackalloc T[task.Width];
        var cascade = new RowCascade<T, TOp>(input, task.Width, level0, level1, result);
        ReducedWalk.Walk(layout, task.InOffset, start, end, ref cascade);
        cascade.Finish();
    }

    /// <summary>
    /// Three levels of partial rows: inputs combine into level 0, which moves into level 1 every
    /// <see cref="Block"/> rows, which moves into the result every <see cref="Block"/> level-0 rows.
    /// A level that holds nothing yet is overwritten, so ops need no identity value.
    /// </summary>
    private ref struct RowCascade<T, TOp>(Tensor input, int width, Span<T> level0, Span<T> level1, Span<T> result) : IRunVisitor
        where T : unmanaged, INumber<T> where TOp : struct, IColumnOp
    {
        private readonly Span<T> level0 = level0, level1 = level1, result = result;
        private int count0, count1;
        private bool hasResult;

        public void Run(long offset, long step, long n, long position)
        {
            for (long i = 0; i < n; i++)
            {
                Push(level0, count0 > 0, input.Span<T>(offset + i * step, width));
                if (++count0 == Block) MoveUp0();
            }
        }

        public void Finish()
        {
            if (count0 > 0) MoveUp0();
            if (count1 > 0) MoveUp1();
        }

        private void MoveUp0()
        {
            Push(level1, count1 > 0, level0);
            count0 = 0;
            if (++count1 == Block) MoveUp1();
        }

        private void MoveUp1()
        {
            Push(result, hasResult, level1);
            hasResult = true;
            count1 = 0;
        }

        private static void Push(Span<T> acc, bool holdsValues, ReadOnlySpan<T> row)
        {
            if (holdsValues) TOp.Combine(acc, row);
            else row.CopyTo(acc);
        }
    }
}
