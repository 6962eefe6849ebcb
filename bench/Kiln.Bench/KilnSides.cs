namespace Kiln.Bench;

/// <summary>The Kiln side of each workload, written as a Kiln user would write it.</summary>
internal static class KilnSides
{
    /// <summary>Sets Kiln's kernel threads.</summary>
    public static void UseThreads(int threads) => Threading.NumThreads = threads;

    /// <summary>An n×n by n×n fp32 matrix product.</summary>
    public static Side Gemm(float[] a, float[] b, int n)
    {
        Tensor ta = Tensor.FromArray(a, n, n), tb = Tensor.FromArray(b, n, n);
        return Of(() => ta.Matmul(tb));
    }

    /// <summary>relu(a*b + c) * sigmoid(a), eager.</summary>
    public static Side ReluSigmoidChain(float[] a, float[] b, float[] c)
    {
        Tensor ta = Tensor.FromArray(a, a.Length), tb = Tensor.FromArray(b, b.Length), tc = Tensor.FromArray(c, c.Length);
        return Of(() => (ta * tb + tc).Relu() * ta.Sigmoid());
    }

    /// <summary><paramref name="ops"/> sequential out-of-place adds of 1-element tensors: x = x + b.</summary>
    public static Side AddChain(int ops)
    {
        Tensor start = Tensor.FromArray([1f], 1), b = Tensor.FromArray([1f], 1);
        return Of(() =>
        {
            Tensor x = start;
            for (int i = 0; i < ops; i++) x = x + b;
            return x;
        });
    }

    private static Side Of(Func<Tensor> compute) => new(() => compute(), () => compute().ToArray<float>());
}
