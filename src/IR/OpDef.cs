namespace Kiln.IR;

/// <summary>Infers the result types of an op from its input types and attributes, or throws naming the op.</summary>
public delegate TensorType[] TypeRule(IReadOnlyList<TensorType> inputs, Attrs attrs);

/// <summary>
/// One primitive op: the single place that says what the op is. Backends keep their kernels and
/// lowerings beside themselves, keyed by <see cref="Name"/>; tests are driven by <see cref="Samples"/>.
/// </summary>
public sealed record OpDef
{
    /// <summary>The op's name, PyTorch's where it has one (<c>add</c>, <c>log_softmax</c>, <c>amax</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The family file that registers the op (<c>elementwise</c>, <c>reduction</c>, <c>linalg</c>, ...).</summary>
    public required string Family { get; init; }

    /// <summary>The names of the tensor inputs, in order.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>
    /// How many leading inputs must be given; the rest are optional and may be left off the end (a
    /// convolution's bias, a loss's class weights). Null means every input is required.
    /// </summary>
    public int? RequiredInputs { get; init; }

    /// <summary>Whether the last input may repeat any number of times (cat's and stack's list of tensors).</summary>
    public bool IsVariadic { get; init; }

    /// <summary>Throws unless <paramref name="count"/> inputs is a valid number for this op.</summary>
    /// <exception cref="ArgumentException">Too few or too many inputs.</exception>
    public void CheckInputCount(int count)
    {
        int required = RequiredInputs ?? Inputs.Count;
        if (IsVariadic)
        {
            if (count < required)
                throw new ArgumentException($"{Name}: expected at least {required} input(s) ({string.Join(", ", Inputs)}), got {count}");
            return;
        }
        if (count < required || count > Inputs.Count)
            throw new ArgumentException(required == Inputs.Count
                ? $"{Name}: expected {required} input(s) ({string.Join(", ", Inputs)}), got {count}"
                : $"{Name}: expected {required} to {Inputs.Count} inputs ({string.Join(", ", Inputs)}; the last {Inputs.Count - required} optional), got {count}");
    }

    /// <summary>The names of the results, in order (most ops have one, <c>out</c>).</summary>
    public IReadOnlyList<string> Outputs { get; init; } = ["out"];

    /// <summary>The attributes the op takes, with their defaults.</summary>
    public IReadOnlyList<AttrDef> Attributes { get; init; } = [];

    /// <summary>The dtypes the op accepts for its (first) input.</summary>
    public required IReadOnlyList<DType> DTypes { get; init; }

    /// <summary>Infers result types and validates inputs and attributes.</summary>
    public required TypeRule InferTypes { get; init; }

    /// <summary>Whether the op consumes random numbers (its results are not compared with PyTorch's value for value).</summary>
    public bool IsRandom { get; init; }

    /// <summary>OpInfo-style samples: inputs and attributes the op is checked on, against PyTorch.</summary>
    public required Func<IEnumerable<OpSample>> Samples { get; init; }

    /// <summary>
    /// The gradient (vector-Jacobian product) rule, written once here for both eager autograd and graph
    /// autodiff. Null for ops that are not differentiable (their results never require a gradient).
    /// </summary>
    public Autodiff.VjpRule? Gradient { get; init; }

    /// <summary>Checks the attributes against <see cref="Attributes"/>: unknown names are errors.</summary>
    /// <exception cref="ArgumentException">An attribute is not part of the op's schema.</exception>
    public void ValidateAttributes(Attrs attrs)
    {
        foreach (var (name, _) in attrs)
        {
            if (!Attributes.Any(a => a.Name == name))
                throw new ArgumentException($"{Name}: unknown attribute '{name}'; the op takes {(Attributes.Count == 0 ? "no attributes" : string.Join(", ", Attributes.Select(a => a.Name)))}");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>One attribute of an op's schema.</summary>
/// <param name="Name">The attribute's name (PyTorch's keyword argument name).</param>
/// <param name="Kind">The value type: <c>int</c>, <c>float</c>, <c>bool</c>, <c>ints</c>, <c>str</c>, <c>dtype</c>.</param>
/// <param name="Default">The value when the attribute is absent (null: optional with no value).</param>
public sealed record AttrDef(string Name, string Kind, object? Default = null);
