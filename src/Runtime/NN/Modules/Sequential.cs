namespace Kiln.NN;

/// <summary>Modules applied one after another (<c>torch.nn.Sequential</c>), named "0", "1", ... or by the names given.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> layers = [];

    /// <summary>A sequence of <paramref name="modules"/>, named by position.</summary>
    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) Append(m);
    }

    /// <summary>A sequence of named modules (PyTorch's <c>OrderedDict</c> form).</summary>
    public Sequential(params (string Name, Module<Tensor, Tensor> Module)[] modules)
    {
        foreach (var (name, m) in modules)
        {
            ArgumentNullException.ThrowIfNull(m);
            RegisterModule(name, m);
            layers.Add(m);
        }
    }

    /// <summary>The number of modules.</summary>
    public int Count => layers.Count;

    /// <summary>The module at <paramref name="index"/> (negative counts from the end).</summary>
    public Module<Tensor, Tensor> this[int index] => layers[index < 0 ? index + layers.Count : index];

    /// <summary>Adds <paramref name="module"/> at the end, named by its position.</summary>
    public Sequential Append(Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    /// <summary>Each module's forward pass applied to the previous one's output.</summary>
    public override Tensor Forward(Tensor input)
    {
        foreach (var layer in layers) input = layer.Forward(input);
        return input;
    }
}
