using Kiln.Kernels.Elementwise;

namespace Kiln.Tests;

public class SpecialFunctionsTests
{
    // Expected values: torch.erf / torch.erfc in float64 (PyTorch 1.13).
    [Theory]
    [InlineData(0.0, 0.0, 1.0)]
    [InlineData(1e-10, 1.1283791670955126e-10, 0.999999999887162)]
    [InlineData(0.5, 0.5204998778130465, 0.4795001221869535)]
    [InlineData(1.0, 0.8427007929497149, 0.15729920705028513)]
    [InlineData(2.0, 0.9953222650189527, 0.004677734981047265)]
    [InlineData(2.49, 0.9995707121322661, 0.0004292878677339129)]
    [InlineData(2.51, 0.9996142945182758, 0.0003857054817242798)]
    [InlineData(3.0, 0.9999779095030014, 2.209049699858544e-05)]
    [InlineData(5.0, 0.9999999999984626, 1.537459794428035e-12)]
    [InlineData(10.0, 1.0, 2.088487583762545e-45)]
    [InlineData(26.0, 1.0, 5.663192408856143e-296)]
    [InlineData(-0.3, -0.3286267594591274, 1.3286267594591274)]
    [InlineData(-3.0, -0.9999779095030014, 1.9999779095030015)]
    [InlineData(-6.0, -1.0, 2.0)]
    public void Erf_and_erfc_match_torch_in_float64(double x, double erf, double erfc)
    {
        Assert.Equal(erf, SpecialFunctions.Erf(x), Math.Abs(erf) * 1e-14 + 1e-300);
        Assert.Equal(erfc, SpecialFunctions.Erfc(x), Math.Abs(erfc) * 1e-13 + 1e-300);
    }

    [Fact]
    public void Erf_propagates_nan_and_saturates_at_infinity()
    {
        Assert.True(double.IsNaN(SpecialFunctions.Erf(double.NaN)));
        Assert.Equal(1.0, SpecialFunctions.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, SpecialFunctions.Erf(double.NegativeInfinity));
        Assert.Equal(0.0, SpecialFunctions.Erfc(double.PositiveInfinity));
        Assert.Equal(2.0, SpecialFunctions.Erfc(double.NegativeInfinity));
    }
}
