namespace Kiln;

/// <summary>The kind of memory a tensor lives in.</summary>
public enum DeviceType : byte
{
    /// <summary>Main memory, visible to the garbage collector.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU.</summary>
    Cuda,
}

/// <summary>Where a tensor lives (<c>torch.device</c>).</summary>
/// <param name="Type">The kind of device.</param>
/// <param name="Index">The device's index among devices of its kind.</param>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    /// <summary>The CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <summary>Formats like PyTorch: <c>cpu</c>, <c>cuda:0</c>.</summary>
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
