using System.Globalization;
using System.Text.RegularExpressions;

namespace Kiln.Cli.Tests.KernelCache;

/// <summary>
/// The kernel cache across processes: <c>kiln opt --compile-kernels</c> compiles a fused model's kernels in one process
/// with an empty <c>KILN_CACHE_DIR</c>, and a second process links every one of them from the cache (libLLVM 19 is
/// required, as in Kiln.Codegen.Tests).
/// </summary>
public sealed partial class KernelCacheAcrossProcessesTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kiln-cache-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Second_process_loads_every_kernel_from_the_cache_and_prints_the_same_ir()
    {
        var first = CompileKernels(folder);
        var second = CompileKernels(folder);

        var cold = Report(first);
        var warm = Report(second);
        Assert.True(cold.Groups > 1, first.ToString());
        Assert.Equal((cold.Groups, 0), (cold.Compiled, cold.Loaded));
        Assert.Equal((warm.Groups, 0, cold.Compiled), (cold.Groups, warm.Compiled, warm.Loaded));
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Equal(cold.Compiled, Directory.GetFiles(folder, "*.kernel").Length);
    }

    [Fact]
    public void Cache_dir_off_compiles_every_time_and_writes_nothing()
    {
        var first = CompileKernels("off");
        var second = CompileKernels("off");

        Assert.Equal(Report(first).Compiled, Report(second).Compiled);
        Assert.Equal(0, Report(second).Loaded);
        Assert.Contains("(cache: off)", second.Stderr, StringComparison.Ordinal);
    }

    private static ProcessOutcome CompileKernels(string cacheDir)
    {
        string model = Path.Combine(ChildProcess.RepositoryRoot(), "tests", "kir", "models", "transformer.kir");
        var outcome = ChildProcess.Run(
            ChildProcess.DotnetHost,
            [Path.Combine(AppContext.BaseDirectory, "Kiln.Cli.dll"), "opt", model, "--passes", "decompose,fuse", "--compile-kernels"],
            environment: new Dictionary<string, string?> { ["KILN_CACHE_DIR"] = cacheDir });
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        return outcome;
    }

    private static (int Groups, int Compiled, int Loaded) Report(ProcessOutcome outcome)
    {
        var match = ReportLine().Match(outcome.Stderr);
        Assert.True(match.Success, outcome.ToString());
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"kernels: (\d+) fused groups, (\d+) compiled, (\d+) from cache, 0 not compiled")]
    private static partial Regex ReportLine();
}
