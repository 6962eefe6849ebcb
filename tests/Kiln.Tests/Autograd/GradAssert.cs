namespace Kiln.Tests.Gradients;

/// <summary>Helpers shared by the gradient tests that compare with values pasted from PyTorch.</summary>
internal static class GradAssert
{
    /// <summary>A float64 leaf that requires grad.</summary>
    public static Tensor Leaf(double[] values, params long[] shape) => Tensor.FromArray(values, shape).RequiresGrad_();

    /// <summary>Asserts <paramref name="actual"/> holds <paramref name="expected"/> (row-major) within a relative <paramref name="tol"/>.</summary>
    public static void AssertClose(double[] expected, Tensor? actual, double tol = 1e-9)
    {
        Assert.NotNull(actual);
        var got = actual.Contiguous().To(DType.Float64).ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - got[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {got[i]}");
    }
}
