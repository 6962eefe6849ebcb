namespace Kiln.Cli.Tests;

public class DemoTests
{
    [Fact]
    public void Demo_shows_each_step_with_torch_style_output()
    {
        var output = new StringWriter();
        DemoCommand.Run(output);
        var text = output.ToString();
        Assert.Contains(">>> x = Tensor.Arange(12.0).Reshape(3, 4)", text);
        Assert.Contains("tensor([[ 0.,  1.,  2.,  3.],", text);
        Assert.Contains("tensor([[ 1.,  2.],", text);
        Assert.Contains("tensor([ 6., 22., 38.])", text);
        Assert.Contains("False", text);
    }
}
