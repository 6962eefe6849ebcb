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

    /// <summary>KILN0100 for <paramref name="accessor"/> called by the user code on the current stack.</summary>
    internal static ScriptException DataRead(string accessor)
    {
        var span = UserCode.Span();
        return Error(DataToValue,
            $"tracing: {accessor} turns a traced tensor into a C# value{At(span)}; data-dependent control flow would be frozen into the trace",
            span,
            "use Jit.Script, which compiles branches and loops on tensors, or keep the computation in tensor ops (Tensor.Where, masks)");
    }

    /// <summary>A <see cref="ScriptException"/> holding one diagnostic about <paramref name="span"/>.</summary>
    internal static ScriptException Error(string id, string message, SourceSpan? span, string? hint, Exception? inner = null) =>
        new([new ScriptDiagnostic(id, message, span?.File, span?.Line ?? 0, span?.Column ?? 0, hint)], inner);

    /// <summary>Where a node came from, for messages: <c> at Net.cs:23</c>, or nothing when unknown.</summary>
    internal static string At(SourceSpan? span) => span is null ? "" : $" at {Path.GetFileName(span.File)}:{span.Line}";
}
