using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Reductions;

/// <summary>
/// softmax (exp(x - max) / sum) or log_softmax (x - max - log(sum)) of one line, with the max subtracted
/// so nothing overflows: one pass finds the max, one sums the exponentials (writing them, for softmax),
/// one scales. Contiguous lines run on TensorPrimitives.
/// </summary>
internal readonly struct SoftmaxLine<T>(Tensor x, Tensor y, bool log) : ILineKernel
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Line(long inOffset, long inStride, long outOffset, long outStride, long n)
    {
        ref T src = ref x.Ref<T>(inOffset);
        ref T dst = ref y.Ref<T>(outOffset);
        if (inStride == 1 && outStride == 1)
        {
            Contiguous(MemoryMarshal.CreateReadOnlySpan(ref src, (int)n), MemoryMarshal.CreateSpan(ref dst, (int)n));
            return;
        }
        T max = src;
        for (long i = 1; i < n && !T.IsNaN(max); i++)
        {
            T v = Unsafe.Add(ref src, (nint)(i * inStride));
            if (T.IsNaN(v) || v > max) max = v;
        }
        T sum = T.Zero;
        for (long i = 0; i < n; i++)
        {
            T e = T.Exp(Unsafe.Add(ref src, (nint)(i * inStride)) - max);
            if (!log) Unsafe.Add(ref dst, (nint)(i * outStride)) = e;
            sum += e;
        }
        if (log)
        {
            T logSum = T.Log(sum);
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * outStride)) = Unsafe.Add(ref src, (nint)(i * inStride)) - max - logSum;
        }
        else
        {
            T scale = T.One / sum;
            for (long i = 0; i < n; i++)
                Unsafe.Add(ref dst, (nint)(i * outStride)) *= scale;
        }
    }

    private void Contiguous(ReadOnlySpan<T> xs, Span<T> ys)
    {
        T max = TensorPrimitives.Max(xs);
        TensorPrimitives.Subtract(xs, max, ys);
        TensorPrimitives.Exp(ys, ys);
        T sum = TensorPrimitives.Sum<T>(ys);
        if (log)
        {
            TensorPrimitives.Subtract(xs, max, ys);
            TensorPrimitives.Subtract(ys, T.Log(sum), ys);
        }
        else
        {
            TensorPrimitives.Multiply(ys, T.One / sum, ys);
        }
    }
}

/// <summary>
/// Running sums or products of one line, accumulated in <typeparamref name="TAcc"/> (double for floats,
/// int64 for integers, as PyTorch's CPU kernels do) and stored as <typeparamref name="TOut"/>.
/// </summary>
internal readonly struct ScanLine<T, TAcc, TOut>(Tensor x, Tensor y, bool product) : ILineKernel
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, INumberBase<TAcc> where TOut : unmanaged, INumberBase<TOut>
{
    public void Line(long inOffset, long inStride, long outOffset, long outStride, long n)
    {
        ref T src = ref x.Ref<T>(inOffset);
        ref TOut dst = ref y.Ref<TOut>(outOffset);
        TAcc acc = product ? TAcc.One : TAcc.Zero;
        for (long i = 0; i < n; i++)
        {
            TAcc v = TAcc.CreateTruncating(Unsafe.Add(ref src, (nint)(i * inStride)));
            acc = product ? acc * v : acc + v;
            Unsafe.Add(ref dst, (nint)(i * outStride)) = TOut.CreateTruncating(acc);
        }
    }
}
