using Kiln.IR;
using Kiln.NN;

namespace Kiln.Scripting;

/// <summary>
/// Lowers one call of a built-in layer's <c>Forward</c> into graph nodes: the layer instance (its
/// hyper-parameters and tensors, bound through <paramref name="capture"/>), the builder to add nodes with, and
/// the call's arguments as graph values. Returns the call's results (one per returned tensor; a tuple's elements).
/// </summary>
public delegate IReadOnlyList<Value> LayerLowering(Module layer, GraphBuilder builder, GraphCapture capture, IReadOnlyList<Value> arguments);

/// <summary>The graph lowerings of Kiln.NN's built-in layers, which have no C# source to script from.</summary>
public static partial class LayerLowerings
{
    /// <summary>The lowering of layers of type <paramref name="layerType"/>, or null when it has none.</summary>
    public static LayerLowering? Find(Type layerType) => Table.GetValueOrDefault(layerType);
}
