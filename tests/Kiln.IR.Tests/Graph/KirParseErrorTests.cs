using Kiln.IR;

namespace Kiln.IR.Tests.Graph;

public class KirParseErrorTests
{
    private static KirParseException Fails(string text) => Assert.Throws<KirParseException>(() => KirParser.Parse(text));

    [Theory]
    [InlineData("graph @g(%x: f32[3] -> (f32[3]) {\n  return %x\n}", 1, 21, "expected ')', found '->'")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = frob(%x)\n  return %y\n}", 2, 16, "no op or primitive named 'frob'")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = relu(%z)\n  return %y\n}", 2, 21, "undefined value %z")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  %y: f33[3] = relu(%x)\n  return %y\n}", 2, 7, "expected a type (f32[...], int, float, bool, tuple<...>, list<...>, optional<...>), found 'f33'")]
    [InlineData("graph @g(%x: f32[3, b]) -> (f32[3]) {\n  return %x\n}", 1, 21, "expected a dim (a size, '?name' or '?'), found 'b'")]
    [InlineData("graph @g(%x: f32[?1]) -> (f32[?1]) {\n  return %x\n}", 1, 18, "dim symbol ?1 must start with a letter or '_'")]
    [InlineData("graph @g() -> (f32[?b]) {\n  %c: f32[?b] = constant dense<[1.0, 2.0]>\n  return %c\n}", 2, 26, "dense constant of type f32[?b]: expected 1 value (a splat: the shape is symbolic), got 2")]
    [InlineData("graph @g() -> (f32[3]) {\n  %c: f32[3] = constant dense<[1.0, 2.0]>\n  return %c\n}", 2, 25, "dense constant of type f32[3]: expected 1 value (a splat) or 3 (one per element), got 2")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[4]) {\n  return %x\n}", 1, 25, "the header declares outputs (f32[4]) but the body returns (f32[3])")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  %x: f32[3] = relu(%x)\n  return %x\n}", 2, 3, "value %x is defined twice")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = relu(%x) loc(\"a.cs:1:1)\n  return %y\n}", 2, 29, "unterminated string")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = relu(%x)\n}", 3, 1, "expected a node or 'return', found '}'")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = relu(%x) {dim=x}\n  return %y\n}", 2, 30, "expected an attribute value")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  return %x\n}\nextra", 4, 1, "expected the end of the text after the graph (several graphs make a module: use ParseModule), found 'extra'")]
    [InlineData("graph @g(%x: f32[3]) -> (f32[3]) {\n  %y: f32[3] = relu(%x) $\n  return %y\n}", 2, 25, "unexpected character '$'")]
    public void Malformed_text_reports_line_column_and_what_was_expected(string text, int line, int column, string message)
    {
        var e = Fails(text);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.StartsWith($"{line}:{column}: {message}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_of_a_block_are_not_visible_after_it()
    {
        var e = Fails("""
            graph @g(%x: f32[3], %c: bool) -> (f32[3]) {
              %r: f32[3] = if(%c) {
              then:
                %y: f32[3] = relu(%x)
                return %y
              else:
                return %x
              }
              return %y
            }
            """);
        Assert.Equal((9, 10), (e.Line, e.Column));
        Assert.Contains("value %y is not visible here", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocks_must_carry_the_labels_of_their_node_kind()
    {
        var e = Fails("""
            graph @g(%x: f32[3], %c: bool) -> (f32[3]) {
              %r: f32[3] = if(%c) {
              body:
                return %x
              }
              return %r
            }
            """);
        Assert.Equal("3:3: expected block label 'then:' of if, found 'body'", e.Message);
    }

    [Fact]
    public void Well_formed_but_invalid_graphs_fail_verification_after_parsing()
    {
        var e = Assert.Throws<IrException>(() => KirParser.Parse("""
            graph @g(%x: f32[3]) -> (f32[4]) {
              %y: f32[4] = relu(%x) loc("m.cs":1:2)
              return %y
            }
            """));
        Assert.Equal("m.cs:1:2: %y = relu: result 0 (%y) is declared f32[4] but relu gives f32[3]", e.Message);
    }

    [Fact]
    public void Nesting_too_deep_for_the_recursive_parser_is_an_error_not_a_stack_overflow()
    {
        var types = "graph @g(%x: " + string.Concat(Enumerable.Repeat("list<", 100_000)) + "f32[1]";
        var e = Assert.Throws<KirParseException>(() => KirParser.Parse(types));
        Assert.Contains("types or blocks nest deeper than 256 levels", e.Message, StringComparison.Ordinal);

        var blocks = new System.Text.StringBuilder("graph @g(%c: bool) -> () {\n");
        for (int i = 0; i < 300; i++) blocks.Append("if(%c) {\nthen:\n");
        var b = Assert.Throws<KirParseException>(() => KirParser.Parse(blocks.ToString()));
        Assert.Contains("nest deeper than 256", b.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Moderately_nested_types_still_parse()
    {
        var type = string.Concat(Enumerable.Repeat("list<", 50)) + "f32[1]" + new string('>', 50);
        var g = KirParser.Parse($"graph @g(%x: {type}) -> ({type}) {{\n  return %x\n}}");
        Assert.Equal(type, g.Inputs[0].Type.ToString());
    }

    [Fact]
    public void Names_that_start_with_a_digit_survive_a_round_trip()
    {
        // Sequential's parameters are named 0.weight, 1.bias...: only all-digit names are value numbers.
        var g = new IR.Graph("seq");
        var x = g.AddInput("x", TensorValueType.Of(DType.Float32, 2, 3));
        var w = g.AddParameter("0.weight", TensorValueType.Of(DType.Float32, 4, 3));
        var b = new GraphBuilder(g);
        b.Return(b.Add("linear", [x, w]));
        var text = KirPrinter.Print(g);
        Assert.Contains("param %0.weight: f32[4, 3]", text, StringComparison.Ordinal);
        var parsed = KirParser.Parse(text);
        Assert.Equal("0.weight", parsed.Parameters[0].Name);
        Assert.Equal(text, KirPrinter.Print(parsed));
    }
}
