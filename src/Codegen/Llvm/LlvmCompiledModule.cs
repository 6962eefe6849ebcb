using Kiln.Codegen.Native;

namespace Kiln.Codegen;

/// <summary>
/// A module compiled by <see cref="LlvmJit"/>: the addresses of its exported functions, to be called through unmanaged
/// function pointers. The code stays in memory until <see cref="Dispose"/> (or the end of the process); calling a
/// pointer after Dispose is undefined.
/// </summary>
public sealed class LlvmCompiledModule : IDisposable
{
    private readonly LLVMOrcResourceTrackerRef tracker;
    private readonly Dictionary<string, nint> functions;
    private int disposed;

    internal LlvmCompiledModule(
        LLVMOrcResourceTrackerRef tracker, string name, Dictionary<string, nint> functions, LlvmCompileTimes times, string? optimizedIr)
    {
        this.tracker = tracker;
        this.functions = functions;
        Name = name;
        Times = times;
        OptimizedIr = optimizedIr;
    }

    /// <summary>The module's name.</summary>
    public string Name { get; }

    /// <summary>The exported functions, by the names the IR gives them.</summary>
    public IReadOnlyCollection<string> Symbols => functions.Keys;

    /// <summary>Where the compile time went.</summary>
    public LlvmCompileTimes Times { get; }

    /// <summary>The whole compile time: parse, optimise, generate code.</summary>
    public TimeSpan CompileTime => Times.Total;

    /// <summary>The IR after optimisation, when <see cref="LlvmCompileOptions.KeepOptimizedIr"/> asked for it; else null.</summary>
    public string? OptimizedIr { get; }

    /// <summary>The address of exported function <paramref name="symbol"/> (cast it to a <c>delegate* unmanaged</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="symbol"/> was not exported.</exception>
    /// <exception cref="ObjectDisposedException">The module was disposed.</exception>
    public nint GetFunctionPointer(string symbol)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (functions.TryGetValue(symbol, out nint address))
            return address;
        throw new ArgumentException(
            $"module '{Name}' exports no function '{symbol}' (it exports: {string.Join(", ", functions.Keys)})", nameof(symbol));
    }

    /// <summary>Frees the module's code; its function pointers must not be called afterwards.</summary>
    /// <exception cref="LlvmException">LLVM could not free the code.</exception>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        string? error = LlvmJit.Remove(tracker);
        if (error is not null)
            throw new LlvmException($"LLVM could not free module '{Name}'", error);
    }
}
