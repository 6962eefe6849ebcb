using System.Text;
using Kiln.Codegen.Native;

namespace Kiln.Codegen;

/// <summary>
/// An owned LLVM module parsed from textual IR, with the steps every compilation takes: verify, export the requested
/// functions, set the target, optimise, print. Disposed unless <see cref="Release"/> handed it on (to ORC).
/// </summary>
internal sealed unsafe class LlvmIrModule : IDisposable
{
    private const int ReturnStatusAction = 2;

    private LLVMModuleRef module;

    private LlvmIrModule(LLVMModuleRef module, string name)
    {
        this.module = module;
        Name = name;
    }

    /// <summary>The module's name (used in messages and as the buffer's name).</summary>
    internal string Name { get; }

    /// <summary>The handle, for calls that borrow it.</summary>
    internal LLVMModuleRef Handle =>
        module.Handle != 0 ? module : throw new ObjectDisposedException(nameof(LlvmIrModule), $"module '{Name}' was handed on");

    /// <summary>Parses and verifies <paramref name="ir"/> in <paramref name="context"/>.</summary>
    /// <exception cref="LlvmException">The text is not valid LLVM IR; the message carries LLVM's diagnostic.</exception>
    internal static LlvmIrModule Parse(LLVMContextRef context, string ir, string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(ir);
        LLVMMemoryBufferRef buffer;
        fixed (byte* text = bytes)
            buffer = LlvmNative.LLVMCreateMemoryBufferWithMemoryRangeCopy(text, (nuint)bytes.Length, name);
        // LLVM 19's LLVMParseIRInContext owns the buffer from here on, success or not.
        if (LlvmNative.LLVMParseIRInContext(context, buffer, out LLVMModuleRef parsed, out nint message) != 0)
            throw new LlvmException($"module '{name}' is not valid LLVM IR", LlvmStrings.TakeMessage(message));
        var result = new LlvmIrModule(parsed, name);
        // The parser checks syntax and types; the verifier the rest (dominance, terminators), before a pass trips on it.
        if (LlvmNative.LLVMVerifyModule(parsed, ReturnStatusAction, out nint problems) != 0)
        {
            result.Dispose();
            throw new LlvmException($"module '{name}' does not verify", LlvmStrings.TakeMessage(problems));
        }
        LlvmStrings.TakeMessage(problems);
        return result;
    }

    /// <summary>
    /// Makes <paramref name="symbols"/> the module's only external definitions, each renamed to symbol +
    /// <paramref name="suffix"/> so that modules in one JIT never collide; every other external definition becomes
    /// internal (the optimiser may then inline and drop it). Returns the new names in symbol order.
    /// </summary>
    /// <exception cref="LlvmException">A symbol is not a function defined in the module.</exception>
    internal string[] ExportOnly(IReadOnlyList<string> symbols, string suffix)
    {
        var wanted = new Dictionary<string, int>(symbols.Count, StringComparer.Ordinal);
        for (int i = 0; i < symbols.Count; i++)
        {
            if (!wanted.TryAdd(symbols[i], i))
                throw new ArgumentException($"symbol '{symbols[i]}' is requested twice from module '{Name}'", nameof(symbols));
        }
        var defined = new List<string>();
        var renamed = new string[symbols.Count];
        for (var f = LlvmNative.LLVMGetFirstFunction(Handle); f.Handle != 0; f = LlvmNative.LLVMGetNextFunction(f))
        {
            if (LlvmNative.LLVMIsDeclaration(f) != 0)
                continue;
            string name = LlvmStrings.ValueName(f);
            defined.Add(name);
            if (wanted.TryGetValue(name, out int index))
            {
                renamed[index] = name + suffix;
                LlvmStrings.SetValueName(f, renamed[index]);
            }
            else
            {
                Internalize(f);
            }
        }
        for (var g = LlvmNative.LLVMGetFirstGlobal(Handle); g.Handle != 0; g = LlvmNative.LLVMGetNextGlobal(g))
        {
            if (LlvmNative.LLVMIsDeclaration(g) == 0)
                Internalize(g);
        }
        int missing = Array.IndexOf(renamed, null);
        if (missing >= 0)
        {
            string list = defined.Count == 0 ? "none" : string.Join(", ", defined);
            throw new LlvmException($"module '{Name}' does not define function '{symbols[missing]}' (it defines: {list})");
        }
        return renamed;
    }

    /// <summary>Sets the module's triple and data layout to <paramref name="machine"/>'s.</summary>
    internal void SetTarget(LlvmTargetMachine machine)
    {
        LlvmNative.LLVMSetTarget(Handle, machine.Target.Triple);
        LlvmNative.LLVMSetDataLayout(Handle, machine.DataLayout());
    }

    /// <summary>Runs a new-pass-manager pipeline such as "default&lt;O3&gt;" with <paramref name="machine"/>'s cost model.</summary>
    /// <exception cref="LlvmException">The pipeline does not parse or a pass fails.</exception>
    internal void Optimize(LlvmTargetMachine machine, string pipeline)
    {
        var options = LlvmNative.LLVMCreatePassBuilderOptions();
        try
        {
            string? error = LlvmStrings.TakeError(LlvmNative.LLVMRunPasses(Handle, pipeline, machine.Handle, options));
            if (error is not null)
                throw new LlvmException($"optimising module '{Name}' with '{pipeline}' failed", error);
        }
        finally
        {
            LlvmNative.LLVMDisposePassBuilderOptions(options);
        }
    }

    /// <summary>The module as textual IR.</summary>
    internal string Print() => LlvmStrings.TakeMessage(LlvmNative.LLVMPrintModuleToString(Handle));

    /// <summary>Gives up ownership of the module.</summary>
    internal LLVMModuleRef Release()
    {
        var released = Handle;
        module = default;
        return released;
    }

    /// <summary>Disposes the module unless it was released.</summary>
    public void Dispose()
    {
        if (module.Handle == 0)
            return;
        LlvmNative.LLVMDisposeModule(module);
        module = default;
    }

    private static void Internalize(LLVMValueRef global)
    {
        if (LlvmNative.LLVMGetLinkage(global) == LLVMLinkage.LLVMExternalLinkage)
            LlvmNative.LLVMSetLinkage(global, LLVMLinkage.LLVMInternalLinkage);
    }
}
