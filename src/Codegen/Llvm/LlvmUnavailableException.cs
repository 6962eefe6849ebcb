namespace Kiln.Codegen;

/// <summary>
/// libLLVM 19 could not be loaded (not installed, or another version). Ask <see cref="Llvm.IsAvailable"/> first to fall
/// back without it.
/// </summary>
public sealed class LlvmUnavailableException : Exception
{
    /// <summary>Creates the exception with the reason, which ends with how to install the library.</summary>
    public LlvmUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public LlvmUnavailableException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with the standard install hint.</summary>
    public LlvmUnavailableException()
        : this(Native.LlvmLibrary.InstallHint)
    {
    }
}
