using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Which values depend on the values being differentiated with respect to: forward reachability from
/// them, through ops, structural nodes, if branches and loop bodies (a loop-carried value is active when
/// its initial value is, or the body makes it so from an active value). Only floating-point tensors (and
/// tuples, lists and optionals holding them) can be active: integer and bool results, and scalars read out
/// of tensors, cut the dependency as they do in eager autograd. Inactive operands get no gradient.
/// </summary>
internal sealed class Activity
{
    private readonly HashSet<Value> active = [];

    /// <summary>Whether <paramref name="value"/> depends on a differentiated value.</summary>
    public bool IsActive(Value value) => active.Contains(value);

    /// <summary>Marks <paramref name="value"/> active, if its type can carry a gradient.</summary>
    public void Mark(Value value)
    {
        if (CarriesGradient(value.Type)) active.Add(value);
    }

    /// <summary>Propagates activity through <paramref name="nodes"/>, in order, and the blocks they own.</summary>
    public void Analyze(IEnumerable<Node> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node.Kind)
            {
                case NodeKind.If:
                    foreach (var block in node.Blocks) Analyze(block.Nodes);
                    for (int k = 0; k < node.Results.Count; k++)
                    {
                        if (node.Blocks.Any(b => IsActive(b.Returns[k]))) Mark(node.Results[k]);
                    }
                    break;
                case NodeKind.Loop:
                    AnalyzeLoop(node);
                    break;
                default:
                    if (node.Operands.Any(IsActive))
                    {
                        foreach (var r in node.Results) Mark(r);
                    }
                    break;
            }
        }
    }

    /// <summary>Whether a value of type <paramref name="type"/> can carry a gradient.</summary>
    private static bool CarriesGradient(IrType type) => type switch
    {
        TensorValueType t => t.DType.IsFloatingPoint(),
        TupleType t => t.Elements.Any(CarriesGradient),
        ListType l => CarriesGradient(l.Element),
        OptionalType o => CarriesGradient(o.Inner),
        _ => false,
    };

    /// <summary>
    /// A carried value is active when its initial value is or the body returns an active value for it;
    /// the body is analyzed until no carried value changes (activity only grows, so this ends).
    /// </summary>
    private void AnalyzeLoop(Node loop)
    {
        var body = loop.Blocks[0];
        int carried = loop.Results.Count;
        bool changed = true;
        while (changed)
        {
            for (int k = 0; k < carried; k++)
            {
                if (IsActive(loop.Operands[2 + k])) Mark(body.Params[1 + k]);
            }
            Analyze(body.Nodes);
            changed = false;
            for (int k = 0; k < carried; k++)
            {
                if (IsActive(body.Returns[1 + k]) && !IsActive(body.Params[1 + k]))
                {
                    Mark(body.Params[1 + k]);
                    changed = true;
                }
            }
        }
        for (int k = 0; k < carried; k++)
        {
            if (IsActive(body.Params[1 + k])) Mark(loop.Results[k]);
        }
    }
}
