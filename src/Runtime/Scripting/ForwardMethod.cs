using System.Reflection;
using System.Runtime.ExceptionServices;
using Module = Kiln.NN.Module;

namespace Kiln.Scripting;

/// <summary>
/// A module's forward pass found by reflection: the public instance method named <c>Forward</c> whose leading
/// parameters take the given number of tensors (later parameters must be optional and keep their defaults).
/// </summary>
internal sealed class ForwardMethod
{
    private readonly MethodInfo method;
    private readonly ParameterInfo[] parameters;

    private ForwardMethod(MethodInfo method)
    {
        this.method = method;
        parameters = method.GetParameters();
    }

    /// <summary>The name of input <paramref name="index"/> (its parameter's name).</summary>
    internal string InputName(int index) => parameters[index].Name ?? $"input{index}";

    /// <summary>The Forward of <paramref name="module"/> that takes <paramref name="inputs"/> tensors.</summary>
    /// <exception cref="ArgumentException">There is no such method, or more than one.</exception>
    internal static ForwardMethod Find(Module module, int inputs)
    {
        var type = module.GetType();
        var all = type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.Name == "Forward" && !m.IsGenericMethodDefinition).ToArray();
        var fits = all.Where(m => Takes(m, inputs)).ToArray();
        if (fits.Length == 0)
        {
            string found = all.Length == 0 ? "it has no public Forward method" : "it has " + string.Join("; ", all.Select(Signature));
            throw new ArgumentException($"{type.Name}: no public Forward takes {inputs} tensor{(inputs == 1 ? "" : "s")} (other parameters must be optional): {found}");
        }
        // A Forward declared by a more derived class hides the others (new or override).
        var best = fits.Where(m => !fits.Any(o => o != m && o.DeclaringType!.IsSubclassOf(m.DeclaringType!))).ToArray();
        if (best.Length > 1)
            throw new ArgumentException($"{type.Name}: {best.Length} Forward methods take {inputs} tensors ({string.Join("; ", best.Select(Signature))}); tracing needs exactly one");
        return new ForwardMethod(best[0]);
    }

    /// <summary>Runs Forward on <paramref name="inputs"/>, other parameters at their defaults; exceptions it throws propagate unwrapped.</summary>
    internal object? Invoke(Module module, Tensor[] inputs)
    {
        var args = new object?[parameters.Length];
        for (int i = 0; i < args.Length; i++) args[i] = i < inputs.Length ? inputs[i] : parameters[i].DefaultValue;
        try
        {
            return method.Invoke(module, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static bool Takes(MethodInfo m, int inputs)
    {
        var ps = m.GetParameters();
        return ps.Length >= inputs
            && ps.Take(inputs).All(p => p.ParameterType == typeof(Tensor))
            && ps.Skip(inputs).All(p => p.HasDefaultValue);
    }

    private static string Signature(MethodInfo m) =>
        $"{m.ReturnType.Name} Forward({string.Join(", ", m.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"))})";
}
