namespace Kiln.Tests;

/// <summary>
/// The seeded generator and the random ops. Tests that use the default generator seed it themselves, and use
/// explicit generators where another test running at the same time could draw from the default one between
/// two calls.
/// </summary>
public class RandomTests
{
    public static IEnumerable<object[]> FloatingDTypes => DTypes.Floating.Select(d => new object[] { d });

    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Philox_matches_the_Random123_known_answers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint r0, uint r1, uint r2, uint r3)
    {
        var output = PhiloxStream.Block(c0, c1, c2, c3, k0, k1);
        Assert.Equal([r0, r1, r2, r3], [output[0], output[1], output[2], output[3]]);
    }

    [Fact]
    public void Stream_words_start_anywhere_and_match_the_blocks()
    {
        var stream = new PhiloxStream(7, 9, 100);
        var all = new uint[12];
        stream.Words(0, all);
        var block = PhiloxStream.Block(101, 7, 9);
        Assert.Equal([block[0], block[1], block[2], block[3]], all[4..8]);
        var middle = new uint[6];
        stream.Words(3, middle);
        Assert.Equal(all[3..9], middle);
    }

    [Theory]
    [InlineData(0L, 64)]
    [InlineData(5L, 100)]
    [InlineData(3L, 1)]
    [InlineData(0x3_FFFF_FFFDL, 40)]
    public void Stream_words_in_bulk_equal_the_blocks_one_by_one(long firstWord, int count)
    {
        // Bulk runs take the four-blocks-at-once path; the last case carries into the counter's high word.
        var stream = new PhiloxStream(0xA4093822, 0x299F31D0, 0xFFFF_FFFE);
        var bulk = new uint[count];
        stream.Words(firstWord, bulk);
        for (int i = 0; i < count; i++)
        {
            long word = firstWord + i;
            var block = PhiloxStream.Block(0xFFFF_FFFEUL + (ulong)(word / 4), 0xA4093822, 0x299F31D0);
            Assert.Equal(block[(int)(word % 4)], bulk[i]);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_numbers()
    {
        var a = Tensor.Rand([1000], generator: new Generator(42)).ToArray<float>();
        var b = Tensor.Rand([1000], generator: new Generator(42)).ToArray<float>();
        var c = Tensor.Rand([1000], generator: new Generator(43)).ToArray<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Manual_seed_resets_the_default_generator()
    {
        // Another test may draw from the default generator at the same time; retry until two runs are undisturbed.
        bool same = false;
        for (int attempt = 0; attempt < 20 && !same; attempt++)
        {
            Kiln.Random.ManualSeed(1234);
            var first = Tensor.Randn(64, 1, 8, 8).ToArray<float>();
            Kiln.Random.ManualSeed(1234);
            var second = Tensor.Randn(64, 1, 8, 8).ToArray<float>();
            same = first.SequenceEqual(second);
        }
        Assert.True(same);
        Assert.Equal(1234, Kiln.Random.InitialSeed());
        Assert.Same(Kiln.Random.DefaultGenerator, Kiln.Random.ManualSeed(5));
    }

    [Fact]
    public void Successive_draws_differ_and_a_generator_can_replay_its_state()
    {
        var g = new Generator(7);
        var state = g.GetState();
        var first = Tensor.Rand([100], generator: g).ToArray<float>();
        var second = Tensor.Rand([100], generator: g).ToArray<float>();
        Assert.NotEqual(first, second);
        g.SetState(state);
        Assert.Equal(first, Tensor.Rand([100], generator: g).ToArray<float>());
        Assert.Equal(7, g.InitialSeed);
        Assert.Throws<ArgumentException>(() => g.SetState(new byte[3]));
    }

    [Fact]
    public void Seed_picks_a_new_seed_and_restarts_the_stream()
    {
        var g = new Generator();
        Assert.Equal(Generator.DefaultSeed, g.InitialSeed);
        long seed = g.Seed();
        Assert.Equal(seed, g.InitialSeed);
        var a = Tensor.Rand([10], generator: g).ToArray<float>();
        Assert.Equal(a, Tensor.Rand([10], generator: new Generator(seed)).ToArray<float>());
    }

    [Fact]
    public void Values_do_not_depend_on_how_the_work_is_split()
    {
        // A large fill runs on several threads; its prefix equals a small fill from the same seed, and an element
        // in the second half equals the stream word at its position.
        var big = Tensor.Rand([200_000], generator: new Generator(3)).ToArray<float>();
        Assert.Equal(Tensor.Rand([1000], generator: new Generator(3)).ToArray<float>(), big[..1000]);
        var words = new uint[1];
        new PhiloxStream(3, 0, 0).Words(150_001, words);
        Assert.Equal((words[0] >> 8) * (1f / (1 << 24)), big[150_001]);

        var normals = Tensor.Randn([200_000], generator: new Generator(5)).ToArray<float>();
        Assert.Equal(Tensor.Randn([512], generator: new Generator(5)).ToArray<float>(), normals[..512]);

        var integers = Tensor.Randint(0, 1000, [200_000], generator: new Generator(8)).ToArray<long>();
        Assert.Equal(Tensor.Randint(0, 1000, [300], generator: new Generator(8)).ToArray<long>(), integers[..300]);
    }

    [Theory]
    [MemberData(nameof(FloatingDTypes))]
    public void Rand_is_uniform_in_0_1(DType dtype)
    {
        var t = Tensor.Rand([200_000], dtype, generator: new Generator(11));
        Assert.Equal(dtype, t.DType);
        var v = Values(t);
        Assert.All(v, x => Assert.InRange(x, 0.0, Math.BitDecrement(1.0)));
        Assert.Equal(0.5, v.Average(), 0.01);
        Assert.Equal(1.0 / 12, Variance(v), 0.003);
        // Each tenth of [0, 1) gets about a tenth of the values.
        var deciles = v.GroupBy(x => (int)(x * 10)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, deciles.Count);
        Assert.All(deciles.Values, n => Assert.InRange(n, 18_000, 22_000));
    }

    [Fact]
    public void Half_precision_rand_never_rounds_up_to_1()
    {
        var half = Tensor.Rand([100_000], DType.Float16, generator: new Generator(2)).ToArray<Half>();
        Assert.All(half, x => Assert.True(x < (Half)1 && x >= (Half)0));
        Assert.All(half, x => Assert.Equal(0.0, ((double)x * 2048) % 1));
        var bf = Tensor.Rand([100_000], DType.BFloat16, generator: new Generator(2)).ToArray<BFloat16>();
        Assert.All(bf, x => Assert.True((float)x < 1 && (float)x >= 0));
    }

    [Theory]
    [MemberData(nameof(FloatingDTypes))]
    public void Randn_is_standard_normal(DType dtype)
    {
        var v = Values(Tensor.Randn([200_001], dtype, generator: new Generator(13)));
        Assert.Equal(0.0, v.Average(), 0.01);
        Assert.Equal(1.0, Math.Sqrt(Variance(v)), 0.01);
        // The normal CDF at -1.96, 0 and 1: 0.025, 0.5 and 0.8413.
        Assert.Equal(0.025, v.Count(x => x < -1.96) / (double)v.Length, 0.002);
        Assert.Equal(0.5, v.Count(x => x < 0) / (double)v.Length, 0.005);
        Assert.Equal(0.8413, v.Count(x => x < 1) / (double)v.Length, 0.005);
        Assert.All(v, x => Assert.True(double.IsFinite(x)));
    }

    [Fact]
    public void Randn_pairs_are_uncorrelated()
    {
        var v = Tensor.Randn([100_000], generator: new Generator(17)).ToArray<float>();
        // Box-Muller pairs sit 128 apart within each batch of 256; neighbours and pairs must both be uncorrelated.
        Assert.InRange(Correlation(v, 1), -0.02, 0.02);
        Assert.InRange(Correlation(v, 128), -0.02, 0.02);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(255)]
    [InlineData(257)]
    public void Randn_fills_odd_sizes(int n)
    {
        var v = Tensor.Randn([n], DType.Float64, generator: new Generator(n)).ToArray<double>();
        Assert.All(v, x => Assert.InRange(x, -8, 8));
        Assert.Equal(n, v.Distinct().Count());
    }

    [Fact]
    public void Randint_matches_the_contract_example()
    {
        Tensor x = Tensor.Randn(64, 1, 8, 8), y = Tensor.Randint(0, 10, 64);
        Assert.Equal([64L, 1, 8, 8], x.Shape);
        Assert.Equal(DType.Float32, x.DType);
        Assert.Equal([64L], y.Shape);
        Assert.Equal(DType.Int64, y.DType);
        Assert.All(y.ToArray<long>(), v => Assert.InRange(v, 0, 9));
    }

    [Fact]
    public void Randint_is_uniform_over_the_range()
    {
        var v = Tensor.Randint(-3, 7, [100_000], generator: new Generator(19)).ToArray<long>();
        var counts = v.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(-3, 10).Select(i => (long)i).Order(), counts.Keys.Order());
        Assert.All(counts.Values, n => Assert.InRange(n, 9_400, 10_600));
    }

    [Fact]
    public void Randint_covers_the_whole_int64_range()
    {
        var v = Tensor.Randint(long.MinValue, long.MaxValue, [1000], generator: new Generator(23)).ToArray<long>();
        Assert.Contains(v, x => x < long.MinValue / 2);
        Assert.Contains(v, x => x > long.MaxValue / 2);
        Assert.Equal([5L, 5], Tensor.Randint(5, 6, [2]).ToArray<long>());
    }

    [Theory]
    [InlineData(DType.UInt8, 0, 256)]
    [InlineData(DType.Int8, -128, 128)]
    [InlineData(DType.Int16, -5, 5)]
    [InlineData(DType.Int32, 100, 200)]
    [InlineData(DType.Float32, -50, 50)]
    [InlineData(DType.Float16, 0, 2048)]
    [InlineData(DType.BFloat16, -10, 10)]
    [InlineData(DType.Float64, 0, 3)]
    [InlineData(DType.Bool, 0, 2)]
    public void Randint_works_for_every_dtype_that_holds_the_range(DType dtype, long low, long high)
    {
        var t = Tensor.Randint(low, high, [5000], dtype, generator: new Generator(29));
        Assert.Equal(dtype, t.DType);
        var v = Values(t);
        Assert.All(v, x => Assert.InRange(x, low, high - 1));
        Assert.All(v, x => Assert.Equal(Math.Floor(x), x));
        Assert.Contains(v, x => x == low);
        Assert.Contains(v, x => x == high - 1);
    }

    [Theory]
    [InlineData(DType.UInt8, 0, 300)]
    [InlineData(DType.UInt8, -5, 3)]
    [InlineData(DType.Int32, 0, 1L << 40)]
    [InlineData(DType.Bool, 0, 3)]
    [InlineData(DType.Float16, 0, 5000)]
    public void Randint_refuses_a_range_the_dtype_cannot_hold(DType dtype, long low, long high)
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Randint(low, high, [2], dtype));
        Assert.Contains("randint", e.Message);
        Assert.Contains(dtype.Name(), e.Message);
    }

    [Fact]
    public void Randint_needs_low_below_high()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Randint(5, 5, 3));
        Assert.Contains("low=5", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Randint(5, 2, 3));
    }

    [Theory]
    [InlineData(DType.Int64)]
    [InlineData(DType.Int32)]
    [InlineData(DType.Bool)]
    [InlineData(DType.UInt8)]
    public void Rand_and_randn_need_a_floating_dtype(DType dtype)
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Rand([3], dtype));
        Assert.Contains("rand", e.Message);
        Assert.Contains(dtype.Name(), e.Message);
        Assert.Contains("randn", Assert.Throws<ArgumentException>(() => Tensor.Randn([3], dtype)).Message);
        Assert.Contains("uniform_", Assert.Throws<ArgumentException>(() => Tensor.Zeros([3], dtype).Uniform_()).Message);
        Assert.Contains("normal_", Assert.Throws<ArgumentException>(() => Tensor.Zeros([3], dtype).Normal_()).Message);
    }

    [Fact]
    public void Uniform_fills_the_requested_range()
    {
        var t = Tensor.Empty([50_000], DType.Float64);
        Assert.Same(t, t.Uniform_(2, 5, new Generator(31)));
        var v = t.ToArray<double>();
        Assert.All(v, x => Assert.InRange(x, 2, 5));
        Assert.Equal(3.5, v.Average(), 0.02);
        Assert.All(Tensor.Zeros(10).Uniform_(3, 3).ToArray<float>(), x => Assert.Equal(3f, x));
    }

    [Fact]
    public void Uniform_rejects_a_reversed_or_infinite_range()
    {
        Assert.Contains("from <= to", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2).Uniform_(1, 0)).Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2).Uniform_(0, double.PositiveInfinity));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros([2], DType.Float16).Uniform_(-60000, 60000));
    }

    [Fact]
    public void Normal_has_the_requested_mean_and_std()
    {
        var v = Tensor.Zeros(100_000).Normal_(3, 0.5, new Generator(37)).ToArray<float>().Select(x => (double)x).ToArray();
        Assert.Equal(3.0, v.Average(), 0.01);
        Assert.Equal(0.5, Math.Sqrt(Variance(v)), 0.01);
        Assert.All(Tensor.Zeros(5).Normal_(2, 0).ToArray<float>(), x => Assert.Equal(2f, x));
        Assert.Contains("std", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2).Normal_(0, -1)).Message);
    }

    [Fact]
    public void Random_fills_write_only_the_view()
    {
        var t = Tensor.Zeros(4, 6);
        t[.., TensorIndex.Slice(1, null, 2)].Uniform_(1, 2, new Generator(41));
        var v = t.ToArray<float>();
        for (int i = 0; i < v.Length; i++)
        {
            if (i % 2 == 0) Assert.Equal(0f, v[i]);
            else Assert.InRange(v[i], 1f, 2f);
        }
        var ints = Tensor.Zeros([3, 3], DType.Int64);
        ints.T[1].Random_(5, 9, new Generator(43));
        var w = ints.ToArray<long>();
        Assert.All(new[] { 1, 4, 7 }, i => Assert.InRange(w[i], 5, 8));
        Assert.All(new[] { 0, 2, 3, 5, 6, 8 }, i => Assert.Equal(0, w[i]));
        var halves = Tensor.Zeros([2, 4], DType.Float16);
        halves[1].Normal_(generator: new Generator(47));
        Assert.All(halves[0].ToArray<Half>(), x => Assert.Equal((Half)0, x));
        Assert.Contains(halves[1].ToArray<Half>(), x => x != (Half)0);
    }

    [Fact]
    public void Like_functions_keep_shape_and_dtype()
    {
        var x = Tensor.Zeros([3, 2], DType.Float64);
        var r = Tensor.RandLike(x, generator: new Generator(1));
        Assert.Equal([3L, 2], r.Shape);
        Assert.Equal(DType.Float64, r.DType);
        Assert.Equal(DType.Float16, Tensor.RandnLike(x, DType.Float16).DType);
        var i = Tensor.RandintLike(Tensor.Zeros([4], DType.Int32), 0, 3);
        Assert.Equal(DType.Int32, i.DType);
        Assert.All(i.ToArray<int>(), v => Assert.InRange(v, 0, 2));
    }

    private static double[] Values(Tensor t) => t.To(DType.Float64).ToArray<double>();

    private static double Variance(double[] v)
    {
        double mean = v.Average();
        return v.Sum(x => (x - mean) * (x - mean)) / v.Length;
    }

    private static double Correlation(float[] v, int lag)
    {
        double sum = 0;
        for (int i = 0; i + lag < v.Length; i++) sum += (double)v[i] * v[i + lag];
        return sum / (v.Length - lag);
    }
}
