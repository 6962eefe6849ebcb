using System.Globalization;

namespace Kiln.IR;

/// <summary>
/// Reads the <c>.kir</c> text that <see cref="KirPrinter"/> writes back into a graph, then verifies it.
/// Malformed text gives a <see cref="KirParseException"/> with line, column and what was expected; a
/// well-formed but invalid graph gives the <see cref="GraphVerifier"/>'s <see cref="IrException"/>.
/// </summary>
public sealed class KirParser
{
    private readonly List<KirToken> tokens;
    private readonly IReadOnlyDictionary<string, TensorConstant>? constants;
    private readonly List<Dictionary<string, Value>> scopes = [];
    private readonly HashSet<string> defined = new(StringComparer.Ordinal);
    private readonly GraphModule module = new([]);
    private int pos;
    private int depth;
    private Graph graph = null!;

    private KirParser(string text, IReadOnlyDictionary<string, TensorConstant>? constants)
    {
        tokens = KirLexer.Tokenize(text);
        this.constants = constants;
    }

    /// <summary>
    /// Parses one graph. Tensor constants (<c>@name</c>) take their payload from <paramref name="constants"/>
    /// when it has them, else are left unbound (null data). With <paramref name="verify"/> false the graph is
    /// returned unchecked (to test the verifier on invalid IR).
    /// </summary>
    /// <exception cref="KirParseException">The text is malformed.</exception>
    /// <exception cref="IrException">The graph does not verify.</exception>
    public static Graph Parse(string text, IReadOnlyDictionary<string, TensorConstant>? constants = null, bool verify = true)
    {
        var parser = new KirParser(text, constants);
        var g = parser.ParseGraph();
        parser.Expect(KirTokenKind.End, "the end of the text after the graph (several graphs make a module: use ParseModule)");
        if (verify) GraphVerifier.Verify(g);
        return g;
    }

    /// <summary>
    /// Parses a module: one or more graphs, each defined before the graphs that call it. Arguments as for
    /// <see cref="Parse"/>; every graph is verified unless <paramref name="verify"/> is false.
    /// </summary>
    /// <exception cref="KirParseException">The text is malformed, or a call names a graph not defined above it.</exception>
    /// <exception cref="IrException">A graph does not verify.</exception>
    public static GraphModule ParseModule(string text, IReadOnlyDictionary<string, TensorConstant>? constants = null, bool verify = true)
    {
        var parser = new KirParser(text, constants);
        do parser.module.Add(parser.ParseGraph());
        while (parser.Peek().Kind != KirTokenKind.End);
        if (verify)
        {
            foreach (var g in parser.module.Graphs) GraphVerifier.Verify(g);
        }
        return parser.module;
    }

    // Types and blocks are parsed recursively: bounding their nesting keeps hostile text from overflowing the stack.
    private const int MaxNesting = 256;

    private KirToken Peek(int ahead = 0) => tokens[Math.Min(pos + ahead, tokens.Count - 1)];

    private KirToken Next() => tokens[Math.Min(pos++, tokens.Count - 1)];

    private bool IsPunct(string p, int ahead = 0) => Peek(ahead) is { Kind: KirTokenKind.Punct } t && t.Text == p;

    private bool IsWord(string w, int ahead = 0) => Peek(ahead) is { Kind: KirTokenKind.Ident } t && t.Text == w;

    private bool Accept(string p)
    {
        if (!IsPunct(p)) return false;
        pos++;
        return true;
    }

    private KirToken Expect(string p) => IsPunct(p) ? Next() : throw Fail($"'{p}'");

    private KirToken Expect(KirTokenKind kind, string what) => Peek().Kind == kind ? Next() : throw Fail(what);

    private void ExpectWord(string w)
    {
        if (!IsWord(w)) throw Fail($"'{w}'");
        pos++;
    }

    private KirParseException Fail(string expected) => Fail(Peek(), $"expected {expected}, found {Peek().Describe()}");

    private static KirParseException Fail(KirToken at, string message) => new(at.Line, at.Column, message);

