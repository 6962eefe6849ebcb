using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Replaces every call (a helper method, a submodule's forward) with a copy of the callee's body, the
/// callee's parameters read as the call's operands, so later passes see one graph. Inlined nodes keep
/// their own source spans. Calls inside the copies are inlined too.
/// </summary>
public sealed class InlinePass : IGraphPass
{
    // Deeper nesting than this means graphs that call each other in a cycle.
    private const int MaxDepth = 64;

    /// <inheritdoc/>
    public string Name => "inline";

    /// <inheritdoc/>
    public bool Run(Graph graph, PassContext context)
    {
        bool changed = false;
        for (int round = 0; ; round++)
        {
            var calls = graph.AllNodes().Where(n => n.Kind == NodeKind.Call).ToList();
            if (calls.Count == 0) return changed;
            if (round == MaxDepth)
                throw new IrException([new IrError(calls[0], calls[0].Span, $"call @{calls[0].Callee!.Name}", $"calls are nested more than {MaxDepth} deep: graphs call each other in a cycle, which cannot be inlined")]);
            foreach (var call in calls) Inline(call);
            changed = true;
        }
    }

    private static void Inline(Node call)
    {
        var block = call.Owner!;
        var callee = call.Callee!;
        var map = new Dictionary<Value, Value>();
        for (int i = 0; i < callee.Body.Params.Count; i++) map[callee.Body.Params[i]] = call.Operands[i];
        var returned = GraphCloner.CloneInto(callee.Body, block, map, block.IndexOf(call));
        for (int i = 0; i < call.Results.Count; i++)
        {
            // The callee's output names are less telling than the caller's names for the call's results.
            if (call.Results[i].Name is { } name && returned[i].Producer is not null) returned[i].Name = name;
            call.Results[i].ReplaceAllUsesWith(returned[i]);
        }
        block.Remove(call);
    }
}
