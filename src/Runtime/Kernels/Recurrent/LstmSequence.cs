using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Recurrent;

/// <summary>Which registers an LSTM's steps run in.</summary>
internal enum LstmLanes
{
    /// <summary>One lane at a time with the exact activations (float64, and float32 without FMA).</summary>
    Scalar,

    /// <summary>8 float lanes in ymm registers, tiles of up to 3 units.</summary>
    Ymm,

    /// <summary>16 float lanes in zmm registers, tiles of up to 6 units.</summary>
    Zmm,
}

/// <summary>
/// One call of the LSTM layer: the sequence's x and the states h and c held transposed (element-major, the batch along
/// lanes padded to whole registers, zero-filled), the steps run tile by tile (<see cref="LstmGateTile"/>). Step s reads
/// the h that step s − 1 wrote to its own buffer, so the parts of a step (units split between threads) only meet once per
/// step; the output is written from those buffers after the last step, all steps in parallel, off the steps' path.
/// </summary>
internal sealed unsafe class LstmSequence<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int steps, batch, hidden, inputs, lanes;
    private readonly nint ld;
    private readonly bool reverse;
    private readonly LstmLanes kind;
    private readonly T* xT, hT, cT;
    private readonly T* wHh, wIh, bias;

    /// <summary>
    /// Lays out x (contiguous [steps, batch, inputs]) and the states h0 and c0 (contiguous [batch, hidden]) for the steps;
    /// the weights and bias are <see cref="LstmWeightLayout"/>'s pinned arrays.
    /// </summary>
    internal LstmSequence(LstmLanes kind, int steps, int batch, int hidden, int inputs, bool reverse,
        ReadOnlySpan<T> x, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0, T[] wHh, T[] wIh, T[] bias)
    {
        (this.kind, this.steps, this.batch, this.hidden, this.inputs, this.reverse) = (kind, steps, batch, hidden, inputs, reverse);
        lanes = kind switch { LstmLanes.Zmm => Vector512<float>.Count, LstmLanes.Ymm => Vector256<float>.Count, _ => 1 };
        ld = (batch + lanes - 1) / lanes * lanes;
        nint total = ((nint)steps * inputs + (steps + 2) * (nint)hidden) * ld;
        // The calling thread's scratch, kept between calls: a fresh block this size would be mapped, and its pages
        // faulted in, on every call.
        PackBuffer.Get<T>(total, 0, out xT, out _);
        hT = xT + (nint)steps * inputs * ld;
        cT = hT + (steps + 1) * (nint)hidden * ld;
        this.wHh = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(wHh));
        this.wIh = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(wIh));
        this.bias = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bias));
        Transpose(h0, hidden, hT);
        Transpose(c0, hidden, cT);
        int elementsPerStep = batch * inputs;
        if (elementsPerStep == 0) return;
        fixed (T* xs = x)
        {
            T* source = xs;
            CpuParallel.For(steps, Math.Max(1, CpuParallel.ElementwiseGrain / elementsPerStep), (t0, t1) =>
            {
                for (long t = t0; t < t1; t++)
                    Transpose(new ReadOnlySpan<T>(source + t * elementsPerStep, elementsPerStep), inputs, xT + t * inputs * ld);
            });
        }
    }

    /// <summary>After the last step: every step's h into <paramref name="output"/> ([steps, batch, hidden]) and the cell state into <paramref name="cell"/> ([batch, hidden]).</summary>
    internal void WriteResults(Span<T> output, Span<T> cell)
    {
        nint stepSize = (nint)batch * hidden;
        fixed (T* result = output)
        {
            T* target = result;
            CpuParallel.For(steps, Math.Max(1, CpuParallel.ElementwiseGrain / Math.Max(1, stepSize)), (s0, s1) =>
            {
                for (long s = s0; s < s1; s++)
                    Untranspose(hT + (s + 1) * hidden * ld, target + (reverse ? steps - 1 - s : s) * stepSize);
            });
        }
        fixed (T* c = cell) Untranspose(cT, c);
    }

    /// <summary>Step <paramref name="step"/> (in the order the layer runs them) for the units in <paramref name="tiles"/>.</summary>
    internal void Step(int step, List<(int Unit, int Count)> tiles)
    {
        int t = reverse ? steps - 1 - step : step;
        T* hPrev = hT + (nint)step * hidden * ld, hNext = hPrev + (nint)hidden * ld, x = xT + (nint)t * inputs * ld;
        float* scratch = stackalloc float[LstmGateTile.BlockRows * Vector512<float>.Count];
        foreach (var (unit, count) in tiles)
        {
            T* wh = wHh + LstmWeightLayout.Offset(unit, hidden), wi = wIh + LstmWeightLayout.Offset(unit, inputs), b = bias + LstmWeightLayout.Offset(unit, 1);
            for (nint lane = 0; lane < ld; lane += lanes)
            {
                T* c = cT + unit * ld + lane, h = hNext + unit * ld + lane;
                if (kind == LstmLanes.Scalar) Scalar(count, wh, hPrev + lane, wi, x + lane, b, c, h);
                else Vector(count, (float*)wh, (float*)(hPrev + lane), (float*)wi, (float*)(x + lane), (float*)b, (float*)c, (float*)h, scratch);
            }
        }
    }

    private void Vector(int count, float* wh, float* h, float* wi, float* x, float* b, float* c, float* hOut, float* scratch)
    {
        if (kind == LstmLanes.Zmm)
            Tile<Lanes512, Vector512<float>>(count, wh, h, wi, x, b, c, hOut, scratch);
        else
            Tile<Lanes256, Vector256<float>>(count, wh, h, wi, x, b, c, hOut, scratch);
    }

    private void Tile<TLanes, TVec>(int count, float* wh, float* h, float* wi, float* x, float* b, float* c, float* hOut, float* scratch)
        where TLanes : struct, IFloatLanes<TVec>
        where TVec : struct
    {
        switch (count)
        {
            case 6: LstmGateTile.Run<TLanes, TVec, SixRows>(wh, h, hidden, wi, x, inputs, ld, b, c, hOut, scratch); break;
            case 3: LstmGateTile.Run<TLanes, TVec, ThreeRows>(wh, h, hidden, wi, x, inputs, ld, b, c, hOut, scratch); break;
            case 2: LstmGateTile.Run<TLanes, TVec, TwoRows>(wh, h, hidden, wi, x, inputs, ld, b, c, hOut, scratch); break;
            default: LstmGateTile.Run<TLanes, TVec, OneRow>(wh, h, hidden, wi, x, inputs, ld, b, c, hOut, scratch); break;
        }
    }

    /// <summary>The tile one lane at a time, in the same order of roundings for the sums as the vector tiles.</summary>
    private void Scalar(int count, T* wh, T* h, T* wi, T* x, T* b, T* c, T* hOut)
    {
        Span<T> gates = stackalloc T[4];
        for (int j = 0; j < count; j++)
        {
            for (int gate = 0; gate < 4; gate++)
            {
                T sum = b[4 * j + gate];
                for (int k = 0; k < hidden; k++) sum = T.FusedMultiplyAdd(wh[k * LstmGateTile.BlockRows + 4 * j + gate], h[k * ld], sum);
                for (int k = 0; k < inputs; k++) sum = T.FusedMultiplyAdd(wi[k * LstmGateTile.BlockRows + 4 * j + gate], x[k * ld], sum);
                gates[gate] = sum;
            }
            hOut[j * ld] = LstmCell.Scalar(gates[0], gates[1], gates[2], gates[3], ref c[j * ld]);
        }
    }

    /// <summary>
    /// A [batch, columns] matrix into element-major rows of <see cref="ld"/> lanes at <paramref name="target"/>, the lanes
    /// past the batch zeroed (they are computed on too, and stale scratch there could hold denormals, which are slow).
    /// </summary>
    private void Transpose(ReadOnlySpan<T> source, int columns, T* target)
    {
        fixed (T* rows = source) GemmPacking.TransposeRows(rows, columns, batch, columns, ld, target);
        for (int k = 0; k < columns && batch < ld; k++) new Span<T>(target + k * ld + batch, (int)ld - batch).Clear();
    }

    /// <summary>Element-major rows of <see cref="ld"/> lanes (<see cref="hidden"/> of them) back into a [batch, hidden] matrix.</summary>
    private void Untranspose(T* source, T* target) => GemmPacking.TransposeRows(source, ld, hidden, batch, hidden, target);
}
