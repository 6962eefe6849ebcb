using Kiln.IR;
using Kiln.NN;

namespace Kiln.Scripting;

/// <summary>
/// What <c>Jit.Script</c> calls to turn a <see cref="ScriptAttribute"/> module's <c>Forward</c> into a graph.
/// The Roslyn frontend (the Kiln.Frontend assembly, which the runtime does not reference) implements it.
/// </summary>
public interface IScriptFrontend
{
    /// <summary>
    /// Fills <paramref name="capture"/>'s graph with <paramref name="module"/>'s forward pass for inputs of
    /// <paramref name="inputTypes"/> (one per <c>Forward</c> parameter): its inputs, nodes and outputs. Module state
    /// the pass writes is left in <see cref="GraphCapture.StateUpdates"/> (a <see cref="Tracer"/> records it there);
    /// <c>Jit.Script</c> appends it to the outputs afterwards.
    /// </summary>
    /// <exception cref="ScriptException">The module uses something the frontend cannot compile; the diagnostics say what and where.</exception>
    void Lower(Module module, IReadOnlyList<IrType> inputTypes, GraphCapture capture);
}

/// <summary>Finds the script frontend: one registered with <see cref="Register"/>, else the Kiln.Frontend assembly's.</summary>
public static class ScriptFrontends
{
    private const string RoslynFrontend = "Kiln.Frontend.RoslynScriptFrontend, Kiln.Frontend";
    private static IScriptFrontend? current;

    /// <summary>Makes <paramref name="frontend"/> the one <c>Jit.Script</c> uses.</summary>
    public static void Register(IScriptFrontend frontend) => current = frontend ?? throw new ArgumentNullException(nameof(frontend));

    /// <summary>The frontend to use.</summary>
    /// <exception cref="ScriptException">None is registered and the Kiln.Frontend assembly cannot be loaded.</exception>
    public static IScriptFrontend Current
    {
        get
        {
            if (current is not null) return current;
            var type = Type.GetType(RoslynFrontend, throwOnError: false)
                ?? throw new ScriptException("Jit.Script needs the Roslyn frontend: reference the Kiln.Frontend package (or trace the model with Jit.Trace, which needs only Kiln)");
            return current = (IScriptFrontend)Activator.CreateInstance(type)!;
        }
    }
}
