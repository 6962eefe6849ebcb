namespace Kiln.Graphs;

/// <summary>
/// The switch for explicit buffer reuse: on unless the environment variable <c>KILN_BUFFER_REUSE</c> is <c>off</c>
/// (or <c>0</c>/<c>false</c>) when the process starts; executors can be switched one by one.
/// </summary>
internal static class BufferReuse
{
    /// <summary>The environment variable that turns buffer reuse off for the process.</summary>
    internal const string EnvironmentVariable = "KILN_BUFFER_REUSE";

    /// <summary>Whether executors reuse buffers unless told otherwise.</summary>
    internal static bool EnabledByDefault { get; } =
        Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant() is not ("off" or "0" or "false");

    /// <summary>
    /// Whether a run on <paramref name="arguments"/> records nothing for autograd — a tracer, or grad mode with a tensor
    /// among them or among <paramref name="constants"/> that requires grad — so no record can hold an intermediate.
    /// </summary>
    internal static bool RecordsNothing(IReadOnlyList<object?> arguments, IReadOnlyList<Tensor> constants)
    {
        if (Scripting.Tracer.IsRecording) return false;
        if (!GradMode.IsEnabled) return true;
        foreach (var c in constants)
        {
            if (c.RequiresGrad) return false;
        }
        foreach (var a in arguments)
        {
            if (RequiresGrad(a)) return false;
        }
        return true;
    }

    private static bool RequiresGrad(object? value) => value switch
    {
        Tensor t => t.RequiresGrad,
        IReadOnlyList<object?> items => items.Any(RequiresGrad),
        _ => false,
    };
}
