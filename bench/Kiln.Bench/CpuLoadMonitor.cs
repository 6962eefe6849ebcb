using System.Diagnostics;
using System.Globalization;

namespace Kiln.Bench;

/// <summary>Measures how much CPU <em>other</em> processes used while a measurement ran: the machine is
/// shared, so a figure taken while something else was busy must be reported as such.</summary>
/// <remarks>Linux only (reads /proc/stat); elsewhere the share is NaN.</remarks>
internal sealed class CpuLoadMonitor
{
    private const double JiffiesPerSecond = 100.0;   // USER_HZ, fixed at 100 in the Linux ABI
    private readonly long machineBusyJiffies;
    private readonly TimeSpan ownCpu;
    private readonly long startTimestamp;

    private CpuLoadMonitor()
    {
        machineBusyJiffies = MachineBusyJiffies();
        ownCpu = OwnCpuTime();
        startTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts watching now.</summary>
    public static CpuLoadMonitor Start() => new();

    /// <summary>The share of the whole machine (all cores, 0..1) that other processes used since <see cref="Start"/>.</summary>
    public double OtherProcessesShare()
    {
        long busy = MachineBusyJiffies();
        if (busy < 0 || machineBusyJiffies < 0) return double.NaN;
        double wall = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        double others = (busy - machineBusyJiffies) / JiffiesPerSecond - (OwnCpuTime() - ownCpu).TotalSeconds;
        return Math.Clamp(others / (wall * Environment.ProcessorCount), 0.0, 1.0);
    }

    /// <summary>Waits until other processes use less than <paramref name="threshold"/> of the machine over a
    /// half-second window, or until <paramref name="maxSeconds"/> have passed.</summary>
    /// <returns>The seconds waited and the last window's share of other processes.</returns>
    public static (double Waited, double OtherShare) WaitForQuiet(double maxSeconds, double threshold)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            var window = Start();
            Thread.Sleep(500);
            double share = window.OtherProcessesShare();
            double waited = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (double.IsNaN(share) || share < threshold || waited >= maxSeconds) return (waited, share);
        }
    }

    private static TimeSpan OwnCpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal guest guest_nice". Busy = user,
    // nice, system, irq, softirq and steal (time the hypervisor gave to other guests also slows us down); guest
    // time is already inside user and nice.
    private static long MachineBusyJiffies()
    {
        if (!OperatingSystem.IsLinux()) return -1;
        string[] fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long busy = 0;
        foreach (int i in (ReadOnlySpan<int>)[1, 2, 3, 6, 7, 8])
            busy += long.Parse(fields[i], CultureInfo.InvariantCulture);
        return busy;
    }
}
