using Kiln.Codegen.Kernels;

namespace Kiln.Codegen.Tests;

/// <summary>
/// The on-disk kernel cache in one process: keys, entries written and linked again, corrupt and missing entries
/// compiled again, a disabled or unwritable cache, atomic writes. (The cross-process hit is tested through
/// <c>kiln opt --compile-kernels</c> in Kiln.Cli.Tests.)
/// </summary>
public sealed class KernelCacheTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kiln-cache-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Key_changes_when_any_input_changes_and_only_then()
    {
        var key = new KernelCacheKey(TestKernels.Constant(1), ["kernel"], new LlvmTarget("x86_64-pc-linux-gnu", "znver4", "+avx2"),
            new Version(19, 1, 7), "libmvec.so.1", "default<O3>");
        KernelCacheKey[] changed =
        [
            key with { LlvmIr = TestKernels.Constant(2) },
            key with { Symbols = ["helper", "kernel"] },
            key with { Target = key.Target with { Triple = "x86_64-unknown-linux-gnu" } },
            key with { Target = key.Target with { Cpu = "skylake" } },
            key with { Target = key.Target with { Features = "+avx2,-avx512f" } },
            key with { LlvmVersion = new Version(19, 1, 8) },
            key with { VectorMathLibrary = null },
            key with { PassPipeline = "default<O2>" },
        ];

        string[] hashes = [key.Hash(), .. changed.Select(k => k.Hash())];

        Assert.Equal(hashes.Length, hashes.Distinct().Count());
        Assert.Equal(key.Hash(), (key with { Symbols = ["kernel"] }).Hash());
        Assert.Matches("^[0-9a-f]{64}$", key.Hash());
    }

    [Fact]
    public void A_second_cache_on_the_folder_links_the_entry_instead_of_compiling()
    {
        var first = new KernelCache(folder);
        using var compiled = first.Compile(TestKernels.Chain, ["chain"]);
        var second = new KernelCache(folder);
        using var loaded = second.Compile(TestKernels.Chain, ["chain"]);

        Assert.Equal((1, 0), (first.Statistics.Compiled, first.Statistics.Loaded));
        Assert.Equal((0, 1, 0), (second.Statistics.Compiled, second.Statistics.Loaded, second.Statistics.Rejected));
        Assert.True(File.Exists(first.EntryPath(KernelCacheKey.ForHost(TestKernels.Chain, ["chain"], "default<O3>"))));
        AssertChainWorks(compiled);
        AssertChainWorks(loaded);
    }

    [Fact]
    public void One_entry_links_several_times_beside_modules_defining_the_same_name()
    {
        var cache = new KernelCache(folder);
        using var seven = cache.Compile(TestKernels.Constant(7), ["kernel"]);
        using var jitted = LlvmJit.Shared.Compile(TestKernels.Constant(8), ["kernel"]);
        using var sevenAgain = cache.Compile(TestKernels.Constant(7), ["kernel"]);
        using var nine = cache.Compile(TestKernels.Constant(9), ["kernel"]);

        Assert.Equal((2, 1), (cache.Statistics.Compiled, cache.Statistics.Loaded));
        Assert.NotEqual(seven.GetFunctionPointer("kernel"), sevenAgain.GetFunctionPointer("kernel"));
        Assert.Equal([7, 8, 7, 9], new[] { seven, jitted, sevenAgain, nine }.Select(Call).ToArray());
    }

    public static TheoryData<string> Damages() => new() { "empty", "truncated", "flipped byte", "garbage", "other key" };

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_entry_is_compiled_again_and_replaced(string damage)
    {
        var key = KernelCacheKey.ForHost(TestKernels.Chain, ["chain"], "default<O3>");
        using (new KernelCache(folder).Compile(TestKernels.Chain, ["chain"])) { }
        string path = new KernelCache(folder).EntryPath(key)!;
        byte[] entry = File.ReadAllBytes(path);
        File.WriteAllBytes(path, damage switch
        {
            "empty" => [],
            "truncated" => entry[..(entry.Length / 2)],
            "flipped byte" => Flip(entry, entry.Length - 100),
            "garbage" => [.. Enumerable.Range(0, entry.Length).Select(i => (byte)(i * 31))],
            _ => KernelCacheEntry.Encode(KernelCacheKey.ForHost(TestKernels.Constant(3), ["kernel"], "default<O3>").Hash(), entry.AsSpan(KernelCacheEntry.HeaderSize)),
        });

        var cache = new KernelCache(folder);
        using var module = cache.Compile(TestKernels.Chain, ["chain"]);
        var again = new KernelCache(folder);
        using var reloaded = again.Compile(TestKernels.Chain, ["chain"]);

        Assert.Equal((1, 0, 1), (cache.Statistics.Compiled, cache.Statistics.Loaded, cache.Statistics.Rejected));
        Assert.Equal((0, 1, 0), (again.Statistics.Compiled, again.Statistics.Loaded, again.Statistics.Rejected));
        AssertChainWorks(module);
        AssertChainWorks(reloaded);
    }

    [Fact]
    public void A_disabled_cache_compiles_and_writes_nothing()
    {
        var cache = new KernelCache(null);
        using var module = cache.Compile(TestKernels.Chain, ["chain"]);

        Assert.False(cache.IsEnabled);
        Assert.Null(cache.EntryPath(KernelCacheKey.ForHost(TestKernels.Chain, ["chain"], "default<O3>")));
        Assert.Equal((1, 0, 0), (cache.Statistics.Compiled, cache.Statistics.Loaded, cache.Statistics.WriteFailures));
        AssertChainWorks(module);
    }

    [Fact]
    public void An_unwritable_folder_only_means_no_caching()
    {
        Directory.CreateDirectory(folder);
        string notAFolder = Path.Combine(folder, "file");
        File.WriteAllText(notAFolder, "a file where the cache folder should be");
        var cache = new KernelCache(Path.Combine(notAFolder, "kernels"));

        using var module = cache.Compile(TestKernels.Chain, ["chain"]);
        using var again = cache.Compile(TestKernels.Chain, ["chain"]);

        Assert.Equal((2, 0, 2), (cache.Statistics.Compiled, cache.Statistics.Loaded, cache.Statistics.WriteFailures));
        AssertChainWorks(again);
    }

    [Theory]
    [InlineData("/data/kiln", null, "/home/u", "/data/kiln")]
    [InlineData("off", "/xdg", "/home/u", null)]
    [InlineData("OFF", null, null, null)]
    [InlineData(null, "/xdg", "/home/u", "/xdg/kiln/kernels")]
    [InlineData("", "relative/xdg", "/home/u", "/home/u/.cache/kiln/kernels")]
    [InlineData(null, null, "/home/u", "/home/u/.cache/kiln/kernels")]
    [InlineData(null, null, null, null)]
    public void Folder_comes_from_KILN_CACHE_DIR_then_XDG_CACHE_HOME_then_HOME(string? kiln, string? xdg, string? home, string? expected)
    {
        var variables = new Dictionary<string, string?> { ["KILN_CACHE_DIR"] = kiln, ["XDG_CACHE_HOME"] = xdg, ["HOME"] = home };

        Assert.Equal(expected, KernelCache.DirectoryFromEnvironment(name => variables.GetValueOrDefault(name)));
    }

    [Fact]
    public async Task Concurrent_writers_never_let_a_reader_see_half_an_entry()
    {
        string hash = KernelCacheKey.ForHost(TestKernels.Chain, ["chain"], "default<O3>").Hash();
        string path = Path.Combine(folder, hash + ".kernel");
        byte[][] contents = [.. Enumerable.Range(1, 4).Select(k => KernelCacheEntry.Encode(hash, new byte[k * 256 * 1024].Select((_, i) => (byte)(i * k)).ToArray()))];
        KernelCacheEntry.WriteAtomically(path, contents[0]);
        using var stop = new CancellationTokenSource();
        int reads = 0, whole = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                byte[] file = File.ReadAllBytes(path);
                Interlocked.Increment(ref reads);
                if (KernelCacheEntry.Decode(hash, file) is not null) Interlocked.Increment(ref whole);
            }
        });

        // Two writers replace the entry until the reader has read it many times.
        Parallel.For(0, 2, w =>
        {
            for (int i = w; Volatile.Read(ref reads) < 100; i++)
                KernelCacheEntry.WriteAtomically(path, contents[i % contents.Length]);
        });
        await stop.CancelAsync();
        await reader;

        Assert.Equal(reads, whole);
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Loading_bytes_that_are_not_an_object_file_throws_naming_the_module()
    {
        var error = Assert.Throws<LlvmException>(() => LlvmJit.Shared.LoadObject("not an object file"u8, ["kernel"], "bad_object"));

        Assert.Contains("bad_object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Looking_up_a_symbol_the_object_does_not_define_throws_naming_it()
    {
        byte[] objectFile = LlvmObjectCompiler.EmitObject(TestKernels.Constant(1), LlvmJit.Shared.Target);

        var error = Assert.Throws<LlvmException>(() => LlvmJit.Shared.LoadObject(objectFile, ["missing"], "one_kernel"));

        Assert.Contains("missing", error.Message + error.LlvmMessage, StringComparison.Ordinal);
    }

    private static unsafe int Call(LlvmCompiledModule module) => ((delegate* unmanaged<int>)module.GetFunctionPointer("kernel"))();

    private static byte[] Flip(byte[] bytes, int at)
    {
        byte[] copy = [.. bytes];
        copy[at] ^= 0x40;
        return copy;
    }

    private static unsafe void AssertChainWorks(LlvmCompiledModule module)
    {
        const int N = 1003;
        var chain = (delegate* unmanaged<float*, float*, float*, float*, long, void>)module.GetFunctionPointer("chain");
        float[] a = TestKernels.RandomFloats(N, 1), b = TestKernels.RandomFloats(N, 2), c = TestKernels.RandomFloats(N, 3);
        float[] y = new float[N], expected = new float[N];
        TestKernels.ChainReference(a, b, c, expected);
        fixed (float* pa = a, pb = b, pc = c, py = y)
            chain(pa, pb, pc, py, N);
        for (int i = 0; i < N; i++)
            Assert.True(MathF.Abs(y[i] - expected[i]) <= 1e-6f * MathF.Max(1f, MathF.Abs(expected[i])), $"y[{i}] = {y[i]}, expected {expected[i]}");
    }
}
