namespace Kiln.Serialization;

/// <summary>A NumPy <c>.npy</c> file that <see cref="Npy.Read(Stream)"/> refuses: its message names the field and the problem.</summary>
public sealed class NpyFormatException : Exception
{
    /// <summary>An exception saying the file is malformed.</summary>
    public NpyFormatException() : base("malformed .npy file")
    {
    }

    /// <summary>An exception with <paramref name="message"/>.</summary>
    public NpyFormatException(string message) : base(message)
    {
    }

    /// <summary>An exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public NpyFormatException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>An exception for <paramref name="field"/> of the header and what is wrong with it.</summary>
    internal static NpyFormatException Field(string field, string problem) => new($"invalid .npy file: {field}: {problem}");
}
