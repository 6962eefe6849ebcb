using Kiln.NN;

namespace Kiln.Scripting;

/// <summary>
/// The lowering of a loaded <see cref="ScriptModule"/>: its graphs all come from the file, so it is asked only for
/// inputs or modes that no stored graph takes, and refuses them, naming the stored signatures.
/// </summary>
internal sealed class StoredGraphLowering(IReadOnlyList<ScriptModule.Lowered> stored) : IGraphLowering
{
    /// <inheritdoc/>
    public GraphCapture Lower(Module module, Tensor[] inputs)
    {
        string modes = string.Concat(module.Modules().Select(m => m.Training ? '1' : '0'));
        string given = string.Join(", ", inputs.Select(t => $"{t.DType.Name()}[{string.Join(", ", t.Shape)}]"));
        string known = string.Join("; ", stored.Select(l => $"({string.Join(", ", l.Graph.Inputs.Select(i => i.Type))}) in modes {l.Modes}"));
        throw new ArgumentException(
            $"ScriptModule loaded from a .kiln file: no stored graph takes inputs ({given}) in modes {modes} (one flag per module, " +
            $"1 = training); it holds graphs for {known}. Save the module after running it on such inputs in that mode");
    }
}
