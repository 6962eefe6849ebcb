namespace Kiln.Serialization;

/// <summary>A safetensors file is malformed; the message names the field or tensor and what is wrong with it.</summary>
public sealed class SafetensorsFormatException : Exception
{
    /// <summary>An exception with a default message.</summary>
    public SafetensorsFormatException() : base("malformed safetensors file")
    {
    }

    /// <summary>An exception with <paramref name="message"/>.</summary>
    public SafetensorsFormatException(string message) : base(message)
    {
    }

    /// <summary>An exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public SafetensorsFormatException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
