using System.Numerics;
using Kiln.IR.Ops;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Attention;

/// <summary>
/// Tensor-level scaled dot-product attention: checks the call with the registry's rules, turns the mask
/// into an additive one, pins the operands and runs <see cref="FlashAttention{T, TKernel}"/>. float16 and bfloat16
/// are computed in float32 and rounded once.
/// </summary>
internal static unsafe class AttentionKernel
{
    private const string Op = "scaled_dot_product_attention";

    /// <summary>
    /// Keys per block: a 256-key panel of 16 float lanes (16 KB) stays in L1 between the two products, and the
    /// packed K and Vᵀ of one block (256 × E and Ev × 256) in L2.
    /// </summary>
    internal const int DefaultKeyBlock = 256;

    /// <summary>
    /// softmax(query·keyᵀ·scale + mask)·value, with dropout on the weights when <paramref name="dropoutP"/> &gt; 0
    /// (drawn from <paramref name="generator"/>, the default generator when null). <paramref name="keyBlock"/> and
    /// <paramref name="kernel"/> (the GEMM micro-kernel the products run on) are for tests.
    /// </summary>
    /// <exception cref="ArgumentException">The call is invalid (see <see cref="AttentionOps"/>).</exception>
    /// <exception cref="NotSupportedException">This CPU cannot run <paramref name="kernel"/>.</exception>
    internal static Tensor Run(Tensor query, Tensor key, Tensor value, Tensor? mask, double dropoutP, bool isCausal, double? scale,
        Generator? generator, int keyBlock = DefaultKeyBlock, MicroKernelChoice kernel = MicroKernelChoice.Best)
    {
        AttentionOps.CheckAttributes(dropoutP, isCausal, mask is not null);
        AttentionOps.CheckDTypes(query.DType, key.DType, value.DType, mask?.DType);
        long[] shape = AttentionOps.ResultShape(query.shape, key.shape, value.shape, mask?.shape);
        var dtype = query.DType;
        if (dtype is DType.Float16 or DType.BFloat16)
        {
            var wide = Run(query.To(DType.Float32), key.To(DType.Float32), value.To(DType.Float32),
                mask is { DType: not DType.Bool } ? mask.To(DType.Float32) : mask, dropoutP, isCausal, scale, generator, keyBlock, kernel);
            return wide.To(dtype);
        }
        var result = Tensor.Empty(dtype, shape);
        if (result.numel == 0) return result;
        var call = new Call(query, key, value, mask, result, dropoutP, isCausal, scale, generator ?? Random.DefaultGenerator, keyBlock, kernel);
        if (dtype == DType.Float64) call.Invoke<double>();
        else call.Invoke<float>();
        return result;
    }

