using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Kiln.Codegen.Kernels;

namespace Kiln.Scripting;

/// <summary>
/// Loads a <c>.kiln</c> file's precompiled kernel library (when the caller trusts it) and registers its kernels with
/// <see cref="PrecompiledKernels"/>, without touching LLVM. A library for another target, or one that does not load,
/// is skipped with one message: the fused groups then run JIT-compiled or interpreted.
/// </summary>
internal static class NativeKernelLoader
{
    /// <summary>The subtarget features checked against this CPU before a library is loaded (LLVM's spelling).</summary>
    private static readonly Dictionary<string, Func<bool>> CheckedFeatures = new(StringComparer.Ordinal)
    {
        ["sse4.1"] = () => Sse41.IsSupported,
        ["sse4.2"] = () => Sse42.IsSupported,
        ["avx"] = () => Avx.IsSupported,
        ["avx2"] = () => Avx2.IsSupported,
        ["fma"] = () => Fma.IsSupported,
        ["bmi"] = () => Bmi1.IsSupported,
        ["bmi2"] = () => Bmi2.IsSupported,
        ["lzcnt"] = () => Lzcnt.IsSupported,
        ["popcnt"] = () => Popcnt.IsSupported,
        ["avx512f"] = () => Avx512F.IsSupported,
        ["avx512bw"] = () => Avx512BW.IsSupported,
        ["avx512cd"] = () => Avx512CD.IsSupported,
        ["avx512dq"] = () => Avx512DQ.IsSupported,
        ["avx512vl"] = () => Avx512F.VL.IsSupported,
    };

    // A library is loaded once per process (by its hash): loading the same model twice maps its code once.
    private static readonly ConcurrentDictionary<string, Lazy<nint>> Loaded = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers <paramref name="library"/>'s kernels when <paramref name="trusted"/>; returns how many were registered
    /// and, when the library was not used, one message saying why and what runs instead.
    /// </summary>
    public static (int Kernels, string? Message) Load(KernelLibrary? library, bool trusted)
    {
        if (library is null) return (0, null);
        if (!trusted)
            return (0, $"the file holds {library.Symbols.Count} precompiled kernels for {library.Target}; they are ignored without TrustNativeKernels (--native-kernels): {Fallback()}");
        if (Incompatibility(library.Target) is { } reason)
            return (0, $"precompiled kernels not used: {reason}; {Fallback()}");
        nint handle;
        try
        {
            handle = Loaded.GetOrAdd(library.Sha256, _ => new Lazy<nint>(() => LoadLibrary(library.Library))).Value;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or IOException or UnauthorizedAccessException)
        {
            Loaded.TryRemove(library.Sha256, out _);
            return (0, $"precompiled kernels not used: their library does not load ({e.Message.Trim()}); {Fallback()}");
        }
        var entries = new List<(string Hash, nint Entry)>(library.Symbols.Count);
        foreach (var symbol in library.Symbols)
        {
            if (!NativeLibrary.TryGetExport(handle, symbol.Symbol, out nint entry) || entry == 0)
                return (0, $"precompiled kernels not used: their library lacks symbol '{symbol.Symbol}' (for @{symbol.Callee}); {Fallback()}");
            entries.Add((symbol.IrSha256, entry));
        }
        foreach (var (hash, entry) in entries) PrecompiledKernels.Register(hash, entry);
        return (entries.Count, null);
    }

    /// <summary>What runs instead of unused kernels; asked only then, so using the kernels never touches LLVM.</summary>
    private static string Fallback() => Codegen.Llvm.IsAvailable ? "fused groups are JIT-compiled" : "fused groups run interpreted";

    /// <summary>Why code for <paramref name="target"/> cannot run here, or null when it can.</summary>
    private static string? Incompatibility(Codegen.LlvmTarget target)
    {
        string arch = target.Triple.Split('-')[0];
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || arch != "x86_64" || !OperatingSystem.IsLinux() || !target.Triple.Contains("linux", StringComparison.Ordinal))
            return $"they were compiled for {target.Triple}, and this is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture}";
        var missing = target.Features.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(f => f.StartsWith('+') && CheckedFeatures.TryGetValue(f[1..], out var supported) && !supported())
            .Select(f => f[1..]).ToList();
        return missing.Count == 0 ? null : $"they need CPU features this CPU lacks ({string.Join(", ", missing)}; compiled for {target})";
    }

    private static nint LoadLibrary(byte[] bytes)
    {
        // A private file: the loader maps it, after which the name is not needed (the mapping outlives the unlink).
        string path = Path.Combine(Path.GetTempPath(), $"kiln-kernels-{Environment.ProcessId}-{Guid.NewGuid():N}.so");
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            file.Write(bytes);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            return NativeLibrary.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
