using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Movement;

/// <summary>
/// Builds a new tensor whose element at (o₀, …, oₙ) is the source's element at (m₀[o₀], …, mₙ[oₙ]): one index
/// map per dim (null: the identity), where a negative entry means "the fill value". Flip, roll, repeat, tile,
/// repeat_interleave and every pad mode are such maps, so they share this one kernel. The last dim's map is
/// cut into runs (ascending, descending, constant or fill), so each output row is a few span copies and fills.
/// </summary>
internal static class MappedCopy
{
    /// <summary>
    /// The copy of <paramref name="src"/> through <paramref name="maps"/> into a new contiguous tensor of
    /// <paramref name="shape"/> (the same rank as <paramref name="src"/>); <paramref name="fill"/> is a 0-d tensor
    /// of the source's dtype (zero when null).
    /// </summary>
    internal static Tensor Run(Tensor src, long[] shape, long[]?[] maps, Tensor? fill = null)
    {
        var dst = Tensor.Empty(src.DType, shape);
        if (dst.numel == 0) return dst;
        var plan = Plan.Build(src, shape, maps);
        switch (src.DType.ElementSize())
        {
            case 1: Execute<byte>(src, dst, plan, fill); break;
            case 2: Execute<ushort>(src, dst, plan, fill); break;
            case 4: Execute<uint>(src, dst, plan, fill); break;
            default: Execute<ulong>(src, dst, plan, fill); break;
        }
        return dst;
    }

    /// <summary>An index map that reads dim <paramref name="size"/> backwards.</summary>
    internal static long[] Reversed(long size)
    {
        var map = new long[size];
        for (long i = 0; i < size; i++) map[i] = size - 1 - i;
        return map;
    }

    /// <summary>The index map of an output dim <paramref name="outSize"/> long that reads <c>index(o)</c>.</summary>
    internal static long[] Map(long outSize, Func<long, long> index)
    {
        var map = new long[outSize];
        for (long o = 0; o < outSize; o++) map[o] = index(o);
        return map;
    }

    /// <summary>A segment of one output row: <c>Length</c> elements from <c>Start</c>, read from source index <c>Source</c> moving by <c>Step</c> (-1, 0 or 1), or filled.</summary>
    private readonly record struct Segment(long Start, long Length, long Source, long Step, bool Fill);

    /// <summary>The walk: outer dims (size, source stride, map), the last dim's segments and stride, and the offset fixed by size-1 dims.</summary>
    private sealed class Plan
    {
        public required long[] OuterSizes { get; init; }
        public required long[] OuterStrides { get; init; }
        public required long[]?[] OuterMaps { get; init; }
        public required Segment[] Segments { get; init; }
        public required long RowLength { get; init; }
        public required long InnerStride { get; init; }
        public required long BaseOffset { get; init; }
        public required bool AllFill { get; init; }

        public static Plan Build(Tensor src, long[] shape, long[]?[] maps)
        {
            var sizes = new List<long>();
            var strides = new List<long>();
            var dimMaps = new List<long[]?>();
            long baseOffset = 0;
            bool allFill = false;
            for (int d = 0; d < shape.Length; d++)
            {
                long n = shape[d];
                var map = maps[d];
                if (n == 1)
                {
                    // A size-1 output dim reads one fixed source index: fold it into the base offset.
                    long i = map is null ? 0 : map[0];
                    if (i < 0) allFill = true;
                    else baseOffset += i * src.strides[d];
                    continue;
                }
                // Identity dims that the source walks contiguously merge into one longer dim.
                if (map is null && sizes.Count > 0 && dimMaps[^1] is null && strides[^1] == src.strides[d] * n)
                {
                    sizes[^1] *= n;
                    strides[^1] = src.strides[d];
                    continue;
                }
                sizes.Add(n);
                strides.Add(src.strides[d]);
                dimMaps.Add(map);
            }
            if (sizes.Count == 0)
            {
                sizes.Add(1);
                strides.Add(0);
                dimMaps.Add(null);
            }
            long rowLength = sizes[^1];
            return new Plan
            {
                OuterSizes = [.. sizes.Take(sizes.Count - 1)],
                OuterStrides = [.. strides.Take(strides.Count - 1)],
                OuterMaps = [.. dimMaps.Take(dimMaps.Count - 1)],
                Segments = CutSegments(dimMaps[^1], rowLength),
                RowLength = rowLength,
                InnerStride = strides[^1],
                BaseOffset = baseOffset,
                AllFill = allFill,
            };
        }

