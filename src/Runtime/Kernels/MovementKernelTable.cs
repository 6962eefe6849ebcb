using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.NN;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the movement op family, by op name.</summary>
internal static class MovementKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("cat", (inputs, a) => [Tensor.Cat(inputs, a.GetLong("dim", 0))]),
        ("stack", (inputs, a) => [Tensor.Stack(inputs, a.GetLong("dim", 0))]),
        ("split", (inputs, a) => a["split_size_or_sections"] is long[] sections
            ? inputs[0].Split(sections, a.GetLong("dim", 0))
            : inputs[0].Split(MovementOps.RequiredLong("split", a, "split_size_or_sections"), a.GetLong("dim", 0))),
        ("chunk", (inputs, a) => inputs[0].Chunk(MovementOps.RequiredLong("chunk", a, "chunks"), a.GetLong("dim", 0))),
        ("unbind", (inputs, a) => inputs[0].Unbind(a.GetLong("dim", 0))),
        ("pad", (inputs, a) => [Functional.Pad(inputs[0], MovementOps.RequiredLongs("pad", a, "pad"), a.GetString("mode", "constant"), a.GetOptionalDouble("value"))]),
        ("flip", (inputs, a) => [inputs[0].Flip(MovementOps.RequiredLongs("flip", a, "dims"))]),
        ("roll", (inputs, a) => [inputs[0].Roll(MovementOps.RequiredLongs("roll", a, "shifts"), a.GetLongs("dims"))]),
        ("repeat", (inputs, a) => [inputs[0].Repeat(MovementOps.RequiredLongs("repeat", a, "repeats"))]),
        ("tile", (inputs, a) => [inputs[0].Tile(MovementOps.RequiredLongs("tile", a, "dims"))]),
        ("repeat_interleave", (inputs, a) => [RepeatInterleave(inputs, a)]),
        ("tril", (inputs, a) => [inputs[0].Tril(a.GetLong("diagonal", 0))]),
        ("triu", (inputs, a) => [inputs[0].Triu(a.GetLong("diagonal", 0))]),
        ("diag", (inputs, a) => [inputs[0].Diag(a.GetLong("diagonal", 0))]),
        ("sort", (inputs, a) =>
        {
            var (values, indices) = inputs[0].Sort(a.GetLong("dim", -1), a.GetBool("descending", false), a.GetBool("stable", false));
            return [values, indices];
        }),
        ("argsort", (inputs, a) => [inputs[0].Argsort(a.GetLong("dim", -1), a.GetBool("descending", false), a.GetBool("stable", false))]),
        ("topk", (inputs, a) =>
        {
            var (values, indices) = inputs[0].Topk(MovementOps.RequiredLong("topk", a, "k"), a.GetLong("dim", -1), a.GetBool("largest", true), a.GetBool("sorted", true));
            return [values, indices];
        }),
        ("unique", (inputs, a) =>
        {
            var (output, inverse, counts) = inputs[0].Unique(a.GetBool("sorted", true), a.GetBool("return_inverse", false), a.GetBool("return_counts", false));
            return [output, .. inverse is null ? Array.Empty<Tensor>() : [inverse], .. counts is null ? Array.Empty<Tensor>() : [counts]];
        }),
        ("searchsorted", (inputs, a) => [Tensor.Searchsorted(inputs[0], inputs[1], a.GetBool("out_int32", false), a.GetBool("right", false))]),
    ];

    private static Tensor RepeatInterleave(IReadOnlyList<Tensor> inputs, Attrs a)
    {
        long? dim = a["dim"] is null ? null : a.GetLong("dim", 0);
        if (inputs.Count == 2)
        {
            if (a["repeats"] is not null)
                throw new ArgumentException("repeat_interleave: give the repeats either as a tensor or as the 'repeats' attribute, not both");
            return inputs[0].RepeatInterleave(inputs[1], dim);
        }
        return inputs[0].RepeatInterleave(MovementOps.RequiredLong("repeat_interleave", a, "repeats"), dim);
    }
}
