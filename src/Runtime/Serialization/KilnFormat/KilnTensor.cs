namespace Kiln.Serialization;

/// <summary>What a tensor stored in a <c>.kiln</c> file is for.</summary>
public enum KilnTensorKind
{
    /// <summary>A trainable parameter (<c>Module.Parameters()</c>).</summary>
    Parameter,
    /// <summary>A buffer: module state that is not trained, such as running statistics.</summary>
    Buffer,
    /// <summary>A constant that a graph refers to by name (<c>@name</c> in <c>.kir</c> text).</summary>
    Constant,
}

/// <summary>A tensor stored in a <c>.kiln</c> file, with what it is for.</summary>
/// <param name="Tensor">The tensor; written in row-major order whatever its strides.</param>
/// <param name="Kind">What the tensor is for.</param>
public sealed record KilnTensor(Tensor Tensor, KilnTensorKind Kind);
