using System.Runtime.InteropServices;

namespace Kiln.Codegen.Native;

internal static unsafe partial class LlvmNative
{
    // llvm-c/Orc.h and llvm-c/LLJIT.h: ORC's LLJIT. Ownership follows the headers: the builder takes the target machine
    // builder, LLVMOrcCreateLLJIT takes the builder, adding a module takes the thread-safe module, even on failure.

    [LibraryImport(Library)]
    internal static partial LLVMOrcJITTargetMachineBuilderRef LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(LLVMTargetMachineRef machine);

    [LibraryImport(Library)]
    internal static partial LLVMOrcLLJITBuilderRef LLVMOrcCreateLLJITBuilder();

    [LibraryImport(Library)]
    internal static partial void LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(LLVMOrcLLJITBuilderRef builder, LLVMOrcJITTargetMachineBuilderRef machineBuilder);

    [LibraryImport(Library)]
    internal static partial LLVMErrorRef LLVMOrcCreateLLJIT(out LLVMOrcLLJITRef jit, LLVMOrcLLJITBuilderRef builder);

    [LibraryImport(Library)]
    internal static partial LLVMOrcJITDylibRef LLVMOrcLLJITGetMainJITDylib(LLVMOrcLLJITRef jit);

    [LibraryImport(Library)]
    internal static partial LLVMOrcExecutionSessionRef LLVMOrcLLJITGetExecutionSession(LLVMOrcLLJITRef jit);

    /// <summary>The reporter receives, and must consume, errors no caller gets (the JIT linker's unresolved symbols).</summary>
    [LibraryImport(Library)]
    internal static partial void LLVMOrcExecutionSessionSetErrorReporter(
        LLVMOrcExecutionSessionRef session, delegate* unmanaged<nint, LLVMErrorRef, void> reporter, nint context);

    [LibraryImport(Library)]
    internal static partial LLVMOrcThreadSafeContextRef LLVMOrcCreateNewThreadSafeContext();

    [LibraryImport(Library)]
    internal static partial LLVMContextRef LLVMOrcThreadSafeContextGetContext(LLVMOrcThreadSafeContextRef context);

    /// <summary>Drops this handle's reference; modules made in the context keep it alive.</summary>
    [LibraryImport(Library)]
    internal static partial void LLVMOrcDisposeThreadSafeContext(LLVMOrcThreadSafeContextRef context);

    /// <summary>Takes ownership of <paramref name="module"/>.</summary>
    [LibraryImport(Library)]
    internal static partial LLVMOrcThreadSafeModuleRef LLVMOrcCreateNewThreadSafeModule(LLVMModuleRef module, LLVMOrcThreadSafeContextRef context);

    [LibraryImport(Library)]
    internal static partial LLVMOrcResourceTrackerRef LLVMOrcJITDylibCreateResourceTracker(LLVMOrcJITDylibRef dylib);

    [LibraryImport(Library)]
    internal static partial LLVMErrorRef LLVMOrcLLJITAddLLVMIRModuleWithRT(LLVMOrcLLJITRef jit, LLVMOrcResourceTrackerRef tracker, LLVMOrcThreadSafeModuleRef module);

    [LibraryImport(Library)]
    internal static partial LLVMErrorRef LLVMOrcResourceTrackerRemove(LLVMOrcResourceTrackerRef tracker);

    [LibraryImport(Library)]
    internal static partial void LLVMOrcReleaseResourceTracker(LLVMOrcResourceTrackerRef tracker);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LLVMErrorRef LLVMOrcLLJITLookup(LLVMOrcLLJITRef jit, out ulong address, string name);
}
