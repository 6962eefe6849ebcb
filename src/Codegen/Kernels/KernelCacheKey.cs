using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// Everything that decides the machine code of a cached kernel: the LLVM IR, the exported symbols, the target (triple,
/// CPU, features), LLVM's version, the vector-math library the vectoriser calls, and the pass pipeline. Two keys with the
/// same <see cref="Hash"/> give the same object file; changing any input changes it. Compare keys by their hashes (the
/// record's own equality compares <see cref="Symbols"/> by reference).
/// </summary>
/// <param name="LlvmIr">The kernel's textual LLVM IR, before optimisation.</param>
/// <param name="Symbols">The functions the object exports.</param>
/// <param name="Target">The machine code target.</param>
/// <param name="LlvmVersion">The libLLVM version that generates the code.</param>
/// <param name="VectorMathLibrary">The SIMD math library (<see cref="Llvm.VectorMathLibrary"/>), or null.</param>
/// <param name="PassPipeline">The optimisation pipeline, in <c>opt -passes=</c> syntax.</param>
public sealed record KernelCacheKey(
    string LlvmIr, IReadOnlyList<string> Symbols, LlvmTarget Target, Version LlvmVersion, string? VectorMathLibrary, string PassPipeline)
{
    /// <summary>
    /// The version of the cache's key and entry layout (and of how objects are emitted: position independent, only the
    /// symbols exported); raising it retires every existing entry.
    /// </summary>
    public const int FormatVersion = 1;

    /// <summary>The key of <paramref name="llvmIr"/> compiled for this machine by the loaded libLLVM with its settings.</summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    public static KernelCacheKey ForHost(string llvmIr, IReadOnlyList<string> symbols, string passPipeline) =>
        new(llvmIr, symbols, LlvmJit.Shared.Target, Llvm.Version, Llvm.VectorMathLibrary, passPipeline);

    /// <summary>The SHA-256 of every input, as 64 lower-case hex digits (the entry's file name).</summary>
    public string Hash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string field, string? value)
        {
            // Length-prefixed, so no two different inputs serialise alike.
            string text = value is null ? $"{field}:null\n" : $"{field}:{value.Length.ToString(CultureInfo.InvariantCulture)}:{value}\n";
            hash.AppendData(Encoding.UTF8.GetBytes(text));
        }
        Add("format", FormatVersion.ToString(CultureInfo.InvariantCulture));
        Add("llvm", LlvmVersion.ToString());
        Add("triple", Target.Triple);
        Add("cpu", Target.Cpu);
        Add("features", Target.Features);
        Add("vector-math", VectorMathLibrary);
        Add("pipeline", PassPipeline);
        Add("symbols", Symbols.Count.ToString(CultureInfo.InvariantCulture));
        foreach (string symbol in Symbols)
            Add("symbol", symbol);
        Add("ir", LlvmIr);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
