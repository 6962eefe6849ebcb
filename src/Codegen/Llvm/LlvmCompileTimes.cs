namespace Kiln.Codegen;

/// <summary>Where the time compiling one module went.</summary>
/// <param name="Parse">Parsing and verifying the textual IR, and exporting the requested functions.</param>
/// <param name="Optimize">The pass pipeline (default&lt;O3&gt;).</param>
/// <param name="CodeGen">Machine code generation and linking (in the JIT: adding the module and looking up its symbols).</param>
public readonly record struct LlvmCompileTimes(TimeSpan Parse, TimeSpan Optimize, TimeSpan CodeGen)
{
    /// <summary>The whole compilation.</summary>
    public TimeSpan Total => Parse + Optimize + CodeGen;
}
