using System.Globalization;
using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Specialisation to sizes (<c>specialize{b=64 n=8}</c>): replaces dim symbols with constant sizes in the
/// types of the graph's inputs and parameters and of inline constants (a splat of zeros shaped
/// <c>[?b, 512]</c>), then re-infers every other type with <see cref="ShapePropagation"/>. Symbols not
/// given stay symbolic; a size given for a symbol the graph does not have is an error naming it.
/// </summary>
public sealed class Specialize : IGraphPass
{
    private readonly PassOptions options;

    /// <summary>A pass giving each option's symbol (the option's name) its size (the option's one value).</summary>
    public Specialize(PassOptions options) => this.options = options;

    /// <summary>A pass giving each symbol in <paramref name="sizes"/> its size.</summary>
    public Specialize(IReadOnlyDictionary<string, long> sizes)
    {
        options = new PassOptions();
        foreach (var (symbol, size) in sizes) options.Set(symbol, [size.ToString(CultureInfo.InvariantCulture)]);
    }

    /// <inheritdoc/>
    public string Name => "specialize";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A size is given for a symbol the graph does not have, or is not a size.</exception>
    public bool Run(Graph graph, PassContext context)
    {
        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var p in graph.Body.Params) CollectSymbols(p.Type, symbols);
        var constants = graph.AllNodes().Where(n => n.Constant is DenseConstant).ToList();
        foreach (var c in constants) CollectSymbols(c.Result.Type, symbols);
        try
        {
            options.CheckKnown(Name, [.. symbols]);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{e.Message} (each option names a dim symbol of @{graph.Name})", e);
        }
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var symbol in symbols)
        {
            if (options.GetOne(Name, symbol, "") is { Length: > 0 } text) sizes[symbol] = ParseSize(symbol, text);
        }
        if (sizes.Count == 0) return false;

        foreach (var p in graph.Body.Params) p.Type = Substitute(p.Type, sizes);
        foreach (var c in constants)
        {
            var dense = (DenseConstant)c.Constant!;
            var type = (TensorValueType)Substitute(dense.Type, sizes);
            if (type == dense.Type) continue;
            var replacement = GraphBuilder.Before(c).Constant(new DenseConstant(type, dense.Values));
            replacement.Name = c.Result.Name;
            Rewriting.Replace(c, [replacement]);
        }
        ShapePropagation.Propagate(graph);
        return true;
    }

    /// <summary><paramref name="type"/> with each symbol in <paramref name="sizes"/> replaced by its size, inside tuples, lists and optionals too.</summary>
    public static IrType Substitute(IrType type, IReadOnlyDictionary<string, long> sizes) => type switch
    {
        TensorValueType t => new TensorValueType(t.DType, t.Shape.Select(d => d.IsSymbol && sizes.TryGetValue(d.Symbol!, out long size) ? Dim.Of(size) : d)),
        TupleType t => new TupleType([.. t.Elements.Select(e => Substitute(e, sizes))]),
        ListType l => new ListType(Substitute(l.Element, sizes)),
        OptionalType o => new OptionalType(Substitute(o.Inner, sizes)),
        _ => type,
    };

    private static void CollectSymbols(IrType type, ISet<string> symbols)
    {
        switch (type)
        {
            case TensorValueType t:
                symbols.UnionWith(t.Symbols);
                break;
            case TupleType t:
                foreach (var e in t.Elements) CollectSymbols(e, symbols);
                break;
            case ListType l:
                CollectSymbols(l.Element, symbols);
                break;
            case OptionalType o:
                CollectSymbols(o.Inner, symbols);
                break;
        }
    }

    private long ParseSize(string symbol, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long size)
            ? size
            : throw new ArgumentException($"pass '{Name}': symbol ?{symbol} must be given a size (an integer >= 0), got '{text}'");
}
