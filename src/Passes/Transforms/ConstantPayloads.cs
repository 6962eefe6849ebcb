using Kiln.IR;

namespace Kiln.Passes;

/// <summary>Reads what the passes need to know about values produced by constant nodes.</summary>
internal static class ConstantPayloads
{
    /// <summary>The inline tensor constant <paramref name="value"/> holds, or null.</summary>
    public static DenseConstant? Dense(Value value) =>
        value.Producer is { Kind: NodeKind.Constant, Constant: DenseConstant d } ? d : null;

    /// <summary>
    /// Whether <paramref name="value"/> is an inline tensor constant whose every element is
    /// <paramref name="element"/> (a splat or a uniform list), whatever its dtype.
    /// </summary>
    public static bool IsUniform(Value value, double element) =>
        Dense(value) is { Values.Count: > 0 } d && d.Values.All(v => v == element);

    /// <summary>A constant <c>int</c>, or a constant 0-d integer tensor, as a long; null otherwise.</summary>
    public static long? Int(Value value) => Payload(value) switch
    {
        long l => l,
        DenseConstant { Type: { Rank: 0 } t } d when t.DType.IsIntegral() => (long)d.Values[0],
        _ => null,
    };

    /// <summary>A constant <c>bool</c>, or a constant 0-d bool tensor; null otherwise.</summary>
    public static bool? Bool(Value value) => Payload(value) switch
    {
        bool b => b,
        DenseConstant { Type: { Rank: 0, DType: DType.Bool } } d => d.Values[0] != 0,
        _ => null,
    };

    /// <summary>A constant scalar payload (long, double or bool) when <paramref name="value"/> has one, else null.</summary>
    public static object? ScalarPayload(Value value) => Payload(value) is var p && p is long or double or bool ? p : null;

    /// <summary>The payload of the constant node producing <paramref name="value"/>; null for none or for any other value.</summary>
    private static object? Payload(Value value) => value.Producer is { Kind: NodeKind.Constant } node ? node.Constant : null;
}