        /// <summary>Cuts the last dim's map into maximal runs of fills or of steps -1, 0 or 1.</summary>
        private static Segment[] CutSegments(long[]? map, long n)
        {
            if (map is null) return [new Segment(0, n, 0, 1, false)];
            var segments = new List<Segment>();
            long j = 0;
            while (j < n)
            {
                long start = j, source = map[j];
                if (source < 0)
                {
                    while (j < n && map[j] < 0) j++;
                    segments.Add(new Segment(start, j - start, 0, 0, true));
                    continue;
                }
                long step = j + 1 < n && map[j + 1] >= 0 ? map[j + 1] - source : 1;
                if (step is < -1 or > 1) step = 1;
                j++;
                while (j < n && map[j] >= 0 && map[j] == source + (j - start) * step) j++;
                segments.Add(new Segment(start, j - start, source, step, false));
            }
            return [.. segments];
        }
    }

    private static void Execute<T>(Tensor src, Tensor dst, Plan plan, Tensor? fill) where T : unmanaged
    {
        T fillValue = fill is null ? default : fill.Ref<T>();
        long rows = Shapes.Numel(plan.OuterSizes), n = plan.RowLength;
        if (plan.AllFill)
        {
            dst.Span<T>().Fill(fillValue);
            return;
        }
        CpuParallel.For(rows, Math.Max(1, CpuParallel.ElementwiseGrain / n), (start, end) =>
        {
            int outer = plan.OuterSizes.Length;
            Span<long> index = stackalloc long[Math.Max(outer, 1)];
            long rem = start;
            for (int d = outer - 1; d >= 0; d--)
            {
                index[d] = rem % plan.OuterSizes[d];
                rem /= plan.OuterSizes[d];
            }
            for (long row = start; row < end; row++)
            {
                var dstRow = dst.Span<T>(row * n, n);
                long offset = SourceOffset(plan, index);
                if (offset < 0) dstRow.Fill(fillValue);
                else CopyRow(src, offset, plan, dstRow, fillValue);
                for (int d = outer - 1; d >= 0; d--)
                {
                    if (++index[d] < plan.OuterSizes[d]) break;
                    index[d] = 0;
                }
            }
        });
    }

    /// <summary>The source offset of the row at <paramref name="index"/>, or -1 when an outer map says "fill".</summary>
    private static long SourceOffset(Plan plan, ReadOnlySpan<long> index)
    {
        long offset = plan.BaseOffset;
        for (int d = 0; d < plan.OuterSizes.Length; d++)
        {
            long i = plan.OuterMaps[d] is { } map ? map[index[d]] : index[d];
            if (i < 0) return -1;
            offset += i * plan.OuterStrides[d];
        }
        return offset;
    }

    private static void CopyRow<T>(Tensor src, long offset, Plan plan, Span<T> dstRow, T fillValue) where T : unmanaged
    {
        long stride = plan.InnerStride;
        ref T source = ref src.Ref<T>(offset);
        foreach (var run in plan.Segments)
        {
            var target = dstRow.Slice((int)run.Start, (int)run.Length);
            if (run.Fill)
            {
                target.Fill(fillValue);
            }
            else if (run.Step == 0)
            {
                target.Fill(Unsafe.Add(ref source, (nint)(run.Source * stride)));
            }
            else if (run.Step == 1 && stride == 1)
            {
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref source, (nint)run.Source), target.Length).CopyTo(target);
            }
            else
            {
                long step = run.Step * stride;
                ref T first = ref Unsafe.Add(ref source, (nint)(run.Source * stride));
                for (int i = 0; i < target.Length; i++)
                    target[i] = Unsafe.Add(ref first, (nint)(i * step));
            }
        }
    }
}
