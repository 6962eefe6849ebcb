namespace Kiln.Passes;

/// <summary>One pass a pipeline can name: its name, what it does, and how to make it from options.</summary>
/// <param name="Name">The name in pipeline strings.</param>
/// <param name="Description">One line for <c>kiln opt --help</c>.</param>
/// <param name="Create">Makes the pass; throws <see cref="ArgumentException"/> for options it does not take.</param>
public sealed record PassInfo(string Name, string Description, Func<PassOptions, IGraphPass> Create);

/// <summary>Every pass by name, and the named pipelines (<c>O0</c>, <c>O1</c>, <c>O2</c>).</summary>
public static class PassRegistry
{
    private static readonly PassInfo[] Passes =
    [
        new("inline", "replaces calls of helper and submodule graphs with the callee's body", o => { o.CheckKnown("inline"); return new InlinePass(); }),
        new(AutodiffPass.PassName, "joint forward and backward graph from the VJP rules: gradients w.r.t. wrt=<names> (default: the parameters), seeds grad_<k> (seed=ones: 1 for 0-d outputs)", AutodiffPass.FromOptions),
        new("shape-propagation", "re-infers every result type from the inputs' types (after they change), through ifs and loops", o => { o.CheckKnown("shape-propagation"); return new ShapePropagation(); }),
        new("specialize", "replaces dim symbols with sizes (specialize{b=64 n=8}) in the input types and propagates", o => new Specialize(o)),
        new("canonicalize", "folds constants (with the runtime's evaluator) and applies algebraic identities, constant ifs and empty loops, to a fixed point", o => { o.CheckKnown("canonicalize"); return new Canonicalize(); }),
        new("decompose", "rewrites composite ops into primitive ones (decompose{ops=linear,silu} for some): linear, silu, gelu, softmax, log_softmax, mse_loss, layer_norm, attention", Decompose.FromOptions),
        new("dce", "removes nodes, if results and loop-carried values nothing reads", o => { o.CheckKnown("dce"); return new DeadCodeElimination(); }),
        new("cse", "merges nodes that compute the same thing, within a block and from enclosing blocks (never random ops)", o => { o.CheckKnown("cse"); return new CommonSubexpressionElimination(); }),
        new(RowMajorWeights.PassName, "copies a transposed matrix that several matmuls read as their right operand row-major once (run after canonicalize)", o => { o.CheckKnown(RowMajorWeights.PassName); return new RowMajorWeights(); }),
        new(FusionPass.PassName, "groups connected elementwise ops of one float dtype and shape into calls of new graphs <graph>_fused_<k> (kernels for codegen; interpreted otherwise), in every block", o => { o.CheckKnown(FusionPass.PassName); return new FusionPass(); }),
    ];

    private static readonly Dictionary<string, string[]> Pipelines = new(StringComparer.Ordinal)
    {
        // O0 runs nothing: the graph as captured, for debugging and for checking passes against.
        ["O0"] = [],
        ["O1"] = ["canonicalize", "cse", "dce"],
        ["O2"] = ["inline", "canonicalize", "cse", "dce"],
    };

    /// <summary>Every registered pass, in registration order.</summary>
    public static IReadOnlyList<PassInfo> All => Passes;

    /// <summary>The names of the named pipelines.</summary>
    public static IReadOnlyCollection<string> PipelineNames => Pipelines.Keys;

    /// <summary>The pass called <paramref name="name"/>, or null.</summary>
    public static PassInfo? Find(string name) => Array.Find(Passes, p => p.Name == name);

    /// <summary>The passes of named pipeline <paramref name="name"/>, or null when there is no such pipeline.</summary>
    public static IReadOnlyList<string>? Pipeline(string name) => Pipelines.GetValueOrDefault(name);
}
