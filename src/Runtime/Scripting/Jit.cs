using Kiln.NN;
using Kiln.Scripting;

namespace Kiln;

/// <summary>
/// Turns modules into graphs: <see cref="Script(Module)"/> compiles a <see cref="ScriptAttribute"/> module's
/// <c>Forward</c> from its C# source (branches and loops on tensors included); <see cref="Trace(Module, Tensor[])"/>
/// records what <c>Forward</c> does on example inputs. Both give a <see cref="ScriptModule"/> that runs the graph
/// with the module's own parameters.
/// </summary>
public static class Jit
{
    /// <summary>
    /// A <see cref="ScriptModule"/> running <paramref name="module"/>'s <c>Forward</c> compiled by the script frontend
    /// (the Kiln.Frontend package), lowered on the first call for each input signature and training mode.
    /// </summary>
    public static ScriptModule Script(Module module) => new(module, new ScriptLowering());

    /// <summary><see cref="Script(Module)"/>, lowered now for inputs like <paramref name="example"/>, so errors show here.</summary>
    /// <exception cref="ScriptException">The module uses something the frontend cannot compile; the diagnostics say what and where.</exception>
    public static ScriptModule Script(Module module, params Tensor[] example)
    {
        var scripted = Script(module);
        scripted.Lower(example);
        return scripted;
    }

    /// <summary>
    /// <see cref="Script(Module, Tensor[])"/> with dims that may vary (<see cref="TraceOptions"/>: the same dim options as
    /// tracing), so one graph serves every size of them.
    /// </summary>
    /// <exception cref="ScriptException">
    /// As <see cref="Script(Module, Tensor[])"/>, or a symbolic dim is needed as a C# value or baked into a library call (KILN0202):
    /// script with fixed shapes instead.
    /// </exception>
    public static ScriptModule Script(Module module, TraceOptions options, params Tensor[] example)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scripted = new ScriptModule(module, new ScriptLowering(options));
        scripted.Lower(example);
        return scripted;
    }

    /// <summary>
    /// A <see cref="ScriptModule"/> running the ops <paramref name="module"/>'s <c>Forward</c> performs on
    /// <paramref name="example"/> (one tensor per Forward parameter; others keep their defaults). Inputs of another
    /// shape, or another training mode, are traced again on first use. Tracing leaves the module's state as it was;
    /// running the graph updates it as Forward does (batch norm's running statistics in training).
    /// </summary>
    /// <exception cref="ScriptException">
    /// Forward turns a tensor into a C# value (KILN0100: a data-dependent branch would be frozen, so it is refused),
    /// creates a random tensor (KILN0103: the draw would be frozen), or does something else tracing cannot record
    /// (KILN0101); the diagnostic points at the line. Also in a NativeAOT app, where tracing cannot run.
    /// </exception>
    public static ScriptModule Trace(Module module, params Tensor[] example) => Trace(module, new TraceOptions(), example);

    /// <summary><see cref="Trace(Module, Tensor[])"/> with dims that may vary (<see cref="TraceOptions"/>), checked by tracing at two sizes.</summary>
    /// <exception cref="ScriptException">As <see cref="Trace(Module, Tensor[])"/>, or a symbolic dim's size is baked into the trace (KILN0102).</exception>
    public static ScriptModule Trace(Module module, TraceOptions options, params Tensor[] example)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!UserCode.StackMethodsAvailable)
            throw new ScriptException("Jit.Trace cannot run in a NativeAOT app (it tells the model's code from Kiln's by the call stack's methods, which NativeAOT does not keep): trace and Save the model in a .NET process, then ScriptModule.Load the .kiln file here");
        var traced = new ScriptModule(module, new TraceLowering(options));
        traced.Lower(example);
        return traced;
    }
}
