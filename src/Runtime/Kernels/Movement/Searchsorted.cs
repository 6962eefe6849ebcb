using System.Numerics;
using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Movement;

/// <summary>
/// searchsorted: a binary search of each value in its sorted sequence, in the operands' promoted dtype (float16
/// and bfloat16 widened exactly to float32). The comparisons are PyTorch's (<c>!(mid ≥ v)</c> moves right, or
/// <c>!(mid &gt; v)</c> for <c>right</c>), so NaN values land at the end and even unsorted sequences give torch's answer.
/// </summary>
internal static class Searchsorted
{
    /// <summary>The insertion index of every value of <paramref name="values"/>, int64 or (<paramref name="outInt32"/>) int32.</summary>
    internal static Tensor Run(Tensor sequence, Tensor values, bool right, bool outInt32)
    {
        var common = MovementOps.CheckSearchsorted(new TensorType(sequence.DType, sequence.shape), new TensorType(values.DType, values.shape));
        var compute = common is DType.Float16 or DType.BFloat16 ? DType.Float32 : common;
        var result = Tensor.Empty(outInt32 ? DType.Int32 : DType.Int64, values.Shape);
        if (result.numel == 0) return result;
        var action = new Action(sequence.To(compute).Contiguous(), values.To(compute).Contiguous(), result, right);
        TypeDispatch.Number(compute, action);
        return result;
    }

    private readonly struct Action(Tensor sequence, Tensor values, Tensor result, bool right) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T>
        {
            long length = sequence.shape[^1];
            long perRow = values.Dim == 0 ? 1 : values.shape[^1];
            bool shared = sequence.Dim == 1;
            var (seq, vals, res, r) = (sequence, values, result, right);
            CpuParallel.For(values.numel, Math.Max(1, CpuParallel.ElementwiseGrain / 16), (start, end) =>
            {
                var all = seq.Span<T>();
                var v = vals.Span<T>();
                for (long i = start; i < end; i++)
                {
                    var row = all.Slice((int)(shared ? 0 : i / perRow * length), (int)length);
                    long index = r ? UpperBound(row, v[(int)i]) : LowerBound(row, v[(int)i]);
                    if (res.DType == DType.Int32) res.Ref<int>(i) = (int)index;
                    else res.Ref<long>(i) = index;
                }
            });
        }

        private static long LowerBound<T>(ReadOnlySpan<T> row, T value) where T : INumber<T>
        {
            int start = 0, end = row.Length;
            while (start < end)
            {
                int mid = start + ((end - start) >> 1);
                if (!(row[mid] >= value)) start = mid + 1;
                else end = mid;
            }
            return start;
        }

        private static long UpperBound<T>(ReadOnlySpan<T> row, T value) where T : INumber<T>
        {
            int start = 0, end = row.Length;
            while (start < end)
            {
                int mid = start + ((end - start) >> 1);
                if (!(row[mid] > value)) start = mid + 1;
                else end = mid;
            }
            return start;
        }
    }
}
