namespace Kiln.NN;

/// <summary>
/// Marks a <see cref="Tensor"/> field of a <see cref="Module"/> as a buffer (<c>register_buffer</c>): state
/// that is saved in the state dict and converted by <see cref="Module.To(DType)"/>, but is not a parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class BufferAttribute : Attribute
{
    /// <summary>Whether the buffer is part of the state dict (false: like <c>persistent=False</c>).</summary>
    public bool Persistent { get; init; } = true;
}
