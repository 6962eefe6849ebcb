using Kiln.IR;
using Kiln.Kernels;

namespace Kiln;

/// <summary>
/// Runs a registered op by name on the CPU kernels and records it for autograd: the path for generic
/// callers (gradient rules, the op tests, later the graph executor).
/// </summary>
internal static class OpDispatch
{
    /// <summary>Runs <paramref name="op"/>; optional inputs left out are null and must come last.</summary>
    internal static Tensor[] Call(string op, IReadOnlyList<Tensor?> inputs, Attrs attrs)
    {
        int given = inputs.Count;
        while (given > 0 && inputs[given - 1] is null) given--;
        var present = new Tensor[given];
        for (int i = 0; i < given; i++)
            present[i] = inputs[i] ?? throw new ArgumentException($"{op}: input {i} is missing but a later input is given");
        Tensor[] outputs;
        // Kernels may be public methods that record on their own; this call records once, below.
        using (GradMode.Set(false))
            outputs = CpuKernels.Invoke(op, present, attrs);
        return GradRecorder.IsNeeded(inputs) ? GradRecorder.Record(op, attrs, inputs, outputs) : outputs;
    }
}
