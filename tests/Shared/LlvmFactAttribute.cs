namespace Kiln.Testing;

/// <summary>
/// A <see cref="FactAttribute"/> for tests that need libLLVM 19: where <see cref="Kiln.Codegen.Llvm.IsAvailable"/> is
/// false (not installed, or <c>KILN_LLVM=off</c>), the test shows as skipped with the reason instead of passing
/// without checking anything.
/// </summary>
public sealed class LlvmFactAttribute : FactAttribute
{
    /// <summary>Skips the test, saying why, when libLLVM cannot be used in this process.</summary>
    public LlvmFactAttribute()
    {
        if (MissingReason is { } why) Skip = why;
    }

    /// <summary>Why LLVM-dependent tests are skipped here, or null when libLLVM 19 is available.</summary>
    public static string? MissingReason =>
        Kiln.Codegen.Llvm.IsAvailable ? null : "needs libLLVM 19: " + Kiln.Codegen.Llvm.UnavailableReason;
}
