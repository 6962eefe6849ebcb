using System.Numerics;
using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Gemm;

namespace Kiln.Tests;

/// <summary>The blocked GEMM against a naive double-precision product: odd sizes, strides, accumulation, every micro-kernel the CPU has, both thread counts.</summary>
public class GemmTests
{
    public static TheoryData<int, int, int> OddSizes => new()
    {
        { 1, 1, 1 }, { 7, 7, 7 }, { 17, 5, 65 }, { 65, 129, 33 }, { 129, 17, 300 },
        { 300, 65, 129 }, { 1, 300, 17 }, { 6, 16, 256 }, { 145, 49, 513 }, { 2, 3, 1 },
    };

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Float32_matches_the_reference_on_one_and_two_threads(int m, int n, int k)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            TestThreads.With(threads, () =>
            {
                var p = Problem.Random<float>(m, n, k, seed: m * 31 + n * 7 + k);
                p.Run(accumulate: false);
                p.AssertMatches(relTol: 1e-5, $"{m}x{n}x{k} on {threads} thread(s)");
            });
        }
    }

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Float64_matches_the_reference(int m, int n, int k)
    {
        var p = Problem.Random<double>(m, n, k, seed: k);
        p.Run(accumulate: false);
        p.AssertMatches(relTol: 1e-12, $"{m}x{n}x{k}");
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Transposed_operands_are_read_through_their_strides(bool transposeA, bool transposeB)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            TestThreads.With(threads, () =>
            {
                var p = Problem.Random<float>(67, 131, 300, seed: 5, transposeA, transposeB);
                p.Run(accumulate: false);
                p.AssertMatches(relTol: 1e-5, $"transposeA={transposeA}, transposeB={transposeB}, {threads} thread(s)");
            });
        }
    }

    [Theory]
    [InlineData(300, 1, 129)]
    [InlineData(1, 257, 300)]
    [InlineData(1, 1, 70)]
    [InlineData(2000, 1, 3)]
    public void Matrix_vector_products_match_the_reference_for_every_layout(int m, int n, int k)
    {
        foreach (bool transposeA in new[] { false, true })
        {
            foreach (bool transposeB in new[] { false, true })
            {
                foreach (bool transposeC in new[] { false, true })
                {
                    var p = Problem.Random<float>(m, n, k, seed: 2, transposeA, transposeB, initialC: true, transposeC);
                    p.Run(accumulate: true);
                    p.AssertMatches(relTol: 1e-5, $"{m}x{n}x{k} transposeA={transposeA} transposeB={transposeB} transposeC={transposeC}");
                }
            }
        }
    }

    [Fact]
    public void Accumulate_adds_the_product_to_C()
    {
        var p = Problem.Random<float>(40, 37, 270, seed: 9, initialC: true);
        p.Run(accumulate: true);
        p.AssertMatches(relTol: 1e-5, "accumulate");
    }

    [Fact]
    public void A_C_with_a_column_stride_goes_through_the_edge_store()
    {
        var p = Problem.Random<double>(13, 19, 21, seed: 3, transposeC: true);
        p.Run(accumulate: false, parallel: false);
        p.AssertMatches(relTol: 1e-12, "column-major C");
    }

    [Fact]
    public void The_scalar_fallback_kernel_matches_the_reference_for_floats()
    {
        var p = Problem.Random<float>(67, 45, 300, seed: 11, transposeA: true, initialC: true);
        p.Run(accumulate: true, portableKernel: true);
        p.AssertMatches(relTol: 1e-5, "scalar kernel");
    }

    /// <summary>The SIMD kernels this CPU has, then the portable one: forcing each shows every path is right, not only the one the CPU picks.</summary>
    private static IEnumerable<MicroKernelChoice> KernelsHere<T>() where T : unmanaged =>
        new[] { MicroKernelChoice.Fma512, MicroKernelChoice.Fma256, MicroKernelChoice.Portable }.Where(Gemm.IsSupported<T>);

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Every_float32_kernel_matches_the_reference_on_one_and_two_threads(int m, int n, int k)
    {
        foreach (var kernel in KernelsHere<float>())
        {
            foreach (int threads in new[] { 1, 2 })
            {
                TestThreads.With(threads, () =>
                {
                    var p = Problem.Random<float>(m, n, k, seed: m + 3 * n + 5 * k, initialC: true);
                    p.RunOn(kernel, accumulate: true);
                    p.AssertMatches(relTol: 1e-5, $"{kernel}, {m}x{n}x{k} on {threads} thread(s)");
                });
            }
        }
    }

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Every_float64_kernel_matches_the_reference(int m, int n, int k)
    {
        foreach (var kernel in KernelsHere<double>())
        {
            var p = Problem.Random<double>(m, n, k, seed: 17 + k, transposeB: true);
            p.RunOn(kernel, accumulate: false);
            p.AssertMatches(relTol: 1e-12, $"{kernel}, {m}x{n}x{k}");
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Every_kernel_packs_padded_and_transposed_operands(bool transposeA, bool transposeB)
    {
        // Row strides wider than the rows (views of a bigger matrix), and row counts that leave 1, 2 and
        // 3 rows after the packing's groups of 4 (29 = 7·4 + 1, 30, 31).
        foreach (var kernel in KernelsHere<float>())
        {
            foreach (int m in new[] { 29, 30, 31 })
            {
                var p = Problem.Random<float>(m, 37, 45, seed: m, transposeA, transposeB, initialC: true, pad: 3);
                p.RunOn(kernel, accumulate: true, parallel: false);
                p.AssertMatches(relTol: 1e-5, $"{kernel}, m={m}, transposeA={transposeA}, transposeB={transposeB}, padded");
            }
        }
    }

    [Fact]
    public void Two_threads_share_out_the_row_blocks_of_one_panel_small_or_large()
    {
        // One B panel (k and n within one block) is shared out in row blocks: one tile at a time while the
        // panel is small (200×256 floats), MC rows at a time when it is not (200×700 floats, 560 KB).
        foreach (var kernel in KernelsHere<float>())
        {
            foreach (int n in new[] { 256, 700 })
            {
                TestThreads.With(2, () =>
                {
                    var p = Problem.Random<float>(301, n, 200, seed: n, initialC: true);
                    p.RunOn(kernel, accumulate: true);
                    p.AssertMatches(relTol: 1e-5, $"{kernel}, 301x{n}x200 on 2 threads");
                });
            }
        }
    }

    [Fact]
    public void Integer_products_run_on_the_portable_kernel_only()
    {
        var p = Problem.Random<int>(13, 35, 19, seed: 6, transposeA: true);
        p.RunOn(MicroKernelChoice.Portable, accumulate: false);
        p.AssertMatches(relTol: 0, "int32, portable kernel");
        var error = Assert.Throws<NotSupportedException>(() => p.RunOn(MicroKernelChoice.Fma256, accumulate: false));
        Assert.Contains("Fma256", error.Message);
        Assert.Equal(Avx512F.IsSupported, Gemm.IsSupported<float>(MicroKernelChoice.Fma512));
    }

    [Fact]
    public void K_zero_writes_zeros_or_leaves_C_when_accumulating()
    {
        var p = Problem.Random<float>(5, 7, 0, seed: 1, initialC: true);
        var before = (float[])p.C.Clone();
        p.Run(accumulate: true);
        Assert.Equal(before, p.C);
        p.Run(accumulate: false);
        Assert.All(p.C, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Int32_products_are_exact_and_wrap_like_torch()
    {
        var p = Problem.Random<int>(33, 18, 70, seed: 4);
        p.Run(accumulate: false);
        p.AssertMatches(relTol: 0, "int32");

        // int8: [[100, 100]]·[[100], [100]] = 20000 ≡ 32 (mod 256), as torch gives.
        sbyte[] a = [100, 100], b = [100, 100], c = [0];
        Gemm.Run<sbyte>(1, 1, 2, a, (2, 1), b, (1, 1), c, (1, 1), accumulate: false);
        Assert.Equal((sbyte)32, c[0]);
    }

    /// <summary>A random product with its operands stored row- or column-major, and the naive double-precision answer.</summary>
    private sealed class Problem<T> where T : unmanaged, INumberBase<T>
    {
        public required int M, N, K;
        public required int Pad;
        public required bool TransposeA, TransposeB, TransposeC;
        public required T[] A, B, C;
        public required double[] Expected;

        public void Run(bool accumulate, bool parallel = true, bool portableKernel = false) =>
            Gemm.Run<T>(M, N, K, A, Strides(M, K, TransposeA, Pad), B, Strides(K, N, TransposeB, Pad), C, Strides(M, N, TransposeC, Pad), accumulate, parallel, portableKernel);

        public void RunOn(MicroKernelChoice kernel, bool accumulate, bool parallel = true) =>
            Gemm.Run<T>(M, N, K, A, Strides(M, K, TransposeA, Pad), B, Strides(K, N, TransposeB, Pad), C, Strides(M, N, TransposeC, Pad), accumulate, parallel, kernel);

        public void AssertMatches(double relTol, string what)
        {
            var (rs, cs) = Strides(M, N, TransposeC, Pad);
            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    double actual = double.CreateChecked(C[i * rs + j * cs]), expected = Expected[i * N + j];
                    double tol = relTol * (Math.Abs(expected) + K + 1);
                    if (Math.Abs(actual - expected) > tol)
                        Assert.Fail($"{what}: C[{i}, {j}] = {actual}, expected {expected}");
                }
            }
        }

        /// <summary>Element strides of a rows×cols matrix stored row-major, or column-major (a transposed view), with <paramref name="pad"/> unused elements after each row (column).</summary>
        public static (nint Row, nint Col) Strides(int rows, int cols, bool columnMajor, int pad) => columnMajor ? (1, rows + pad) : (cols + pad, 1);
    }

    private static class Problem
    {
        public static Problem<T> Random<T>(int m, int n, int k, int seed, bool transposeA = false, bool transposeB = false, bool initialC = false, bool transposeC = false, int pad = 0)
            where T : unmanaged, INumberBase<T>
        {
            var rng = new System.Random(seed);
            bool isInt = typeof(T) == typeof(int);
            T Next() => isInt ? T.CreateChecked(rng.Next(-9, 10)) : T.CreateChecked(rng.NextDouble() * 2 - 1);
            var (ars, acs) = Problem<T>.Strides(m, k, transposeA, pad);
            var (brs, bcs) = Problem<T>.Strides(k, n, transposeB, pad);
            var (crs, ccs) = Problem<T>.Strides(m, n, transposeC, pad);
            T[] a = Fill(Extent(m, k, transposeA)), b = Fill(Extent(k, n, transposeB));
            T[] c = initialC ? Fill(Extent(m, n, transposeC)) : new T[Extent(m, n, transposeC)];
            var expected = new double[m * n];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = initialC ? double.CreateChecked(c[i * crs + j * ccs]) : 0;
                    for (int p = 0; p < k; p++)
                        sum += double.CreateChecked(a[i * ars + p * acs]) * double.CreateChecked(b[p * brs + j * bcs]);
                    expected[i * n + j] = sum;
                }
            }
            return new Problem<T> { M = m, N = n, K = k, Pad = pad, TransposeA = transposeA, TransposeB = transposeB, TransposeC = transposeC, A = a, B = b, C = c, Expected = expected };

            // Elements a rows×cols matrix spans, its padding included.
            int Extent(int rows, int cols, bool columnMajor) => columnMajor ? cols * (rows + pad) : rows * (cols + pad);

            T[] Fill(int count)
            {
                var data = new T[count];
                for (int i = 0; i < count; i++) data[i] = Next();
                return data;
            }
        }
    }
}
