using Xunit.Abstractions;

namespace Kiln.Tests.OpInfo;

/// <summary>
/// One theory case: an op and which of its cases (a sample id, a kind of bad input). xunit shortens
/// string arguments in test names to 50 characters, and sample ids are longer, so the cases are this
/// serializable type, whose full <see cref="ToString"/> is the test's name.
/// </summary>
public sealed class OpCase : IXunitSerializable
{
    /// <summary>For xunit's deserializer only.</summary>
    [Obsolete("for xunit's deserializer only")]
    public OpCase()
    {
    }

    /// <summary>A case of <paramref name="op"/> named <paramref name="name"/>.</summary>
    public OpCase(string op, string name)
    {
        Op = op;
        Name = name;
    }

    /// <summary>The op's registry name.</summary>
    public string Op { get; private set; } = "";

    /// <summary>The case within the op (a sample id, a kind of bad input).</summary>
    public string Name { get; private set; } = "";

    /// <inheritdoc/>
    public void Deserialize(IXunitSerializationInfo info)
    {
        Op = info.GetValue<string>(nameof(Op));
        Name = info.GetValue<string>(nameof(Name));
    }

    /// <inheritdoc/>
    public void Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(Op), Op);
        info.AddValue(nameof(Name), Name);
    }

    /// <summary>Reads <c>add [float32[3, 4],float32[4] {alpha=2.5}]</c>.</summary>
    public override string ToString() => $"{Op} [{Name}]";
}
