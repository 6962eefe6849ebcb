using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Kiln.Bench;

/// <summary>The TorchSharp (libtorch) side of each workload, written as idiomatic TorchSharp: every call
/// that creates tensors runs inside a <c>DisposeScope</c>, whose cost is part of the figure.</summary>
internal static class TorchSharpSides
{
    /// <summary>Sets libtorch's intra-op threads (and one inter-op thread, as the peers do).</summary>
    public static void UseThreads(int threads)
    {
        torch.set_num_threads(threads);
        torch.set_num_interop_threads(1);
    }

    /// <summary>The libtorch version TorchSharp runs on.</summary>
    public static string LibTorchVersion => torch.__version__;

    /// <summary>Proves the native library loaded and computes: a 2×3 by 3×2 product with known entries.</summary>
    /// <exception cref="InvalidOperationException">The product is wrong.</exception>
    public static void VerifyMatmul()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var b = torch.tensor(new float[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);
        float[] product = a.matmul(b).data<float>().ToArray();
        float[] expected = [58, 64, 139, 154];
        if (!product.SequenceEqual(expected))
            throw new InvalidOperationException($"TorchSharp matmul self-check: got [{string.Join(", ", product)}], expected [{string.Join(", ", expected)}]");
    }

    /// <summary>An n×n by n×n fp32 matrix product.</summary>
    public static Side Gemm(float[] a, float[] b, int n)
    {
        TorchTensor ta = torch.tensor(a, [n, n]), tb = torch.tensor(b, [n, n]);
        return Scoped(() => ta.matmul(tb));
    }

    /// <summary>relu(a*b + c) * sigmoid(a), eager: five kernels, four temporaries.</summary>
    public static Side ReluSigmoidChain(float[] a, float[] b, float[] c)
    {
        TorchTensor ta = torch.tensor(a), tb = torch.tensor(b), tc = torch.tensor(c);
        return Scoped(() => (ta * tb + tc).relu() * ta.sigmoid());
    }

    /// <summary><paramref name="ops"/> sequential out-of-place adds of 1-element tensors: x = x + b.</summary>
    public static Side AddChain(int ops)
    {
        TorchTensor start = torch.ones(1), b = torch.ones(1);
        return Scoped(() =>
        {
            TorchTensor x = start;
            for (int i = 0; i < ops; i++) x = x + b;
            return x;
        });
    }

    // Each call runs in its own DisposeScope, which frees the native tensors it created (the result included).
    private static Side Scoped(Func<TorchTensor> compute) => new(
        () =>
        {
            using var scope = torch.NewDisposeScope();
            compute();
        },
        () =>
        {
            using var scope = torch.NewDisposeScope();
            return compute().data<float>().ToArray();
        });
}
