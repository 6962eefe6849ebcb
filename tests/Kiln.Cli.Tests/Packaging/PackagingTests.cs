using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Kiln.Cli.Tests.Packaging;

/// <summary>
/// The README's "Packages" section done in a temporary folder: <c>dotnet pack</c>, the kiln tool installed from the
/// packed folder and run, and a new console project referencing Kiln and Kiln.Frontend from that folder, whose build
/// runs the analyzer (a [Script] error is reported) and whose program scripts, saves, loads and runs a model.
/// </summary>
[Trait("Category", "Packaging")]
public sealed partial class PackagingTests : IDisposable
{
    private static readonly string[] PackageIds =
        ["Kiln", "Kiln.IR", "Kiln.Passes", "Kiln.Codegen", "Kiln.Frontend", "Kiln.Frontend.Analyzers", "Kiln.Cli"];

    private readonly string root = Directory.CreateTempSubdirectory("kiln-packaging-").FullName;

    // A prerelease version no package cache can hold yet, so no stale Kiln package can be picked up.
    private readonly string suffix = "packtest-" + Guid.NewGuid().ToString("N")[..10];

    private string Packages => Path.Combine(root, "packages");

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Packed_packages_give_a_working_tool_and_a_new_project_that_builds_scripts_saves_and_loads()
    {
        string version = Pack();
        AssertRuntimePackage(version);
        var nuget = IsolatedNuGet();
        InstallAndRunTool(version, nuget);
        string app = NewConsoleProject(version, nuget);
        AssertAnalyzerReportsAtBuild(app, nuget);
        AssertBuildsAndRuns(app, nuget);
    }

    /// <summary>The README's pack command, into this test's folder; returns the packages' version.</summary>
    private string Pack()
    {
        // The README's command plus a unique version suffix, and the build in this test's folder (--artifacts-path):
        // rebuilding in the repo's own bin/ would overwrite the assemblies the test run is executing.
        var pack = DotnetProcess.Dotnet(ChildProcess.RepositoryRoot(), NoEnvironment,
            "pack", "Compiler.sln", "-c", "Release", "-o", Packages,
            "--version-suffix", suffix, "--artifacts-path", Path.Combine(root, "build"));
        Assert.True(pack.ExitCode == 0, pack.ToString());

        var packed = Directory.GetFiles(Packages, "*.nupkg").Select(Path.GetFileName).Order().ToList();
        string version = Directory.GetFiles(Packages, "Kiln.Cli.*.nupkg")
            .Select(f => PackageVersion().Match(Path.GetFileName(f))).Single(m => m.Success).Groups[1].Value;
        Assert.EndsWith("-" + suffix, version);
        Assert.Equal(PackageIds.Select(id => $"{id}.{version}.nupkg").Order(), packed);
        return version;
    }

    /// <summary>The Kiln package carries the analyzer, and its NuGet dependencies flow except the build-time Grpc.Tools.</summary>
    private void AssertRuntimePackage(string version)
    {
        using var package = ZipFile.OpenRead(Path.Combine(Packages, $"Kiln.{version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/Kiln.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Kiln.Frontend.Analyzers.dll", entries);

        using var nuspec = package.GetEntry("Kiln.nuspec")!.Open();
        var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).ToList();
        Assert.Contains("System.Numerics.Tensors", dependencies);
        Assert.Contains("Google.Protobuf", dependencies);
        Assert.Contains("Kiln.IR", dependencies);
        Assert.DoesNotContain("Grpc.Tools", dependencies);
    }

    /// <summary>
    /// A nuget.config (the packed folder beside the configured feeds) and an empty package cache for the installs
    /// below, so they leave nothing in the machine's cache; that cache is a fallback folder, so nothing downloads twice.
    /// </summary>
    private Dictionary<string, string> IsolatedNuGet()
    {
        var locals = DotnetProcess.Dotnet(root, NoEnvironment, "nuget", "locals", "global-packages", "--list");
        Assert.True(locals.ExitCode == 0, locals.ToString());
        string machineCache = locals.Output.Split('\n').Single(l => l.StartsWith("global-packages:", StringComparison.Ordinal))
            .Split(':', 2)[1].Trim();

        var config = new XElement("configuration",
            new XElement("packageSources", new XElement("add", new XAttribute("key", "kiln-packed"), new XAttribute("value", Packages))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine-cache"), new XAttribute("value", machineCache))));
        config.Save(Path.Combine(root, "nuget.config"));
        return new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(root, "nuget-cache") };
    }

    /// <summary>The README's tool install, into a tool path here instead of the global one; then <c>kiln --help</c>.</summary>
    private void InstallAndRunTool(string version, Dictionary<string, string> nuget)
    {
        string tools = Path.Combine(root, "tools");
        var install = DotnetProcess.Dotnet(root, nuget,
            "tool", "install", "--tool-path", tools, "--add-source", Packages, "--version", version, "Kiln.Cli");
        Assert.True(install.ExitCode == 0, install.ToString());

        var help = DotnetProcess.Run(Path.Combine(tools, "kiln"), root, NoEnvironment, "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("inspect", help.Output);
        Assert.Contains("run", help.Output);
    }

    /// <summary><c>dotnet new console</c>, both packages added, and the model, the program and a faulty [Script] class written.</summary>
    private string NewConsoleProject(string version, Dictionary<string, string> nuget)
    {
        string app = Path.Combine(root, "app");
        var create = DotnetProcess.Dotnet(root, nuget, "new", "console", "-n", "PackagedApp", "-o", app, "--no-restore");
        Assert.True(create.ExitCode == 0, create.ToString());
        foreach (var id in new[] { "Kiln", "Kiln.Frontend" })
        {
            var add = DotnetProcess.Dotnet(app, nuget, "add", "package", id, "--version", version, "--no-restore");
            Assert.True(add.ExitCode == 0, add.ToString());
        }
        File.WriteAllText(Path.Combine(app, "Program.cs"), ConsumerApp.Program);
        File.WriteAllText(Path.Combine(app, "TinyNet.cs"), ConsumerApp.Model);
        File.WriteAllText(Path.Combine(app, "NotAModule.cs"), ConsumerApp.NotAModule);
        return app;
    }

    /// <summary>The packaged analyzer runs in the new project's build: KILN0001 on the class that is not a module.</summary>
    private static void AssertAnalyzerReportsAtBuild(string app, Dictionary<string, string> nuget)
    {
        var build = DotnetProcess.Dotnet(app, nuget, "build");
        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.Matches(@"NotAModule\.cs\(\d+,\d+\): error KILN0001", build.Output);
    }

    /// <summary>Without the faulty class it builds, and the program prints the loaded module's known outputs.</summary>
    private static void AssertBuildsAndRuns(string app, Dictionary<string, string> nuget)
    {
        File.Delete(Path.Combine(app, "NotAModule.cs"));
        var build = DotnetProcess.Dotnet(app, nuget, "build");
        Assert.True(build.ExitCode == 0, build.ToString());

        var run = DotnetProcess.Dotnet(app, nuget, "run", "--no-build");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(ConsumerApp.ExpectedOutput, run.Output);
        Assert.True(File.Exists(Path.Combine(app, "tiny.kiln")), "the program did not save tiny.kiln");
    }

    private static readonly Dictionary<string, string> NoEnvironment = [];

    [GeneratedRegex(@"^Kiln\.Cli\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.nupkg$")]
    private static partial Regex PackageVersion();
}
