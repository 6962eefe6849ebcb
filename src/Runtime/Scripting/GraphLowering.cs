using Kiln.IR;
using Kiln.NN;

namespace Kiln.Scripting;

/// <summary>How a <see cref="ScriptModule"/> gets the graph of its module's forward pass for given inputs.</summary>
internal interface IGraphLowering
{
    /// <summary>
    /// Captures <paramref name="module"/>'s forward pass for inputs like <paramref name="inputs"/> (their dtypes and
    /// shapes): its graph returns Forward's outputs, then the capture's <see cref="GraphCapture.StateUpdates"/>.
    /// </summary>
    GraphCapture Lower(Module module, Tensor[] inputs);
}

/// <summary>
/// Compiles Forward from its C# source with the script frontend (<c>Jit.Script</c>), for the inputs' types, with the
/// symbolic dims <paramref name="options"/> marks (the frontend refuses, KILN0202, where a symbol cannot stay symbolic).
/// </summary>
internal sealed class ScriptLowering(TraceOptions? options = null) : IGraphLowering
{
    /// <inheritdoc/>
    public GraphCapture Lower(Module module, Tensor[] inputs)
    {
        var capture = new GraphCapture(module, module.GetType().Name);
        var symbols = options is null ? [] : SymbolicTrace.Resolve(options.All(inputs.Length), inputs, "Jit.Script");
        IrType[] types = [.. inputs.Select((t, i) =>
        {
            var shape = t.Shape.Select(Dim.Of).ToArray();
            foreach (var d in symbols.Where(d => d.Input == i)) shape[d.Dim] = Dim.Sym(d.Symbol);
            return TensorValueType.Of(t.DType, shape);
        })];
        ScriptFrontends.Current.Lower(module, types, capture);
        capture.AddStateOutputs();
        GraphVerifier.Verify(capture.Graph);
        return capture;
    }
}

/// <summary>Traces Forward on the inputs themselves (<c>Jit.Trace</c>), with the symbolic dims <paramref name="options"/> marks.</summary>
internal sealed class TraceLowering(TraceOptions options) : IGraphLowering
{
    /// <inheritdoc/>
    public GraphCapture Lower(Module module, Tensor[] inputs) => ModuleTracer.Trace(module, inputs, options);
}
