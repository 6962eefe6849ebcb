using System.Runtime.InteropServices;

namespace Kiln.Codegen.Native;

internal static unsafe partial class LlvmNative
{
    // lib/Target/X86: the per-target initialisers. LLVMInitializeNativeTarget/All* are static inline in the headers, not
    // exported, so the X86 ones are called directly.

    [LibraryImport(Library)]
    internal static partial void LLVMInitializeX86TargetInfo();

    [LibraryImport(Library)]
    internal static partial void LLVMInitializeX86Target();

    [LibraryImport(Library)]
    internal static partial void LLVMInitializeX86TargetMC();

    [LibraryImport(Library)]
    internal static partial void LLVMInitializeX86AsmPrinter();

    // llvm-c/TargetMachine.h: the host, targets and target machines.

    [LibraryImport(Library)]
    internal static partial nint LLVMGetDefaultTargetTriple();

    [LibraryImport(Library)]
    internal static partial nint LLVMGetHostCPUName();

    [LibraryImport(Library)]
    internal static partial nint LLVMGetHostCPUFeatures();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int LLVMGetTargetFromTriple(string triple, out LLVMTargetRef target, out nint errorMessage);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LLVMTargetMachineRef LLVMCreateTargetMachine(
        LLVMTargetRef target, string triple, string cpu, string features, LLVMCodeGenOptLevel level, LLVMRelocMode reloc, LLVMCodeModel codeModel);

    [LibraryImport(Library)]
    internal static partial void LLVMDisposeTargetMachine(LLVMTargetMachineRef machine);

    [LibraryImport(Library)]
    internal static partial LLVMTargetDataRef LLVMCreateTargetDataLayout(LLVMTargetMachineRef machine);

    [LibraryImport(Library)]
    internal static partial nint LLVMCopyStringRepOfTargetData(LLVMTargetDataRef data);

    [LibraryImport(Library)]
    internal static partial void LLVMDisposeTargetData(LLVMTargetDataRef data);

    [LibraryImport(Library)]
    internal static partial int LLVMTargetMachineEmitToMemoryBuffer(
        LLVMTargetMachineRef machine, LLVMModuleRef module, LLVMCodeGenFileType fileType, out nint errorMessage, out LLVMMemoryBufferRef buffer);

    // llvm-c/Transforms/PassBuilder.h: the new pass manager.

    [LibraryImport(Library)]
    internal static partial LLVMPassBuilderOptionsRef LLVMCreatePassBuilderOptions();

    [LibraryImport(Library)]
    internal static partial void LLVMDisposePassBuilderOptions(LLVMPassBuilderOptionsRef options);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LLVMErrorRef LLVMRunPasses(LLVMModuleRef module, string passes, LLVMTargetMachineRef machine, LLVMPassBuilderOptionsRef options);

    // llvm-c/Error.h.

    /// <summary>Consumes <paramref name="error"/>; the result is freed with <see cref="LLVMDisposeErrorMessage"/>.</summary>
    [LibraryImport(Library)]
    internal static partial nint LLVMGetErrorMessage(LLVMErrorRef error);

    [LibraryImport(Library)]
    internal static partial void LLVMDisposeErrorMessage(nint message);
}
