namespace Kiln;

/// <summary>How <see cref="ScriptModule.Load(string, LoadOptions)"/> reads a <c>.kiln</c> file.</summary>
public sealed record LoadOptions
{
    /// <summary>
    /// Load the precompiled kernels a file holds and run them (no LLVM needed). They are native code from the file, so
    /// this runs code the file supplies: set it only for files you trust. Without it, stored kernels are ignored and
    /// fused groups are JIT-compiled (when libLLVM is installed) or interpreted; loading then runs no code from the file.
    /// </summary>
    public bool TrustNativeKernels { get; init; }
}
