using System.Diagnostics;

namespace Kiln.Cli.Tests;

/// <summary>What a <c>kiln</c> process did: its exit code and everything it wrote.</summary>
internal sealed record KilnOutcome(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the built <c>kiln</c> (Kiln.Cli.dll, copied next to the tests) as a separate process, as users run it.</summary>
internal static class KilnProcess
{
    /// <summary>Runs <c>kiln</c> with <paramref name="args"/> and an empty standard input.</summary>
    internal static KilnOutcome Run(params string[] args) => RunWithInput(null, args);

    /// <summary>Runs <c>kiln</c> with <paramref name="args"/>, writing <paramref name="stdin"/> to its standard input.</summary>
    internal static KilnOutcome RunWithInput(string? stdin, params string[] args)
    {
        // DOTNET_HOST_PATH is the dotnet that runs the tests; without it, the one on PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kiln.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(stdin ?? "");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"kiln {string.Join(' ', args)} did not finish within a minute");
        return new KilnOutcome(process.ExitCode, stdout, stderr.Result);
    }
}
