using System.Text.Json.Nodes;

namespace Kiln.Optim;

/// <summary>
/// A snapshot of an optimiser's state (torch's <c>optimizer.state_dict()</c>) split so that it saves as a
/// safetensors file: the state tensors by name, and the scalars as JSON.
/// </summary>
/// <remarks>
/// Parameters are numbered 0, 1, ... across the param groups in order, as torch does. <see cref="Tensors"/> holds
/// <c>"state.{index}.{buffer}"</c> (e.g. <c>"state.0.exp_avg"</c>); <see cref="Scalars"/> holds
/// <c>{"state": {"0": {"step": 3}, ...}, "param_groups": [{"lr": 0.001, "betas": [0.9, 0.999], ..., "params": [0, 1]}, ...]}</c>.
/// </remarks>
/// <param name="Tensors">The state tensors by <c>"state.{index}.{buffer}"</c>.</param>
/// <param name="Scalars">The step counts and the param groups' options, as JSON.</param>
public sealed record OptimizerStateDict(IReadOnlyDictionary<string, Tensor> Tensors, JsonObject Scalars)
{
    /// <summary>The prefix of the tensor names of parameter <paramref name="index"/>'s state.</summary>
    internal static string TensorPrefix(int index) => $"state.{index}.";
}
