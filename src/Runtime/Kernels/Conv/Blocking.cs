namespace Kiln.Kernels.Conv;

/// <summary>Block sizes for the convolution loop nests.</summary>
internal static class Blocking
{
    /// <summary>The block size that splits <paramref name="total"/> into equal blocks of at most <paramref name="max"/>, rounded up to a multiple of <paramref name="multiple"/>.</summary>
    internal static int EvenStep(int total, int max, int multiple)
    {
        int blocks = Math.Max(1, (total + max - 1) / max);
        int step = (total + blocks - 1) / blocks;
        return Math.Max(multiple, (step + multiple - 1) / multiple * multiple);
    }
}
