using Kiln.Frontend.Analyzers;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Tests.Analyzers;

/// <summary>The analyzer run as the compiler runs it, on real compilations of user code: IDs, spans, files, messages.</summary>
public sealed class ScriptAnalyzerTests
{
    private const string Usings = "using System;\nusing Kiln;\nusing Kiln.NN;\n";

    [Fact]
    public void Lambda_is_reported_at_its_span_as_an_error_with_hint_and_help_link()
    {
        var compilation = UserCompilation.Of(("Net.cs", Usings + """
            [Script]
            public sealed class Net : Module
            {
                public Tensor Forward(Tensor x)
                {
                    Func<Tensor, Tensor> twice = t => t * 2;
                    return twice(x);
                }
            }
            """));

        var diagnostics = compilation.AnalyzerDiagnostics();

        Assert.Equal(["KILN0004 9:38", "KILN0013 10:16"], diagnostics.Select(UserCompilation.Position));
        var lambda = diagnostics[0];
        Assert.Equal("t => t * 2", UserCompilation.SpanText(lambda));
        Assert.Equal(DiagnosticSeverity.Error, lambda.Severity);
        Assert.Equal("Kiln.Script", lambda.Descriptor.Category);
        Assert.Equal("docs/diagnostics.md#kiln0004", lambda.Descriptor.HelpLinkUri);
        Assert.Equal("a lambda expression cannot be scripted (" + ScriptDiagnostics.Hint("KILN0004") + ")", lambda.GetMessage());
        Assert.Equal("a lambda expression cannot be scripted", ScriptDiagnostics.Problem(lambda));
        Assert.Equal("twice(x)", UserCompilation.SpanText(diagnostics[1]));
    }

    [Fact]
    public void Problem_in_a_helper_in_another_file_is_reported_in_that_file()
    {
        var compilation = UserCompilation.Of(
            ("Net.cs", Usings + """
                [Script]
                public sealed class Net : Module
                {
                    public Tensor Forward(Tensor x) => Helpers.Scale(x);
                }
                """),
            ("Helpers.cs", Usings + """
                public static class Helpers
                {
                    public static Tensor Scale(Tensor x)
                    {
                        Console.WriteLine(x.Shape[0]);
                        return x * 2;
                    }
                }
                """));

        var diagnostic = Assert.Single(compilation.AnalyzerDiagnostics());

        Assert.Equal("Helpers.cs", diagnostic.Location.SourceTree!.FilePath);
        Assert.Equal("KILN0006 8:9", UserCompilation.Position(diagnostic));
        Assert.Equal("Console.WriteLine(x.Shape[0])", UserCompilation.SpanText(diagnostic));
        Assert.Contains("Console.WriteLine", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_in_a_module_shared_by_two_script_classes_is_reported_once()
    {
        var compilation = UserCompilation.Of(("Nets.cs", Usings + """
            public sealed class Shared : Module
            {
                private int calls;

                public Tensor Forward(Tensor x)
                {
                    calls++;
                    return x;
                }
            }

            [Script]
            public sealed class First : Module
            {
                private readonly Shared shared = new();

                public Tensor Forward(Tensor x) => shared.Forward(x);
            }

            [Script]
            public sealed class Second : Module
            {
                private readonly Shared shared = new();

                public Tensor Forward(Tensor x) => shared.Forward(x) * 2;
            }
            """));

        var diagnostic = Assert.Single(compilation.AnalyzerDiagnostics());

        Assert.Equal("KILN0007 10:9", UserCompilation.Position(diagnostic));
    }

    [Fact]
    public void Module_held_in_a_field_has_its_forward_checked_even_when_called_through_a_container()
    {
        var compilation = UserCompilation.Of(("Net.cs", Usings + """
            public sealed class Noisy : Module
            {
                public Tensor Forward(Tensor x)
                {
                    Console.WriteLine("noisy");
                    return x;
                }
            }

            [Script]
            public sealed class Net : Module
            {
                private readonly ModuleList<Noisy> layers = new(new Noisy());

                public Tensor Forward(Tensor x) => x;
            }
            """));

        Assert.Equal(["KILN0006 8:9"], compilation.AnalyzerDiagnostics().Select(UserCompilation.Position));
    }

    [Fact]
    public void Classes_without_script_attribute_are_not_checked()
    {
        var compilation = UserCompilation.Of(("Net.cs", Usings + """
            public sealed class Eager : Module
            {
                public Tensor Forward(Tensor x)
                {
                    Func<Tensor, Tensor> f = t => t;
                    return f(x);
                }
            }
            """));

        Assert.Empty(compilation.AnalyzerDiagnostics());
    }

    [Fact]
    public void Checker_lists_the_user_types_scripting_needs()
    {
        var compilation = UserCompilation.Of(("Net.cs", Usings + """
            public abstract class NetBase : Module
            {
                protected readonly double Scale = 2;
            }

            public sealed class Block : Module
            {
                public Tensor Forward(Tensor x) => x;
            }

            public static class Helpers
            {
                public static Tensor Twice(Tensor x) => x * 2;
            }

            public sealed class Unused
            {
            }

            [Script]
            public sealed class Net : NetBase
            {
                private readonly Block block = new();

                public Tensor Forward(Tensor x) => Helpers.Twice(block.Forward(x)) * Scale;
            }
            """)).Compilation;

        var result = ScriptSubsetChecker.Check(compilation, compilation.GetTypeByMetadataName("Net")!);

        Assert.True(result.IsValid);
        Assert.Equal("Forward", result.Forward!.Name);
        Assert.Equal(["Net", "NetBase", "Block", "Helpers"], result.UsedTypes.Select(t => t.Name));
    }
}
