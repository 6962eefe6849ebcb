namespace Kiln.IR.Tests;

public class DTypePromotionTests
{
    [Theory]
    [InlineData(DType.UInt8, DType.Int8, DType.Int16)]
    [InlineData(DType.Bool, DType.Int8, DType.Int8)]
    [InlineData(DType.Float16, DType.BFloat16, DType.Float32)]
    [InlineData(DType.Int64, DType.Float16, DType.Float16)]
    [InlineData(DType.Int32, DType.Int64, DType.Int64)]
    [InlineData(DType.UInt8, DType.Int32, DType.Int32)]
    [InlineData(DType.Float32, DType.Float64, DType.Float64)]
    public void Promote_matches_torch_promote_types(DType a, DType b, DType expected)
    {
        Assert.Equal(expected, DTypePromotion.Promote(a, b));
        Assert.Equal(expected, DTypePromotion.Promote(b, a));
    }

    [Fact]
    public void Zero_dim_operand_of_same_category_does_not_widen()
    {
        Assert.Equal(DType.Float16, DTypePromotion.ResultType(DType.Float16, 1, DType.Float64, 0));
        Assert.Equal(DType.Int8, DTypePromotion.ResultType(DType.Int8, 2, DType.Int64, 0));
    }

    [Fact]
    public void Zero_dim_operand_of_higher_category_decides()
    {
        Assert.Equal(DType.Float64, DTypePromotion.ResultType(DType.Int32, 1, DType.Float64, 0));
        Assert.Equal(DType.Int64, DTypePromotion.ResultType(DType.Bool, 1, DType.Int64, 0));
    }

    [Fact]
    public void Scalar_floats_count_as_the_default_float()
    {
        Assert.Equal(DType.Float32, DTypePromotion.ResultType(DType.Int64, 1, DType.Float64));
        Assert.Equal(DType.Float16, DTypePromotion.ResultType(DType.Float16, 1, DType.Float64));
        Assert.Equal(DType.UInt8, DTypePromotion.ResultType(DType.UInt8, 1, DType.Int64));
        Assert.Equal(DType.Float32, DTypePromotion.ResultType(DType.Float32, 0, DType.Float64));
        Assert.Equal(DType.Int64, DTypePromotion.ResultType(DType.Bool, 1, DType.Int64));
    }

    [Fact]
    public void Broadcast_reports_the_op_and_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Shapes.Broadcast("add", [2, 3], [4]));
        Assert.Contains("add", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
        Assert.Equal([5, 2, 3], Shapes.Broadcast("add", [5, 1, 3], [2, 1]));
        Assert.Equal([0, 3], Shapes.Broadcast("add", [0, 1], [3]));
    }
}
