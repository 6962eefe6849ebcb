using Kiln.NN;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>
/// One model of the shared corpus that the scripting and tracing tests iterate: how to build it, example inputs at a
/// batch size, and what its Forward returns.
/// </summary>
/// <param name="Name">The model's name (its class name), shown by the test runner.</param>
/// <param name="Create">Builds a fresh model with random weights.</param>
/// <param name="Inputs">Random example inputs, one per Forward parameter, for a batch size.</param>
/// <param name="BatchDim">Which dim of every input is the batch (1 for the time-first recurrent models).</param>
/// <param name="ReturnsTuple">Whether Forward returns a tuple of tensors rather than one tensor.</param>
/// <param name="DataDependent">Whether Forward branches on tensor data, so tracing must refuse it.</param>
public sealed record CorpusCase(string Name, Func<Module> Create, Func<long, Tensor[]> Inputs, int BatchDim = 0,
    bool ReturnsTuple = false, bool DataDependent = false)
{
    /// <summary>The two batch sizes every model is checked at.</summary>
    public static readonly long[] BatchSizes = [2, 3];

    /// <summary>Every model of the corpus.</summary>
    public static readonly IReadOnlyList<CorpusCase> All =
    [
        Of<Mlp>(n => [Tensor.Randn(n, 8)]),
        Of<LeNet>(n => [Tensor.Randn(n, 1, 28, 28)]),
        Of<ResidualBlock>(n => [Tensor.Randn(n, 4, 8, 8)]),
        Of<LstmLoop>(n => [Tensor.Randn(5, n, 6)]) with { BatchDim = 1 },
        Of<GruEncoder>(n => [Tensor.Randn(5, n, 6)]) with { BatchDim = 1 },
        Of<SelfAttention>(n => [Tensor.Randn(n, 5, 16)]),
        Of<EncoderLayer>(n => [Tensor.Randn(n, 5, 16)]),
        Of<DataDependentIf>(n => [Tensor.Randn(n, 8)]) with { DataDependent = true },
        Of<LayerStack>(n => [Tensor.Randn(n, 8)]),
        Of<TwoHeads>(n => [Tensor.Randn(n, 8)]) with { ReturnsTuple = true },
        Of<Composite>(n => [Tensor.Randn(n, 8)]),
        Of<ConvBnNet>(n => [Tensor.Randn(n, 3, 6, 6)]),
        Of<BnMlp>(n => [Tensor.Randn(n, 8)]),
    ];

    /// <summary>The corpus as xunit theory data: one row holding each case's name.</summary>
    public static TheoryData<string> Names => [.. All.Select(c => c.Name)];

    /// <summary>The models that tracing handles (all but the data-dependent ones), as theory data.</summary>
    public static TheoryData<string> TraceableNames => [.. All.Where(c => !c.DataDependent).Select(c => c.Name)];

    /// <summary>A fresh model holding <paramref name="model"/>'s parameters and buffers (copies), to run eagerly beside it.</summary>
    public Module Twin(Module model)
    {
        var twin = Create();
        twin.LoadStateDict(model.StateDict());
        return twin;
    }

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static CorpusCase Get(string name) =>
        All.SingleOrDefault(c => c.Name == name) ?? throw new ArgumentException($"no corpus model named '{name}'", nameof(name));

    private static CorpusCase Of<T>(Func<long, Tensor[]> inputs) where T : Module, new() => new(typeof(T).Name, () => new T(), inputs);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
