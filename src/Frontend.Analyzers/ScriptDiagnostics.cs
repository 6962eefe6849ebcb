using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Analyzers;

/// <summary>
/// The table of [Script] diagnostics: one <see cref="DiagnosticDescriptor"/> per stable ID, each with the problem's
/// message format, a hint saying how to fix it, and a help link into docs/diagnostics.md. A reported message reads
/// <c>problem (hint)</c>, like <c>Kiln.ScriptDiagnostic</c>'s text; <see cref="Problem(Diagnostic)"/> and
/// <see cref="Hint(string)"/> give the two parts separately. The tracing IDs (KILN01xx) are raised by the runtime
/// and have no descriptor here.
/// </summary>
public static class ScriptDiagnostics
{
    /// <summary>The category of every [Script] diagnostic.</summary>
    public const string Category = "Kiln.Script";

    private const string ProblemProperty = "Problem";
    private const string HintProperty = "Hint";

    private static readonly Dictionary<string, Entry> Entries = Build(
        // The subset checker's diagnostics: build time (analyzer) and Jit.Script time.
        (ScriptDiagnosticIds.NotAModule, "[Script] class is not a module",
            "[Script] class '{0}' does not derive from Kiln.NN.Module",
            "derive the class from Module (or Module<TIn, TOut>), or remove [Script]"),
        (ScriptDiagnosticIds.NoSingleForward, "[Script] class needs one Forward method",
            "[Script] class '{0}' has {1} public, non-generic instance Forward methods; it needs exactly one",
            "declare one 'public Tensor Forward(Tensor x)' (more parameters are fine) and give other overloads other names"),
        (ScriptDiagnosticIds.UnsupportedForwardType, "Forward type a graph cannot carry",
            "Forward's {0} has type '{1}', which a graph cannot carry",
            "use Tensor, int, long, float, double, bool, or arrays, lists and tuples of these (Tensor? for an optional input), passed by value"),
        (ScriptDiagnosticIds.AnonymousFunction, "Lambda or local function",
            "{0} cannot be scripted",
            "move the code into a method of the module (or a static helper) and call it directly"),
        (ScriptDiagnosticIds.Dynamic, "dynamic",
            "'{0}' is dynamic, which cannot be scripted",
            "give the value its static type (Tensor, int, ...)"),
        (ScriptDiagnosticIds.ExternalMember, "Call into code without source",
            "'{0}' cannot be scripted: it is not part of Kiln, of the supported BCL basics, or of this project's source",
            "use Kiln tensor operations, Kiln.NN.Functional, System.Math, or a helper written in this project"),
        (ScriptDiagnosticIds.StateMutation, "Module state changed in the forward pass",
            "'{0}' is changed in scripted code; a graph cannot change fields or properties",
            "keep the value in a local and return it; update module state outside Forward"),
        (ScriptDiagnosticIds.ExceptionControlFlow, "Exceptions as control flow",
            "{0} cannot be scripted: exceptions are not control flow in a graph",
            "check inputs with an 'if (condition) throw ...;' guard, which is allowed, and use if/else for the rest"),
        (ScriptDiagnosticIds.Goto, "goto",
            "{0} cannot be scripted",
            "use if/else, loops, break, continue and return"),
        (ScriptDiagnosticIds.Unsafe, "Unsafe code",
            "{0} cannot be scripted",
            "express the computation with tensor operations"),
        (ScriptDiagnosticIds.AsyncOrIterator, "async, await or yield",
            "{0} cannot be scripted",
            "make Forward and its helpers synchronous, returning a tensor, tuple or List<Tensor>"),
        (ScriptDiagnosticIds.Linq, "LINQ",
            "LINQ ({0}) cannot be scripted",
            "write the loop with for or foreach"),
        (ScriptDiagnosticIds.DelegateOrEvent, "Delegate or event",
            "{0} cannot be scripted",
            "call the method directly (a submodule field or a helper method of the module)"),
        (ScriptDiagnosticIds.RefOrOut, "ref or out",
            "{0} cannot be scripted",
            "return several values as a tuple and deconstruct it"),
        (ScriptDiagnosticIds.Recursion, "Recursive method",
            "'{0}' calls itself on the same object, which cannot be scripted",
            "write the recursion as a loop; recursion into child modules' Forward is allowed"),
        (ScriptDiagnosticIds.UnsupportedConstruct, "Construct outside the scriptable subset",
            "{0} is not supported in scripted code",
            "rewrite it with locals, if/else, ?:, loops and method calls (docs/diagnostics.md lists the subset)"),

        // The script frontend's lowering errors: Jit.Script time only (reported by Kiln.Frontend).
        (ScriptDiagnosticIds.NoCapturedSource, "No captured source",
            "no C# source was captured for '{0}'",
            "mark the class [Script] so the Kiln source generator captures its source at build time, or trace the model with Jit.Trace"),
        (ScriptDiagnosticIds.UnrolledLoopTooLong, "Unrolled loop too long",
            "the loop runs {0} times at script time, more than the {1} iterations the frontend unrolls",
            "loop over a tensor dimension (which becomes a Loop node) or split the work into fewer steps"),
        (ScriptDiagnosticIds.SymbolicDimAsInt, "Symbolic dimension used as a C# int",
            "dimension '{0}' varies between calls but is used as a C# value here",
            "script with concrete shapes, or keep the size inside tensor operations (Reshape(-1, ...), Size as a tensor)"),
        (ScriptDiagnosticIds.NotScriptTimeConstant, "Tensor data where a constant is needed",
            "'{0}' depends on tensor data but must be known when the model is scripted",
            "compute it from shapes, fields or constants, or branch on a tensor condition (which becomes an If node)"),
        (ScriptDiagnosticIds.LoweringFailed, "Lowering failed",
            "'{0}' could not be lowered: {1}",
            "simplify the expression, or trace the model with Jit.Trace"));

