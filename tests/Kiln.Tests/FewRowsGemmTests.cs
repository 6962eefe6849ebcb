using System.Numerics;
using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Gemm;

namespace Kiln.Tests;

/// <summary>
/// Products of a few rows against a row-major B, which <see cref="Gemm"/> runs with B read in place
/// (<see cref="FewRowsGemm"/>): the same bits as the blocked AVX-512 product that packs B, where k fits one of its
/// slices, and close to a double-precision product everywhere.
/// </summary>
public class FewRowsGemmTests
{
    /// <summary>Rows around the 12-row tile and the limit, columns with and without a partial sliver, k within and past one slice.</summary>
    public static TheoryData<int, int, int> Sizes => new()
    {
        { 2, 32, 1 }, { 5, 40, 7 }, { 12, 64, 64 }, { 13, 47, 128 }, { 16, 512, 128 }, { 16, 512, 64 },
        { 17, 96, 384 }, { 31, 33, 500 }, { 48, 512, 128 }, { 49, 64, 16 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float32_matches_the_packed_product_bitwise(int m, int n, int k) => CheckBitwise<float>(m, n, k);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float64_matches_the_packed_product_bitwise(int m, int n, int k) => CheckBitwise<double>(m, n, k);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float32_is_close_to_a_double_product_with_strided_operands(int m, int n, int k)
    {
        // A transposed (column-major) and C with padded rows: only B's rows need be contiguous.
        int ldc = n + 3;
        var a = TestThreads.Random<float>(m * k, 1);
        var b = TestThreads.Random<float>(k * n, 2);
        var c = TestThreads.Random<float>(m * ldc, 3);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = c[i * ldc + j];
                for (int p = 0; p < k; p++) sum += (double)a[p * m + i] * b[p * n + j];
                expected[i * n + j] = sum;
            }
        foreach (int threads in new[] { 1, 2 })
        {
            var got = (float[])c.Clone();
            TestThreads.With(threads, () => Gemm.Run<float>(m, n, k, a, (1, m), b, (n, 1), got, (ldc, 1), accumulate: true));
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    Assert.True(Math.Abs(got[i * ldc + j] - expected[i * n + j]) <= 1e-5 * (1 + Math.Abs(expected[i * n + j]) + k),
                        $"[{i}, {j}] of {m}x{n}x{k} on {threads} thread(s): {got[i * ldc + j]} vs {expected[i * n + j]}");
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc; j++)
                    Assert.Equal(c[i * ldc + j], got[i * ldc + j]);
        }
    }

    /// <summary>The in-place product (the default path) against the blocked one forced onto the same AVX-512 kernel.</summary>
    private static void CheckBitwise<T>(int m, int n, int k) where T : unmanaged, INumberBase<T>
    {
        if (!Avx512F.IsSupported) return;
        var a = TestThreads.Random<T>(m * k, 4);
        var b = TestThreads.Random<T>(k * n, 5);
        var c = TestThreads.Random<T>(m * n, 6);
        foreach (bool accumulate in new[] { false, true })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                T[] inPlace = (T[])c.Clone(), packed = (T[])c.Clone();
                TestThreads.With(threads, () =>
                {
                    Gemm.Run<T>(m, n, k, a, (k, 1), b, (n, 1), inPlace, (n, 1), accumulate);
                    Gemm.Run<T>(m, n, k, a, (k, 1), b, (n, 1), packed, (n, 1), accumulate, parallel: true, MicroKernelChoice.Fma512);
                });
                if (k <= Fma512Kernel<T>.KC)
                {
                    Assert.True(inPlace.AsSpan().SequenceEqual(packed), $"{typeof(T).Name} {m}x{n}x{k}, accumulate {accumulate}, {threads} thread(s)");
                    continue;
                }
                // Past one slice the blocked product rounds C between slices; the in-place one sums k whole.
                for (int i = 0; i < inPlace.Length; i++)
                    Assert.True(Math.Abs(double.CreateChecked(inPlace[i]) - double.CreateChecked(packed[i])) <= 1e-4 * k,
                        $"{typeof(T).Name} {m}x{n}x{k} element {i}: {inPlace[i]} vs {packed[i]}");
            }
        }
    }
}
