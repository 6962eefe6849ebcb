using System.Numerics;
using Kiln.Kernels.Gemm;
using Kiln.NN;

namespace Kiln.Tests;

/// <summary>
/// Products with fewer columns than a sliver against B = Wᵀ of a row-major W, which <see cref="Gemm"/> runs as dot
/// products (<see cref="NarrowGemm"/>): against a double-precision product in float32 and float64, with and without
/// accumulation, padded rows of A and C, rows and columns around the 4×3 block, k around a vector, on one and two
/// threads (large enough to split); and a linear layer with 10 outputs against its own matmul.
/// </summary>
public class NarrowGemmTests
{
    /// <summary>(m, n, k): single rows and columns, edges of the block, k with and without a tail, a product large enough to split.</summary>
    public static TheoryData<int, int, int> Sizes => new()
    {
        { 2, 2, 8 }, { 3, 10, 9 }, { 4, 3, 16 }, { 5, 4, 13 }, { 64, 10, 512 }, { 9, 31, 100 }, { 7, 15, 8 }, { 2048, 20, 64 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float32_is_close_to_a_double_product(int m, int n, int k) => Check<float>(m, n, k, 1e-5);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float64_is_close_to_a_double_product(int m, int n, int k) => Check<double>(m, n, k, 1e-12);

    [Fact]
    public void A_linear_layer_with_ten_outputs_matches_its_matmul()
    {
        var layer = new Linear(512, 10);
        var x = Tensor.Randn(64, 512);
        using var _ = Autograd.NoGrad();
        var expected = x.Matmul(layer.Weight.Transpose(0, 1).Contiguous()).Add(layer.Bias!);
        var actual = layer.Forward(x);
        float[] e = expected.ToArray<float>(), a = actual.ToArray<float>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * (1 + Math.Abs(e[i])), $"element {i}: {a[i]} vs {e[i]}");
    }

    private static void Check<T>(int m, int n, int k, double tolerance) where T : unmanaged, INumberBase<T>
    {
        int lda = k + 5, ldc = n + 3;
        var a = TestThreads.Random<T>(m * lda, 1);
        var w = TestThreads.Random<T>(n * k, 2);
        var c = TestThreads.Random<T>(m * ldc, 3);
        foreach (bool accumulate in new[] { false, true })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var got = (T[])c.Clone();
                TestThreads.With(threads, () => Gemm.Run<T>(m, n, k, a, (lda, 1), w, (1, k), got, (ldc, 1), accumulate));
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < ldc; j++)
                    {
                        double actual = double.CreateChecked(got[i * ldc + j]);
                        if (j >= n)
                        {
                            Assert.Equal(double.CreateChecked(c[i * ldc + j]), actual);
                            continue;
                        }
                        double expected = accumulate ? double.CreateChecked(c[i * ldc + j]) : 0;
                        for (int p = 0; p < k; p++) expected += double.CreateChecked(a[i * lda + p]) * double.CreateChecked(w[j * k + p]);
                        Assert.True(Math.Abs(actual - expected) <= tolerance * (1 + k),
                            $"{typeof(T).Name} [{i}, {j}] of {m}x{n}x{k}, accumulate {accumulate}, {threads} thread(s): {actual} vs {expected}");
                    }
                }
            }
        }
    }
}
