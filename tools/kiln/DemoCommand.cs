using System.CommandLine;

namespace Kiln.Cli;

/// <summary><c>kiln demo</c>: a short tour of what Kiln can do today.</summary>
internal static class DemoCommand
{
    internal static Command Create()
    {
        var command = new Command("demo", "Show Kiln's tensors at work: creation, views, broadcasting, math and reductions");
        command.SetAction(_ =>
        {
            Run(Console.Out);
            return 0;
        });
        return command;
    }

    /// <summary>Writes the tour to <paramref name="output"/>.</summary>
    internal static void Run(TextWriter output)
    {
        Kiln.Random.ManualSeed(0);
        void Show(string code, object value) => output.WriteLine($">>> {code}\n{value}\n");

        var x = Tensor.Arange(12.0).Reshape(3, 4);
        Show("x = Tensor.Arange(12.0).Reshape(3, 4)", x);
        Show("x[.., 1..3]", x[.., 1..3]);
        Show("x.T.IsContiguous", x.T.IsContiguous);
        var row = Tensor.FromArray([1f, 10f, 100f, 1000f]);
        Show("x.To(DType.Float32) * Tensor.FromArray([1f, 10f, 100f, 1000f])", x.To(DType.Float32) * row);
        Show("(x - 5).Relu() + (x / 4).Sigmoid()", (x - 5).Relu() + (x / 4).Sigmoid());
        Show("x.Sum(1)", x.Sum(1));
        Show("x.Softmax(-1)", x.Softmax(-1));
        var w = Tensor.Randn(4, 2);
        Show("x.Matmul(Tensor.Randn(4, 2))", x.Matmul(w));
        Show("x.To(DType.Float16).Mean(0, keepdim: true)", x.To(DType.Float16).Mean(0, keepdim: true));
        Show("x > 6.0", x > 6.0);
    }
}
