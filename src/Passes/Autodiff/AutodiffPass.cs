using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// <c>autodiff{wrt=a,b seed=ones}</c>: turns a graph into its joint forward and backward graph, built from
/// the registry's VJP rules (the ones eager autograd runs). The inputs become the original inputs, then one
/// seed input <c>grad_&lt;k&gt;</c> per floating-point tensor output <c>k</c> (same type); the outputs
/// become the original outputs, then the gradient of sum_k &lt;seed_k, output_k&gt; with respect to each
/// <c>wrt</c> value, in <c>wrt</c> order. With <c>seed=ones</c>, 0-d outputs (losses) are seeded with the
/// constant 1 instead of an input. A <c>wrt</c> value no output depends on gets zeros of its type.
/// <para>
/// Only nodes on a path from a <c>wrt</c> value to an output get a backward (dead-gradient pruning), and
/// only their active operands get gradients. An if's backward is an if on the same condition that
/// recomputes the branch; a loop's forward saves each iteration's carried inputs in a list, and its
/// backward is a loop over that list in reverse that recomputes the body. Gradient rules need concrete
/// shapes: run <c>specialize</c> first where dims are symbolic. Gradients flow through registry ops, if and
/// loop, not through tuples, lists, primitives or calls (run <c>inline</c> first).
/// </para>
/// </summary>
public sealed class AutodiffPass : IGraphPass
{
    /// <summary>The pass's name in pipelines.</summary>
    public const string PassName = "autodiff";

    /// <summary>A pass differentiating with respect to the inputs and parameters named <paramref name="wrt"/>.</summary>
    /// <param name="wrt">Input or parameter names; null for every floating-point parameter (or, when the graph has
    /// none, every floating-point tensor input).</param>
    /// <param name="seedOnes">Whether 0-d outputs are seeded with the constant 1 instead of a seed input.</param>
    public AutodiffPass(IReadOnlyList<string>? wrt = null, bool seedOnes = false)
    {
        Wrt = wrt;
        SeedOnes = seedOnes;
    }

    /// <inheritdoc/>
    public string Name => PassName;

    /// <summary>The names of the values differentiated with respect to, or null for the default.</summary>
    public IReadOnlyList<string>? Wrt { get; }

    /// <summary>Whether 0-d outputs are seeded with the constant 1.</summary>
    public bool SeedOnes { get; }

    /// <summary>The pass for pipeline options <c>wrt=&lt;names&gt;</c> and <c>seed=ones|inputs</c>.</summary>
    /// <exception cref="ArgumentException">An unknown option or seed kind.</exception>
    public static AutodiffPass FromOptions(PassOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CheckKnown(PassName, "wrt", "seed");
        bool ones = options.GetOne(PassName, "seed", "inputs") switch
        {
            "ones" => true,
            "inputs" => false,
            var other => throw new ArgumentException($"pass '{PassName}': option 'seed' is 'ones' or 'inputs', got '{other}'"),
        };
        return new AutodiffPass(options.Get("wrt"), ones);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A <c>wrt</c> name is unknown, repeated, or names a value that cannot have a gradient.</exception>
    /// <exception cref="IrException">A gradient must flow through a node that has none, or a shape on the path is symbolic.</exception>
    public bool Run(Graph graph, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(context);
        var wrt = ResolveWrt(graph);
        var forward = graph.Body.Nodes.ToArray();
        var outputs = graph.Outputs.ToArray();
        int nodesBefore = graph.AllNodes().Count();
        var scope = new AutodiffScope(graph);
        foreach (var v in wrt) scope.Activity.Mark(v);
        scope.Activity.Analyze(forward);

        var builder = new GraphBuilder(graph.Body);
        var region = new BackwardRegion(scope, builder);
        var seeds = new List<string>();
        for (int k = 0; k < outputs.Length; k++)
        {
            var output = outputs[k];
            if (output.Type is not TensorValueType { DType: var dtype } type || !dtype.IsFloatingPoint())
            {
                if (scope.Activity.IsActive(output))
                    throw new IrException($"autodiff: output {k} ({scope.Name(output)}) has type {output.Type}; gradients flow from tensor outputs only");
                continue;
            }
            bool ones = SeedOnes && type.Rank == 0;
            region.Accumulate(output, ones ? builder.Constant(DenseConstant.Splat(type, 1)) : graph.AddInput($"grad_{k}", type));
            seeds.Add(ones ? $"output {k}: 1" : $"output {k}: grad_{k}");
        }
        var found = region.Backward(forward, wrt);
        var results = new Value[wrt.Count];
        for (int j = 0; j < wrt.Count; j++)
        {
            results[j] = found[j] ?? builder.Constant(DenseConstant.Splat(wrt[j].TensorType, 0));
            results[j].Name ??= "grad_" + wrt[j].Name;
        }
        graph.SetOutputs([.. outputs, .. results]);
        var kept = forward.ToHashSet();
        BackwardRegion.Prune(graph.Body, kept.Contains);
        context.Log?.WriteLine($"autodiff @{graph.Name}: gradients w.r.t. {string.Join(", ", wrt.Select(w => w.Name))}; seeds {(seeds.Count == 0 ? "none" : string.Join(", ", seeds))}; " +
            $"{graph.AllNodes().Count() - nodesBefore} nodes added; zeros for {found.Count(g => g is null)} wrt value(s) no output depends on");
        return true;
    }

    /// <summary>The values named by <see cref="Wrt"/>, or the default ones.</summary>
    private List<Value> ResolveWrt(Graph graph)
    {
        if (Wrt is null)
        {
            var parameters = graph.Parameters.Where(IsFloatTensor).ToList();
            var chosen = parameters.Count > 0 ? parameters : [.. graph.Inputs.Where(IsFloatTensor)];
            return chosen.Count > 0 ? chosen
                : throw new ArgumentException($"{PassName}: @{graph.Name} has no floating-point tensor parameters or inputs to differentiate with respect to");
        }
        var values = new List<Value>();
        foreach (var name in Wrt)
        {
            var value = graph.Body.Params.FirstOrDefault(p => p.Name == name)
                ?? throw new ArgumentException($"{PassName}: wrt '{name}' is not an input or parameter of @{graph.Name}; it has {string.Join(", ", graph.Body.Params.Select(p => p.Name))}");
            if (values.Contains(value))
                throw new ArgumentException($"{PassName}: wrt '{name}' is given twice");
            if (value.Type is ListType)
                throw new ArgumentException($"{PassName}: wrt '{name}' is a list ({value.Type}); gradients with respect to a list are not supported (list_get cannot send gradients back into a list input): pass its elements as separate inputs");
            if (!IsFloatTensor(value))
                throw new ArgumentException($"{PassName}: wrt '{name}' has type {value.Type}; gradients are taken with respect to floating-point tensors only");
            values.Add(value);
        }
        return values;
    }

    private static bool IsFloatTensor(Value value) => value.Type is TensorValueType t && t.DType.IsFloatingPoint();
}
