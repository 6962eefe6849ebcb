using Kiln.IR;

namespace Kiln.Tests.OpInfo;

/// <summary>The registry's current samples of each op, by id (built once: Samples() makes new objects on every call).</summary>
internal static class RegistrySamples
{
    private static readonly Lazy<Dictionary<string, Dictionary<string, OpSample>>> ByOp = new(() =>
        OpRegistry.All.ToDictionary(op => op.Name, op => op.Samples().DistinctBy(s => s.Id).ToDictionary(s => s.Id, StringComparer.Ordinal), StringComparer.Ordinal));

    /// <summary>The current sample <paramref name="id"/> of <paramref name="op"/>, or null when the op or the sample no longer exists.</summary>
    public static OpSample? Find(string op, string id) =>
        ByOp.Value.TryGetValue(op, out var samples) && samples.TryGetValue(id, out var sample) ? sample : null;
}
