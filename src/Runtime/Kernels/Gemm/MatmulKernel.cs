using System.Numerics;

namespace Kiln.Kernels.Gemm;

/// <summary>
/// Tensor-level matrix products on top of <see cref="Gemm"/>: PyTorch's handling of 1-d operands,
/// broadcast batch dims, and the dtype dispatch (float16 and bfloat16 are multiplied in float32).
/// Operands are passed to the GEMM with their own strides, so transposed views are never copied.
/// </summary>
internal static unsafe class MatmulKernel
{
    /// <summary>
    /// result = (accumulate ? result : 0) + matmul(a, b), where <paramref name="result"/> is contiguous,
    /// has the shape of <c>matmul(a, b)</c> and the operands' common dtype (all checked by the caller).
    /// <paramref name="weightB"/>: b is a 2-d weight that later calls multiply by again, so its packed form is kept
    /// with its storage (<see cref="PackedWeightCache"/>); only for tensors whose every write bumps the storage version.
    /// <paramref name="bias"/> (not with <paramref name="accumulate"/>), broadcast to the result's shape, is what the result
    /// starts from instead of 0: a linear layer's bias, which the packed product sets tile by tile as it goes.
    /// </summary>
    internal static void MatmulInto(Tensor a, Tensor b, Tensor result, bool accumulate, bool weightB = false, Tensor? bias = null)
    {
        if (!result.IsContiguous)
            throw new InvalidOperationException($"matmul: the result tensor must be contiguous (shape {Shapes.Format(result.shape)}, strides {Shapes.Format(result.strides)})");
        var a2 = a.Dim == 1 ? a.UnsqueezeUntracked(0) : a;
        var b2 = b.Dim == 1 ? b.UnsqueezeUntracked(1) : b;
        int batchRank = result.Dim - (a.Dim >= 2 ? 1 : 0) - (b.Dim >= 2 ? 1 : 0);
        long[] full = [.. result.shape.AsSpan(0, batchRank), a2.shape[^2], b2.shape[^1]];
        // Only a contiguous [N] bias of a float32 or float64 product can start its tiles; any other is copied in whole first.
        bool rowBias = bias is { Dim: 1, IsContiguous: true } && bias.shape[0] == full[^1] && result.DType is DType.Float32 or DType.Float64;
        if (!rowBias) StartFromBias(bias, result, ref accumulate);
        Multiply(a2, b2, result.AsStrided(full, Shapes.ContiguousStrides(full), result.offset), accumulate, weightB && b.Dim == 2, rowBias ? bias : null);
    }

    /// <summary>
    /// c = (accumulate ? c : rowBias ?? 0) + a·b for a [..., M, K], b [..., K, N] and a contiguous c [batch..., M, N] their
    /// batch dims broadcast to; a rowBias is a contiguous [N] of c's dtype, float32 or float64.
    /// </summary>
    private static void Multiply(Tensor a, Tensor b, Tensor c, bool accumulate, bool weightB, Tensor? rowBias)
    {
        if (c.numel == 0) return;
        switch (c.DType)
        {
            case DType.Float32: Typed<float>(a, b, c, accumulate, weightB, rowBias); break;
            case DType.Float64: Typed<double>(a, b, c, accumulate, weightB, rowBias); break;
            case DType.Float16:
            case DType.BFloat16: ViaFloat32(a, b, c, accumulate); break;
            case DType.Int64: Typed<long>(a, b, c, accumulate); break;
            case DType.Int32: Typed<int>(a, b, c, accumulate); break;
            case DType.Int16: Typed<short>(a, b, c, accumulate); break;
            case DType.Int8: Typed<sbyte>(a, b, c, accumulate); break;
            case DType.UInt8: Typed<byte>(a, b, c, accumulate); break;
            default: throw new ArgumentException($"matmul: not implemented for {c.DType.Name()} tensors");
        }
    }

    /// <summary>Low-precision floats: multiplied and accumulated in float32, rounded once at the end.</summary>
    private static void ViaFloat32(Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        var c32 = accumulate ? c.ToUntracked(DType.Float32) : Tensor.Empty(DType.Float32, (long[])c.shape.Clone());
        Typed<float>(a.ToUntracked(DType.Float32), b.ToUntracked(DType.Float32), c32, accumulate);
        CastKernel.Cast(c32, c);
    }

