using System.Numerics;
using Kiln.Kernels.Gemm;

namespace Kiln.Tests;

/// <summary>Products on a B packed once (<see cref="PackedMatrixB{T}"/>, <see cref="Gemm.RunPacked{T}"/>) against a naive double-precision product.</summary>
public class PackedGemmTests
{
    /// <summary>
    /// Sizes off the MR/NR multiples of every kernel, one row, several KC slices, and some big enough to split across
    /// threads: by rows, and (B past L2) by columns, over one or several NC panels.
    /// </summary>
    public static TheoryData<int, int, int> Sizes => new()
    {
        { 1, 1, 1 }, { 7, 5, 3 }, { 13, 33, 17 }, { 16, 512, 128 }, { 1, 129, 65 },
        { 29, 47, 600 }, { 70, 1100, 300 }, { 3, 4000, 9 }, { 20, 3300, 41 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float32_overwrites_and_accumulates_on_every_kernel_and_thread_count(int m, int n, int k)
    {
        foreach (var kernel in Kernels<float>())
            foreach (int threads in new[] { 1, 2 })
                foreach (bool accumulate in new[] { false, true })
                    TestThreads.With(threads, () => Check<float>(m, n, k, kernel, accumulate, transposeB: false, relTol: 1e-5, $"{kernel}, {threads} thread(s)"));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float64_overwrites_and_accumulates_on_every_kernel(int m, int n, int k)
    {
        foreach (var kernel in Kernels<double>())
            foreach (bool accumulate in new[] { false, true })
                Check<double>(m, n, k, kernel, accumulate, transposeB: true, relTol: 1e-12, kernel.ToString());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void A_row_to_start_from_begins_every_row_on_every_kernel_and_thread_count(int m, int n, int k)
    {
        foreach (var kernel in Kernels<float>())
            foreach (int threads in new[] { 1, 2 })
                TestThreads.With(threads, () => Check<float>(m, n, k, kernel, accumulate: false, transposeB: false, relTol: 1e-5, $"{kernel}, {threads} thread(s), row to start from", rowInit: true));
        foreach (var kernel in Kernels<double>())
            Check<double>(m, n, k, kernel, accumulate: false, transposeB: true, relTol: 1e-12, $"{kernel}, row to start from", rowInit: true);
    }

    [Fact]
    public void One_packed_b_serves_many_products()
    {
        var p = PackedMatrixB<float>.Pack(37, 45, TestThreads.Random<float>(37 * 45, 1), (45, 1));
        for (int seed = 2; seed < 5; seed++)
        {
            var a = TestThreads.Random<float>(11 * 37, seed);
            var c = new float[11 * 45];
            Gemm.RunPacked<float>(11, a, (37, 1), p, c, (45, 1), accumulate: false);
            var expected = new float[11 * 45];
            Gemm.Run<float>(11, 45, 37, a, (37, 1), TestThreads.Random<float>(37 * 45, 1), (45, 1), expected, (45, 1), accumulate: false);
            for (int i = 0; i < c.Length; i++)
                Assert.Equal(expected[i], c[i], 1e-4f);
        }
    }

    [Fact]
    public void Zero_depth_clears_c_unless_accumulating()
    {
        var p = PackedMatrixB<double>.Pack(0, 3, [], (3, 1));
        double[] c = [1, 2, 3, 4, 5, 6];
        Gemm.RunPacked<double>(2, [], (0, 1), p, c, (3, 1), accumulate: true);
        Assert.Equal([1, 2, 3, 4, 5, 6], c);
        Gemm.RunPacked<double>(2, [], (0, 1), p, c, (3, 1), accumulate: false);
        Assert.All(c, v => Assert.Equal(0, v));
        Gemm.RunPacked<double>(2, [], (0, 1), p, c, (3, 1), accumulate: false, rowInit: [7, 8, 9]);
        Assert.Equal([7, 8, 9, 7, 8, 9], c);
    }

    [Fact]
    public void A_row_to_start_from_must_fit_c_and_not_accumulate()
    {
        var p = PackedMatrixB<float>.Pack(4, 4, new float[16], (4, 1));
        var ex = Assert.Throws<ArgumentException>(() => Gemm.RunPacked<float>(2, new float[8], (4, 1), p, new float[8], (4, 1), accumulate: false, rowInit: new float[3]));
        Assert.Contains("4 columns", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.RunPacked<float>(2, new float[8], (4, 1), p, new float[8], (4, 1), accumulate: true, rowInit: new float[4]));
        Assert.Contains("no accumulation", ex.Message);
    }

    [Fact]
    public void Short_spans_name_the_operand()
    {
        var ex = Assert.Throws<ArgumentException>(() => PackedMatrixB<float>.Pack(4, 4, new float[15], (4, 1)));
        Assert.Contains("B (4x4", ex.Message);
        var p = PackedMatrixB<float>.Pack(4, 4, new float[16], (4, 1));
        ex = Assert.Throws<ArgumentException>(() => Gemm.RunPacked<float>(2, new float[8], (4, 1), p, new float[7], (4, 1), accumulate: false));
        Assert.Contains("C (2x4", ex.Message);
    }

    private static IEnumerable<MicroKernelChoice> Kernels<T>() where T : unmanaged =>
        new[] { MicroKernelChoice.Fma512, MicroKernelChoice.Fma256, MicroKernelChoice.Portable }.Where(Gemm.IsSupported<T>);

    /// <summary>A (row-major, padded rows) times B (row- or column-major) into a padded C that starts random when accumulating.</summary>
    private static void Check<T>(int m, int n, int k, MicroKernelChoice kernel, bool accumulate, bool transposeB, double relTol, string what, bool rowInit = false)
        where T : unmanaged, INumberBase<T>
    {
        const int pad = 3;
        var a = TestThreads.Random<T>(m * (k + pad), m + n + k);
        var b = TestThreads.Random<T>(k * n, 2 * k + n);
        (nint Row, nint Col) strideB = transposeB ? (1, k) : (n, 1);
        var c = accumulate ? TestThreads.Random<T>(m * (n + pad), 7) : new T[m * (n + pad)];
        var start = rowInit ? TestThreads.Random<T>(n, 11) : [];
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? double.CreateChecked(c[i * (n + pad) + j]) : rowInit ? double.CreateChecked(start[j]) : 0;
                for (int p = 0; p < k; p++)
                    sum += double.CreateChecked(a[i * (k + pad) + p]) * double.CreateChecked(b[p * strideB.Row + j * strideB.Col]);
                expected[i * n + j] = sum;
            }
        }
        if (!accumulate) Array.Fill(c, T.CreateChecked(99));
        var packed = PackedMatrixB<T>.Pack(k, n, b, strideB, kernel);
        Gemm.RunPacked<T>(m, a, (k + pad, 1), packed, c, (n + pad, 1), accumulate, rowInit: start);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double actual = double.CreateChecked(c[i * (n + pad) + j]), want = expected[i * n + j];
                if (Math.Abs(actual - want) > relTol * (Math.Abs(want) + k + 1))
                    Assert.Fail($"{what} {m}x{n}x{k} accumulate={accumulate}: C[{i}, {j}] = {actual}, expected {want}");
            }
        }
    }
}
