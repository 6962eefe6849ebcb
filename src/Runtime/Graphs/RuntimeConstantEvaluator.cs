using System.Collections.ObjectModel;
using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// Evaluates registry ops on inline constants with the CPU kernels, for constant folding: pass
/// <see cref="Evaluate"/> as the <c>Kiln.Passes.PassContext.Evaluator</c> (a <c>ConstantEvaluator</c>).
/// </summary>
public static class RuntimeConstantEvaluator
{
    /// <summary>The largest tensor (in elements) folded into an inline constant; larger ones stay computed at run time.</summary>
    public const long MaxElements = 4096;

    /// <summary>
    /// Runs <paramref name="op"/> on <paramref name="inputs"/> and returns its results as inline constants, or
    /// null when it should not be folded: a random op, an input or result over <see cref="MaxElements"/>
    /// elements, an input with symbolic dims, a result not exact as doubles, or inputs the kernel rejects
    /// (left for the executor to report with the node at run time).
    /// </summary>
    public static DenseConstant[]? Evaluate(OpDef op, IReadOnlyList<DenseConstant> inputs, Attrs attrs)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(attrs);
        if (op.IsRandom) return null;
        var tensors = new Tensor?[inputs.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            var type = inputs[i].Type;
            if (!type.IsConcrete || Shapes.Numel([.. type.Shape.Select(d => d.Size)]) > MaxElements) return null;
            tensors[i] = DenseTensors.ToTensor(inputs[i], ReadOnlyDictionary<string, long>.Empty);
        }
        Tensor[] results;
        try
        {
            using (GradMode.Set(false))
                results = OpDispatch.Call(op.Name, tensors, attrs);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
        var constants = new DenseConstant[results.Length];
        for (int r = 0; r < results.Length; r++)
        {
            if (results[r].Numel > MaxElements || DenseTensors.FromTensor(results[r]) is not { } constant) return null;
            constants[r] = constant;
        }
        return constants;
    }
}
