using Kiln.Cli.Compile;
using Kiln.Frontend.Files;
using Kiln.Scripting;

namespace Kiln.Cli.Tests.Compile;

/// <summary>
/// In process: <see cref="ScriptFiles"/> finds a class by simple or full name and refuses every class <c>kiln compile</c>
/// cannot create and script, naming it; <see cref="InputShape"/> parses dims and dtype suffixes.
/// </summary>
public sealed class ScriptFilesTests
{
    private const string Classes = """
        using Kiln;
        using Kiln.NN;

        namespace A
        {
            [Script] public sealed class Net : Module { public Tensor Forward(Tensor x) => x.Relu(); }
            public sealed class Plain : Module { public Tensor Forward(Tensor x) => x; }
            [Script] public sealed class NeedsSize : Module { public NeedsSize(int n) { } public Tensor Forward(Tensor x) => x; }
            [Script] public abstract class Base : Module { public Tensor Forward(Tensor x) => x; }
            public sealed class NotAModule { }
        }

        namespace B
        {
            [Script] public sealed class Net : Module { public Tensor Forward(Tensor x) => -x; }
        }
        """;

    private static readonly Lazy<ScriptFiles> Compiled = new(() => ScriptFiles.Compile([new ScriptSource("Classes.cs", Classes)]));

    [Fact]
    public void A_full_name_finds_the_class_and_registers_its_source()
    {
        Assert.Empty(Compiled.Value.Errors);
        var type = Compiled.Value.FindModuleClass("B.Net");
        Assert.Equal("B.Net", type.FullName);
        Assert.Equal(["Classes.cs"], ScriptSources.For(type).Select(s => s.Path));
        Assert.Empty(Compiled.Value.Check(type));
    }

    [Theory]
    [InlineData("Net", "class name 'Net' is ambiguous: A.Net, B.Net; give the full name")]
    [InlineData("Plain", "class 'A.Plain' is not marked [Script]")]
    [InlineData("NeedsSize", "class 'A.NeedsSize' has no public parameterless constructor")]
    [InlineData("Base", "class 'A.Base' is abstract")]
    [InlineData("NotAModule", "class 'A.NotAModule' does not derive from Kiln.NN.Module")]
    [InlineData("C.Net", "no class 'C.Net' in Classes.cs (module classes there: A.Base, A.NeedsSize, A.Net, A.Plain, B.Net)")]
    public void A_class_that_cannot_be_compiled_is_refused_by_name(string name, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Compiled.Value.FindModuleClass(name));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Errors_name_the_file_as_given_and_leave_no_assembly()
    {
        var files = ScriptFiles.Compile([new ScriptSource("dir/One.cs", "class One { int x = \"s\"; }")]);
        Assert.Null(files.Assembly);
        var error = Assert.Single(files.Errors);
        Assert.Equal("dir/One.cs(1,21): error CS0029: Cannot implicitly convert type 'string' to 'int'", error.ToString());
    }

    [Fact]
    public void Shapes_parse_dims_and_an_optional_dtype()
    {
        var image = InputShape.Parse("64x1x8x8");
        Assert.Equal([64L, 1, 8, 8], image.Shape);
        Assert.Equal(DType.Float32, image.DType);
        var ids = InputShape.Parse("64x16:int64");
        Assert.Equal([64L, 16], ids.Shape);
        Assert.Equal(DType.Int64, ids.DType);
        Assert.Equal("int64[64, 16]", ids.ToString());
        foreach (var bad in new[] { "", "64x", "64x0", "x8", "-1x2", "8:float", "8x8:" })
            Assert.StartsWith($"--shape '{bad}': ", Assert.Throws<FormatException>(() => InputShape.Parse(bad)).Message, StringComparison.Ordinal);
    }
}
