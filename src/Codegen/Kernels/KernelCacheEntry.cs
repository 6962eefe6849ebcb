using System.Security.Cryptography;
using System.Text;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// One cache entry on disk: an 8-byte magic ("KILNKC1\n"), the key's 32-byte hash, the SHA-256 of the object file, then
/// the object file. A reader checks all three, so a truncated, corrupt or misnamed file is never handed to the linker
/// (where a flipped byte in machine code would run). Writers write a temporary file in the same folder and rename it over
/// the entry, so readers in other processes see the old file, the new one, or none, never half of one.
/// </summary>
internal static class KernelCacheEntry
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("KILNKC1\n");

    private const int HashSize = 32;

    /// <summary>The bytes before the object file.</summary>
    internal static int HeaderSize => Magic.Length + 2 * HashSize;

    /// <summary>The file's bytes for the object file <paramref name="objectFile"/> under key <paramref name="keyHash"/>.</summary>
    internal static byte[] Encode(string keyHash, ReadOnlySpan<byte> objectFile)
    {
        var bytes = new byte[HeaderSize + objectFile.Length];
        Magic.CopyTo(bytes, 0);
        Convert.FromHexString(keyHash).CopyTo(bytes, Magic.Length);
        SHA256.HashData(objectFile, bytes.AsSpan(Magic.Length + HashSize, HashSize));
        objectFile.CopyTo(bytes.AsSpan(HeaderSize));
        return bytes;
    }

    /// <summary>The object file in <paramref name="file"/>, or null when it is not a whole entry for <paramref name="keyHash"/>.</summary>
    internal static byte[]? Decode(string keyHash, byte[] file)
    {
        if (file.Length <= HeaderSize || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            return null;
        if (!file.AsSpan(Magic.Length, HashSize).SequenceEqual(Convert.FromHexString(keyHash)))
            return null;
        var objectFile = file.AsSpan(HeaderSize);
        Span<byte> actual = stackalloc byte[HashSize];
        SHA256.HashData(objectFile, actual);
        return actual.SequenceEqual(file.AsSpan(Magic.Length + HashSize, HashSize)) ? objectFile.ToArray() : null;
    }

    /// <summary>
    /// Writes <paramref name="contents"/> to <paramref name="path"/> atomically: a uniquely named temporary file beside it,
    /// flushed, then renamed over it (rename replaces a file atomically on POSIX file systems).
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    internal static void WriteAtomically(string path, byte[] contents)
    {
        string folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: a stray temporary file is never read as an entry.
        }
    }
}
