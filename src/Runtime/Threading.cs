namespace Kiln;

/// <summary>How many threads CPU kernels use (PyTorch's <c>torch.set_num_threads</c>).</summary>
public static class Threading
{
    private static int numThreads = Environment.ProcessorCount;

    /// <summary>The number of threads a CPU kernel splits its work into; defaults to the processor count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int NumThreads
    {
        get => numThreads;
        set => numThreads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "NumThreads must be at least 1");
    }
}
