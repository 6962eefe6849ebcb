using System.Runtime.InteropServices;

namespace Kiln.Codegen.Native;

// The plain C structs of llvm-c/Orc.h that LLVMOrcExecutionSessionLookup reads and writes, laid out as the header does.

/// <summary>LLVMOrcCJITDylibSearchOrderElement: one dylib of a search order (a null dylib ends the list).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LLVMOrcCJITDylibSearchOrderElement
{
    public LLVMOrcJITDylibRef JD;
    public LLVMOrcJITDylibLookupFlags JDLookupFlags;
}

/// <summary>LLVMOrcCLookupSetElement: one symbol to look up.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LLVMOrcCLookupSetElement
{
    public LLVMOrcSymbolStringPoolEntryRef Name;
    public LLVMOrcSymbolLookupFlags LookupFlags;
}

/// <summary>LLVMOrcCSymbolMapPair: a symbol and its LLVMJITEvaluatedSymbol (address, then two flag bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LLVMOrcCSymbolMapPair
{
    public LLVMOrcSymbolStringPoolEntryRef Name;
    public ulong Address;
    public byte GenericFlags;
    public byte TargetFlags;
}
