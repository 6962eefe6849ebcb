using System.Runtime.InteropServices;
using Kiln.Codegen.Native;

namespace Kiln.Codegen;

/// <summary>
/// Collects the errors ORC reports to its session instead of to the caller. A lookup whose code fails to link only
/// returns "Failed to materialize symbols: f"; the cause ("Symbols not found: [ expf ]") goes to the session's
/// reporter, which by default prints it to stderr. LLJIT materialises on the thread that looks up, so the reporter keeps
/// each thread's messages for that thread's next exception.
/// </summary>
internal static unsafe class LlvmSessionErrors
{
    [ThreadStatic]
    private static List<string>? messages;

    /// <summary>Routes <paramref name="jit"/>'s session errors here.</summary>
    internal static void Install(LLVMOrcLLJITRef jit) =>
        LlvmNative.LLVMOrcExecutionSessionSetErrorReporter(LlvmNative.LLVMOrcLLJITGetExecutionSession(jit), &Report, 0);

    /// <summary>Forgets this thread's earlier messages (before a lookup).</summary>
    internal static void Clear() => messages?.Clear();

    /// <summary>This thread's messages since <see cref="Clear"/>, joined, then forgotten.</summary>
    internal static string Take()
    {
        if (messages is null || messages.Count == 0)
            return "";
        string text = string.Join("; ", messages);
        messages.Clear();
        return text;
    }

    [UnmanagedCallersOnly]
    private static void Report(nint context, LLVMErrorRef error)
    {
        string? message = LlvmStrings.TakeError(error);
        if (message is not null)
            (messages ??= []).Add(message);
    }
}
