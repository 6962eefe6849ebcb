using System.Numerics;
using Kiln.IR;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Reductions;

/// <summary>The eager entry points of softmax, log_softmax, cumsum and cumprod.</summary>
internal static class LineOps
{
    /// <summary>
    /// <c>torch.softmax</c> (or <c>torch.log_softmax</c> when <paramref name="log"/>) along
    /// <paramref name="dim"/>; float16 and bfloat16 are computed in float32.
    /// </summary>
    internal static Tensor Softmax(string op, Tensor x, long dim, bool log)
    {
        TypeRules.CheckDType(op, x.DType, ReductionOps.FloatDTypes);
        int d = Shapes.WrapDim(op, dim, x.Dim);
        var input = x.DType == DType.Float64 ? x : x.ToUntracked(DType.Float32);
        var output = Tensor.Empty(input.DType, (long[])x.shape.Clone());
        TypeDispatch.Float(input.DType, new SoftmaxAction(input, output, d, log));
        return output.To(x.DType);
    }

    /// <summary><c>torch.cumsum</c> (or <c>torch.cumprod</c> when <paramref name="product"/>) along <paramref name="dim"/>.</summary>
    internal static Tensor Scan(string op, Tensor x, long dim, bool product)
    {
        int d = Shapes.WrapDim(op, dim, x.Dim);
        var input = ComputeViews.ComputeView(x);
        var resultDType = ReductionOps.AccumulatingDType(x.DType);
        var output = Tensor.Empty(resultDType.IsFloatingPoint() ? input.DType : resultDType, (long[])x.shape.Clone());
        TypeDispatch.Number(input.DType, new ScanAction(input, output, d, product));
        return output.To(resultDType);
    }

    private readonly struct SoftmaxAction(Tensor input, Tensor output, int dim, bool log) : IFloatAction
    {
        public void Invoke<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dim < input.Dim - 1 && input.IsContiguous && Shapes.Numel(input.shape.AsSpan(dim + 1)) >= SoftmaxColumns.MinInner)
                SoftmaxColumns.Run<T>(input, output, dim, log);
            else
                LineDriver.Run(input, output, dim, new SoftmaxLine<T>(input, output, log));
        }
    }

    private readonly struct ScanAction(Tensor input, Tensor output, int dim, bool product) : INumberAction
    {
        public void Invoke<T>() where T : unmanaged, INumber<T>
        {
            if (typeof(T) == typeof(double)) LineDriver.Run(input, output, dim, new ScanLine<T, double, double>(input, output, product));
            else if (typeof(T) == typeof(float)) LineDriver.Run(input, output, dim, new ScanLine<T, double, float>(input, output, product));
            else LineDriver.Run(input, output, dim, new ScanLine<T, long, long>(input, output, product));
        }
    }
}
