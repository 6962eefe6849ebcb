using Kiln.IR;

namespace Kiln.Passes.Tests.Transforms;

/// <summary>Runs a pass as pipelines do (the verifier after it), then again to check it has nothing left to do.</summary>
internal static class PassRun
{
    /// <summary>
    /// Runs <paramref name="pass"/> on <paramref name="graph"/> through a <see cref="PassManager"/>, asserts that
    /// it reported a change, runs <paramref name="again"/> (by default the pass itself) and asserts that the
    /// second run changes nothing. Returns the text.
    /// </summary>
    public static string Apply(IR.Graph graph, IGraphPass pass, PassContext? context = null, IGraphPass? again = null)
    {
        var recorder = new Recorder(pass);
        new PassManager([recorder]).Run(graph, context);
        Assert.True(recorder.Changed, $"{pass.Name} reported no change");
        var text = KirPrinter.Print(graph);
        again ??= pass;
        Assert.False(again.Run(graph, context ?? new PassContext()), $"{again.Name} changed the graph again on a second run:\n{KirPrinter.Print(graph)}");
        Assert.Equal(text, KirPrinter.Print(graph));
        return text;
    }

    /// <summary>Parses <paramref name="kir"/> (verifying it) and applies <paramref name="pass"/>.</summary>
    public static string Apply(string kir, IGraphPass pass, PassContext? context = null) => Apply(KirParser.Parse(kir), pass, context);

    /// <summary>Runs <paramref name="pass"/> on <paramref name="kir"/> and asserts it reports no change and leaves the text as it was.</summary>
    public static void Unchanged(string kir, IGraphPass pass, PassContext? context = null) => Unchanged(KirParser.Parse(kir), pass, context);

    /// <summary>Runs <paramref name="pass"/> on <paramref name="graph"/> and asserts it reports no change and leaves the text as it was.</summary>
    public static void Unchanged(IR.Graph graph, IGraphPass pass, PassContext? context = null)
    {
        var before = KirPrinter.Print(graph);
        var recorder = new Recorder(pass);
        new PassManager([recorder]).Run(graph, context);
        Assert.False(recorder.Changed, $"{pass.Name} reported a change:\n{KirPrinter.Print(graph)}");
        Assert.Equal(before, KirPrinter.Print(graph));
    }

    /// <summary>How many nodes named <paramref name="name"/> (an op, primitive or structural keyword) the graph has, in every block.</summary>
    public static int Count(IR.Graph graph, string name) => graph.AllNodes().Count(n => n.Name == name);

    /// <summary>Passes a pipeline run through, remembering whether the pass reported a change.</summary>
    private sealed class Recorder(IGraphPass pass) : IGraphPass
    {
        public bool Changed { get; private set; }

        public string Name => pass.Name;

        public bool Run(IR.Graph graph, PassContext context) => Changed = pass.Run(graph, context);
    }
}
