// MSBuild task (compiled at build time by RoslynCodeTaskFactory, see WeakenGlibcxxVersionNeed.targets).
//
// An ELF shared library lists, per needed library, the symbol versions it requires (.gnu.version_r).
// ld.so refuses to load it when a required version is missing, unless that requirement carries
// VER_FLG_WEAK. This task sets VER_FLG_WEAK on one named requirement, after proving it is safe:
// every dynamic symbol bound to that version must be undefined AND referenced by no dynamic
// relocation, i.e. nothing in the library can ever resolve or call it.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>Marks the version need <see cref="Version"/> of each ELF64 library in <see cref="Libraries"/> weak.</summary>
public sealed class WeakenGlibcxxVersionNeed : Task
{
    private const uint ShtRela = 4, ShtDynsym = 11, ShtRel = 9, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The shared libraries to patch in place (copies in a build output, never the originals).</summary>
    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version need to make weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string Version { get; set; } = "";

    public override bool Execute()
    {
        foreach (ITaskItem item in Libraries)
        {
            try
            {
                Log.LogMessage(MessageImportance.High, "{0}: {1}", item.ItemSpec, Patch(item.ItemSpec, Version));
            }
            catch (InvalidDataException e)
            {
                Log.LogError("{0}: cannot weaken the {1} need: {2}", item.ItemSpec, Version, e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    private readonly struct Section
    {
        public Section(byte[] elf, long header)
        {
            Type = U32(elf, header + 4);
            Offset = (long)U64(elf, header + 24);
            Size = (long)U64(elf, header + 32);
            Link = U32(elf, header + 40);
            Info = U32(elf, header + 44);
            EntrySize = (long)U64(elf, header + 56);
        }

        public uint Type { get; }
        public long Offset { get; }
        public long Size { get; }
        public uint Link { get; }
        public uint Info { get; }
        public long EntrySize { get; }
    }

    private static string Patch(string path, string version)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian ELF64 file");

        long sectionTable = (long)U64(elf, 0x28);
        int headerSize = U16(elf, 0x3A), count = U16(elf, 0x3C);
        var sections = new Section[count];
        for (int i = 0; i < count; i++) sections[i] = new Section(elf, sectionTable + (long)i * headerSize);

        int dynsymIndex = Array.FindIndex(sections, s => s.Type == ShtDynsym);
        int verneedIndex = Array.FindIndex(sections, s => s.Type == ShtGnuVerneed);
        int versymIndex = Array.FindIndex(sections, s => s.Type == ShtGnuVersym);
        if (dynsymIndex < 0 || verneedIndex < 0 || versymIndex < 0) return "no symbol versioning, nothing to do";

        (long flagsAt, int versionIndex) = FindVersionNeed(elf, sections, sections[verneedIndex], version);
        if (flagsAt < 0) return $"does not need {version}, nothing to do";

        Section dynsym = sections[dynsymIndex];
        List<long> bound = SymbolsBoundTo(elf, dynsym, sections[versymIndex], versionIndex);
        HashSet<long> relocated = RelocatedSymbols(elf, sections, dynsymIndex);
        Section names = sections[dynsym.Link];
        foreach (long symbol in bound)
        {
            long entry = dynsym.Offset + symbol * dynsym.EntrySize;
            string name = CString(elf, names.Offset + U32(elf, entry));
            if (U16(elf, entry + 6) != 0) throw new InvalidDataException($"it defines {name}@{version}");
            if (relocated.Contains(symbol)) throw new InvalidDataException($"{name}@{version} is really used (it has a relocation): install a libstdc++ that provides {version}");
        }

        ushort flags = U16(elf, flagsAt);
        if ((flags & VerFlgWeak) != 0) return $"{version} need already weak";
        elf[flagsAt] = (byte)(flags | VerFlgWeak);   // the flag sits in the low byte of the little-endian vna_flags
        WriteKeepingTimestamp(path, elf);
        return $"{version} need marked weak ({bound.Count} symbol(s) bound to it, none relocated)";
    }

    // Walks .gnu.version_r; returns the file offset of the matching Vernaux's vna_flags and its version index.
    private static (long FlagsAt, int VersionIndex) FindVersionNeed(byte[] elf, Section[] sections, Section verneed, string version)
    {
        long strings = sections[verneed.Link].Offset;
        long need = verneed.Offset;
        for (uint n = 0; n < verneed.Info; n++)
        {
            int auxCount = U16(elf, need + 2);
            long aux = need + U32(elf, need + 8);
            for (int a = 0; a < auxCount; a++)
            {
                if (CString(elf, strings + U32(elf, aux + 8)) == version) return (aux + 4, U16(elf, aux + 6));
                aux += U32(elf, aux + 12);
            }
            uint next = U32(elf, need + 12);
            if (next == 0) break;
            need += next;
        }
        return (-1, -1);
    }

    private static List<long> SymbolsBoundTo(byte[] elf, Section dynsym, Section versym, int versionIndex)
    {
        var bound = new List<long>();
        long symbols = dynsym.Size / dynsym.EntrySize;
        for (long i = 0; i < symbols; i++)
        {
            if ((U16(elf, versym.Offset + 2 * i) & 0x7fff) == versionIndex) bound.Add(i);
        }
        return bound;
    }

    // Symbol indices used by the dynamic relocations (the ones ld.so resolves at load or first call).
    private static HashSet<long> RelocatedSymbols(byte[] elf, Section[] sections, int dynsymIndex)
    {
        var used = new HashSet<long>();
        foreach (Section s in sections)
        {
            if ((s.Type != ShtRela && s.Type != ShtRel) || s.Link != dynsymIndex || s.EntrySize == 0) continue;
            for (long r = s.Offset; r + s.EntrySize <= s.Offset + s.Size; r += s.EntrySize)
                used.Add((long)(U64(elf, r + 8) >> 32));
        }
        return used;
    }

    // Writes a new file rather than through the old one (it could be a hard link into the NuGet cache), and keeps
    // the original timestamp so the SDK's incremental copy sees the output as up to date and does not undo the patch.
    private static void WriteKeepingTimestamp(string path, byte[] elf)
    {
        DateTime written = File.GetLastWriteTimeUtc(path);
        string temporary = path + ".patching";
        File.WriteAllBytes(temporary, elf);
        File.SetLastWriteTimeUtc(temporary, written);
        File.Replace(temporary, path, null);
    }

    // Little-endian reads spelled out: the task compiles against netstandard2.0, which lacks BinaryPrimitives.
    private static ulong Read(byte[] b, long at, int bytes)
    {
        ulong value = 0;
        for (int i = bytes - 1; i >= 0; i--) value = (value << 8) | b[checked(at + i)];
        return value;
    }

    private static ushort U16(byte[] b, long at) => (ushort)Read(b, at, 2);
    private static uint U32(byte[] b, long at) => (uint)Read(b, at, 4);
    private static ulong U64(byte[] b, long at) => Read(b, at, 8);

    private static string CString(byte[] b, long at)
    {
        int start = checked((int)at), end = Array.IndexOf(b, (byte)0, start);
        return Encoding.ASCII.GetString(b, start, end - start);
    }
}
