namespace Kiln.Cli.Tests;

/// <summary>
/// Runs the SDK's <c>dotnet</c> (and the programs it installs) as a user at a shell would: no MSBuild node, build
/// server or compiler server is left behind holding the output pipes, and nothing inherited from the test host's
/// own MSBuild session leaks into the child.
/// </summary>
internal static class DotnetProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    /// <summary>Runs <c>dotnet <paramref name="args"/></c> in <paramref name="folder"/> with <paramref name="environment"/> added.</summary>
    public static ProcessOutcome Dotnet(string folder, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Run(ChildProcess.DotnetHost, folder, environment, args);

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> in <paramref name="folder"/>, failing the test past ten minutes.</summary>
    public static ProcessOutcome Run(string program, string folder, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["UseSharedCompilation"] = "false",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(ResolvedHost())) ?? "",
        };
        // Set by `dotnet test`'s own MSBuild run or the test platform; a child build sets its own.
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) && name != "MSBUILDDISABLENODEREUSE"
                || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                settings[name] = null;
        }
        foreach (var (name, value) in environment) settings[name] = value;
        return ChildProcess.Run(program, args, workingDirectory: folder, environment: settings, limit: Limit);
    }

    // The dotnet executable itself, for DOTNET_ROOT: an installed tool's app host finds the runtime there.
    private static string ResolvedHost()
    {
        string host = ChildProcess.DotnetHost;
        if (host != "dotnet") return new FileInfo(host).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? host;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "dotnet"))
            .First(File.Exists);
        return new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath;
    }
}
