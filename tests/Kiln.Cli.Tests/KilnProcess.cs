namespace Kiln.Cli.Tests;

/// <summary>Runs the built <c>kiln</c> (Kiln.Cli.dll, copied next to the tests) as a separate process, as users run it.</summary>
internal static class KilnProcess
{
    /// <summary>Runs <c>kiln</c> with <paramref name="args"/> and an empty standard input.</summary>
    internal static ProcessOutcome Run(params string[] args) => RunWithInput(null, args);

    /// <summary>Runs <c>kiln</c> with <paramref name="args"/>, writing <paramref name="stdin"/> to its standard input.</summary>
    internal static ProcessOutcome RunWithInput(string? stdin, params string[] args) =>
        ChildProcess.Run(ChildProcess.DotnetHost, [Path.Combine(AppContext.BaseDirectory, "Kiln.Cli.dll"), .. args], stdin);
}
