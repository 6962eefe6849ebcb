using System.Diagnostics.CodeAnalysis;

namespace Kiln.NN;

/// <summary>
/// The base of every layer and model (<c>torch.nn.Module</c>). Parameters (<see cref="Parameter"/> fields),
/// buffers (<see cref="Tensor"/> fields marked <see cref="BufferAttribute"/>) and submodules (<see cref="Module"/>
/// fields) are found in the fields of the derived class, in declaration order, with no registration calls;
/// modules whose members vary in number register them with <see cref="RegisterParameter"/>,
/// <see cref="RegisterBuffer"/> and <see cref="RegisterModule"/>. The forward pass is an ordinary method,
/// <c>Forward</c>, of the derived class.
/// </summary>
// Members are found by reflection (ModuleMembers: the fields; ForwardMethod: Forward), so trimming and NativeAOT keep
// these members of every derived class.
[DynamicallyAccessedMembers(ModuleMembers.Reflected)]
public abstract partial class Module
{
    private readonly List<RegisteredMember> registered = [];

    /// <summary>Whether the module is in training mode (<see cref="Train"/>) rather than evaluation mode (<see cref="Eval"/>).</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a parameter under <paramref name="name"/> (null reserves the name, like PyTorch).</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is taken.</exception>
    protected void RegisterParameter(string name, Parameter? parameter) => Register(name, MemberKind.Parameter, parameter, persistent: true);

    /// <summary>Registers a buffer under <paramref name="name"/>: state saved in the state dict (unless not <paramref name="persistent"/>) but not trained.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is taken.</exception>
    protected void RegisterBuffer(string name, Tensor? buffer, bool persistent = true) => Register(name, MemberKind.Buffer, buffer, persistent);

    /// <summary>Registers a submodule under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is taken.</exception>
    protected void RegisterModule(string name, Module? module) => Register(name, MemberKind.Module, module, persistent: true);

    private void Register(string name, MemberKind kind, object? value, bool persistent)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: member name '{name}' must be non-empty and contain no '.'", nameof(name));
        if (Members().Any(m => m.Name == name))
            throw new ArgumentException($"{GetType().Name}: a member named '{name}' already exists", nameof(name));
        registered.Add(new RegisteredMember(name, kind, value, persistent));
    }

    /// <summary>Every member (fields first, then registered ones), including those whose value is null.</summary>
    internal IEnumerable<IModuleMember> Members()
    {
        foreach (var slot in ModuleMembers.For(GetType()))
            yield return new FieldMember(this, slot);
        foreach (var member in registered)
            yield return member;
    }

    /// <summary>This module's direct submodules.</summary>
    public IEnumerable<Module> Children() => NamedChildren().Select(c => c.Module);

    /// <summary>This module's direct submodules with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var m in Members())
        {
            if (m.Kind == MemberKind.Module && m.Value is Module child) yield return (m.Name, child);
        }
    }

    /// <summary>This module and every module below it, each once, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(string, Module)>();
        stack.Push((prefix, this));
        while (stack.Count > 0)
        {
            var (name, module) = stack.Pop();
            if (!seen.Add(module)) continue;
            yield return (name, module);
            foreach (var (childName, child) in module.NamedChildren().Reverse())
                stack.Push((Join(name, childName), child));
        }
    }

    /// <summary>This module and every module below it.</summary>
    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>The parameters of this module and (with <paramref name="recurse"/>) its submodules, each once.</summary>
    public IEnumerable<Parameter> Parameters(bool recurse = true) => NamedParameters(recurse: recurse).Select(p => p.Parameter);

    /// <summary>The parameters with dotted names (<c>conv1.weight</c>), each once.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "", bool recurse = true) =>
        NamedTensors(MemberKind.Parameter, prefix, recurse, persistentOnly: false).Select(t => (t.Name, (Parameter)t.Tensor));

    /// <summary>The buffers of this module and (with <paramref name="recurse"/>) its submodules, each once.</summary>
    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers(recurse: recurse).Select(b => b.Buffer);

    /// <summary>The buffers with dotted names (<c>bn.running_mean</c>), each once.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "", bool recurse = true) =>
        NamedTensors(MemberKind.Buffer, prefix, recurse, persistentOnly: false);

    private IEnumerable<(string Name, Tensor Tensor)> NamedTensors(MemberKind kind, string prefix, bool recurse, bool persistentOnly)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var modules = recurse ? NamedModules(prefix) : [(prefix, this)];
        foreach (var (moduleName, module) in modules)
        {
            foreach (var m in module.Members())
            {
                if (m.Kind == kind && m.Value is Tensor t && (!persistentOnly || m.Persistent) && seen.Add(t))
                    yield return (Join(moduleName, m.Name), t);
            }
        }
    }

    /// <summary>Sets training mode on this module and every submodule (affects dropout and batch norm).</summary>
    public Module Train(bool mode = true)
    {
        foreach (var m in Modules()) m.Training = mode;
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>).</summary>
    public Module Eval() => Train(false);

    /// <summary>Whether any parameter requires grad; setting changes every parameter (<c>requires_grad_</c>).</summary>
    public Module RequiresGrad_(bool requiresGrad = true)
    {
        foreach (var p in Parameters()) p.RequiresGrad_(requiresGrad);
        return this;
    }

    /// <summary>Clears the gradients of every parameter (sets them to null, or to zero with <paramref name="setToNone"/> false).</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters())
        {
            if (setToNone) p.Grad = null;
            else if (p.Grad is { } g) using (Autograd.NoGrad()) g.Zero_();
        }
    }

    /// <summary>Calls <paramref name="fn"/> on every submodule, then on this module (<c>module.apply</c>).</summary>
    public Module Apply(Action<Module> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        foreach (var child in Children()) child.Apply(fn);
        fn(this);
        return this;
    }

    internal static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
