namespace Kiln;

/// <summary>A tensor's autograd state; tensors that never meet autograd have none.</summary>
internal sealed class AutogradMeta
{
    /// <summary>Set by the user on a leaf: gradients accumulate into <see cref="Grad"/>.</summary>
    internal bool RequiresGrad;

    /// <summary>The accumulated gradient (leaves, and non-leaves that retain theirs).</summary>
    internal Tensor? Grad;

    /// <summary>The node that computed this tensor; null for leaves.</summary>
    internal GradNode? GradFn;

    /// <summary>Which of <see cref="GradFn"/>'s results this tensor is.</summary>
    internal int OutputIndex;

    /// <summary>Whether a non-leaf keeps its gradient in <see cref="Grad"/> (<see cref="Tensor.RetainGrad"/>).</summary>
    internal bool RetainsGrad;

    /// <summary>Whether this tensor is a view of another tensor that has a gradient history.</summary>
    internal bool IsViewOfGradTensor;
}
