using System.Diagnostics;
using System.Security.Cryptography;
using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>Which exported function of a kernel library serves which fused callee and input layout.</summary>
/// <param name="Symbol">The exported function's name.</param>
/// <param name="Callee">The fused callee graph's name.</param>
/// <param name="Layout">The inputs' layout (<see cref="KernelLayout.Key"/>).</param>
/// <param name="IrSha256">The SHA-256 of the variant's LLVM IR (<see cref="PrecompiledKernels.IrHash"/>).</param>
public sealed record KernelLibrarySymbol(string Symbol, string Callee, string Layout, string IrSha256);

/// <summary>Fused kernels compiled ahead of time for one target and linked into one shared library.</summary>
/// <param name="Target">What the code was generated for.</param>
/// <param name="LlvmVersion">The LLVM version that generated it.</param>
/// <param name="Library">The shared library's bytes.</param>
/// <param name="Symbols">Its kernels.</param>
public sealed record KernelLibrary(LlvmTarget Target, string LlvmVersion, byte[] Library, IReadOnlyList<KernelLibrarySymbol> Symbols)
{
    /// <summary>The lowercase hex SHA-256 of <see cref="Library"/>.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Library));
}

/// <summary>
/// Compiles fused callees ahead of time (<c>kiln compile --target</c>, <c>ScriptModule.Save</c> with a kernel target):
/// each compilable group's kernel variants become position-independent objects for the target, linked with the system C
/// compiler (<c>cc -shared</c>, against libm and libmvec) into one shared library that needs no LLVM at run time.
/// </summary>
public static class KernelLibraryBuilder
{
    /// <summary>Groups with at most this many inputs get a variant for every contiguous/broadcast mix.</summary>
    private const int MaxInputsForAllLayouts = 4;

    /// <summary>A baseline x86-64 target (SSE2) for the host's triple, which any x86-64 CPU runs.</summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    public static LlvmTarget GenericX86_64 => new(LlvmTarget.Host.Triple, "x86-64", "");

    /// <summary>
    /// The library of every compilable group among <paramref name="callees"/> (elementwise, row and epilogue groups; others
    /// are skipped: they run interpreted), or null when none compiles. Each group gets its contiguous variant, its
    /// all-strided variant (which serves any layout) and, for small groups, every contiguous/broadcast mix.
    /// </summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    /// <exception cref="LlvmException">LLVM failed to generate code.</exception>
    /// <exception cref="InvalidOperationException">The C compiler failed to link the library.</exception>
    public static KernelLibrary? Build(IEnumerable<Graph> callees, LlvmTarget target)
    {
        ArgumentNullException.ThrowIfNull(callees);
        ArgumentNullException.ThrowIfNull(target);
        Llvm.EnsureAvailable();
        var symbols = new List<KernelLibrarySymbol>();
        var objects = new List<byte[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var callee in callees)
        {
            if (!callee.Name.Contains("_fused_", StringComparison.Ordinal) || KernelCompiler.CheckGroup(callee, out _) is not { } kernel) continue;
            foreach (var layout in Layouts(kernel.Inputs))
            {
                string ir = kernel.Emit(layout);
                string hash = PrecompiledKernels.IrHash(ir);
                if (!seen.Add(hash)) continue;
                string symbol = $"kiln_kernel_{symbols.Count}";
                string renamed = ir.Replace($"@{ElementwiseKernelEmitter.Symbol}(", $"@{symbol}(", StringComparison.Ordinal);
                objects.Add(LlvmObjectCompiler.EmitObject(renamed, target, new LlvmCompileOptions { ModuleName = symbol }, [symbol]));
                symbols.Add(new KernelLibrarySymbol(symbol, callee.Name, layout.Key, hash));
            }
        }
        return symbols.Count == 0 ? null : new KernelLibrary(target, Llvm.Version.ToString(), Link(objects), symbols);
    }

    private static IEnumerable<KernelLayout> Layouts(int inputs)
    {
        yield return KernelLayout.Contiguous(inputs);
        yield return KernelLayout.Strided(inputs);
        if (inputs > MaxInputsForAllLayouts) yield break;
        for (int mask = 1; mask < 1 << inputs; mask++)
            yield return new KernelLayout(Enumerable.Range(0, inputs).Select(k => (mask >> k & 1) == 1 ? InnerStep.Broadcast : InnerStep.Contiguous));
    }

    private static byte[] Link(List<byte[]> objects)
    {
        string folder = Directory.CreateTempSubdirectory("kiln-kernels-").FullName;
        try
        {
            var start = new ProcessStartInfo("cc") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "-shared", "-o", Path.Combine(folder, "kernels.so") }) start.ArgumentList.Add(argument);
            for (int i = 0; i < objects.Count; i++)
            {
                string path = Path.Combine(folder, $"k{i}.o");
                File.WriteAllBytes(path, objects[i]);
                start.ArgumentList.Add(path);
            }
            if (Llvm.VectorMathLibrary is not null) start.ArgumentList.Add("-lmvec");
            start.ArgumentList.Add("-lm");
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the C compiler 'cc' to link the kernel library");
            string errors = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"linking the kernel library with 'cc -shared' failed (exit {process.ExitCode}): {errors.Trim()}");
            return File.ReadAllBytes(Path.Combine(folder, "kernels.so"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
