using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Decomposition of composite ops into primitive ones (<c>decompose</c>, or <c>decompose{ops=linear,silu}</c>
/// for some of them), in every block, until none is left (attention gives a softmax, which is decomposed
/// in turn when it is among the ops). Each replacement computes the same values as the op (PyTorch's
/// formula, numerically stable) with the same result types, and keeps the op's source span. Cases a
/// decomposition does not cover (attention with a mask) keep the op.
/// </summary>
public sealed class Decompose : IGraphPass
{
    private readonly HashSet<string> ops;

    /// <summary>A pass decomposing every op in <see cref="Decomposable"/>.</summary>
    public Decompose()
        : this(Decomposable)
    {
    }

    /// <summary>A pass decomposing only <paramref name="ops"/>.</summary>
    /// <exception cref="ArgumentException">An op has no decomposition.</exception>
    public Decompose(IEnumerable<string> ops)
    {
        this.ops = new HashSet<string>(ops, StringComparer.Ordinal);
        var unknown = this.ops.Where(o => !Decompositions.Table.ContainsKey(o)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"pass '{Name}': no decomposition for {string.Join(", ", unknown)}; the decomposable ops are {string.Join(", ", Decomposable)}");
    }

    /// <summary>The ops this pass can decompose, by registry name (a runtime test checks each against eager).</summary>
    public static IReadOnlyCollection<string> Decomposable { get; } = [.. Decompositions.Table.Keys];

    /// <inheritdoc/>
    public string Name => "decompose";

    /// <summary>Makes the pass from its options: <c>ops</c> lists the ops to decompose (all when absent).</summary>
    /// <exception cref="ArgumentException">An unknown option, or an op with no decomposition.</exception>
    public static Decompose FromOptions(PassOptions options)
    {
        options.CheckKnown("decompose", "ops");
        return options.Get("ops") is { } ops ? new Decompose(ops) : new Decompose();
    }

    /// <inheritdoc/>
    public bool Run(Graph graph, PassContext context)
    {
        bool changed = false;
        for (bool more = true; more;)
        {
            more = false;
            foreach (var node in graph.AllNodes().ToList())
            {
                if (node.Owner is not null && node.Op is { } op && ops.Contains(op.Name) && Decompositions.Table[op.Name](GraphBuilder.Before(node), node) is { } replacements)
                {
                    CheckTypes(node, replacements);
                    for (int i = 0; i < replacements.Length; i++) replacements[i].Name ??= node.Results[i].Name;
                    Rewriting.Replace(node, replacements);
                    more = changed = true;
                }
            }
        }
        return changed;
    }

    private static void CheckTypes(Node node, Value[] replacements)
    {
        var expected = node.Results.Select(r => r.Type);
        var actual = replacements.Select(r => r.Type);
        if (!actual.SequenceEqual(expected))
            throw new InvalidOperationException(
                $"decompose: the decomposition of {node} gives ({string.Join(", ", actual)}) but the op gives ({string.Join(", ", expected)})");
    }
}
