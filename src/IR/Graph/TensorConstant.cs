namespace Kiln.IR;

/// <summary>
/// A tensor constant held by reference: a name (printed <c>@fc1.weight</c>), its concrete type, and an
/// opaque payload owned by whoever built the graph (the runtime stores its tensor there; the IR never
/// looks inside). Graphs share the payload rather than copy it.
/// </summary>
/// <param name="Name">A name that identifies the constant in text and in a graph's constant table.</param>
/// <param name="Type">The constant's dtype and shape.</param>
/// <param name="Data">The payload (a runtime tensor, or null while unbound, e.g. right after parsing).</param>
public sealed record TensorConstant(string Name, TensorType Type, object? Data = null);
