namespace Kiln.Graphs;

/// <summary>Reads the scalars control flow runs on: conditions and counts, given as scalars or as 0-d tensors.</summary>
internal static class ScalarValues
{
    /// <summary>A condition: a <c>bool</c> or a one-element bool tensor.</summary>
    /// <exception cref="InvalidOperationException">The value is neither.</exception>
    internal static bool Condition(object? value, string what) => value switch
    {
        bool b => b,
        Tensor { DType: DType.Bool, Numel: 1 } t => t.Item<bool>(),
        _ => throw new InvalidOperationException($"{what} must be a bool or a one-element bool tensor, got {ValueBinder.Describe(value)}"),
    };

    /// <summary>A count or index: an <c>int</c> or a one-element integer tensor.</summary>
    /// <exception cref="InvalidOperationException">The value is neither.</exception>
    internal static long Integer(object? value, string what) => value switch
    {
        long l => l,
        Tensor { Numel: 1 } t when t.DType.IsIntegral() => t.ToUntracked(DType.Int64).Item<long>(),
        _ => throw new InvalidOperationException($"{what} must be an int or a one-element integer tensor, got {ValueBinder.Describe(value)}"),
    };
}
