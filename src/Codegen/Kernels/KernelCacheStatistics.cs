namespace Kiln.Codegen.Kernels;

/// <summary>What a <see cref="KernelCache"/> has done in this process.</summary>
/// <param name="Compiled">Modules LLVM optimised and compiled (no usable entry).</param>
/// <param name="Loaded">Modules linked from a cache entry, with no optimisation or code generation.</param>
/// <param name="Rejected">Entries found but not used (truncated, corrupt, or refused by LLVM) and compiled again.</param>
/// <param name="WriteFailures">Entries that could not be written (an unwritable directory, a full disk).</param>
/// <param name="CompileTime">The time spent on the compiled modules (compiling, linking and writing the entry).</param>
/// <param name="LoadTime">The time spent on the loaded modules (reading, checking and linking the entry).</param>
public readonly record struct KernelCacheStatistics(
    long Compiled, long Loaded, long Rejected, long WriteFailures, TimeSpan CompileTime, TimeSpan LoadTime);
