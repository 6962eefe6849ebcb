using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Bench;

/// <summary>What the figures were measured on, printed with them.</summary>
internal sealed record MachineInfo(DateTime StartedUtc, string Cpu, int LogicalCores, string VectorIsa, string LoadAverage, string Os, string DotNet, string LibTorch)
{
    /// <summary>Reads the machine's description (CPU from /proc/cpuinfo on Linux).</summary>
    public static MachineInfo Detect(string libTorchVersion) => new(
        DateTime.UtcNow,
        CpuModel(),
        Environment.ProcessorCount,
        VectorExtensions(),
        OperatingSystem.IsLinux() ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a",
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        libTorchVersion);

    /// <summary>One "key: value" line per fact.</summary>
    public IEnumerable<string> Lines()
    {
        yield return $"date:        {StartedUtc:yyyy-MM-dd HH:mm} UTC";
        yield return $"cpu:         {Cpu}, {LogicalCores} logical cores, {VectorIsa}";
        yield return $"load avg:    {LoadAverage} (1/5/15 min, at start)";
        yield return $"os:          {Os}";
        yield return $"runtime:     {DotNet}; TorchSharp-cpu 0.107.0 on libtorch {LibTorch}";
    }

    private static string CpuModel()
    {
        if (!OperatingSystem.IsLinux()) return RuntimeInformation.ProcessArchitecture.ToString();
        var fields = File.ReadLines("/proc/cpuinfo")
            .TakeWhile(line => line.Length > 0)   // the first processor's block
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim())
            .ToDictionary(g => g.Key, g => g.First()[1].Trim());
        string model = fields.GetValueOrDefault("model name", "unknown CPU");
        bool virtualized = fields.GetValueOrDefault("flags", "").Split(' ').Contains("hypervisor");
        return $"{model} (family {fields.GetValueOrDefault("cpu family", "?")}, model {fields.GetValueOrDefault("model", "?")}){(virtualized ? ", virtual machine" : "")}";
    }

    private static string VectorExtensions()
    {
        var isa = new List<string>();
        if (Avx2.IsSupported) isa.Add("AVX2");
        if (Fma.IsSupported) isa.Add("FMA");
        if (Avx512F.IsSupported) isa.Add("AVX-512F");
        return isa.Count == 0 ? "no AVX2" : string.Join('+', isa);
    }
}