    /// <summary>Every descriptor, in ID order.</summary>
    public static ImmutableArray<DiagnosticDescriptor> All { get; } =
        Entries.Values.Select(e => e.Descriptor).OrderBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();

    /// <summary>The descriptors the subset checker reports (KILN00xx): what the analyzer supports.</summary>
    public static ImmutableArray<DiagnosticDescriptor> Checker { get; } =
        All.Where(d => string.CompareOrdinal(d.Id, "KILN0100") < 0).ToImmutableArray();

    /// <summary>The problem text of <paramref name="id"/> with <paramref name="args"/> filled in (without the hint).</summary>
    /// <exception cref="ArgumentException">No [Script] diagnostic has that ID.</exception>
    public static string FormatProblem(string id, params object[] args) =>
        string.Format(CultureInfo.InvariantCulture, Find(id).ProblemFormat, args);

    /// <summary>How to fix a <paramref name="id"/> problem.</summary>
    /// <exception cref="ArgumentException">No [Script] diagnostic has that ID.</exception>
    public static string Hint(string id) => Find(id).Hint;

    /// <summary>The help link of <paramref name="id"/>: its section of docs/diagnostics.md.</summary>
    public static string HelpLink(string id) => "docs/diagnostics.md#" + id.ToLowerInvariant();

    /// <summary>Creates a <paramref name="id"/> diagnostic at <paramref name="location"/>.</summary>
    /// <exception cref="ArgumentException">No [Script] diagnostic has that ID.</exception>
    public static Diagnostic Create(string id, Location location, params object[] args)
    {
        var entry = Find(id);
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(ProblemProperty, FormatProblem(id, args))
            .Add(HintProperty, entry.Hint);
        return Diagnostic.Create(entry.Descriptor, location, properties, args);
    }

    /// <summary>The problem text of a diagnostic made by <see cref="Create"/> (its message without the hint).</summary>
    public static string Problem(Diagnostic diagnostic)
    {
        if (diagnostic is null) throw new ArgumentNullException(nameof(diagnostic));
        return diagnostic.Properties.TryGetValue(ProblemProperty, out var problem) && problem is not null
            ? problem
            : diagnostic.GetMessage(CultureInfo.InvariantCulture);
    }

    private static Entry Find(string id) =>
        id is not null && Entries.TryGetValue(id, out var entry)
            ? entry
            : throw new ArgumentException($"'{id}' is not a [Script] diagnostic ID (see docs/diagnostics.md)", nameof(id));

    private static Dictionary<string, Entry> Build(params (string Id, string Title, string Problem, string Hint)[] rows)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (id, title, problem, hint) in rows)
        {
            var descriptor = new DiagnosticDescriptor(
                id, title, problem + " (" + hint + ")", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                description: hint, helpLinkUri: HelpLink(id));
            entries.Add(id, new Entry(descriptor, problem, hint));
        }
        return entries;
    }

    private sealed class Entry
    {
        public Entry(DiagnosticDescriptor descriptor, string problemFormat, string hint)
        {
            Descriptor = descriptor;
            ProblemFormat = problemFormat;
            Hint = hint;
        }

        public DiagnosticDescriptor Descriptor { get; }

        public string ProblemFormat { get; }

        public string Hint { get; }
    }
}
