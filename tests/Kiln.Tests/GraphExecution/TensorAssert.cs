using Kiln.IR;
using Kiln.Tests.OpInfo;
using Xunit.Sdk;

namespace Kiln.Tests.GraphExecution;

/// <summary>Comparisons of results: float32 bit for bit (the same kernels), or any float dtype within a tolerance (PyTorch's).</summary>
internal static class TensorAssert
{
    /// <summary>Same dtype, shape and bits in every element.</summary>
    public static void BitwiseEqual(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
        var a = actual.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
        int differing = e.Zip(a).Count(p => p.First != p.Second);
        if (differing > 0) throw new XunitException($"{what}: {differing} of {e.Length} elements differ from eager Kiln's bits");
    }

    /// <summary>Same shape, and every element within <paramref name="tolerance"/> of <paramref name="expected"/>'s.</summary>
    public static void Close(Tensor expected, Tensor actual, Tolerance tolerance, string what)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.To(DType.Float64).ToArray<double>();
        var a = actual.To(DType.Float64).ToArray<double>();
        var worst = Enumerable.Range(0, e.Length).Where(i => !ResultComparer.Close(a[i], e[i], tolerance)).Take(3).ToArray();
        if (worst.Length > 0)
            throw new XunitException($"{what}: elements differ from the expected values beyond {tolerance}: " + string.Join(", ", worst.Select(i => $"[{i}] {a[i]} vs {e[i]}")));
    }
}
