namespace Kiln;

/// <summary>What the fused kernels stored in a <c>.kiln</c> file are compiled for.</summary>
public enum KernelTarget
{
    /// <summary>No kernels are stored (the default): loaders JIT-compile or interpret the fused groups.</summary>
    None,

    /// <summary>This machine's CPU and features (fastest; runs only on CPUs with the same features).</summary>
    Host,

    /// <summary>Baseline x86-64 (SSE2): runs on any x86-64 Linux machine.</summary>
    X86_64,
}
