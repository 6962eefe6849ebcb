namespace Kiln.IR.Ops;

/// <summary>
/// An indexing op call as its error messages name it: <c>scatter(self float32[3, 4], index int64[2, 4], src float32[2, 4])</c>.
/// Every message of <see cref="IndexingRules"/> and <see cref="AdvancedIndexRules"/> starts with the call, so it
/// shows the inputs at fault; the text is only built when a message is.
/// </summary>
/// <param name="op">The op's name (<c>scatter</c>, or <c>scatter_</c> for the in-place form).</param>
/// <param name="names">The inputs' names; inputs past the last name take the last one (a variadic input).</param>
/// <param name="inputs">The inputs' types.</param>
public sealed class IndexingCall(string op, IReadOnlyList<string> names, IReadOnlyList<TensorType> inputs)
{
    /// <summary>The op's name.</summary>
    public string Op => op;

    /// <summary>The inputs' types.</summary>
    public IReadOnlyList<TensorType> Inputs => inputs;

    /// <summary>Formats the call: <c>op(name dtype[shape], ...)</c>.</summary>
    public override string ToString() =>
        $"{op}({string.Join(", ", inputs.Select((t, i) => $"{names[Math.Min(i, names.Count - 1)]} {t}"))})";
}
