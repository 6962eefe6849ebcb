using Kiln.IR;

namespace Kiln.Scripting;

/// <summary>
/// A write the captured forward pass makes into module state (batch norm's running statistics in training): the
/// state tensor <paramref name="State"/>, known by its state-dict <paramref name="Name"/>, holds
/// <paramref name="Value"/> once the pass is done. A finished graph returns these values after the forward pass's own
/// outputs, and its runner copies them into the state tensors, as the eager in-place writes do.
/// </summary>
/// <param name="Name">The state-dict name of the parameter or buffer (<c>bn.running_mean</c>).</param>
/// <param name="State">The module's live tensor.</param>
/// <param name="Value">The graph value the tensor holds after the pass.</param>
public sealed record StateUpdate(string Name, Tensor State, Value Value);
