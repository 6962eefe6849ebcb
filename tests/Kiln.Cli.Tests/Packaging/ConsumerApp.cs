namespace Kiln.Cli.Tests.Packaging;

/// <summary>
/// The source files of the new console project that references the packed Kiln and Kiln.Frontend: a [Script] model
/// with fixed weights, scripted, saved, loaded and run; and a file whose [Script] class breaks a class rule, for the
/// analyzer to report at build.
/// </summary>
internal static class ConsumerApp
{
    /// <summary>The model: relu(x Wᵀ + b) * 2 with W all 0.5 and b all -1, so the outputs are known.</summary>
    public const string Model = """
        using Kiln;
        using Kiln.NN;
        using F = Kiln.NN.Functional;

        namespace PackagedApp;

        [Script]
        public sealed class TinyNet : Module
        {
            private readonly Linear fc = new(4, 3);

            public TinyNet()
            {
                Init.Constant_(fc.Weight, 0.5);
                Init.Constant_(fc.Bias!, -1);
            }

            public Tensor Forward(Tensor x) => F.Relu(fc.Forward(x)) * 2;
        }
        """;

    /// <summary>Scripts the model, saves it, loads it back and prints the loaded module's outputs.</summary>
    public const string Program = """
        using Kiln;
        using PackagedApp;

        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, -1, -2, -3, -4 }, 2, 4);
        var scripted = Jit.Script(new TinyNet(), x);
        scripted.Save("tiny.kiln");
        var loaded = ScriptModule.Load("tiny.kiln");
        Console.WriteLine("outputs: " + string.Join(",", loaded.Forward(x).ToArray<float>()));
        """;

    /// <summary>Row 0: 0.5·(1+2+3+4) − 1 = 4, relu, ·2 = 8; row 1 is negative before the relu.</summary>
    public const string ExpectedOutput = "outputs: 8,8,8,0,0,0";

    /// <summary>A [Script] class that is not a module: KILN0001, an error, at build.</summary>
    public const string NotAModule = """
        using Kiln;

        namespace PackagedApp;

        [Script]
        public sealed class Scaler
        {
            public Tensor Forward(Tensor x) => x * 2;
        }
        """;
}