    private Graph ParseGraph()
    {
        ExpectWord("graph");
        var nameToken = Expect(KirTokenKind.Global, "the graph's name ('@name')");
        if (!KirSyntax.IsIdentifier(nameToken.Text)) throw Fail(nameToken, $"graph name '{nameToken.Text}' is not an identifier");
        if (module.Find(nameToken.Text) is not null) throw Fail(nameToken, $"graph @{nameToken.Text} is defined twice");
        graph = new Graph(nameToken.Text);
        scopes.Clear();
        defined.Clear();
        scopes.Add([]);
        Expect("(");
        if (!IsPunct(")"))
        {
            do
            {
                bool isParameter = IsWord("param");
                if (isParameter) pos++;
                var (token, type) = ParseTyped();
                var v = isParameter ? graph.AddParameter(token.Text, type) : graph.AddInput(token.Text, type);
                Define(token, v);
            }
            while (Accept(","));
        }
        Expect(")");
        Expect("->");
        var outputsAt = Peek();
        var outputTypes = ParseTypeList("(", ")");
        Expect("{");
        ParseBody(graph.Body);
        Expect("}");
        var returned = graph.Outputs.Select(o => o.Type).ToArray();
        if (!returned.SequenceEqual(outputTypes))
            throw Fail(outputsAt, $"the header declares outputs ({string.Join(", ", outputTypes.Select(t => t.ToString()))}) but the body returns ({string.Join(", ", returned.Select(t => t.ToString()))})");
        return graph;
    }

    private (KirToken Name, IrType Type) ParseTyped()
    {
        var name = Expect(KirTokenKind.Value, "a value name ('%name')");
        Expect(":");
        return (name, ParseType());
    }

    private void Define(KirToken token, Value v)
    {
        if (!defined.Add(token.Text)) throw Fail(token, $"value %{token.Text} is defined twice");
        scopes[^1][token.Text] = v;
        v.Name = token.Text.All(char.IsAsciiDigit) ? null : token.Text;
    }

    private Value Lookup(KirToken token)
    {
        for (int s = scopes.Count - 1; s >= 0; s--)
        {
            if (scopes[s].TryGetValue(token.Text, out var v)) return v;
        }
        throw Fail(token, defined.Contains(token.Text)
            ? $"value %{token.Text} is not visible here: it is defined inside another block, or later"
            : $"undefined value %{token.Text}");
    }

    private void ParseBody(Block block)
    {
        while (!IsWord("return"))
        {
            if (Peek().Kind == KirTokenKind.End || IsPunct("}")) throw Fail("a node or 'return'");
            ParseNode(block);
        }
        pos++;
        var returns = new List<Value>();
        if (Peek().Kind == KirTokenKind.Value)
        {
            do returns.Add(Lookup(Expect(KirTokenKind.Value, "a value name ('%name')")));
            while (Accept(","));
        }
        block.SetReturns(returns);
    }

    private void ParseNode(Block block)
    {
        var results = new List<(KirToken Name, IrType Type)>();
        if (Peek().Kind == KirTokenKind.Value)
        {
            do results.Add(ParseTyped());
            while (Accept(","));
            Expect("=");
        }
        var kindToken = Expect(KirTokenKind.Ident, "an op name, a primitive or a node kind (constant, if, loop, call, ...)");
        bool structural = NodeKinds.TryParse(kindToken.Text, out var kind);
        var prim = structural ? null : Prims.Find(kindToken.Text);
        if (prim is not null) kind = NodeKind.Prim;
        var op = structural || prim is not null ? null
            : OpRegistry.Find(kindToken.Text) ?? throw Fail(kindToken, $"no op or primitive named '{kindToken.Text}'");
        var callee = kind == NodeKind.Call ? ParseCallee() : null;
        object? payload = null;
        var operands = new List<Value>();
        if (kind == NodeKind.Constant)
        {
            payload = ParseConstant(results.Count == 1 ? results[0].Type : null);
        }
        else
        {
            Expect("(");
            if (!IsPunct(")"))
            {
                do operands.Add(Lookup(Expect(KirTokenKind.Value, "an operand ('%name')")));
                while (Accept(","));
            }
            Expect(")");
        }
        var attrs = IsPunct("{") && Peek(1).Kind == KirTokenKind.Ident && IsPunct("=", 2) ? ParseAttributes() : [];
        var types = results.Select(r => r.Type);
        var node = kind switch
        {
            NodeKind.Prim => graph.CreatePrimNode(prim!, operands, attrs, types),
            NodeKind.Call => graph.CreateCallNode(callee!, operands, types),
            _ => graph.CreateNode(kind, op, operands, attrs, types, payload),
        };
        if (IsPunct("{")) ParseRegions(node);
        if (IsWord("loc")) node.Span = ParseLocation();
        block.Append(node);
        for (int i = 0; i < results.Count; i++) Define(results[i].Name, node.Results[i]);
    }

