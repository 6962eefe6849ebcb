namespace Kiln.Optim;

/// <summary>
/// What an optimiser keeps for one parameter between steps (torch's <c>optimizer.state[p]</c>): the number of
/// steps taken and named buffers such as <c>"momentum_buffer"</c>, <c>"exp_avg"</c> or <c>"exp_avg_sq"</c>.
/// Buffers are contiguous and have the parameter's shape and dtype (float32 for float16/bfloat16 parameters).
/// </summary>
public sealed class ParameterState
{
    private readonly Dictionary<string, Tensor> buffers = new(StringComparer.Ordinal);

    /// <summary>How many steps updated this parameter (torch's <c>state["step"]</c>).</summary>
    public long Step { get; set; }

    /// <summary>The state tensors by torch's names.</summary>
    public IReadOnlyDictionary<string, Tensor> Buffers => buffers;

    /// <summary>The buffer <paramref name="name"/>, or null when it has not been created yet.</summary>
    public Tensor? Buffer(string name) => buffers.GetValueOrDefault(name);

    internal void SetBuffer(string name, Tensor value) => buffers[name] = value;

    /// <summary>The buffer <paramref name="name"/>, created by <paramref name="create"/> on first use.</summary>
    internal Tensor GetOrCreate(string name, Func<Tensor> create)
    {
        if (!buffers.TryGetValue(name, out var buffer))
            buffers[name] = buffer = create();
        return buffer;
    }
}
