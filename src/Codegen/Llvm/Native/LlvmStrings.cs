using System.Runtime.InteropServices;
using System.Text;

namespace Kiln.Codegen.Native;

/// <summary>Reads the strings and errors LLVM hands back and frees them with the matching LLVM call.</summary>
internal static unsafe class LlvmStrings
{
    /// <summary>Reads a message LLVM allocated (freed with LLVMDisposeMessage) and frees it; null gives "".</summary>
    internal static string TakeMessage(nint message)
    {
        if (message == 0)
            return "";
        string text = Marshal.PtrToStringUTF8(message) ?? "";
        LlvmNative.LLVMDisposeMessage(message);
        return text;
    }

    /// <summary>Consumes <paramref name="error"/> and returns its message, or null for success.</summary>
    internal static string? TakeError(LLVMErrorRef error)
    {
        if (error.Handle == 0)
            return null;
        nint message = LlvmNative.LLVMGetErrorMessage(error);
        string text = Marshal.PtrToStringUTF8(message) ?? "";
        LlvmNative.LLVMDisposeErrorMessage(message);
        return text;
    }

    /// <summary>The name of a function or global variable (owned by LLVM: not freed).</summary>
    internal static string ValueName(LLVMValueRef value)
    {
        byte* name = LlvmNative.LLVMGetValueName2(value, out nuint length);
        return Encoding.UTF8.GetString(name, checked((int)length));
    }

    /// <summary>Renames a function or global variable.</summary>
    internal static void SetValueName(LLVMValueRef value, string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
            LlvmNative.LLVMSetValueName2(value, p, (nuint)bytes.Length);
    }
}
