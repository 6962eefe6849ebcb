namespace Kiln.Frontend.Analyzers;

/// <summary>
/// The stable IDs of the [Script] diagnostics (docs/diagnostics.md lists each with an example and the fix).
/// KILN00xx: the subset checker (build time and <c>Jit.Script</c> time); KILN01xx: tracing (reported by the
/// runtime's tracer); KILN02xx: the script frontend's lowering (<c>Jit.Script</c> time only).
/// </summary>
public static class ScriptDiagnosticIds
{
    /// <summary>The prefix every ID starts with.</summary>
    public const string Prefix = "KILN";

    /// <summary>A [Script] class that does not derive from <c>Kiln.NN.Module</c>.</summary>
    public const string NotAModule = "KILN0001";

    /// <summary>A [Script] class without exactly one public, non-generic instance <c>Forward</c>.</summary>
    public const string NoSingleForward = "KILN0002";

    /// <summary>A <c>Forward</c> parameter or return type that a graph cannot carry.</summary>
    public const string UnsupportedForwardType = "KILN0003";

    /// <summary>A lambda, anonymous method or local function.</summary>
    public const string AnonymousFunction = "KILN0004";

    /// <summary>A use of <c>dynamic</c>.</summary>
    public const string Dynamic = "KILN0005";

    /// <summary>A call or member access into code that is neither Kiln, the allowed BCL basics, nor source in the compilation.</summary>
    public const string ExternalMember = "KILN0006";

    /// <summary>An assignment to, or in-place change of, a field or property (module state).</summary>
    public const string StateMutation = "KILN0007";

    /// <summary>A <c>try</c>, a <c>throw</c> that is not an input guard, or a throw expression.</summary>
    public const string ExceptionControlFlow = "KILN0008";

    /// <summary>A <c>goto</c> or a label.</summary>
    public const string Goto = "KILN0009";

    /// <summary>Unsafe code: pointers, <c>fixed</c>, <c>unsafe</c> blocks.</summary>
    public const string Unsafe = "KILN0010";

    /// <summary><c>await</c> or <c>yield</c>.</summary>
    public const string AsyncOrIterator = "KILN0011";

    /// <summary>A LINQ query or a <c>System.Linq</c> call.</summary>
    public const string Linq = "KILN0012";

    /// <summary>A delegate (method group, delegate invocation) or an event.</summary>
    public const string DelegateOrEvent = "KILN0013";

    /// <summary>A <c>ref</c> local or a <c>ref</c>/<c>out</c>/<c>in</c> argument.</summary>
    public const string RefOrOut = "KILN0014";

    /// <summary>A method that calls itself (directly or through other methods) on the same object.</summary>
    public const string Recursion = "KILN0015";

    /// <summary>Any other statement or expression outside the scriptable subset (switch, using, lock, string interpolation…).</summary>
    public const string UnsupportedConstruct = "KILN0016";

    /// <summary>Tracing: a traced tensor was turned into a C# value (data-dependent control flow); reported by the runtime's tracer.</summary>
    public const string TraceTensorToValue = "KILN0100";

    /// <summary>Tracing: something the tracer cannot record (a non-tensor output, an in-place write through a view...).</summary>
    public const string TraceUntraceable = "KILN0101";

    /// <summary>Tracing: a dim marked symbolic is baked into the trace (the traces at two sizes differ).</summary>
    public const string TraceNotSymbolic = "KILN0102";

    /// <summary>Tracing: a random tensor is created inside traced code (the graph would repeat one draw).</summary>
    public const string TraceRandomFrozen = "KILN0103";

    /// <summary>Frontend: no C# source was captured for a type <c>Jit.Script</c> must lower.</summary>
    public const string NoCapturedSource = "KILN0200";

    /// <summary>Frontend: a loop over script-time constants unrolls to too many iterations.</summary>
    public const string UnrolledLoopTooLong = "KILN0201";

    /// <summary>Frontend: a symbolic (varying) dimension is used where a C# int constant is needed.</summary>
    public const string SymbolicDimAsInt = "KILN0202";

    /// <summary>Frontend: a value computed from tensor data is used where a script-time constant is needed.</summary>
    public const string NotScriptTimeConstant = "KILN0203";

    /// <summary>Frontend: a construct the checker accepts but the lowering could not translate (with the reason).</summary>
    public const string LoweringFailed = "KILN0204";
}
