using System.Reflection;
using System.Runtime.InteropServices;

namespace Kiln.Codegen.Native;

/// <summary>
/// Finds libLLVM 19, points every "LLVM" import of this assembly at it and initialises the X86 target, once per process.
/// A missing library is a recorded failure, not a crash: <see cref="Llvm.IsAvailable"/> reads it.
/// </summary>
internal static class LlvmLibrary
{
    /// <summary>The LLVM major version the binding is written against.</summary>
    internal const int RequiredMajorVersion = 19;

    /// <summary>The hint every "not found" message ends with.</summary>
    internal const string InstallHint = "libLLVM 19 not found: apt-get install libllvm19";

    /// <summary>Debian's soname first, then the development symlink.</summary>
    internal static readonly string[] Candidates = ["libLLVM.so.19.1", "libLLVM-19.so"];

    private static readonly Lazy<LoadResult> State = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private static nint handle;

    /// <summary>The outcome of loading: the library's file name and version, or why it is unavailable.</summary>
    internal sealed record LoadResult(string? Name, Version? Version, string? Failure, string? VectorMathLibrary = null)
    {
        /// <summary>Whether the library loaded and its targets are initialised.</summary>
        public bool IsLoaded => Failure is null;
    }

    /// <summary>Loads and initialises the library on first use; later calls return the same result.</summary>
    internal static LoadResult Ensure() => State.Value;

    /// <summary>
    /// Loads the first of <paramref name="candidates"/> that exists. On failure <paramref name="failure"/> is the install
    /// hint with the names tried.
    /// </summary>
    internal static bool TryFind(IReadOnlyList<string> candidates, out string name, out nint loaded, out string failure)
    {
        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out loaded))
            {
                name = candidate;
                failure = "";
                return true;
            }
        }
        name = "";
        loaded = 0;
        failure = $"{InstallHint} (tried {string.Join(", ", candidates)})";
        return false;
    }

    private static LoadResult Load()
    {
        if (!TryFind(Candidates, out string name, out handle, out string failure))
            return new LoadResult(null, null, failure);
        NativeLibrary.SetDllImportResolver(typeof(LlvmLibrary).Assembly, Resolve);
        LlvmNative.LLVMGetVersion(out uint major, out uint minor, out uint patch);
        var version = new Version((int)major, (int)minor, (int)patch);
        if (major != RequiredMajorVersion)
            return new LoadResult(name, version, $"{name} is LLVM {version}, Kiln's binding needs LLVM {RequiredMajorVersion}: apt-get install libllvm19");
        InitializeX86();
        return new LoadResult(name, version, null, EnableVectorMath());
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LlvmNative.Library ? handle : 0;

    /// <summary>
    /// Points LLVM's vectoriser at glibc's libmvec when it is installed, so a vectorised loop calls libmvec's SIMD
    /// functions (<c>_ZGVdN8v_expf</c>) rather than scalar libm once per lane: 24 times faster on issue 8's chain. The
    /// setting is process-wide and changes generated code, so it belongs in kernel cache keys.
    /// </summary>
    private static unsafe string? EnableVectorMath()
    {
        const string Libmvec = "libmvec.so.1";
        if (LlvmNative.LLVMLoadLibraryPermanently(Libmvec) != 0)
            return null;
        nint* argv = stackalloc nint[2];
        argv[0] = Marshal.StringToCoTaskMemUTF8("kiln");
        argv[1] = Marshal.StringToCoTaskMemUTF8("-vector-library=LIBMVEC-X86");
        try
        {
            LlvmNative.LLVMParseCommandLineOptions(2, argv, null);
        }
        finally
        {
            Marshal.FreeCoTaskMem(argv[0]);
            Marshal.FreeCoTaskMem(argv[1]);
        }
        return Libmvec;
    }

    private static void InitializeX86()
    {
        LlvmNative.LLVMInitializeX86TargetInfo();
        LlvmNative.LLVMInitializeX86Target();
        LlvmNative.LLVMInitializeX86TargetMC();
        LlvmNative.LLVMInitializeX86AsmPrinter();
    }
}
