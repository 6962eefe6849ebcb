using Kiln.NN;

namespace Kiln.Tests.Optim;

/// <summary><see cref="Utils.ClipGradNorm"/> and <see cref="Utils.ClipGradValue"/> against torch.nn.utils.</summary>
public sealed class ClipGradTests
{
    private static Tensor[] ParamsWithGrads()
    {
        var parameters = OptimReference.NewParams(DType.Float64);
        OptimReference.SetGrads(parameters, 1, skip: false);
        return parameters;
    }

    [Fact]
    public void ClipGradNorm_matches_torch_for_every_norm_type()
    {
        foreach (var c in OptimReference.Json.GetProperty("clipNorm").EnumerateArray())
        {
            var n = c.GetProperty("normType");
            double normType = n.ValueKind == System.Text.Json.JsonValueKind.String ? double.PositiveInfinity : n.GetDouble();
            double maxNorm = c.GetProperty("maxNorm").GetDouble();
            var parameters = ParamsWithGrads();
            var total = Utils.ClipGradNorm(parameters, maxNorm, normType);
            string what = $"norm {normType}, max {maxNorm}";
            Assert.Equal(c.GetProperty("total").GetDouble(), total.Item<double>(), 1e-12);
            var grads = OptimReference.Doubles2(c.GetProperty("grads"));
            for (int i = 0; i < parameters.Length; i++)
                OptimizerReferenceTests.AssertClose(grads[i], parameters[i].Grad!.ToArray<double>(), 1e-12, $"{what} grad {i}");
        }
    }

    [Fact]
    public void ClipGradValue_matches_torch()
    {
        var c = OptimReference.Json.GetProperty("clipValue");
        var parameters = ParamsWithGrads();
        Utils.ClipGradValue(parameters, c.GetProperty("clipValue").GetDouble());
        var grads = OptimReference.Doubles2(c.GetProperty("grads"));
        for (int i = 0; i < parameters.Length; i++)
            OptimizerReferenceTests.AssertClose(grads[i], parameters[i].Grad!.ToArray<double>(), 0, $"grad {i}");
    }

    [Fact]
    public void ClipGradNorm_skips_parameters_without_gradients_and_returns_zero_for_none()
    {
        var parameters = ParamsWithGrads();
        parameters[1].Grad = null;
        var total = Utils.ClipGradNorm(parameters, 1e9);
        double expected = Math.Sqrt(OptimReference.Grads[1][0].Sum(g => g * g));
        Assert.Equal(expected, total.Item<double>(), 1e-12);
        Assert.Null(parameters[1].Grad);
        Assert.Equal(0f, Utils.ClipGradNorm([Tensor.Zeros(3).RequiresGrad_()], 1).Item<float>());
    }

    [Fact]
    public void ClipGradNorm_throws_on_a_non_finite_norm_only_when_asked()
    {
        var parameters = ParamsWithGrads();
        parameters[0].Grad = Tensor.Full([2, 3], double.NaN, DType.Float64);
        var e = Assert.Throws<InvalidOperationException>(() => Utils.ClipGradNorm(parameters, 1, errorIfNonfinite: true));
        Assert.Contains("non-finite", e.Message, StringComparison.Ordinal);
        Assert.True(double.IsNaN(Utils.ClipGradNorm(parameters, 1).Item<double>()));
    }
}
