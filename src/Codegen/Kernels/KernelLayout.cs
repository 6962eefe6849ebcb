namespace Kiln.Codegen.Kernels;

/// <summary>How a kernel input is read along the innermost dim of the (coalesced) output shape.</summary>
public enum InnerStep : byte
{
    /// <summary>Consecutive elements (stride 1): vector loads.</summary>
    Contiguous,

    /// <summary>The same element for the whole row (stride 0): loaded once per row.</summary>
    Broadcast,

    /// <summary>Any other stride, read at run time.</summary>
    Strided,
}

/// <summary>
/// The inner steps of a kernel's inputs: one compiled variant of a kernel per layout. When no input is
/// <see cref="InnerStep.Strided"/> the variant is the fast path, whose inner loop LLVM vectorises.
/// </summary>
public sealed class KernelLayout : IEquatable<KernelLayout>
{
    private readonly InnerStep[] steps;

    /// <summary>A layout with the given step per input.</summary>
    public KernelLayout(IEnumerable<InnerStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        this.steps = [.. steps];
        Key = string.Concat(this.steps.Select(s => s switch { InnerStep.Contiguous => 'c', InnerStep.Broadcast => 'b', _ => 's' }));
    }

    /// <summary>The layout of inputs whose innermost strides (in elements) are <paramref name="innerStrides"/>.</summary>
    public static KernelLayout FromInnerStrides(ReadOnlySpan<long> innerStrides)
    {
        var steps = new InnerStep[innerStrides.Length];
        for (int k = 0; k < steps.Length; k++)
            steps[k] = innerStrides[k] switch { 1 => InnerStep.Contiguous, 0 => InnerStep.Broadcast, _ => InnerStep.Strided };
        return new KernelLayout(steps);
    }

    /// <summary>Every input contiguous.</summary>
    public static KernelLayout Contiguous(int inputs) => new(Enumerable.Repeat(InnerStep.Contiguous, inputs));

    /// <summary>Every input strided: the variant that serves any layout.</summary>
    public static KernelLayout Strided(int inputs) => new(Enumerable.Repeat(InnerStep.Strided, inputs));

    /// <summary>The step of each input.</summary>
    public IReadOnlyList<InnerStep> Steps => steps;

    /// <summary>One letter per input: <c>c</c>ontiguous, <c>b</c>roadcast, <c>s</c>trided.</summary>
    public string Key { get; }

    /// <summary>Whether no input is strided (the vectorised fast path).</summary>
    public bool IsFast => !steps.Contains(InnerStep.Strided);

    /// <inheritdoc/>
    public bool Equals(KernelLayout? other) => other is not null && Key == other.Key;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as KernelLayout);

    /// <inheritdoc/>
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => Key;
}
