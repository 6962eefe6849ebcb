using System.Runtime.InteropServices;

namespace Kiln.Codegen.Native;

/// <summary>
/// The libLLVM C API functions Kiln calls, named exactly as in llvm-c (LLVM 19). Only what is used is declared.
/// Strings passed in are UTF-8; strings LLVM returns for the caller to free come back as <see cref="nint"/> and are
/// read and freed by <see cref="LlvmStrings"/>. "LLVM" is resolved to the installed library by <see cref="LlvmLibrary"/>.
/// </summary>
internal static unsafe partial class LlvmNative
{
    /// <summary>The library name every import uses; <see cref="LlvmLibrary"/> maps it to libLLVM 19.</summary>
    internal const string Library = "LLVM";

    // llvm-c/Core.h: version, messages.

    [LibraryImport(Library)]
    internal static partial void LLVMGetVersion(out uint major, out uint minor, out uint patch);

    [LibraryImport(Library)]
    internal static partial void LLVMDisposeMessage(nint message);

    // llvm-c/Support.h: process-wide settings.

    /// <summary>Returns 0 on success; the library's symbols are then visible to the JIT's process-symbol lookup.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int LLVMLoadLibraryPermanently(string fileName);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void LLVMParseCommandLineOptions(int argc, nint* argv, string? overview);

    // llvm-c/Core.h: contexts, memory buffers, modules.

    [LibraryImport(Library)]
    internal static partial LLVMContextRef LLVMContextCreate();

    [LibraryImport(Library)]
    internal static partial void LLVMContextDispose(LLVMContextRef context);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LLVMMemoryBufferRef LLVMCreateMemoryBufferWithMemoryRangeCopy(byte* inputData, nuint inputDataLength, string bufferName);

    [LibraryImport(Library)]
    internal static partial byte* LLVMGetBufferStart(LLVMMemoryBufferRef buffer);

    [LibraryImport(Library)]
    internal static partial nuint LLVMGetBufferSize(LLVMMemoryBufferRef buffer);

    [LibraryImport(Library)]
    internal static partial void LLVMDisposeMemoryBuffer(LLVMMemoryBufferRef buffer);

    /// <summary>llvm-c/IRReader.h. In LLVM 19 this takes ownership of <paramref name="buffer"/>, whatever the result.</summary>
    [LibraryImport(Library)]
    internal static partial int LLVMParseIRInContext(LLVMContextRef context, LLVMMemoryBufferRef buffer, out LLVMModuleRef module, out nint message);

    /// <summary>llvm-c/Analysis.h; <paramref name="action"/> 2 is LLVMReturnStatusAction (report, do not abort).</summary>
    [LibraryImport(Library)]
    internal static partial int LLVMVerifyModule(LLVMModuleRef module, int action, out nint message);

    [LibraryImport(Library)]
    internal static partial void LLVMDisposeModule(LLVMModuleRef module);

    [LibraryImport(Library)]
    internal static partial nint LLVMPrintModuleToString(LLVMModuleRef module);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void LLVMSetTarget(LLVMModuleRef module, string triple);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void LLVMSetDataLayout(LLVMModuleRef module, string dataLayout);

    // llvm-c/Core.h: functions and global variables of a module.

    [LibraryImport(Library)]
    internal static partial LLVMValueRef LLVMGetFirstFunction(LLVMModuleRef module);

    [LibraryImport(Library)]
    internal static partial LLVMValueRef LLVMGetNextFunction(LLVMValueRef function);

    [LibraryImport(Library)]
    internal static partial LLVMValueRef LLVMGetFirstGlobal(LLVMModuleRef module);

    [LibraryImport(Library)]
    internal static partial LLVMValueRef LLVMGetNextGlobal(LLVMValueRef global);

    [LibraryImport(Library)]
    internal static partial int LLVMIsDeclaration(LLVMValueRef global);

    [LibraryImport(Library)]
    internal static partial LLVMLinkage LLVMGetLinkage(LLVMValueRef global);

    [LibraryImport(Library)]
    internal static partial void LLVMSetLinkage(LLVMValueRef global, LLVMLinkage linkage);

    /// <summary>The name is owned by the value: not to be freed.</summary>
    [LibraryImport(Library)]
    internal static partial byte* LLVMGetValueName2(LLVMValueRef value, out nuint length);

    [LibraryImport(Library)]
    internal static partial void LLVMSetValueName2(LLVMValueRef value, byte* name, nuint length);
}
