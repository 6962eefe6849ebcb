using System.Numerics;
using System.Numerics.Tensors;
using Kiln.Kernels.Elementwise;

namespace Kiln.NN;

/// <summary>Which recurrence a <see cref="RecurrentBase"/> runs, for the gradient-free fast path.</summary>
internal enum RecurrentCellKind
{
    /// <summary>Elman RNN with tanh.</summary>
    RnnTanh,
    /// <summary>Elman RNN with ReLU.</summary>
    RnnRelu,
    /// <summary>LSTM, gates i, f, g, o (float32 and float64 run the <c>lstm_layer</c> op instead of this path).</summary>
    Lstm,
    /// <summary>GRU, gates r, z, n.</summary>
    Gru,
}

/// <summary>
/// One direction of one RNN or GRU layer when no gradient is recorded: the same arithmetic as the recorded path
/// (input projection for all steps, per step <c>b_hh + h·W_hhᵀ</c>, then the cell), but with W_hhᵀ packed for the
/// GEMM micro-kernel once per call rather than at every step, the hidden product written into one reused buffer,
/// and a fused cell writing h straight into the output row of its step (no per-step tensors, views or Stack).
/// </summary>
internal static class RecurrentFastPath
{
    /// <summary>Whether the fast path can run: float32/float64, nothing needs a gradient, and no tracer records the ops.</summary>
    internal static bool Applies(Tensor x, Tensor[] weights, Tensor[] state)
    {
        if (x.DType is not (DType.Float32 or DType.Float64) || Scripting.Tracer.IsRecording) return false;
        if (!Autograd.IsGradEnabled) return true;
        return !x.RequiresGrad && !weights.Any(w => w.RequiresGrad) && !state.Any(s => s.RequiresGrad);
    }

    /// <summary>Runs x [L, N, I] (L &gt; 0) through one direction; returns the output [L, N, H] and the final states.</summary>
    internal static (Tensor Output, Tensor[] Last) Run(RecurrentCellKind kind, long hiddenSize, Tensor x, Tensor wIh, Tensor wHh,
        Tensor? bIh, Tensor? bHh, Tensor[] state, bool reverse) =>
        x.DType == DType.Float32
            ? Run<float>(kind, hiddenSize, x, wIh, wHh, bIh, bHh, state, reverse)
            : Run<double>(kind, hiddenSize, x, wIh, wHh, bIh, bHh, state, reverse);

    private static (Tensor Output, Tensor[] Last) Run<T>(RecurrentCellKind kind, long hiddenSize, Tensor x, Tensor wIh, Tensor wHh,
        Tensor? bIh, Tensor? bHh, Tensor[] state, bool reverse)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long steps = x.shape[0], batch = x.shape[1];
        int h = (int)hiddenSize, gh = (int)wHh.shape[0], n = (int)batch;
        var projected = Functional.Linear(x, wIh, bIh).Contiguous();
        // W_hhᵀ [h, gh] read through W_hh's strides: element [p, j] is W_hh[j, p].
        var wT = Kernels.Gemm.PackedMatrixB<T>.Pack(h, gh, wHh.Contiguous().Span<T>(), (1, h));
        var bias = bHh?.Contiguous();
        var output = Tensor.Empty(x.DType, [steps, batch, hiddenSize]);
        var h0 = state[0].Contiguous();
        var hidden = new T[n * gh];
        var scratch = new T[2 * gh];
        long previous = -1;
        for (long i = 0; i < steps; i++)
        {
            long t = reverse ? steps - 1 - i : i;
            ReadOnlySpan<T> hPrev = previous < 0 ? h0.Span<T>() : output.Span<T>(previous * n * h, (long)n * h);
            // The recorded path's Linear: the bias first, then the product accumulated onto it.
            if (bias is not null)
                for (int r = 0; r < n; r++) bias.Span<T>().CopyTo(hidden.AsSpan(r * gh, gh));
            Kernels.Gemm.Gemm.RunPacked<T>(n, hPrev, (h, 1), wT, hidden, (gh, 1), accumulate: bias is not null);
            var p = projected.Span<T>(t * n * gh, (long)n * gh);
            var hOut = output.Span<T>(t * n * h, (long)n * h);
            for (int r = 0; r < n; r++)
            {
                var pr = p.Slice(r * gh, gh);
                var qr = hidden.AsSpan(r * gh, gh);
                var hr = hOut.Slice(r * h, h);
                var prev = hPrev.Slice(r * h, h);
                if (kind == RecurrentCellKind.Gru) GruRow(pr, qr, prev, hr, scratch, h);
                else RnnRow(pr, qr, hr, kind == RecurrentCellKind.RnnRelu);
            }
            previous = t;
        }
        var last = output.Select(0, previous);
        return (output, [last]);
    }

    /// <summary><c>h' = act(p + q)</c>.</summary>
    private static void RnnRow<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> q, Span<T> hOut, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Add(p, q, hOut);
        if (relu) default(ReluOp).ApplySpan<T>(hOut, hOut);
        else default(TanhOp).ApplySpan<T>(hOut, hOut);
    }

    /// <summary>
    /// r = σ(p_r + q_r), z = σ(p_z + q_z), n = tanh(p_n + r·q_n) (q already holds b_hh), <c>h' = n + z·(h - n)</c>.
    /// </summary>
    private static void GruRow<T>(ReadOnlySpan<T> p, Span<T> q, ReadOnlySpan<T> hPrev, Span<T> hOut, T[] scratch, int h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rz = q[..(2 * h)];
        TensorPrimitives.Add(p[..(2 * h)], rz, rz);
        default(SigmoidOp).ApplySpan<T>(rz, rz);
        var nGate = scratch.AsSpan(0, h);
        TensorPrimitives.Multiply(q[..h], q.Slice(2 * h, h), nGate);
        TensorPrimitives.Add(p.Slice(2 * h, h), nGate, nGate);
        default(TanhOp).ApplySpan<T>(nGate, nGate);
        var diff = scratch.AsSpan(h, h);
        TensorPrimitives.Subtract(hPrev, nGate, diff);
        TensorPrimitives.Multiply(q.Slice(h, h), diff, diff);
        TensorPrimitives.Add(nGate, diff, hOut);
    }
}