    private static void Typed<T>(Tensor a, Tensor b, Tensor c, bool accumulate, bool weightB = false, Tensor? rowBias = null)
        where T : unmanaged, INumberBase<T>
    {
        int batchRank = c.Dim - 2;
        long[] batch = c.shape[..batchRank];
        int m = checked((int)c.shape[^2]), n = checked((int)c.shape[^1]), k = checked((int)a.shape[^1]);
        long[] batchA = BatchStrides(a, batch), batchB = BatchStrides(b, batch), batchC = c.strides[..batchRank];
        fixed (byte* pa = a.storage.Bytes, pb = b.storage.Bytes, pc = c.storage.Bytes)
        {
            var ma = new MatrixRef<T>((T*)pa + a.offset, (nint)a.strides[^2], (nint)a.strides[^1]);
            var mb = new MatrixRef<T>((T*)pb + b.offset, (nint)b.strides[^2], (nint)b.strides[^1]);
            var mc = new MatrixRef<T>((T*)pc + c.offset, (nint)c.strides[^2], 1);
            long count = Shapes.Numel(batch);
            if (count == 1 || TryFoldBatchIntoRows(batch, m, batchA, batchB, batchC, ref ma, ref mc))
            {
                int rows = checked((int)(count * m));
                var packed = weightB && Gemm.WouldPackB(rows, n, k, ma, mb) ? PackedWeightCache.Get(b.storage, b.offset, k, n, (mb.RowStride, mb.ColStride), mb.Data) : null;
                if (packed is not null && rowBias is not null)
                {
                    fixed (byte* pbias = rowBias.storage.Bytes)
                        Gemm.RunPackedPinned(rows, ma, packed, mc, accumulate: false, parallel: true, (T*)pbias + rowBias.offset);
                    return;
                }
                StartFromBias(rowBias, c, ref accumulate);
                if (packed is not null)
                    Gemm.RunPackedPinned(rows, ma, packed, mc, accumulate, parallel: true);
                else
                    Gemm.Run(rows, n, k, ma, mb, mc, accumulate, parallel: true);
                return;
            }
            StartFromBias(rowBias, c, ref accumulate);
            long work = Math.Max((long)m * n * k, 1);
            if (work >= Gemm.ParallelThreshold)
            {
                // Each product is big enough to split on its own.
                for (long i = 0; i < count; i++)
                    RunOne(i, parallel: true);
                return;
            }
            CpuParallel.For(count, Math.Max(1, Gemm.ParallelThreshold / work), (start, end) =>
            {
                for (long i = start; i < end; i++)
                    RunOne(i, parallel: false);
            });

            void RunOne(long index, bool parallel) => Gemm.Run(m, n, k,
                ma.Shift(BatchOffset(index, batch, batchA)),
                mb.Shift(BatchOffset(index, batch, batchB)),
                mc.Shift(BatchOffset(index, batch, batchC)),
                accumulate, parallel);
        }
    }

    /// <summary>Copies <paramref name="bias"/> (if any), broadcast, into <paramref name="c"/>, for the products that do not start from it themselves.</summary>
    private static void StartFromBias(Tensor? bias, Tensor c, ref bool accumulate)
    {
        if (bias is null) return;
        CopyKernel.Copy(bias, c);
        accumulate = true;
    }

    /// <summary>
    /// When every batch shares one B (its batch strides are all 0) and A's batch and row dims walk like
    /// one dim (as C's always do), the batched product is a single taller product: [B·M, K]·[K, N].
    /// </summary>
    private static bool TryFoldBatchIntoRows<T>(long[] batch, int m, long[] batchA, long[] batchB, long[] batchC, ref MatrixRef<T> a, ref MatrixRef<T> c)
        where T : unmanaged
    {
        for (int d = 0; d < batch.Length; d++)
        {
            if (batch[d] != 1 && batchB[d] != 0) return false;
        }
        long[] rows = [.. batch, m];
        var (shape, strides) = RowLoop.Coalesce(rows, [[.. batchA, a.RowStride], [.. batchC, c.RowStride]]);
        if (shape.Length != 1) return false;
        a = new MatrixRef<T>(a.Data, (nint)strides[0][0], a.ColStride);
        c = new MatrixRef<T>(c.Data, (nint)strides[1][0], c.ColStride);
        return true;
    }

    /// <summary>The strides of <paramref name="t"/>'s batch dims (all but its last two) broadcast to <paramref name="batch"/>: 0 where it is broadcast.</summary>
    private static long[] BatchStrides(Tensor t, long[] batch)
    {
        var result = new long[batch.Length];
        int own = t.Dim - 2, shift = batch.Length - own;
        for (int d = 0; d < own; d++)
            result[d + shift] = t.shape[d] == 1 ? 0 : t.strides[d];
        return result;
    }

    /// <summary>The element offset of batch entry <paramref name="index"/> (row-major over <paramref name="batch"/>).</summary>
    private static long BatchOffset(long index, long[] batch, long[] strides)
    {
        long offset = 0;
        for (int d = batch.Length - 1; d >= 0; d--)
        {
            offset += index % batch[d] * strides[d];
            index /= batch[d];
        }
        return offset;
    }
}
