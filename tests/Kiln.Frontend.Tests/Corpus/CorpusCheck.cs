using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Module = Kiln.NN.Module;

namespace Kiln.Frontend.Tests.Corpus;

/// <summary>
/// Runs a model eagerly and through a graph on the same inputs and checks that outputs and parameter gradients
/// (of the sum of every output) agree bit for bit: the graph runs the same kernels, so nothing may differ.
/// </summary>
public static class CorpusCheck
{
    /// <summary>The model's eager Forward on <paramref name="inputs"/>, its tensors flattened (tuple elements in order).</summary>
    public static Tensor[] Eager(Module model, Tensor[] inputs)
    {
        var forward = model.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Single(m => m.Name == "Forward" && m.GetParameters().Length == inputs.Length);
        try
        {
            return Flatten(forward.Invoke(model, inputs));
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>The tensors of a result: a tensor, or the elements of (nested) tuples and arrays of results.</summary>
    public static Tensor[] Flatten(object? result) => result switch
    {
        Tensor t => [t],
        ITuple tuple => [.. Enumerable.Range(0, tuple.Length).SelectMany(i => Flatten(tuple[i]))],
        object?[] items => [.. items.SelectMany(Flatten)],
        _ => throw new ArgumentException($"not a tensor result: {result?.GetType().Name ?? "null"}"),
    };

    /// <summary>
    /// Asserts that <paramref name="graphRun"/> (the graph's outputs for the inputs) gives the eager outputs and the eager
    /// gradients of every parameter, for the loss sum of all outputs' sums.
    /// </summary>
    public static void OutputsAndGradientsMatch(Module model, Func<Tensor[], object?[]> graphRun, Tensor[] inputs) =>
        OutputsAndGradientsMatch(model, model, graphRun, inputs);

    /// <summary>
    /// Asserts that <paramref name="graphRun"/>, a graph of <paramref name="model"/>, gives the outputs and parameter
    /// gradients that <paramref name="eager"/> (the same model, or a twin with equal tensors) gives eagerly.
    /// </summary>
    public static void OutputsAndGradientsMatch(Module eager, Module model, Func<Tensor[], object?[]> graphRun, Tensor[] inputs)
    {
        var (eagerOutputs, eagerGrads) = Run(eager, () => Eager(eager, inputs));
        var (graphOutputs, graphGrads) = Run(model, () => Flatten(graphRun(inputs)));
        Assert.Equal(eagerOutputs.Length, graphOutputs.Length);
        for (int i = 0; i < eagerOutputs.Length; i++) AssertSame($"output {i}", eagerOutputs[i], graphOutputs[i]);
        Assert.NotEmpty(eagerGrads);
        Assert.Equal(eagerGrads.Keys, graphGrads.Keys);
        foreach (var (name, grad) in eagerGrads) AssertSame($"gradient of {name}", grad, graphGrads[name]);
    }

    /// <summary>
    /// Runs <paramref name="graphModule"/> (made from <paramref name="model"/>) beside <paramref name="eager"/>, its twin,
    /// in training at every corpus batch size and then in evaluation: outputs, gradients and buffers equal eager mode's
    /// each time, one graph per batch size, and the state outputs are the module's buffers in training and none in evaluation.
    /// </summary>
    public static void TrainsThenEvaluatesLikeTwin(Module eager, Module model, ScriptModule graphModule, CorpusCase c)
    {
        foreach (var batch in CorpusCase.BatchSizes)
        {
            OutputsAndGradientsMatch(eager, model, inputs => graphModule.Run(inputs), c.Inputs(batch));
            // The state the forward pass updates (batch norm's running statistics and counts) follows eager mode.
            BuffersMatch(eager, model);
        }
        Assert.Equal(CorpusCase.BatchSizes.Length, graphModule.Graphs.Count);
        Assert.Equal(model.NamedBuffers().Select(b => b.Name).Order(StringComparer.Ordinal), graphModule.StateOutputs.Order(StringComparer.Ordinal));
        eager.Eval();
        graphModule.Eval();
        OutputsAndGradientsMatch(eager, model, inputs => graphModule.Run(inputs), c.Inputs(CorpusCase.BatchSizes[0]));
        Assert.Empty(graphModule.StateOutputs);
        BuffersMatch(eager, model);
    }

    /// <summary>Asserts that two models hold the same buffers (batch norm's running statistics and counts), bit for bit.</summary>
    public static void BuffersMatch(Module expected, Module actual)
    {
        var buffers = actual.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer);
        Assert.Equal(expected.NamedBuffers().Select(b => b.Name), buffers.Keys);
        foreach (var (name, buffer) in expected.NamedBuffers()) AssertSame(name, buffer, buffers[name]);
    }

    /// <summary>Asserts equal dtype, shape and bits.</summary>
    public static void AssertSame(string what, Tensor expected, Tensor actual)
    {
        Assert.True(expected.DType == actual.DType, $"{what}: dtype {actual.DType}, expected {expected.DType}");
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", expected.Shape)}]");
        var e = expected.To(DType.Float64).ToArray<double>();
        var a = actual.To(DType.Float64).ToArray<double>();
        int bad = Enumerable.Range(0, e.Length).FirstOrDefault(k => BitConverter.DoubleToInt64Bits(e[k]) != BitConverter.DoubleToInt64Bits(a[k]), -1);
        Assert.True(bad < 0, $"{what}: element {bad} is {(bad < 0 ? 0 : a[bad])}, expected {(bad < 0 ? 0 : e[bad])}");
    }

    /// <summary>
    /// Runs <paramref name="forward"/> (a pass of <paramref name="model"/>) and backward from the sum of its floating-point
    /// outputs' sums: its outputs (detached) and each parameter's gradient by name.
    /// </summary>
    public static (Tensor[] Outputs, SortedDictionary<string, Tensor> Grads) Run(Module model, Func<Tensor[]> forward)
    {
        model.ZeroGrad();
        var outputs = forward();
        var loss = outputs.Where(o => o.DType.IsFloatingPoint()).Select(o => o.Sum()).Aggregate((a, b) => a + b);
        loss.Backward();
        var grads = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (p.Grad is { } g) grads[name] = g.Clone();
        }
        return (outputs.Select(o => o.Detach()).ToArray(), grads);
    }
}
