using Kiln.IR;

namespace Kiln.Scripting;

/// <summary>The diagnostics tracing reports (docs/diagnostics.md lists them with the build-time ones).</summary>
internal static class TraceDiagnostics
{
    /// <summary>A traced tensor's data was turned into a C# value (Item, ToArray...): control flow on it would be frozen.</summary>
    internal const string DataToValue = "KILN0100";

    /// <summary>Something the tracer cannot record: a non-tensor output, an in-place write through a view, a Forward it cannot call.</summary>
    internal const string Untraceable = "KILN0101";

    /// <summary>A dim marked symbolic is baked into the trace (an attribute or constant differs between sizes).</summary>
    internal const string NotSymbolic = "KILN0102";

    /// <summary>A random tensor was created (Tensor.Randn, Uniform_...) inside traced code: the graph would repeat one draw.</summary>
    internal const string RandomFrozen = "KILN0103";

    /// <summary>KILN0100 for <paramref name="accessor"/> called by the user code on the current stack.</summary>
    internal static ScriptException DataRead(string accessor)
    {
        var span = UserCode.Span();
        return Error(DataToValue,
            $"tracing: {accessor} turns a traced tensor into a C# value{At(span)}; data-dependent control flow would be frozen into the trace",
            span,
            "use Jit.Script, which compiles branches and loops on tensors, or keep the computation in tensor ops (Tensor.Where, masks)");
    }

    /// <summary>KILN0100 for <paramref name="accessor"/> reading module state <paramref name="state"/> that the traced pass updated.</summary>
    internal static ScriptException StateRead(string accessor, string state)
    {
        var span = UserCode.Span();
        return Error(DataToValue,
            $"tracing: {accessor} turns module state {state}, which this forward pass updates, into a C# value{At(span)}; it changes from run to run, so its value would be frozen into the trace",
            span,
            "keep the computation on the state in tensor ops (for BatchNorm, give a momentum rather than null)");
    }

    /// <summary>KILN0101 for <paramref name="what"/>, which runs without being recorded, so its result would be frozen into the trace.</summary>
    internal static ScriptException Unrecorded(string what, string hint)
    {
        var span = UserCode.Span();
        return Error(Untraceable, $"tracing: {what} inside traced code is not recorded{At(span)}; its result would be frozen into the graph", span, hint);
    }

    /// <summary>KILN0103 for random op <paramref name="op"/> run at <paramref name="span"/>.</summary>
    internal static ScriptException RandomTensor(string op, SourceSpan? span) => Error(RandomFrozen,
        $"tracing: {op} creates a random tensor inside traced code{At(span)}; it would be frozen into the graph as a constant, so every run would reuse this one draw",
        span,
        "use Functional.Dropout (the graph draws its mask anew on each run), or make the noise outside Forward and pass it in as an input");

    /// <summary>A <see cref="ScriptException"/> holding one diagnostic about <paramref name="span"/>.</summary>
    internal static ScriptException Error(string id, string message, SourceSpan? span, string? hint, Exception? inner = null) =>
        new([new ScriptDiagnostic(id, message, span?.File, span?.Line ?? 0, span?.Column ?? 0, hint)], inner);

    /// <summary>Where a node came from, for messages: <c> at Net.cs:23</c>, or nothing when unknown.</summary>
    internal static string At(SourceSpan? span) => span is null ? "" : $" at {Path.GetFileName(span.File)}:{span.Line}";
}
