using System.Buffers;
using System.Runtime.CompilerServices;

namespace Kiln.Kernels.Movement;

/// <summary>
/// sort and topk along one dim: every row (the elements along the dim, for each position of the other dims)
/// becomes (key, index) entries that are sorted, or selected then sorted, independently; rows are spread over
/// the threads. The first k entries give the values (read back from the input) and the int64 indices.
/// </summary>
internal static class SortRows
{
    /// <summary>
    /// The first <paramref name="k"/> elements of each row along <paramref name="dim"/> in ascending (or
    /// descending) order, and their indices; equal elements keep their order. <paramref name="input"/> has rank ≥ 1.
    /// </summary>
    internal static (Tensor Values, Tensor Indices) Run(Tensor input, int dim, bool descending, long k)
    {
        var shape = input.Shape;
        shape[dim] = k;
        var values = Tensor.Empty(input.DType, shape);
        var indices = Tensor.Empty(DType.Int64, (long[])shape.Clone());
        if (values.numel == 0) return (values, indices);
        var action = new Action(input, values, indices, dim, descending, k);
        KeyedDispatch.Run(input.DType, ref action);
        return (values, indices);
    }

    private readonly struct Action(Tensor input, Tensor values, Tensor indices, int dim, bool descending, long k) : IKeyedAction
    {
        public void Invoke<T, TKey, TEntry>()
            where T : unmanaged where TKey : struct, ISortKey<T> where TEntry : unmanaged, ISortEntry<TEntry>
        {
            long n = input.shape[dim];
            long[] rowShape = Without(input.shape, dim);
            long[][] strides = [Without(input.strides, dim), Without(values.strides, dim)];
            var rows = new Rows<T, TKey, TEntry>(input, values, indices, input.strides[dim], values.strides[dim], n, k, descending);
            // Enough rows per thread to outweigh the hand-off: about n·log₂(n) work per row.
            long work = n * (64 - long.LeadingZeroCount(n));
            RowLoop.Run(rowShape, strides, rows, Math.Max(1, CpuParallel.ElementwiseGrain / Math.Max(work, 1)));
        }
    }

    private static long[] Without(long[] values, int dim) => [.. values[..dim], .. values[(dim + 1)..]];

    private readonly struct Rows<T, TKey, TEntry>(Tensor input, Tensor values, Tensor indices, long srcStride, long dstStride, long n, long k, bool descending) : IRowKernel
        where T : unmanaged where TKey : struct, ISortKey<T> where TEntry : unmanaged, ISortEntry<TEntry>
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long count)
        {
            // Few of many: a heap of the k best, which most elements fail to enter with one comparison.
            bool heap = (long)k * 16 <= n;
            var rented = ArrayPool<TEntry>.Shared.Rent(heap ? (int)k : 2 * (int)n);
            var entries = rented.AsSpan(0, heap ? (int)k : (int)n);
            for (long r = 0; r < count; r++)
            {
                ref T src = ref input.Ref<T>(offsets[0] + r * strides[0]);
                long dst = offsets[1] + r * strides[1];
                if (heap)
                {
                    HeapSelect(ref src, entries);
                }
                else
                {
                    for (int j = 0; j < n; j++)
                        entries[j] = Entry(ref src, j);
                    if (k < n) SelectSmallest(entries, (int)k);
                    else RadixSort.Sort(entries, rented.AsSpan((int)n, (int)n));
                }
                ref T outValues = ref values.Ref<T>(dst);
                ref long outIndices = ref indices.Ref<long>(dst);
                for (int j = 0; j < k; j++)
                {
                    int index = entries[j].Index;
                    Unsafe.Add(ref outValues, (nint)(j * dstStride)) = Unsafe.Add(ref src, (nint)(index * srcStride));
                    Unsafe.Add(ref outIndices, (nint)(j * dstStride)) = index;
                }
            }
            ArrayPool<TEntry>.Shared.Return(rented);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private TEntry Entry(ref T src, long j) =>
            TEntry.Make(TKey.Key(Unsafe.Add(ref src, (nint)(j * srcStride))) ^ (descending ? TEntry.DescendingMask : 0), (int)j);

        /// <summary>The <c>heap.Length</c> smallest entries of the row, sorted, through a max-heap of them.</summary>
        private void HeapSelect(ref T src, Span<TEntry> heap)
        {
            int size = heap.Length;
            for (int j = 0; j < size; j++)
                heap[j] = Entry(ref src, j);
            for (int i = size / 2 - 1; i >= 0; i--)
                SiftDown(heap, i, heap[i]);
            for (long j = size; j < n; j++)
            {
                var entry = Entry(ref src, j);
                if (entry.CompareTo(heap[0]) < 0) SiftDown(heap, 0, entry);
            }
            heap.Sort();
        }

        /// <summary>Puts <paramref name="item"/> at <paramref name="i"/> of the max-heap and moves it down to its place.</summary>
        private static void SiftDown(Span<TEntry> heap, int i, TEntry item)
        {
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= heap.Length) break;
                if (child + 1 < heap.Length && heap[child + 1].CompareTo(heap[child]) > 0) child++;
                if (heap[child].CompareTo(item) <= 0) break;
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = item;
        }
    }

    /// <summary>Puts the <paramref name="k"/> smallest entries, sorted, at the front (quickselect, then a sort of the front).</summary>
    internal static void SelectSmallest<TEntry>(Span<TEntry> entries, int k) where TEntry : unmanaged, IComparable<TEntry>
    {
        if (k == 0) return;
        if ((long)k * 4 >= entries.Length)
        {
            entries.Sort();
            return;
        }
        int lo = 0, hi = entries.Length - 1, target = k - 1;
        while (hi - lo > 16)
        {
            var pivot = MedianOfThree(entries[lo], entries[lo + (hi - lo) / 2], entries[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (entries[i].CompareTo(pivot) < 0) i++;
                while (entries[j].CompareTo(pivot) > 0) j--;
                if (i <= j)
                {
                    (entries[i], entries[j]) = (entries[j], entries[i]);
                    i++;
                    j--;
                }
            }
            // Now [lo, j] ≤ pivot ≤ [i, hi]; entries are distinct, so what lies between is the pivot itself.
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else break;
        }
        // A short range left to narrow is sorted; after a break the target is already in place.
        if (hi - lo <= 16)
            entries[lo..(hi + 1)].Sort();
        entries[..k].Sort();
    }

    private static TEntry MedianOfThree<TEntry>(TEntry a, TEntry b, TEntry c) where TEntry : IComparable<TEntry>
    {
        if (a.CompareTo(b) > 0) (a, b) = (b, a);
        if (b.CompareTo(c) > 0) b = c;
        return a.CompareTo(b) > 0 ? a : b;
    }
}
