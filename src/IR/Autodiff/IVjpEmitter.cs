namespace Kiln.IR.Autodiff;

/// <summary>
/// Where gradient rules build their results: eager autograd runs each call on tensors at once, graph
/// autodiff adds a node per call. Rules see only this interface, so each rule is written once for both.
/// </summary>
public interface IVjpEmitter
{
    /// <summary>Applies registered op <paramref name="op"/> and returns its results.</summary>
    VjpValue[] Call(string op, IReadOnlyList<VjpValue> inputs, Attrs attrs);

    /// <summary>A tensor of zeros.</summary>
    VjpValue Zeros(DType dtype, long[] shape);

    /// <summary>A 0-d tensor holding <paramref name="value"/>.</summary>
    VjpValue Scalar(double value, DType dtype);
}
