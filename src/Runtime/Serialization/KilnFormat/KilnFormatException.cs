namespace Kiln.Serialization;

/// <summary>
/// A <c>.kiln</c> file is malformed, truncated, hostile or of a newer major version. The message names the field
/// (e.g. <c>header.protoLength</c>, <c>tensors[3].shape</c>) and what is wrong with it.
/// </summary>
public sealed class KilnFormatException : Exception
{
    /// <summary>An exception with a default message.</summary>
    public KilnFormatException() : base("malformed .kiln file")
    {
    }

    /// <summary>An exception with <paramref name="message"/>.</summary>
    public KilnFormatException(string message) : base(message)
    {
    }

    /// <summary>An exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public KilnFormatException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>An exception saying that <paramref name="field"/> is wrong: <paramref name="problem"/>.</summary>
    internal static KilnFormatException Field(string field, string problem) => new($"invalid .kiln file: {field}: {problem}");
}
