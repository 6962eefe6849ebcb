using Kiln.Codegen.Native;

namespace Kiln.Codegen;

/// <summary>
/// An owned LLVM TargetMachine for one <see cref="LlvmTarget"/>. Not shared between threads: LLVM caches subtargets in
/// it without locking, so each compilation makes its own (creating one takes well under a millisecond).
/// </summary>
internal sealed unsafe class LlvmTargetMachine : IDisposable
{
    private LLVMTargetMachineRef machine;

    private LlvmTargetMachine(LlvmTarget target, LLVMTargetMachineRef machine)
    {
        Target = target;
        this.machine = machine;
    }

    /// <summary>The target it generates code for.</summary>
    internal LlvmTarget Target { get; }

    /// <summary>
    /// Creates a machine at LLVM's highest code generation level. <paramref name="reloc"/> is PIC for object files
    /// that go into shared libraries; <paramref name="codeModel"/> is JITDefault for the JIT.
    /// </summary>
    internal static LlvmTargetMachine Create(LlvmTarget target, LLVMRelocMode reloc, LLVMCodeModel codeModel)
    {
        Llvm.EnsureAvailable();
        if (LlvmNative.LLVMGetTargetFromTriple(target.Triple, out LLVMTargetRef llvmTarget, out nint error) != 0)
            throw new LlvmException($"LLVM has no target for triple '{target.Triple}' (Kiln initialises X86 only)", LlvmStrings.TakeMessage(error));
        var created = LlvmNative.LLVMCreateTargetMachine(
            llvmTarget, target.Triple, target.Cpu, target.Features, LLVMCodeGenOptLevel.LLVMCodeGenLevelAggressive, reloc, codeModel);
        if (created.Handle == 0)
            throw new LlvmException($"LLVM could not create a target machine for {target}");
        return new LlvmTargetMachine(target, created);
    }

    /// <summary>The handle, for calls that borrow it.</summary>
    internal LLVMTargetMachineRef Handle =>
        machine.Handle != 0 ? machine : throw new ObjectDisposedException(nameof(LlvmTargetMachine));

    /// <summary>The data layout string LLVM derives for this target (modules must carry it before optimisation).</summary>
    internal string DataLayout()
    {
        var data = LlvmNative.LLVMCreateTargetDataLayout(Handle);
        try
        {
            return LlvmStrings.TakeMessage(LlvmNative.LLVMCopyStringRepOfTargetData(data));
        }
        finally
        {
            LlvmNative.LLVMDisposeTargetData(data);
        }
    }

    /// <summary>Generates an object file for <paramref name="module"/> (which must already carry this target).</summary>
    internal byte[] EmitObject(LLVMModuleRef module, string moduleName)
    {
        if (LlvmNative.LLVMTargetMachineEmitToMemoryBuffer(
                Handle, module, LLVMCodeGenFileType.LLVMObjectFile, out nint error, out LLVMMemoryBufferRef buffer) != 0)
            throw new LlvmException($"LLVM could not emit an object file for module '{moduleName}' ({Target})", LlvmStrings.TakeMessage(error));
        try
        {
            var bytes = new byte[checked((int)LlvmNative.LLVMGetBufferSize(buffer))];
            new ReadOnlySpan<byte>(LlvmNative.LLVMGetBufferStart(buffer), bytes.Length).CopyTo(bytes);
            return bytes;
        }
        finally
        {
            LlvmNative.LLVMDisposeMemoryBuffer(buffer);
        }
    }

    /// <summary>Gives up ownership (ORC's JITTargetMachineBuilder takes the machine).</summary>
    internal LLVMTargetMachineRef Release()
    {
        var released = Handle;
        machine = default;
        return released;
    }

    /// <summary>Disposes the machine unless it was released.</summary>
    public void Dispose()
    {
        if (machine.Handle == 0)
            return;
        LlvmNative.LLVMDisposeTargetMachine(machine);
        machine = default;
    }
}
