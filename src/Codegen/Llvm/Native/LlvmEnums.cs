namespace Kiln.Codegen.Native;

// The C API enums this binding uses, with LLVM's names and values (llvm-c/TargetMachine.h, llvm-c/Core.h).
#pragma warning disable CA1008 // The values are LLVM's; LLVM's zero members are kept as LLVM names them.

/// <summary>LLVMCodeGenOptLevel.</summary>
internal enum LLVMCodeGenOptLevel
{
    LLVMCodeGenLevelNone = 0,
    LLVMCodeGenLevelLess = 1,
    LLVMCodeGenLevelDefault = 2,
    LLVMCodeGenLevelAggressive = 3,
}

/// <summary>LLVMRelocMode.</summary>
internal enum LLVMRelocMode
{
    LLVMRelocDefault = 0,
    LLVMRelocStatic = 1,
    LLVMRelocPIC = 2,
}

/// <summary>LLVMCodeModel.</summary>
internal enum LLVMCodeModel
{
    LLVMCodeModelDefault = 0,
    LLVMCodeModelJITDefault = 1,
}

/// <summary>LLVMCodeGenFileType.</summary>
internal enum LLVMCodeGenFileType
{
    LLVMAssemblyFile = 0,
    LLVMObjectFile = 1,
}

/// <summary>LLVMLinkage (only the members used).</summary>
internal enum LLVMLinkage
{
    LLVMExternalLinkage = 0,
    LLVMInternalLinkage = 8,
}


/// <summary>LLVMOrcLookupKind.</summary>
internal enum LLVMOrcLookupKind
{
    LLVMOrcLookupKindStatic = 0,
    LLVMOrcLookupKindDLSym = 1,
}

/// <summary>LLVMOrcJITDylibLookupFlags.</summary>
internal enum LLVMOrcJITDylibLookupFlags
{
    LLVMOrcJITDylibLookupFlagsMatchExportedSymbolsOnly = 0,
    LLVMOrcJITDylibLookupFlagsMatchAllSymbols = 1,
}

/// <summary>LLVMOrcSymbolLookupFlags.</summary>
internal enum LLVMOrcSymbolLookupFlags
{
    LLVMOrcSymbolLookupFlagsRequiredSymbol = 0,
    LLVMOrcSymbolLookupFlagsWeaklyReferencedSymbol = 1,
}
#pragma warning restore CA1008
