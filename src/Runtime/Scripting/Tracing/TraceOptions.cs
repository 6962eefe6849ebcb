namespace Kiln;

/// <summary>
/// How <see cref="Jit.Trace(NN.Module, TraceOptions, Tensor[])"/> traces: which input dims may vary. A dim marked
/// symbolic becomes a named symbol (<c>?b</c>) in the graph only when that is checked to be right: the module is
/// traced at two sizes of every symbol and the two graphs must agree node for node, attribute for attribute and
/// constant for constant; a difference (a size baked into a reshape or a <c>Tensor.Zeros</c>) is an error (KILN0102)
/// naming the node and its line, never a silently frozen size.
/// </summary>
public sealed class TraceOptions
{
    /// <summary>Whether dim <see cref="BatchDim"/> of every input is the symbol <c>b</c>.</summary>
    public bool DynamicBatch { get; init; }

    /// <summary>The batch dim of the inputs when <see cref="DynamicBatch"/> is set (0 by default; 1 for time-first sequences).</summary>
    public int BatchDim { get; init; }

    /// <summary>Further symbolic dims, each naming an input, a dim of it and a symbol.</summary>
    public IReadOnlyList<SymbolicDim> SymbolicDims { get; init; } = [];

    /// <summary>Every symbolic dim: the batch dims, then <see cref="SymbolicDims"/>.</summary>
    internal IEnumerable<SymbolicDim> All(int inputs) =>
        (DynamicBatch ? Enumerable.Range(0, inputs).Select(i => new SymbolicDim(i, BatchDim, "b")) : []).Concat(SymbolicDims);
}

/// <summary>A dim of a traced input that may vary: dim <paramref name="Dim"/> of input <paramref name="Input"/> is symbol <paramref name="Symbol"/>.</summary>
/// <param name="Input">The index of the input (Forward's parameter).</param>
/// <param name="Dim">The dim (negative counts from the end).</param>
/// <param name="Symbol">The symbol's name (<c>b</c> prints as <c>?b</c>); dims with the same symbol must have the same size.</param>
public sealed record SymbolicDim(int Input, int Dim, string Symbol);
