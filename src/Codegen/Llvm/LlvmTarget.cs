using Kiln.Codegen.Native;

namespace Kiln.Codegen;

/// <summary>
/// What LLVM generates code for: a target triple, a CPU name and its feature string (LLVM's spelling,
/// "+avx2,+fma,..."). <see cref="Host"/> is this machine; without its CPU and features LLVM assumes a baseline x86-64
/// and the vectoriser stays at SSE width.
/// </summary>
/// <param name="Triple">The target triple, such as "x86_64-pc-linux-gnu".</param>
/// <param name="Cpu">The CPU name, such as "znver4", or "generic".</param>
/// <param name="Features">The subtarget features, comma separated, each with + or -; "" for the CPU's defaults.</param>
public sealed record LlvmTarget(string Triple, string Cpu, string Features)
{
    private static readonly Lazy<LlvmTarget> HostTarget = new(DetectHost, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>This machine: LLVM's default triple, host CPU name and host CPU features.</summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    public static LlvmTarget Host => HostTarget.Value;

    /// <summary>The triple and CPU; the feature string is long and follows from the CPU on real hardware.</summary>
    public override string ToString() => $"{Triple} ({Cpu})";

    private static LlvmTarget DetectHost()
    {
        Llvm.EnsureAvailable();
        return new LlvmTarget(
            LlvmStrings.TakeMessage(LlvmNative.LLVMGetDefaultTargetTriple()),
            LlvmStrings.TakeMessage(LlvmNative.LLVMGetHostCPUName()),
            LlvmStrings.TakeMessage(LlvmNative.LLVMGetHostCPUFeatures()));
    }
}
