namespace Kiln.IR;

/// <summary>How an elementwise op's result dtype follows from its (promoted) input dtype.</summary>
public enum ResultKind : byte
{
    /// <summary>The promoted input dtype (add, neg, maximum).</summary>
    Same,
    /// <summary>The promoted dtype if floating, else the default float (exp, div, atan2).</summary>
    Float,
    /// <summary>Always bool (comparisons, isnan, logical ops).</summary>
    Bool,
}

/// <summary>Type rules shared by the op families and by the eager kernels, so each rule exists once.</summary>
public static class TypeRules
{
    /// <summary>The result dtype of an elementwise op whose inputs promote to <paramref name="promoted"/>.</summary>
    public static DType ResultDType(ResultKind kind, DType promoted) => kind switch
    {
        ResultKind.Same => promoted,
        ResultKind.Float => promoted.IsFloatingPoint() ? promoted : DTypes.DefaultFloat,
        _ => DType.Bool,
    };

    /// <summary>Throws when <paramref name="dtype"/> is not among the dtypes <paramref name="op"/> accepts.</summary>
    /// <exception cref="ArgumentException">The dtype is not supported.</exception>
    public static void CheckDType(string op, DType dtype, IReadOnlyList<DType> allowed, string what = "input")
    {
        if (!allowed.Contains(dtype))
            throw new ArgumentException($"{op}: {what} dtype {dtype.Name()} is not supported; expected one of {string.Join(", ", allowed.Select(d => d.Name()))}");
    }

    /// <summary>Throws when the op got the wrong number of inputs.</summary>
    /// <exception cref="ArgumentException">The count is wrong.</exception>
    public static void CheckArity(string op, int expected, int actual)
    {
        if (expected != actual)
            throw new ArgumentException($"{op}: expected {expected} input(s), got {actual}");
    }

    /// <summary>The type rule of an elementwise op over any number of broadcast inputs.</summary>
    public static TypeRule Elementwise(string op, ResultKind kind, IReadOnlyList<DType> allowed) => (inputs, _) =>
    {
        if (inputs.Count == 0) throw new ArgumentException($"{op}: expected at least one input");
        var operands = new (DType, OperandKind)[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            CheckDType(op, inputs[i].DType, allowed, inputs.Count == 1 ? "input" : $"input {i}");
            operands[i] = (inputs[i].DType, inputs[i].Rank == 0 ? OperandKind.ZeroDim : OperandKind.Dimensioned);
        }
        var shape = Shapes.Broadcast(op, inputs.Select(t => t.Shape));
        return [new TensorType(ResultDType(kind, DTypePromotion.ResultType(operands)), shape)];
    };
}
