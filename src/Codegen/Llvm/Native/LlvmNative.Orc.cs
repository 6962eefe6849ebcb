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

    // Object files (the kernel cache's entries): each goes into a JITDylib of its own, which resolves the process's
    // symbols (libm, libmvec) through a generator and is searched alone, so one object may be loaded more than once.

    /// <summary>Takes ownership of <paramref name="objectBuffer"/>, even on failure.</summary>
    [LibraryImport(Library)]
    internal static partial LLVMErrorRef LLVMOrcLLJITAddObjectFileWithRT(LLVMOrcLLJITRef jit, LLVMOrcResourceTrackerRef tracker, LLVMMemoryBufferRef objectBuffer);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LLVMOrcJITDylibRef LLVMOrcExecutionSessionCreateBareJITDylib(LLVMOrcExecutionSessionRef session, string name);

    /// <summary>A generator that defines unresolved symbols from the process (and libraries loaded permanently).</summary>
    [LibraryImport(Library)]
    internal static partial LLVMErrorRef LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
        out LLVMOrcDefinitionGeneratorRef generator, byte globalPrefix, nint filter, nint filterContext);

    /// <summary>The dylib takes ownership of <paramref name="generator"/>.</summary>
    [LibraryImport(Library)]
    internal static partial void LLVMOrcJITDylibAddGenerator(LLVMOrcJITDylibRef dylib, LLVMOrcDefinitionGeneratorRef generator);

    /// <summary>The symbol's name mangled for the JIT's data layout (none on ELF), interned; released by the caller.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial LLVMOrcSymbolStringPoolEntryRef LLVMOrcLLJITMangleAndIntern(LLVMOrcLLJITRef jit, string name);

    /// <summary>The character the JIT's data layout puts before global symbol names ('\0' on ELF).</summary>
    [LibraryImport(Library)]
    internal static partial byte LLVMOrcLLJITGetGlobalPrefix(LLVMOrcLLJITRef jit);

    [LibraryImport(Library)]
    internal static partial void LLVMOrcReleaseSymbolStringPoolEntry(LLVMOrcSymbolStringPoolEntryRef entry);

    /// <summary>
    /// Looks <paramref name="symbols"/> up in <paramref name="searchOrder"/> (both arrays end with a null element) and
    /// calls <paramref name="handleResult"/> with the error (to consume) or the addresses; LLJIT links on the calling thread.
    /// </summary>
    [LibraryImport(Library)]
    internal static partial void LLVMOrcExecutionSessionLookup(
        LLVMOrcExecutionSessionRef session, LLVMOrcLookupKind kind,
        LLVMOrcCJITDylibSearchOrderElement* searchOrder, nuint searchOrderSize,
        LLVMOrcCLookupSetElement* symbols, nuint symbolsSize,
        delegate* unmanaged<LLVMErrorRef, LLVMOrcCSymbolMapPair*, nuint, nint, void> handleResult, nint context);
}
