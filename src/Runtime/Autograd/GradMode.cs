namespace Kiln;

/// <summary>Whether operations on this thread record a graph for autograd (on by default).</summary>
internal static class GradMode
{
    [ThreadStatic] private static bool disabled;

    /// <summary>Whether recording is on for the current thread.</summary>
    internal static bool IsEnabled => !disabled;

    /// <summary>Sets recording on or off and returns a scope that restores the previous state.</summary>
    internal static GradModeScope Set(bool enabled)
    {
        var scope = new GradModeScope(!disabled);
        disabled = !enabled;
        return scope;
    }

    internal static void Restore(bool enabled) => disabled = !enabled;
}

/// <summary>Restores the previous grad mode when disposed (<c>using (Autograd.NoGrad()) { ... }</c>).</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool previous;

    internal GradModeScope(bool previous) => this.previous = previous;

    /// <summary>Restores the grad mode that was in force when the scope began.</summary>
    public void Dispose() => GradMode.Restore(previous);
}
