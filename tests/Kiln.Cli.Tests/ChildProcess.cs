using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Kiln.Cli.Tests;

/// <summary>What a child process did: its exit code and everything it wrote.</summary>
internal sealed record ProcessOutcome(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Standard output, then standard error.</summary>
    public string Output => Stdout + Stderr;

    /// <summary>The outcome as an assertion message.</summary>
    public override string ToString() => $"exit code {ExitCode}\n{Output}";

    /// <summary>
    /// Asserts the process failed as the tools promise bad input fails: exit code 1, nothing on standard output, and
    /// one line on standard error, <c>PROGRAM: error: ...</c>, containing <paramref name="contains"/>.
    /// </summary>
    public void AssertOneErrorLine(string program, string contains)
    {
        Assert.Equal(1, ExitCode);
        Assert.Equal("", Stdout);
        Assert.StartsWith($"{program}: error: ", Stderr, StringComparison.Ordinal);
        Assert.Single(Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(contains.ReplaceLineEndings(" "), Stderr, StringComparison.Ordinal);
    }
}

/// <summary>Runs programs as separate processes, as users run them, and finds the checkout the tests come from.</summary>
internal static class ChildProcess
{
    /// <summary>The <c>dotnet</c> that runs the tests (DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="args"/>, writing <paramref name="stdin"/> (or nothing) to its
    /// standard input; the test fails, and the process tree is killed, past <paramref name="limit"/> (a minute by default).
    /// </summary>
    public static ProcessOutcome Run(string program, IEnumerable<string> args, string? stdin = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        string command = $"{program} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start)!;
        process.StandardInput.Write(stdin ?? "");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var wait = limit ?? TimeSpan.FromMinutes(1);
        if (!process.WaitForExit(wait))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish within {wait.TotalSeconds:F0} s");
        }
        // A server process left behind would hold the pipes open: the output ends a moment after the exit, or never.
        Assert.True(Task.WaitAll([stdout, stderr], TimeSpan.FromMinutes(1)), $"{command} left its output open");
        return new ProcessOutcome(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The checkout these tests were compiled from: the folder above this file holding Compiler.sln (the tests may run from an --artifacts-path folder elsewhere).</summary>
    public static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        for (var dir = Path.GetDirectoryName(thisFile); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Compiler.sln"))) return dir;
        }
        throw new InvalidOperationException($"no Compiler.sln above {thisFile}");
    }
}
