using Kiln.IR.Ops;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the view op family, by op name.</summary>
internal static class ViewKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("reshape", (x, a) => [x[0].ReshapeUntracked(MovementOps.RequiredLongs("reshape", a, "shape"))]),
        ("expand", (x, a) => [x[0].ExpandUntracked(MovementOps.RequiredLongs("expand", a, "size"))]),
        ("permute", (x, a) => [x[0].PermuteUntracked(MovementOps.RequiredLongs("permute", a, "dims"))]),
        ("transpose", (x, a) => [x[0].TransposeUntracked(MovementOps.RequiredLong("transpose", a, "dim0"), MovementOps.RequiredLong("transpose", a, "dim1"))]),
        ("squeeze", (x, a) => [x[0].SqueezeUntracked(a.GetLongs("dim"))]),
        ("unsqueeze", (x, a) => [x[0].UnsqueezeUntracked(MovementOps.RequiredLong("unsqueeze", a, "dim"))]),
        ("slice", (x, a) =>
        {
            var (dim, start, end, step) = ViewOps.SliceAttributesOf(a);
            return [x[0].SliceUntracked(dim, start, end, step)];
        }),
        ("select", (x, a) =>
        {
            var (dim, index) = ViewOps.SelectAttributesOf("select", a);
            return [x[0].SelectUntracked(dim, index)];
        }),
        ("diagonal", (x, a) =>
        {
            var (offset, dim1, dim2) = ViewOps.DiagonalAttributesOf(a);
            return [x[0].DiagonalUntracked(offset, dim1, dim2)];
        }),
        ("clone", (x, _) => [x[0].CloneUntracked()]),
        ("slice_scatter", (x, a) =>
        {
            var (dim, start, end, step) = ViewOps.SliceAttributesOf(a);
            return [x[0].ScatterInto(x[1], "slice_scatter", copy => copy.SliceUntracked(dim, start, end, step, "slice_scatter"), ViewOps.DescribeSlice(dim, start, end, step))];
        }),
        ("select_scatter", (x, a) =>
        {
            var (dim, index) = ViewOps.SelectAttributesOf("select_scatter", a);
            return [x[0].ScatterInto(x[1], "select_scatter", copy => copy.SelectUntracked(dim, index, "select_scatter"), ViewOps.DescribeSelect(dim, index))];
        }),
        ("diagonal_scatter", (x, a) =>
        {
            var (offset, dim1, dim2) = ViewOps.DiagonalAttributesOf(a);
            return [x[0].ScatterInto(x[1], "diagonal_scatter", copy => copy.DiagonalUntracked(offset, dim1, dim2, "diagonal_scatter"), ViewOps.DescribeDiagonal(offset, dim1, dim2))];
        }),
    ];
}
