using Kiln.Codegen.Native;

namespace Kiln.Codegen;

/// <summary>
/// Whether libLLVM 19 is usable in this process. The library is loaded and its X86 target initialised on the first
/// question, once; asking never throws, so callers can fall back to managed kernels. Setting the environment variable
/// <c>KILN_LLVM=off</c> makes LLVM unavailable without loading it (as on a machine without libLLVM).
/// </summary>
public static class Llvm
{
    /// <summary>The environment variable that disables LLVM when set to <see cref="DisabledValue"/>.</summary>
    public const string EnvironmentVariable = "KILN_LLVM";

    /// <summary>The <see cref="EnvironmentVariable"/> value that disables LLVM (any case).</summary>
    public const string DisabledValue = "off";

    private static readonly Lazy<bool> DisabledByEnvironment = new(() =>
        string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim(), DisabledValue, StringComparison.OrdinalIgnoreCase));

    private static readonly string DisabledReason = $"LLVM is disabled by {EnvironmentVariable}={DisabledValue}";

    /// <summary>Whether libLLVM 19 loaded and is ready for <see cref="LlvmJit"/> and <see cref="LlvmObjectCompiler"/>.</summary>
    public static bool IsAvailable => !DisabledByEnvironment.Value && LlvmLibrary.Ensure().IsLoaded;

    /// <summary>Why LLVM is unavailable (ending with how to install it), or null when it is available.</summary>
    public static string? UnavailableReason => DisabledByEnvironment.Value ? DisabledReason : LlvmLibrary.Ensure().Failure;

    /// <summary>The loaded library's version (for cache keys).</summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    public static Version Version
    {
        get
        {
            EnsureAvailable();
            return LlvmLibrary.Ensure().Version!;
        }
    }

    /// <summary>
    /// The SIMD math library LLVM's vectoriser calls for <c>exp</c>, <c>log</c>, <c>sin</c>... in vectorised loops:
    /// "libmvec.so.1" (glibc's) when installed, else null (one scalar libm call per lane). It changes generated code, so
    /// kernel caches key on it; object files compiled with it need libmvec when linked.
    /// </summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    public static string? VectorMathLibrary
    {
        get
        {
            EnsureAvailable();
            return LlvmLibrary.Ensure().VectorMathLibrary;
        }
    }

    /// <summary>Throws <see cref="LlvmUnavailableException"/> with the reason when LLVM is unavailable.</summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    public static void EnsureAvailable()
    {
        if (DisabledByEnvironment.Value)
            throw new LlvmUnavailableException(DisabledReason);
        var state = LlvmLibrary.Ensure();
        if (!state.IsLoaded)
            throw new LlvmUnavailableException(state.Failure!);
    }
}
