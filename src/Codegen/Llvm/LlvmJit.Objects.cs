using System.Diagnostics;
using System.Runtime.InteropServices;
using Kiln.Codegen.Native;

namespace Kiln.Codegen;

public sealed partial class LlvmJit
{
    private long objectsLoaded;

    /// <summary>
    /// Links a relocatable object file for this machine (from <see cref="LlvmObjectCompiler.EmitObject(string, LlvmTarget, LlvmCompileOptions?)"/>
    /// with <see cref="Target"/>) into the JIT and returns the addresses of <paramref name="symbols"/>, with no optimisation
    /// or code generation. Each object goes into a JITDylib of its own that is searched alone and resolves undefined
    /// functions from the process, so the same object may be loaded any number of times, beside modules defining the
    /// same names.
    /// </summary>
    /// <param name="objectFile">The object file's bytes (copied).</param>
    /// <param name="symbols">The functions to look up, by the names the object defines.</param>
    /// <param name="moduleName">The name error messages and <see cref="LlvmCompiledModule.Name"/> use.</param>
    /// <exception cref="LlvmException">
    /// The bytes are not an object file for this target, a symbol is not defined in it, or linking fails (a function no
    /// library defines); the message names the module or symbol and carries LLVM's.
    /// </exception>
    public LlvmCompiledModule LoadObject(ReadOnlySpan<byte> objectFile, IReadOnlyList<string> symbols, string moduleName = "kiln_object")
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(moduleName);
        if (symbols.Count == 0 || symbols.Distinct(StringComparer.Ordinal).Count() != symbols.Count)
            throw new ArgumentException($"object '{moduleName}': name each symbol to look up once (got: {string.Join(", ", symbols)})", nameof(symbols));
        long id = Interlocked.Increment(ref objectsLoaded);
        var clock = Stopwatch.StartNew();
        var buffer = CopyToMemoryBuffer(objectFile, moduleName);
        Dictionary<string, nint> functions;
        LLVMOrcResourceTrackerRef tracker;
        // Linking shares the JIT's memory manager and session with the IR modules' code generation: one at a time.
        lock (codegenLock)
        {
            var dylib = CreateObjectDylib($"kiln.object{id}");
            tracker = LlvmNative.LLVMOrcJITDylibCreateResourceTracker(dylib);
            string? error = LlvmStrings.TakeError(LlvmNative.LLVMOrcLLJITAddObjectFileWithRT(jit, tracker, buffer));
            if (error is not null)
            {
                Remove(tracker);
                throw new LlvmException($"LLVM could not add object file '{moduleName}' to the JIT", error);
            }
            functions = LookUpIn(dylib, tracker, symbols, moduleName);
        }
        return new LlvmCompiledModule(tracker, moduleName, functions, new LlvmCompileTimes(TimeSpan.Zero, TimeSpan.Zero, clock.Elapsed), null);
    }

    private static unsafe LLVMMemoryBufferRef CopyToMemoryBuffer(ReadOnlySpan<byte> bytes, string name)
    {
        fixed (byte* data = bytes)
            return LlvmNative.LLVMCreateMemoryBufferWithMemoryRangeCopy(data, (nuint)bytes.Length, name);
    }

    /// <summary>An empty JITDylib whose undefined symbols resolve to the process's (libm, libmvec, ...).</summary>
    private LLVMOrcJITDylibRef CreateObjectDylib(string name)
    {
        var dylib = LlvmNative.LLVMOrcExecutionSessionCreateBareJITDylib(LlvmNative.LLVMOrcLLJITGetExecutionSession(jit), name);
        string? error = LlvmStrings.TakeError(LlvmNative.LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
            out var generator, LlvmNative.LLVMOrcLLJITGetGlobalPrefix(jit), 0, 0));
        if (error is not null)
            throw new LlvmException($"LLVM could not make the process's symbols visible to {name}", error);
        LlvmNative.LLVMOrcJITDylibAddGenerator(dylib, generator);
        return dylib;
    }

    private unsafe Dictionary<string, nint> LookUpIn(
        LLVMOrcJITDylibRef dylib, LLVMOrcResourceTrackerRef tracker, IReadOnlyList<string> symbols, string moduleName)
    {
        var names = new LLVMOrcSymbolStringPoolEntryRef[symbols.Count];
        using var result = new LookupResult(names);
        var handle = GCHandle.Alloc(result);
        try
        {
            var set = new LLVMOrcCLookupSetElement[symbols.Count];
            for (int i = 0; i < names.Length; i++)
            {
                names[i] = LlvmNative.LLVMOrcLLJITMangleAndIntern(jit, symbols[i]);
                set[i] = new LLVMOrcCLookupSetElement { Name = names[i], LookupFlags = LLVMOrcSymbolLookupFlags.LLVMOrcSymbolLookupFlagsRequiredSymbol };
            }
            var order = new LLVMOrcCJITDylibSearchOrderElement
            {
                JD = dylib,
                JDLookupFlags = LLVMOrcJITDylibLookupFlags.LLVMOrcJITDylibLookupFlagsMatchExportedSymbolsOnly,
            };
            LlvmSessionErrors.Clear();
            fixed (LLVMOrcCLookupSetElement* lookupSet = set)
            {
                LlvmNative.LLVMOrcExecutionSessionLookup(
                    LlvmNative.LLVMOrcLLJITGetExecutionSession(jit), LLVMOrcLookupKind.LLVMOrcLookupKindStatic,
                    &order, 1, lookupSet, (nuint)set.Length, &OnLookedUp, GCHandle.ToIntPtr(handle));
            }
            // LLJIT links on this thread, so the result is normally in before the call returns.
            result.Done.Wait();
        }
        finally
        {
            handle.Free();
            foreach (var name in names.Where(n => n.Handle != 0))
                LlvmNative.LLVMOrcReleaseSymbolStringPoolEntry(name);
        }
        if (result.Error is not null)
        {
            string cause = LlvmSessionErrors.Take();
            Remove(tracker);
            throw new LlvmException(
                $"linking object file '{moduleName}' for {string.Join(", ", symbols)} failed", cause.Length == 0 ? result.Error : $"{cause} ({result.Error})");
        }
        var functions = new Dictionary<string, nint>(symbols.Count, StringComparer.Ordinal);
        for (int i = 0; i < symbols.Count; i++)
            functions.Add(symbols[i], checked((nint)result.Addresses[i]));
        return functions;
    }

    [UnmanagedCallersOnly]
    private static unsafe void OnLookedUp(LLVMErrorRef error, LLVMOrcCSymbolMapPair* pairs, nuint count, nint context)
    {
        var result = (LookupResult)GCHandle.FromIntPtr(context).Target!;
        result.Error = LlvmStrings.TakeError(error);
        for (nuint p = 0; p < count; p++)
        {
            int index = Array.IndexOf(result.Names, pairs[p].Name);
            if (index >= 0)
                result.Addresses[index] = pairs[p].Address;
        }
        result.Done.Set();
    }

    /// <summary>What one session lookup found: an address per interned name, or LLVM's error.</summary>
    private sealed class LookupResult(LLVMOrcSymbolStringPoolEntryRef[] names) : IDisposable
    {
        public LLVMOrcSymbolStringPoolEntryRef[] Names { get; } = names;

        public ulong[] Addresses { get; } = new ulong[names.Length];

        public string? Error { get; set; }

        public ManualResetEventSlim Done { get; } = new();

        public void Dispose() => Done.Dispose();
    }
}
