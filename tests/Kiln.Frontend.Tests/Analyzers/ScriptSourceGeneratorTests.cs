using System.Reflection;
using System.Runtime.CompilerServices;
using Kiln.Frontend.Tests.Corpus;
using Kiln.Scripting;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Tests.Analyzers;

/// <summary>
/// The source generator: for each [Script] class, a module initializer registering the class's source files, those
/// of the user types it uses and those declaring global usings, compiled into the user's assembly and run when it loads.
/// </summary>
public sealed class ScriptSourceGeneratorTests
{
    private const string NetFile = """"
        using Kiln;
        using Kiln.NN;

        namespace App;

        [Script]
        public sealed class Net : NetBase
        {
            private readonly Block block = new();

            // Text with "quotes", a verbatim @"C:\path" and a raw """triple""" string survives registration.
            public Tensor Forward(Tensor x) => Helpers.Twice(block.Forward(x)) * Scale;
        }

        public static class Models
        {
            [Script]
            private sealed class Hidden : Module
            {
                public Tensor Forward(Tensor x) => x;
            }

            public static Module CreateHidden() => new Hidden();
        }
        """";

    private static readonly (string Path, string Text)[] Files =
    [
        ("/src/App/Net.cs", NetFile),
        ("/src/App/NetBase.cs", "using Kiln.NN;\nnamespace App;\npublic abstract class NetBase : Module\n{\n    protected readonly double Scale = 2;\n}\n"),
        ("/src/App/Block.cs", "using Kiln;\nusing Kiln.NN;\nnamespace App;\npublic sealed class Block : Module\n{\n    public Tensor Forward(Tensor x) => x.Relu();\n}\n"),
        ("/src/App/Helpers.cs", "using Kiln;\nnamespace App;\npublic static class Helpers\n{\n    public static Tensor Twice(Tensor x) => x * 2;\n}\n"),
        ("/src/App/GlobalUsings.cs", "global using System;\n"),
        ("/src/App/Unrelated.cs", "namespace App;\npublic static class Unrelated\n{\n    public static int Answer => 42;\n}\n"),
    ];

    [Fact]
    public void Output_compiles_and_registers_the_class_and_the_user_files_it_uses_when_the_assembly_loads()
    {
        var (_, output) = UserCompilation.Of(Files).Generate();
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var assembly = Load(output);

        var net = ScriptSources.For(assembly.GetType("App.Net", throwOnError: true)!);
        Assert.Equal(["/src/App/Block.cs", "/src/App/GlobalUsings.cs", "/src/App/Helpers.cs", "/src/App/Net.cs", "/src/App/NetBase.cs"],
            net.Select(s => s.Path));
        foreach (var source in net) Assert.Equal(Files.Single(f => f.Path == source.Path).Text, source.Text);
        // A private nested class is registered by its metadata name.
        var hidden = ScriptSources.For(assembly.GetType("App.Models+Hidden", throwOnError: true)!);
        Assert.Equal(["/src/App/GlobalUsings.cs", "/src/App/Net.cs"], hidden.Select(s => s.Path));
    }

    [Fact]
    public void Output_is_one_file_per_script_class_and_deterministic()
    {
        var first = UserCompilation.Of(Files).Generate().Driver.GetRunResult();
        var second = UserCompilation.Of(Files).Generate().Driver.GetRunResult();

        Assert.Equal(["App_Models_Hidden.ScriptSources.g.cs", "App_Net.ScriptSources.g.cs"],
            first.GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)).Order(StringComparer.Ordinal));
        Assert.Equal(first.GeneratedTrees.Select(t => t.ToString()), second.GeneratedTrees.Select(t => t.ToString()));
    }

    [Fact]
    public void Editing_a_file_no_script_class_uses_leaves_the_output_unchanged()
    {
        var compilation = UserCompilation.Of(Files);
        var (driver, _) = compilation.Generate();

        var edited = compilation.WithFile("/src/App/Unrelated.cs", "namespace App;\npublic static class Unrelated\n{\n    public static int Answer => 43;\n}\n");
        var rerun = edited.Generate(driver).Driver.GetRunResult().Results.Single();

        var reasons = rerun.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(step => step.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Editing_a_used_file_changes_the_registration()
    {
        var compilation = UserCompilation.Of(Files);
        var (driver, _) = compilation.Generate();
        string helpers = Files.Single(f => f.Path == "/src/App/Helpers.cs").Text.Replace("x * 2", "x * 3", StringComparison.Ordinal);

        var rerun = compilation.WithFile("/src/App/Helpers.cs", helpers).Generate(driver).Driver.GetRunResult();

        var netOutput = rerun.GeneratedTrees.Single(t => t.FilePath.EndsWith("App_Net.ScriptSources.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("x * 3", netOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void This_test_project_build_registered_the_sources_of_its_script_classes()
    {
        // The generator runs on this project's own build, like a user's: the corpus classes' sources are registered.
        var sources = ScriptSources.For(typeof(Composite));

        var own = Assert.Single(sources, s => s.Path.EndsWith("Composite.cs", StringComparison.Ordinal));
        Assert.Contains("public sealed class Composite : Module", own.Text, StringComparison.Ordinal);
        // The SDK's implicit usings file, without which the captured source would not compile again.
        Assert.Contains(sources, s => s.Text.Contains("global using System;", StringComparison.Ordinal));
    }

    private static Assembly Load(Compilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        var assembly = Assembly.Load(image.ToArray());
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        return assembly;
    }
}
