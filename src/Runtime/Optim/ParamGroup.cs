using System.Globalization;

namespace Kiln.Optim;

/// <summary>
/// A set of parameters optimised with the same hyper-parameters (one entry of torch's <c>optimizer.param_groups</c>).
/// Options are keyed by torch's names (<c>"lr"</c>, <c>"betas"</c>, <c>"weight_decay"</c> ...); the typed properties
/// read and write the common ones. Options left unset when the group is passed to an optimiser take the
/// optimiser's defaults, so <c>new ParamGroup(head.Parameters()) { Lr = 1e-2 }</c> overrides only the learning rate.
/// Option values are <see cref="double"/>, <see cref="bool"/>, a <c>(double, double)</c> pair, or null.
/// </summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, object?> options = new(StringComparer.Ordinal);

    /// <summary>A group of <paramref name="parameters"/> with no options set yet.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its entries is null.</exception>
    public ParamGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToArray();
        for (int i = 0; i < list.Length; i++)
            if (list[i] is null) throw new ArgumentNullException(nameof(parameters), $"ParamGroup: parameter {i} is null");
        Params = list;
    }

    /// <summary>The parameters of this group, in order.</summary>
    public IReadOnlyList<Tensor> Params { get; }

    /// <summary>The options set on this group, keyed by torch's names.</summary>
    public IReadOnlyDictionary<string, object?> Options => options;

    /// <summary>
    /// An option by torch's name: read throws when it is not set; a write accepts a number (stored as
    /// <see cref="double"/>), a <see cref="bool"/>, a <c>(double, double)</c> pair or null.
    /// </summary>
    /// <exception cref="KeyNotFoundException">Read of an option that is not set.</exception>
    /// <exception cref="ArgumentException">Write of a value of another type.</exception>
    public object? this[string name]
    {
        get => options.TryGetValue(name, out var value) ? value
            : throw new KeyNotFoundException($"ParamGroup: option '{name}' is not set (set options: {string.Join(", ", options.Keys)})");
        set => options[name] = Normalize(name, value);
    }

    /// <summary>Whether option <paramref name="name"/> is set.</summary>
    public bool HasOption(string name) => options.ContainsKey(name);

    /// <summary>The learning rate (<c>"lr"</c>): what schedulers read and write.</summary>
    public double Lr { get => GetDouble("lr"); set => this["lr"] = value; }

    /// <summary>The weight decay (<c>"weight_decay"</c>): an L2 penalty, or decoupled decay for <see cref="AdamW"/>.</summary>
    public double WeightDecay { get => GetDouble("weight_decay"); set => this["weight_decay"] = value; }

    /// <summary>The momentum factor (<c>"momentum"</c>) of <see cref="SGD"/> and <see cref="RMSprop"/>.</summary>
    public double Momentum { get => GetDouble("momentum"); set => this["momentum"] = value; }

    /// <summary>The running-average coefficients (<c>"betas"</c>) of <see cref="Adam"/> and <see cref="AdamW"/>.</summary>
    public (double Beta1, double Beta2) Betas { get => GetBetas("betas"); set => this["betas"] = value; }

    /// <summary>The term added to denominators for numerical stability (<c>"eps"</c>).</summary>
    public double Eps { get => GetDouble("eps"); set => this["eps"] = value; }

    /// <summary>Whether the objective is maximised rather than minimised (<c>"maximize"</c>).</summary>
    public bool Maximize { get => GetBool("maximize"); set => this["maximize"] = value; }

    /// <summary>The learning rate when a scheduler was attached (<c>"initial_lr"</c>), which schedulers start from.</summary>
    public double InitialLr { get => GetDouble("initial_lr"); set => this["initial_lr"] = value; }

    /// <summary>A number-valued option.</summary>
    /// <exception cref="KeyNotFoundException">The option is not set.</exception>
    /// <exception cref="InvalidOperationException">The option holds another type.</exception>
    public double GetDouble(string name) => this[name] is double d ? d : throw WrongType(name, "a number");

    /// <summary>A bool-valued option.</summary>
    /// <exception cref="KeyNotFoundException">The option is not set.</exception>
    /// <exception cref="InvalidOperationException">The option holds another type.</exception>
    public bool GetBool(string name) => this[name] is bool b ? b : throw WrongType(name, "a bool");

    /// <summary>A pair-valued option such as <c>"betas"</c>.</summary>
    /// <exception cref="KeyNotFoundException">The option is not set.</exception>
    /// <exception cref="InvalidOperationException">The option holds another type.</exception>
    public (double, double) GetBetas(string name) => this[name] is ValueTuple<double, double> pair ? pair : throw WrongType(name, "a (double, double) pair");

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> unless the group already sets it (Python's <c>dict.setdefault</c>).</summary>
    internal void SetDefault(string name, object? value)
    {
        if (!options.ContainsKey(name)) options[name] = Normalize(name, value);
    }

    private InvalidOperationException WrongType(string name, string expected) =>
        new($"ParamGroup: option '{name}' holds {Describe(options[name])}, expected {expected}");

    private static string Describe(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        ValueTuple<double, double> p => $"({p.Item1.ToString("R", CultureInfo.InvariantCulture)}, {p.Item2.ToString("R", CultureInfo.InvariantCulture)})",
        _ => value.ToString() ?? value.GetType().Name,
    };

    private static object? Normalize(string name, object? value) => value switch
    {
        null or double or bool or ValueTuple<double, double> => value,
        float or int or long or short or byte or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        ValueTuple<float, float> f => ((double)f.Item1, (double)f.Item2),
        _ => throw new ArgumentException($"ParamGroup: option '{name}' got a {value.GetType().Name}; options are numbers, bools, (double, double) pairs or null"),
    };
}
