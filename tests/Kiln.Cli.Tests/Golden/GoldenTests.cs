using Kiln.Cli.Opt;
using Kiln.IR;
using Kiln.Passes;

namespace Kiln.Cli.Tests.Golden;

/// <summary>
/// Runs every golden file under <c>tests/golden</c> (copied next to the tests) through <c>kiln opt</c>'s driver:
/// the output must satisfy the file's CHECK lines and round-trip through the parser, or the error must
/// contain its ERROR lines. Every registered pass must have golden files of its own.
/// </summary>
public class GoldenTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "golden");

    /// <summary>Every golden file, as a path relative to the golden root with '/' separators.</summary>
    public static TheoryData<string> Files() => [.. FileNames()];

    private static string[] FileNames() =>
        [.. Directory.EnumerateFiles(Root, "*.kir", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public void Golden_file_gives_the_expected_output_or_error(string file)
    {
        var golden = GoldenFile.Load(Path.Combine(Root, file));
        var result = OptDriver.Run(new OptRequest(golden.Text, file, golden.Pipeline, golden.Verify));
        if (golden.Errors.Count > 0)
        {
            Assert.False(result.Succeeded, $"expected an error, but '{golden.Pipeline}' printed:\n{result.Output}");
            foreach (var expected in golden.Errors)
                Assert.True(result.Error!.Contains(expected.Text, StringComparison.Ordinal), $"{expected}: not in the error\n{result.Error}");
            Assert.DoesNotContain('\n', result.Error!);
            return;
        }
        Assert.True(result.Succeeded, result.Error);
        var output = result.Output!;
        var failure = CheckMatcher.Match(golden.Checks, output);
        Assert.True(failure is null, $"{file}: {failure}");
        Assert.Equal(output, KirPrinter.Print(KirParser.ParseModule(output)));
    }

    [Fact]
    public void Every_registered_pass_has_golden_files_of_its_own()
    {
        var missing = PassRegistry.All.Select(p => p.Name).Where(name => !HasGoldenFiles(name)).ToArray();
        Assert.True(missing.Length == 0, $"passes without a golden file under tests/golden/<pass>/ whose RUN line names the pass: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_golden_files_cover_round_trips_and_at_least_ten_kinds_of_invalid_IR()
    {
        var files = FileNames();
        Assert.Contains(files, f => f.StartsWith("roundtrip/", StringComparison.Ordinal));
        Assert.True(files.Count(f => f.StartsWith("invalid/", StringComparison.Ordinal)) >= 10, "fewer than 10 invalid-IR golden files");
    }

    /// <summary>Whether tests/golden/<paramref name="pass"/>/ holds a file whose RUN pipeline names the pass.</summary>
    private static bool HasGoldenFiles(string pass)
    {
        var dir = Path.Combine(Root, pass);
        return Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.kir").Any(f =>
            GoldenFile.Load(f).Pipeline.Split(',', '{').Any(item => item.Trim() == pass));
    }
}
