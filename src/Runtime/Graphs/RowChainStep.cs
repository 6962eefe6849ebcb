using Kiln.Codegen.Kernels;
using Kiln.IR;
using Kiln.Kernels;
using Kiln.NN;

namespace Kiln.Graphs;

/// <summary>
/// A run of linear layers, each feeding only the next, each alone or with an elementwise epilogue on its product (an
/// MLP's linear → ReLU → linear → ReLU → linear), run with the rows split between the threads once for the whole run:
/// every output row of such a chain depends only on the same input row, so each thread takes its rows through every layer
/// and the threads meet once at the end, where layer by layer they would meet after every product and its epilogue,
/// and each product would pack all of A on each thread. Whatever the split cannot take (autograd, another dtype, an
/// input not 2-d and contiguous, one thread, few rows) runs the layers' own steps in order, with the same results.
/// </summary>
internal sealed class RowChainStep : Step
{
    /// <summary>Rows below which a thread's share is not worth its thread.</summary>
    private const int MinRowsPerThread = 8;

    private readonly Stage[] stages;
    private readonly Step[] steps;

    /// <summary>One layer: the slots of its input, weight, bias (-1 for none) and result, and the epilogue over its product (or null).</summary>
    private sealed record Stage(int Input, int Weight, int Bias, int Result, CompiledKernel? Epilogue);

    private RowChainStep(Step[] steps, Stage[] stages)
        : base(steps[0].Node)
    {
        this.steps = steps;
        this.stages = stages;
    }

    /// <summary>How many runs of a chain this thread has split by rows (a test hook: which path ran).</summary>
    [ThreadStatic]
    internal static int SplitRuns;

    /// <summary>
    /// Replaces each chain of two or more layers among <paramref name="steps"/> (one per node of a block, in order): its
    /// first step runs the whole chain, and the other steps of the chain run nothing.
    /// </summary>
    internal static void Group(Step[] steps)
    {
        for (int first = 0; first < steps.Length;)
        {
            int last = first;
            while (last + 1 < steps.Length && Layer(steps[last]) is not null && FeedsOnly(steps[last], steps[last + 1]))
                last++;
            if (last > first)
            {
                var chain = steps[first..(last + 1)];
                steps[first] = new RowChainStep(chain, [.. chain.Select(s => Layer(s)!)]);
                for (int k = first + 1; k <= last; k++) steps[k] = new ChainedStep(chain[k - first].Node);
            }
            first = last + 1;
        }
    }

    /// <summary>The step as a layer of a chain, or null: a linear op, or a fused call of a linear with a one-output elementwise epilogue on the product alone.</summary>
    private static Stage? Layer(Step step)
    {
        var node = step.Node;
        if (node.Results.Count != 1) return null;
        if (step is OpStep && node.Op?.Name == "linear" && node.Operands.Count is 2 or 3)
            return new Stage(node.Operands[0].Id, node.Operands[1].Id, node.Operands.Count == 3 ? node.Operands[2].Id : -1, node.Result.Id, null);
        if (step is not EpilogueKernelStep { Kernel: var kernel } || kernel.Head.Op?.Name != "linear" || kernel.Epilogue is not { OutputCount: 1 } epilogue
            || kernel.EpilogueInputs.Count != 0 || epilogue.InputDTypes.Any(d => d != DType.Float32))
            return null;
        var head = kernel.HeadInputs;
        if (head.Count is not (2 or 3) || kernel.Head.Operands.Any(o => o.ParamOf is null)) return null;
        return new Stage(node.Operands[head[0]].Id, node.Operands[head[1]].Id, head.Count == 3 ? node.Operands[head[2]].Id : -1, node.Result.Id, epilogue);
    }

    /// <summary>Whether <paramref name="producer"/>'s result is read once, as the input of <paramref name="consumer"/>'s layer.</summary>
    private static bool FeedsOnly(Step producer, Step consumer)
    {
        var result = producer.Node.Results[0];
        return result.Uses.Count == 1 && result.Uses[0].User == consumer.Node && Layer(consumer) is { } stage && stage.Input == result.Id;
    }

    internal override void Execute(Frame frame)
    {
        if (Split(frame) is { } outputs)
        {
            SplitRuns++;
            // Every layer's product is a value of the graph, dropped (and its buffer reused) where the layer-by-layer
            // run would drop it: after the next layer's position.
            for (int k = 0; k < stages.Length; k++) frame.Slots[stages[k].Result] = outputs[k];
            return;
        }
        // Each layer's failure names its own node, as it would unchained.
        foreach (var step in steps) BlockPlan.Execute(step, frame);
    }

    /// <summary>Every layer's product computed with the rows split between threads, or null when the split cannot take the operands.</summary>
    private Tensor[]? Split(Frame frame)
    {
        int threads = Threading.NumThreads;
        if (frame.Slots[stages[0].Input] is not Tensor { DType: DType.Float32, Dim: 2, IsContiguous: true } input || threads < 2
            || input.shape[0] < (long)MinRowsPerThread * threads)
            return null;
        var layers = new (Tensor Weight, Tensor? Bias)[stages.Length];
        long width = input.shape[1];
        for (int k = 0; k < stages.Length; k++)
        {
            var stage = stages[k];
            if (frame.Slots[stage.Weight] is not Tensor { DType: DType.Float32, Dim: 2 } weight || weight.shape[1] != width) return null;
            var bias = stage.Bias < 0 ? null : frame.Slots[stage.Bias] as Tensor;
            bool biasFits = stage.Bias < 0 || bias is { DType: DType.Float32, Dim: 1 } && bias.shape[0] == weight.shape[0];
            if (!biasFits || GradRecorder.IsNeeded(input, weight) || (bias is not null && GradRecorder.IsNeeded(bias))) return null;
            layers[k] = (weight, bias);
            width = weight.shape[0];
        }
        long rows = input.shape[0];
        var outputs = layers.Select(l => Tensor.Empty(DType.Float32, [rows, l.Weight.shape[0]])).ToArray();
        CpuParallel.Chunks(threads, t => CpuParallel.Serially(() =>
        {
            // Shares in multiples of 4 rows, the micro-kernels' shortest edge tile.
            long r0 = rows * t / threads / 4 * 4, r1 = t == threads - 1 ? rows : rows * (t + 1) / threads / 4 * 4;
            var x = input.Narrow(0, r0, r1 - r0);
            for (int k = 0; k < stages.Length; k++)
            {
                var y = outputs[k].Narrow(0, r0, r1 - r0);
                Functional.LinearInto(x, layers[k].Weight, layers[k].Bias, y);
                if (stages[k].Epilogue is { } epilogue && !CompiledKernelStep.TryRun(epilogue, [y], [y], y.shape))
                    throw new InvalidOperationException($"the epilogue {epilogue.Name} refused a contiguous float32 product of shape {Shapes.Format(y.shape)}");
                x = y;
            }
        }));
        return outputs;
    }

    /// <summary>A later layer of a chain: its <see cref="RowChainStep"/> has run it already.</summary>
    private sealed class ChainedStep(Node node) : Step(node)
    {
        internal override void Execute(Frame frame)
        {
        }
    }
}