    private Graph ParseCallee()
    {
        var name = Expect(KirTokenKind.Global, "the called graph ('@name')");
        return module.Find(name.Text) ?? throw Fail(name, name.Text == graph.Name
            ? $"graph @{name.Text} calls itself; recursion is not supported"
            : $"no graph named @{name.Text} is defined above this call");
    }

    private object? ParseConstant(IrType? declared)
    {
        var t = Peek();
        if (IsWord("dense")) return ParseDense(declared);
        if (t.Kind != KirTokenKind.Global) return ParseLiteral("a constant (number, true, false, none, dense<...> or '@name')");
        pos++;
        if (constants is not null && constants.TryGetValue(t.Text, out var bound)) return bound;
        if (declared is not TensorValueType { IsConcrete: true } type)
            throw Fail(t, $"tensor constant @{t.Text} needs a tensor type with constant dims, not {declared?.ToString() ?? "none"}");
        return new TensorConstant(t.Text, type.ToConcrete());
    }

    private DenseConstant ParseDense(IrType? declared)
    {
        var at = Next();
        if (declared is not TensorValueType type)
            throw Fail(at, $"a dense constant needs a tensor type, not {declared?.ToString() ?? "none"}");
        Expect("<");
        var values = new List<double>();
        if (Accept("["))
        {
            if (!IsPunct("]"))
            {
                do values.Add(ParseDenseValue());
                while (Accept(","));
            }
            Expect("]");
        }
        else
        {
            values.Add(ParseDenseValue());
        }
        Expect(">");
        try
        {
            return new DenseConstant(type, values);
        }
        catch (ArgumentException e)
        {
            throw Fail(at, e.Message);
        }
    }

