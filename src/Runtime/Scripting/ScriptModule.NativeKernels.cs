using Kiln.Codegen;
using Kiln.Codegen.Kernels;
using Kiln.Scripting;
using Kiln.Serialization;

namespace Kiln;

// Saving and loading precompiled (ahead-of-time) kernels.
public sealed partial class ScriptModule
{
    /// <summary>How many precompiled kernels from the loaded file this module registered (0 unless loaded with trust).</summary>
    public int NativeKernelCount { get; private set; }

    /// <summary>
    /// Why the loaded file's precompiled kernels are not used (another target, a library that does not load, or no
    /// <see cref="LoadOptions.TrustNativeKernels"/>), and what runs instead; null when they are used or there are none.
    /// </summary>
    public string? NativeKernelMessage { get; private set; }

    /// <summary>
    /// <see cref="Save(string)"/>, and with <see cref="SaveOptions.Target"/> the fused groups' kernels compiled for that
    /// target, linked into one native library stored in the file (format 1.1).
    /// </summary>
    /// <exception cref="InvalidOperationException">No graph was made yet, or the C compiler failed to link the kernels.</exception>
    /// <exception cref="LlvmUnavailableException">A target is asked for and libLLVM 19 is not installed.</exception>
    /// <exception cref="LlvmException">LLVM failed to generate a kernel.</exception>
    public void Save(string path, SaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        KilnFile.Write(path, WithKernels(ScriptModuleFile.ToContents(this), options.Target));
    }

    /// <summary>
    /// <see cref="Load(string)"/>; with <see cref="LoadOptions.TrustNativeKernels"/>, the file's precompiled kernels for
    /// this machine run instead of JIT-compiled or interpreted ones (see <see cref="NativeKernelMessage"/> when they cannot).
    /// </summary>
    /// <exception cref="KilnFormatException">The file is malformed (including kernel bytes that fail their hash) or does not hold a saved ScriptModule.</exception>
    public static ScriptModule Load(string path, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var contents = KilnFile.Read(path);
        // Registered before the module exists, so its first plans find the kernels.
        var (count, message) = NativeKernelLoader.Load(contents.Kernels, options.TrustNativeKernels);
        var module = ScriptModuleFile.FromContents(contents);
        module.NativeKernelCount = count;
        module.NativeKernelMessage = message;
        return module;
    }

    /// <summary><paramref name="contents"/> with the kernels of its fused callees compiled for <paramref name="target"/>.</summary>
    internal static KilnFileContents WithKernels(KilnFileContents contents, KernelTarget target)
    {
        if (target == KernelTarget.None) return contents;
        var llvmTarget = target == KernelTarget.Host ? LlvmTarget.Host : KernelLibraryBuilder.GenericX86_64;
        return contents with { Kernels = KernelLibraryBuilder.Build(contents.Graphs.Graphs, llvmTarget) };
    }
}
