namespace Kiln.Cli.Tests.Golden;

/// <summary>The golden-file reader and matcher reject what they should, so a passing golden test means something.</summary>
public class CheckMatcherTests
{
    private const string Output = """
        graph @g(%x: f32[3]) -> (f32[3]) {
          %0: f32[3] = relu(%x)
          %1: f32[3] = neg(%0)

          return %1
        }

        """;

    private static string? Match(string directives) => CheckMatcher.Match(GoldenFile.Parse("# RUN:\n" + directives).Checks, Output);

    [Theory]
    [InlineData("# CHECK: graph @g\n# CHECK: neg(\n# CHECK: return %1")]
    [InlineData("# CHECK: relu\n# CHECK-NEXT: neg(%0)\n# CHECK-EMPTY\n# CHECK-NEXT: return")]
    [InlineData("# CHECK: graph\n# CHECK-NOT: add(\n# CHECK: relu")]
    [InlineData("# CHECK: neg\n# CHECK-NOT: relu")]
    [InlineData("# CHECK-NOT: frob\n# CHECK: graph")]
    public void Output_that_satisfies_the_checks_matches(string directives) => Assert.Null(Match(directives));

    [Theory]
    [InlineData("# CHECK: neg(\n# CHECK: relu(", "line 3: CHECK: relu(: not found at or after output line 4")]
    [InlineData("# CHECK: graph\n# CHECK-NEXT: neg", "line 3: CHECK-NEXT: neg: output line 2 does not match")]
    [InlineData("# CHECK: relu\n# CHECK-EMPTY", "line 3: CHECK-EMPTY: output line 3 does not match")]
    [InlineData("# CHECK: graph\n# CHECK-NOT: relu\n# CHECK: neg", "line 3: CHECK-NOT: relu: found on output line 2")]
    [InlineData("# CHECK: relu\n# CHECK-NOT: return", "line 3: CHECK-NOT: return: found on output line 5")]
    [InlineData("# CHECK: }\n# CHECK-NEXT: graph", "line 3: CHECK-NEXT: graph: the output ended")]
    public void Output_that_breaks_a_check_fails_naming_the_directive_and_the_line(string directives, string expected)
    {
        var failure = Match(directives);
        Assert.NotNull(failure);
        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
        Assert.Contains("   2 |   %0: f32[3] = relu(%x)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_golden_file_reads_its_pipeline_checks_and_errors_with_their_lines()
    {
        var golden = GoldenFile.Parse("# RUN: canonicalize,autodiff{wrt=x,w}\n# a plain comment\ngraph @g() -> () {\n  return\n}\n# CHECK: graph\n#CHECK-NOT: relu\n");
        Assert.Equal("canonicalize,autodiff{wrt=x,w}", golden.Pipeline);
        Assert.Equal([new Directive(DirectiveKind.Check, "graph", 6), new Directive(DirectiveKind.CheckNot, "relu", 7)], golden.Checks);
        Assert.Empty(golden.Errors);
        var invalid = GoldenFile.Parse("# RUN:\n# ERROR: 3:7: expected ')'\n");
        Assert.Equal("", invalid.Pipeline);
        Assert.Equal("3:7: expected ')'", Assert.Single(invalid.Errors).Text);
        Assert.True(invalid.Verify);
        var unverified = GoldenFile.Parse("# RUN: --no-verify shape-propagation\n# CHECK: x\n");
        Assert.Equal(("shape-propagation", false), (unverified.Pipeline, unverified.Verify));
    }

    [Theory]
    [InlineData("# CHECK: x", "golden file line 1: no '# RUN: <pipeline>' line")]
    [InlineData("# RUN: cse\n# RUN: dce\n# CHECK: x", "golden file line 2: a second RUN line")]
    [InlineData("# RUN: --verify cse\n# CHECK: x", "golden file line 1: RUN takes a pipeline, optionally after --no-verify, not '--verify cse'")]
    [InlineData("# RUN: cse\n# CHECK-NXT: x", "golden file line 2: 'CHECK-NXT: x' is not a directive")]
    [InlineData("# RUN: cse\n# CHECK relu", "golden file line 2: 'CHECK relu' is not a directive")]
    [InlineData("# RUN: cse\n# CHECK-NEXT: x", "golden file line 2: CHECK-NEXT needs a CHECK before it")]
    [InlineData("# RUN: cse\n# CHECK:", "golden file line 2: CHECK with nothing to look for")]
    [InlineData("# RUN: cse\n# CHECK: x\n# ERROR: y", "golden file line 1: both CHECK and ERROR lines")]
    [InlineData("# RUN: cse\ngraph @g() -> () {\n  return\n}", "golden file line 1: no CHECK or ERROR lines")]
    public void Malformed_directives_are_rejected_rather_than_checking_nothing(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => GoldenFile.Parse(text));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }
}
