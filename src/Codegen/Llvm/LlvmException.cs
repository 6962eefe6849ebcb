namespace Kiln.Codegen;

/// <summary>
/// LLVM refused something Kiln asked of it: IR that does not parse or verify, a pass pipeline that fails, a symbol that
/// is not defined or cannot be resolved, a target it does not know. The message names the module or symbol and
/// carries LLVM's own message.
/// </summary>
public sealed class LlvmException : Exception
{
    /// <summary>Creates the exception: <paramref name="problem"/> says what failed, <paramref name="llvmMessage"/> is LLVM's text.</summary>
    public LlvmException(string problem, string llvmMessage)
        : base(llvmMessage.Length == 0 ? problem : $"{problem}: {llvmMessage.TrimEnd()}")
    {
        LlvmMessage = llvmMessage;
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public LlvmException(string message)
        : this(message, (Exception?)null)
    {
    }

    /// <summary>Creates the exception with a plain message and its cause.</summary>
    public LlvmException(string message, Exception? inner)
        : base(message, inner)
    {
        LlvmMessage = "";
    }

    /// <summary>Creates an empty exception (use the other constructors).</summary>
    public LlvmException()
        : this("LLVM failed")
    {
    }

    /// <summary>LLVM's own message, or "" when the failure was found by Kiln.</summary>
    public string LlvmMessage { get; }
}
