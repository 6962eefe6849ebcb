using System.Numerics;
using System.Runtime.CompilerServices;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Loss;

/// <summary>
/// The loss at one element of an elementwise loss, from up to four broadcast operands: input, target and two
/// weights (or, for margin_ranking_loss, input1, input2 and target). An operand the loss does not have reads as 1.
/// </summary>
internal interface IElementwiseLoss
{
    T Apply<T>(T a, T b, T c, T d) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Runs an elementwise loss: its operands converted to the compute dtype and broadcast, one loss per element
/// written by <see cref="RowLoop"/> (both cores on large inputs), then reduced by the reduction engine (which
/// sums as PyTorch does), so the result matches PyTorch's materialise-then-reduce.
/// </summary>
internal static class ElementwiseLoss
{
    /// <summary>
    /// The loss <typeparamref name="TLoss"/> over <paramref name="operands"/> (2 to 4; nulls read as 1), broadcast
    /// to <paramref name="shape"/>, reduced as <paramref name="reduction"/> says, with result dtype <paramref name="result"/>.
    /// </summary>
    internal static Tensor Run<TLoss>(TLoss loss, Tensor?[] operands, long[] shape, LossReduction reduction, DType result, long batch = 1)
        where TLoss : struct, IElementwiseLoss
    {
        var compute = LossResults.ComputeDType(operands);
        var one = Tensor.Full([], 1.0, compute);
        var inputs = new Tensor[4];
        for (int k = 0; k < inputs.Length; k++)
            inputs[k] = k < operands.Length && operands[k] is { } t ? t.To(compute) : one;
        var unreduced = Tensor.Empty(compute, (long[])shape.Clone());
        var strides = new long[5][];
        strides[0] = unreduced.strides;
        for (int k = 0; k < inputs.Length; k++)
            strides[k + 1] = CopyKernel.BroadcastStrides(inputs[k], shape, "loss");
        if (compute == DType.Float64)
            RowLoop.Run(shape, strides, new Rows<double, TLoss>(unreduced, inputs, loss));
        else
            RowLoop.Run(shape, strides, new Rows<float, TLoss>(unreduced, inputs, loss));
        return LossResults.Reduce(unreduced, reduction, result, batch);
    }

    private readonly struct Rows<T, TLoss>(Tensor output, Tensor[] inputs, TLoss loss) : IRowKernel
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoss : struct, IElementwiseLoss
    {
        public void Row(ReadOnlySpan<long> offsets, ReadOnlySpan<long> strides, long n)
        {
            ref T o = ref output.Ref<T>(offsets[0]);
            ref T a = ref inputs[0].Ref<T>(offsets[1]);
            ref T b = ref inputs[1].Ref<T>(offsets[2]);
            ref T c = ref inputs[2].Ref<T>(offsets[3]);
            ref T d = ref inputs[3].Ref<T>(offsets[4]);
            long so = strides[0], sa = strides[1], sb = strides[2], sc = strides[3], sd = strides[4];
            var op = loss;
            for (long i = 0; i < n; i++)
            {
                Unsafe.Add(ref o, (nint)(i * so)) = op.Apply(
                    Unsafe.Add(ref a, (nint)(i * sa)), Unsafe.Add(ref b, (nint)(i * sb)),
                    Unsafe.Add(ref c, (nint)(i * sc)), Unsafe.Add(ref d, (nint)(i * sd)));
            }
        }
    }
}
