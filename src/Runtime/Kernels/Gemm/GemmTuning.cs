namespace Kiln.Kernels.Gemm;

/// <summary>Temporary tuning knobs (removed before hand-off).</summary>
internal static class GemmTuning
{
    internal static int Pf = 16, Mc512 = 144, Kc512 = 256, Nc512 = 3072, Mc256 = 144, Kc256 = 256, Nc256 = 3072;
    internal static bool PfOn = true;

    /// <summary>An integer from environment variable KILN_GEMM_<paramref name="name"/>, or the default.</summary>
    internal static int Get(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("KILN_GEMM_" + name), out int v) ? v : fallback;
}