    private double ParseDenseValue() => ParseLiteral("a number, true or false") switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw Fail(tokens[pos - 1], "expected a number, true or false in a dense constant"),
    };

    private Attrs ParseAttributes()
    {
        var attrs = new Attrs();
        Expect("{");
        do
        {
            var name = Expect(KirTokenKind.Ident, "an attribute name");
            Expect("=");
            if (attrs.Contains(name.Text)) throw Fail(name, $"attribute '{name.Text}' is given twice");
            attrs.Add(name.Text, ParseLiteral("an attribute value (number, true, false, none, string, dtype or [ints])"));
        }
        while (Accept(","));
        Expect("}");
        return attrs;
    }

    private object? ParseLiteral(string what)
    {
        var t = Peek();
        switch (t.Kind)
        {
            case KirTokenKind.Int:
                pos++;
                return long.TryParse(t.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : throw Fail(t, $"integer {t.Text} does not fit in 64 bits");
            case KirTokenKind.Float:
                pos++;
                return t.Text switch
                {
                    "inf" => double.PositiveInfinity,
                    "-inf" => double.NegativeInfinity,
                    "nan" => double.NaN,
                    _ => double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture),
                };
            case KirTokenKind.String:
                pos++;
                return t.Text;
            case KirTokenKind.Ident:
                pos++;
                if (t.Text is "true" or "false") return t.Text == "true";
                if (t.Text == "none") return null;
                return KirSyntax.TryParseDType(t.Text, out var d) ? d : throw Fail(t, $"expected {what}, found {t.Describe()}");
            case KirTokenKind.Punct when t.Text == "[":
                {
                    pos++;
                    var list = new List<long>();
                    if (!IsPunct("]"))
                    {
                        do list.Add((long)ParseLiteralOf(KirTokenKind.Int, "an integer")!);
                        while (Accept(","));
                    }
                    Expect("]");
                    return list.ToArray();
                }
            default:
                throw Fail(what);
        }
    }

    private object? ParseLiteralOf(KirTokenKind kind, string what) => Peek().Kind == kind ? ParseLiteral(what) : throw Fail(what);

    private void ParseRegions(Node node)
    {
        Enter(Peek());
        try
        {
            ParseRegionList(node);
        }
        finally
        {
            depth--;
        }
    }

    private void Enter(KirToken at)
    {
        if (++depth > MaxNesting)
        {
            depth = 0;
            throw Fail(at, $"types or blocks nest deeper than {MaxNesting} levels");
        }
    }

    private void ParseRegionList(Node node)
    {
        Expect("{");
        foreach (var label in NodeKinds.BlockLabels(node.Kind))
        {
            if (!IsWord(label)) throw Fail($"block label '{label}:' of {node.Name}");
            pos++;
            var block = node.AddBlock();
            scopes.Add([]);
            if (Accept("("))
            {
                if (!IsPunct(")"))
                {
                    do
                    {
                        var (name, type) = ParseTyped();
                        Define(name, block.AddParam(type));
                    }
                    while (Accept(","));
                }
                Expect(")");
            }
            Expect(":");
            ParseBody(block);
            scopes.RemoveAt(scopes.Count - 1);
        }
        if (!IsPunct("}")) throw Fail(node.Blocks.Count == 0 ? $"no blocks: {node.Name} nodes have none, so '}}'" : "'}' after the last block");
        pos++;
    }

    private SourceSpan ParseLocation()
    {
        ExpectWord("loc");
        Expect("(");
        var file = Expect(KirTokenKind.String, "the source file name as a string").Text;
        Expect(":");
        int line = Position("a line number");
        Expect(":");
        int col = Position("a column number");
        int endLine = 0, endCol = 0;
        if (IsWord("to"))
        {
            pos++;
            endLine = Position("an end line number");
            Expect(":");
            endCol = Position("an end column number");
        }
        Expect(")");
        return new SourceSpan(file, line, col, endLine, endCol);
    }

    private int Position(string what)
    {
        var t = Expect(KirTokenKind.Int, what);
        return int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw Fail(t, $"expected {what} (a positive integer), found {t.Text}");
    }

    private List<IrType> ParseTypeList(string open, string close)
    {
        var types = new List<IrType>();
        Expect(open);
        if (!IsPunct(close))
        {
            do types.Add(ParseType());
            while (Accept(","));
        }
        Expect(close);
        return types;
    }

    private IrType ParseType()
    {
        Enter(Peek());
        try
        {
            return ParseTypeAt();
        }
        finally
        {
            depth--;
        }
    }

    private IrType ParseTypeAt()
    {
        var t = Expect(KirTokenKind.Ident, "a type (f32[...], int, float, bool, tuple<...>, list<...>, optional<...>)");
        switch (t.Text)
        {
            case "int": return ScalarType.Int;
            case "float": return ScalarType.Float;
            case "bool" when !IsPunct("["): return ScalarType.Bool;
            case "tuple": return new TupleType(ParseTypeList("<", ">"));
            case "list":
                {
                    Expect("<");
                    var element = ParseType();
                    Expect(">");
                    return new ListType(element);
                }
            case "optional":
                {
                    Expect("<");
                    var inner = ParseType();
                    Expect(">");
                    return new OptionalType(inner);
                }
        }
        if (!KirSyntax.TryParseDType(t.Text, out var dtype))
            throw Fail(t, $"expected a type (f32[...], int, float, bool, tuple<...>, list<...>, optional<...>), found {t.Describe()}");
        Expect("[");
        var dims = new List<Dim>();
        if (!IsPunct("]"))
        {
            do dims.Add(ParseDim());
            while (Accept(","));
        }
        Expect("]");
        return new TensorValueType(dtype, dims);
    }

    private Dim ParseDim()
    {
        var t = Next();
        if (t.Kind == KirTokenKind.Symbol)
        {
            if (t.Text.Length == 0) return Dim.Dynamic;
            return KirSyntax.IsIdentifier(t.Text) ? Dim.Sym(t.Text) : throw Fail(t, $"dim symbol ?{t.Text} must start with a letter or '_'");
        }
        if (t.Kind == KirTokenKind.Int && long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return Dim.Of(size);
        throw Fail(t, $"expected a dim (a size, '?name' or '?'), found {t.Describe()}");
    }
}
