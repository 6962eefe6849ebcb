using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Kiln.IR;

namespace Kiln.Scripting;

/// <summary>
/// Finds where in the user's code something happens: the first stack frame, from the innermost outwards, in an
/// assembly that is not part of Kiln and whose source file is known (the model's <c>Forward</c>, a helper it calls).
/// </summary>
internal static class UserCode
{
    // Not a prefix test: user assemblies (and Kiln's own test assemblies) may be named Kiln.Something too.
    private static readonly HashSet<string> KilnAssemblies =
        ["Kiln", "Kiln.IR", "Kiln.Passes", "Kiln.Codegen", "Kiln.Frontend", "Kiln.Frontend.Analyzers"];

    private static readonly ConcurrentDictionary<Assembly, bool> IsKilnCache = new();

    // Stack frames' methods are read only while Jit.Trace runs, which refuses to start under NativeAOT.
    private const string TracingNeedsMetadata = "Jit.Trace checks StackMethodsAvailable and refuses to trace without them.";

    /// <summary>
    /// Whether stack frames name their methods, which tracing needs to tell user code from Kiln's: not under NativeAOT,
    /// which keeps method metadata only for what reflection is known to use.
    /// </summary>
    internal static bool StackMethodsAvailable => RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Whether <paramref name="method"/> belongs to a Kiln library assembly.</summary>
    internal static bool IsKiln(MethodBase? method) =>
        method?.DeclaringType?.Assembly is { } assembly && IsKilnCache.GetOrAdd(assembly, a => KilnAssemblies.Contains(a.GetName().Name ?? ""));

    /// <summary>The innermost frame of the current stack in user code with a known source file, or null when there is none.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TracingNeedsMetadata)]
    internal static StackFrame? Frame()
    {
        foreach (var frame in new StackTrace(1, fNeedFileInfo: true).GetFrames())
        {
            if (!IsKiln(frame.GetMethod()) && frame.GetFileName() is not null) return frame;
        }
        return null;
    }

    /// <summary>
    /// Whether the data accessor <paramref name="accessor"/> (<c>Item</c>, <c>ToArray</c>...) on the current stack was
    /// called by user code rather than by Kiln's own implementation of an op (which reads data the recorded op recomputes).
    /// </summary>
    internal static bool CalledFromUserCode(string accessor, Type? owner = null) => FindCaller(accessor, owner ?? typeof(Tensor), out var method) && !IsKiln(method);

    /// <summary>
    /// Whether <paramref name="accessor"/> was called by user code or by a module's own method (a Kiln layer's
    /// <c>Forward</c>): code that acts on what it reads, unlike an op's implementation.
    /// </summary>
    internal static bool CalledFromModuleCode(string accessor) =>
        FindCaller(accessor, typeof(Tensor), out var method) && (!IsKiln(method) || typeof(NN.Module).IsAssignableFrom(method!.DeclaringType));

    /// <summary>Finds the method that called <paramref name="owner"/>'s <paramref name="accessor"/> on the current stack (null for a frame without one); false when there is none.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TracingNeedsMetadata)]
    private static bool FindCaller(string accessor, Type owner, out MethodBase? caller)
    {
        foreach (var frame in new StackTrace(1, fNeedFileInfo: false).GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (type == typeof(UserCode) || type == typeof(Tracer) || (type == owner && method!.Name == accessor)) continue;
            caller = method;
            return true;
        }
        caller = null;
        return false;
    }

    /// <summary>The source span of <see cref="Frame"/>, or null when no user frame has a source file.</summary>
    internal static SourceSpan? Span() => Frame() is { } f ? SpanOf(f) : null;

    /// <summary>The source span of a frame with a file name.</summary>
    internal static SourceSpan SpanOf(StackFrame frame) =>
        new(frame.GetFileName()!, frame.GetFileLineNumber(), Math.Max(frame.GetFileColumnNumber(), 1));
}