    /// <summary>
    /// The additive form of a mask (0 to attend, -inf to mask out for a bool mask) holding only the mask's
    /// distinct elements, laid out key-major when it varies along the queries, so the kernel reads the mask
    /// values of neighbouring queries (its vector lanes) side by side.
    /// </summary>
    private static Tensor AdditiveMask<T>(Tensor mask, DType compute)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        while (mask.Dim < 2) mask = mask.Unsqueeze(0);
        // Dims the mask is broadcast along (stride 0) keep size 1, so an expanded mask is not materialised.
        long[] shape = [.. mask.shape.Select((size, d) => mask.strides[d] == 0 ? Math.Min(size, 1) : size)];
        var distinct = mask.AsStrided(shape, mask.strides, mask.offset);
        if (shape[^2] <= 1 && mask.DType == compute) return distinct;
        var keyMajor = shape[^2] > 1;
        long[] storedShape = keyMajor ? [.. shape[..^2], shape[^1], shape[^2]] : shape;
        var result = Tensor.Empty(compute, storedShape);
        var view = keyMajor ? result.Transpose(-1, -2) : result;
        if (mask.DType != DType.Bool)
        {
            CastKernel.Cast(distinct, view);
            return view;
        }
        var flags = distinct.To(compute);
        var values = flags.Span<T>();
        for (int i = 0; i < values.Length; i++)
            values[i] = values[i] != T.Zero ? T.Zero : T.NegativeInfinity;
        CopyKernel.Copy(flags, view);
        return view;
    }

    /// <summary>
    /// The micro-kernel to run on. For <see cref="MicroKernelChoice.Best"/>: the AVX-512 kernel's 32-query
    /// slivers once there are enough queries to fill them, else the AVX2 kernel's 16 (measured: equal from 64
    /// queries up, the wider ahead at 256, behind below 32); the portable kernel without FMA.
    /// </summary>
    private static MicroKernelChoice Choose<T>(MicroKernelChoice kernel, int queries) where T : unmanaged
    {
        if (kernel != MicroKernelChoice.Best)
        {
            return Gemm.Gemm.IsSupported<T>(kernel) ? kernel
                : throw new NotSupportedException($"{Op}: the {kernel} micro-kernel does not run {typeof(T).Name} attention on this CPU");
        }
        if (queries >= 64 && Gemm.Gemm.IsSupported<T>(MicroKernelChoice.Fma512)) return MicroKernelChoice.Fma512;
        return Gemm.Gemm.IsSupported<T>(MicroKernelChoice.Fma256) ? MicroKernelChoice.Fma256 : MicroKernelChoice.Portable;
    }

    /// <summary>The strides of <paramref name="t"/>'s batch dims (all but its last two) read as <paramref name="batch"/>: 0 where broadcast.</summary>
    private static long[] BatchStrides(Tensor t, long[] batch) =>
        CopyKernel.BroadcastStrides(t.AsStrided(t.shape[..^2], t.strides[..^2], t.offset), batch, Op);

    private readonly struct Call(Tensor query, Tensor key, Tensor value, Tensor? mask, Tensor result, double dropoutP, bool isCausal, double? scale, Generator generator, int keyBlock, MicroKernelChoice kernel)
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            long[] batch = result.shape[..^2];
            int l = checked((int)query.shape[^2]), s = checked((int)key.shape[^2]), e = checked((int)query.shape[^1]), ev = checked((int)value.shape[^1]);
            var additive = mask is null ? null : AdditiveMask<T>(mask, result.DType);
            long[] maskStrides = additive is null ? new long[batch.Length + 2] : CopyKernel.BroadcastStrides(additive, [.. batch, l, s], Op);
            long batchCount = Shapes.Numel(batch);
            // With no embedding the scores are 0 whatever the scale (PyTorch's default scale 1/sqrt(0) is infinite).
            double factor = e == 0 ? 0 : scale ?? 1 / Math.Sqrt(e);
            var stream = dropoutP > 0 ? generator.Reserve(batchCount * l * s) : default;
            fixed (byte* pq = query.storage.Bytes, pk = key.storage.Bytes, pv = value.storage.Bytes, po = result.storage.Bytes, pm = additive?.storage.Bytes)
            {
                var ops = new AttentionOperands<T>
                {
                    Batch = batch,
                    BatchStrides = [BatchStrides(query, batch), BatchStrides(key, batch), BatchStrides(value, batch), maskStrides[..^2]],
                    Query = (T*)pq + query.offset,
                    Key = (T*)pk + key.offset,
                    Value = (T*)pv + value.offset,
                    Mask = additive is null ? null : (T*)pm + additive.offset,
                    Output = (T*)po + result.offset,
                    QueryStrides = ((nint)query.strides[^2], (nint)query.strides[^1]),
                    KeyStrides = ((nint)key.strides[^2], (nint)key.strides[^1]),
                    ValueStrides = ((nint)value.strides[^2], (nint)value.strides[^1]),
                    MaskStrides = ((nint)maskStrides[^2], (nint)maskStrides[^1]),
                    L = l,
                    S = s,
                    E = e,
                    Ev = ev,
                    Scale = T.CreateTruncating(factor),
                    Causal = isCausal,
                    DropoutP = dropoutP,
                    Stream = stream,
                };
                switch (Choose<T>(kernel, l))
                {
                    case MicroKernelChoice.Fma512: FlashAttention<T, Fma512Kernel<T>>.Run(ops, keyBlock); break;
                    case MicroKernelChoice.Fma256: FlashAttention<T, Fma256Kernel<T>>.Run(ops, keyBlock); break;
                    default: FlashAttention<T, ScalarKernel<T>>.Run(ops, keyBlock); break;
                }
            }
        }
    }
}
