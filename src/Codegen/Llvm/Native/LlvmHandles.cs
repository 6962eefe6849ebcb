namespace Kiln.Codegen.Native;

// Opaque LLVM C API handles, one type each so that a context cannot be passed where a module is expected.
// Each wraps the C pointer and is blittable, so [LibraryImport] passes it as is.

/// <summary>LLVMContextRef.</summary>
internal readonly record struct LLVMContextRef(nint Handle);

/// <summary>LLVMModuleRef.</summary>
internal readonly record struct LLVMModuleRef(nint Handle);

/// <summary>LLVMValueRef (here: functions and global variables).</summary>
internal readonly record struct LLVMValueRef(nint Handle);

/// <summary>LLVMMemoryBufferRef.</summary>
internal readonly record struct LLVMMemoryBufferRef(nint Handle);

/// <summary>LLVMTargetRef.</summary>
internal readonly record struct LLVMTargetRef(nint Handle);

/// <summary>LLVMTargetMachineRef.</summary>
internal readonly record struct LLVMTargetMachineRef(nint Handle);

/// <summary>LLVMTargetDataRef.</summary>
internal readonly record struct LLVMTargetDataRef(nint Handle);

/// <summary>LLVMPassBuilderOptionsRef.</summary>
internal readonly record struct LLVMPassBuilderOptionsRef(nint Handle);

/// <summary>LLVMErrorRef: null means success.</summary>
internal readonly record struct LLVMErrorRef(nint Handle);

/// <summary>LLVMOrcLLJITBuilderRef.</summary>
internal readonly record struct LLVMOrcLLJITBuilderRef(nint Handle);

/// <summary>LLVMOrcLLJITRef.</summary>
internal readonly record struct LLVMOrcLLJITRef(nint Handle);

/// <summary>LLVMOrcJITTargetMachineBuilderRef.</summary>
internal readonly record struct LLVMOrcJITTargetMachineBuilderRef(nint Handle);

/// <summary>LLVMOrcThreadSafeContextRef.</summary>
internal readonly record struct LLVMOrcThreadSafeContextRef(nint Handle);

/// <summary>LLVMOrcThreadSafeModuleRef.</summary>
internal readonly record struct LLVMOrcThreadSafeModuleRef(nint Handle);

/// <summary>LLVMOrcJITDylibRef.</summary>
internal readonly record struct LLVMOrcJITDylibRef(nint Handle);

/// <summary>LLVMOrcResourceTrackerRef.</summary>
internal readonly record struct LLVMOrcResourceTrackerRef(nint Handle);

/// <summary>LLVMOrcExecutionSessionRef.</summary>
internal readonly record struct LLVMOrcExecutionSessionRef(nint Handle);

/// <summary>LLVMOrcDefinitionGeneratorRef.</summary>
internal readonly record struct LLVMOrcDefinitionGeneratorRef(nint Handle);

/// <summary>LLVMOrcSymbolStringPoolEntryRef: an interned symbol name.</summary>
internal readonly record struct LLVMOrcSymbolStringPoolEntryRef(nint Handle);
