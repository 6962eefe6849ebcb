using System.Globalization;

namespace Kiln.Bench;

/// <summary>The process's minor page faults so far. Each one is a page the kernel had to map and zero: a framework
/// that returns its large temporaries to the OS and maps them again pays that on every call, which is expensive in a
/// virtual machine and explains much of the run-to-run spread of the memory-bound workloads.</summary>
internal static class PageFaults
{
    /// <summary>The count from /proc/self/stat (field 10, minflt), or -1 where there is no /proc.</summary>
    public static long Minor()
    {
        if (!OperatingSystem.IsLinux()) return -1;
        // "pid (comm) state ppid ..." - comm may hold spaces, so count fields after the closing parenthesis.
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}
