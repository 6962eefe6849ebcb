using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Indexing;

/// <summary>Describes eager indexing calls for error messages, with the input names of the registered op.</summary>
internal static class Calls
{
    /// <summary>The call <paramref name="op"/> (the op's name, or its in-place form) of <paramref name="def"/> on <paramref name="inputs"/>.</summary>
    internal static IndexingCall Of(string op, OpDef def, params ReadOnlySpan<Tensor> inputs)
    {
        var types = new TensorType[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) types[i] = new TensorType(inputs[i].DType, inputs[i].shape);
        return new IndexingCall(op, def.Inputs, types);
    }
}
