using Kiln.Codegen.Native;

namespace Kiln.Codegen;

/// <summary>
/// Ahead-of-time compilation: textual LLVM IR to a relocatable object file for any X86 target, position independent so
/// that it can be linked into a shared library. Thread-safe (each call has its own context and target machine).
/// </summary>
public static class LlvmObjectCompiler
{
    /// <summary>
    /// Compiles <paramref name="llvmIr"/> for <paramref name="target"/> with the options' pipeline and returns the object
    /// file (ELF for Linux triples). Every external function of the module stays exported under its own name.
    /// </summary>
    /// <exception cref="LlvmException">The IR is invalid, the target is unknown, or code generation fails.</exception>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed.</exception>
    public static byte[] EmitObject(string llvmIr, LlvmTarget target, LlvmCompileOptions? options = null) =>
        EmitObject(llvmIr, target, options, exportOnly: null);

    /// <summary>
    /// As <see cref="EmitObject(string, LlvmTarget, LlvmCompileOptions?)"/>; when <paramref name="exportOnly"/> is given,
    /// only those functions stay exported (under their own names) and every other definition becomes internal.
    /// </summary>
    internal static byte[] EmitObject(string llvmIr, LlvmTarget target, LlvmCompileOptions? options, IReadOnlyList<string>? exportOnly)
    {
        ArgumentNullException.ThrowIfNull(llvmIr);
        ArgumentNullException.ThrowIfNull(target);
        options ??= LlvmCompileOptions.Default;
        Llvm.EnsureAvailable();
        var context = LlvmNative.LLVMContextCreate();
        try
        {
            using var machine = LlvmTargetMachine.Create(target, LLVMRelocMode.LLVMRelocPIC, LLVMCodeModel.LLVMCodeModelDefault);
            using var module = LlvmIrModule.Parse(context, llvmIr, options.ModuleName);
            if (exportOnly is not null)
                module.ExportOnly(exportOnly, suffix: "");
            module.SetTarget(machine);
            module.Optimize(machine, options.PassPipeline);
            return machine.EmitObject(module.Handle, module.Name);
        }
        finally
        {
            LlvmNative.LLVMContextDispose(context);
        }
    }
}
