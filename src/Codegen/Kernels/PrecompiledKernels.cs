using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// Kernels compiled ahead of time and loaded from a native library (a <c>.kiln</c> file's kernel library), keyed by the
/// SHA-256 of the LLVM IR text of the kernel variant they replace. <see cref="KernelCompiler"/> and
/// <see cref="CompiledKernel"/> look here before calling LLVM, so a registered kernel runs with no LLVM at all.
/// </summary>
public static class PrecompiledKernels
{
    private static readonly ConcurrentDictionary<string, nint> Entries = new(StringComparer.Ordinal);

    private static long served;

    /// <summary>How many kernel entry points were served from registered native code instead of being compiled.</summary>
    public static long Served => Interlocked.Read(ref served);

    /// <summary>How many kernel variants are registered.</summary>
    public static int Count => Entries.Count;

    /// <summary>The lowercase hex SHA-256 of <paramref name="llvmIr"/>'s UTF-8 bytes: the registry's key.</summary>
    public static string IrHash(string llvmIr)
    {
        ArgumentNullException.ThrowIfNull(llvmIr);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(llvmIr)));
    }

    /// <summary>Registers <paramref name="entry"/> as the kernel whose LLVM IR hashes to <paramref name="irSha256"/>.</summary>
    /// <exception cref="ArgumentException">The entry is null.</exception>
    public static void Register(string irSha256, nint entry)
    {
        ArgumentNullException.ThrowIfNull(irSha256);
        if (entry == 0) throw new ArgumentException($"the precompiled kernel for IR {irSha256} has a null entry point", nameof(entry));
        Entries[irSha256] = entry;
    }

    /// <summary>The registered entry point for the kernel variant <paramref name="llvmIr"/>, if there is one.</summary>
    internal static bool TryGet(string llvmIr, out nint entry)
    {
        if (Entries.IsEmpty || !Entries.TryGetValue(IrHash(llvmIr), out entry))
        {
            entry = 0;
            return false;
        }
        Interlocked.Increment(ref served);
        return true;
    }
}
