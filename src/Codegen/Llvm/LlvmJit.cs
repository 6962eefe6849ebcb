using System.Diagnostics;
using Kiln.Codegen.Native;

namespace Kiln.Codegen;

/// <summary>
/// The process's LLVM JIT: ORC's LLJIT for the host CPU. <see cref="Compile"/> parses textual LLVM IR, optimises it for
/// the host (the vectoriser needs the host's CPU and features), generates machine code and returns the requested
/// functions' addresses. Thread-safe: every compilation has its own LLVM context and target machine, and LLJIT serialises
/// what it shares.
/// </summary>
public sealed partial class LlvmJit
{
    private static readonly Lazy<LlvmJit> SharedJit = new(() => new LlvmJit(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly LLVMOrcLLJITRef jit;
    private readonly LLVMOrcJITDylibRef mainDylib;
    private long modulesCompiled;

    private LlvmJit()
    {
        Target = LlvmTarget.Host;
        // LLJIT generates code with a copy of this machine, so the JIT and the optimiser agree on CPU, features and
        // data layout (LLJIT's own host detection would generate at the default level, not the aggressive one).
        using var machine = LlvmTargetMachine.Create(Target, LLVMRelocMode.LLVMRelocDefault, LLVMCodeModel.LLVMCodeModelJITDefault);
        var machineBuilder = LlvmNative.LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(machine.Release());
        var builder = LlvmNative.LLVMOrcCreateLLJITBuilder();
        LlvmNative.LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder, machineBuilder);
        string? error = LlvmStrings.TakeError(LlvmNative.LLVMOrcCreateLLJIT(out jit, builder));
        if (error is not null)
            throw new LlvmException($"LLVM could not create the JIT for {Target}", error);
        mainDylib = LlvmNative.LLVMOrcLLJITGetMainJITDylib(jit);
        LlvmSessionErrors.Install(jit);
    }

    /// <summary>The process's JIT, created on first use. It lives until the process ends.</summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 is not installed (check <see cref="Llvm.IsAvailable"/> first).</exception>
    public static LlvmJit Shared => SharedJit.Value;

    /// <summary>The machine code target: this machine.</summary>
    public LlvmTarget Target { get; }

    private readonly Lock codegenLock = new();

    /// <summary>
    /// Compiles <paramref name="llvmIr"/> and returns the addresses of the functions named in <paramref name="symbols"/>.
    /// Only those functions are exported: every other definition in the module becomes internal, and the exported ones
    /// get process-unique names inside the JIT, so two modules may both define <c>kernel</c>. External functions the IR
    /// declares resolve to the process's symbols (libm's <c>expf</c>, for instance).
    /// </summary>
    /// <exception cref="LlvmException">
    /// The IR does not parse or verify, a symbol is not defined in the module, the pipeline fails, or code generation
    /// fails (an external function no library defines); the message names the module or symbol and carries LLVM's.
    /// </exception>
    public LlvmCompiledModule Compile(string llvmIr, IReadOnlyList<string> symbols, LlvmCompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(llvmIr);
        ArgumentNullException.ThrowIfNull(symbols);
        options ??= LlvmCompileOptions.Default;
        long id = Interlocked.Increment(ref modulesCompiled);
        var clock = Stopwatch.StartNew();
        var context = LlvmNative.LLVMOrcCreateNewThreadSafeContext();
        try
        {
            using var module = LlvmIrModule.Parse(LlvmNative.LLVMOrcThreadSafeContextGetContext(context), llvmIr, options.ModuleName);
            string[] jitNames = module.ExportOnly(symbols, $".kiln{id}");
            var parse = clock.Elapsed;
            using (var machine = LlvmTargetMachine.Create(Target, LLVMRelocMode.LLVMRelocDefault, LLVMCodeModel.LLVMCodeModelJITDefault))
            {
                module.SetTarget(machine);
                module.Optimize(machine, options.PassPipeline);
            }
            string? optimizedIr = options.KeepOptimizedIr ? module.Print() : null;
            var optimize = clock.Elapsed - parse;
            var tracker = LlvmNative.LLVMOrcJITDylibCreateResourceTracker(mainDylib);
            Dictionary<string, nint> functions;
            // LLJIT generates code on the looking-up thread with one shared TargetMachine: two lookups at once corrupt its
            // machine-code streamer ("LLVM ERROR: Emitting values inside a locked bundle is forbidden", which ends the
            // process). Parsing and optimising above run in parallel; adding and generating code take turns.
            lock (codegenLock)
            {
                functions = AddAndLookUp(module, context, tracker, symbols, jitNames);
            }
            var times = new LlvmCompileTimes(parse, optimize, clock.Elapsed - parse - optimize);
            return new LlvmCompiledModule(tracker, options.ModuleName, functions, times, optimizedIr);
        }
        finally
        {
            // Drops this handle only: a module added to the JIT keeps its context alive.
            LlvmNative.LLVMOrcDisposeThreadSafeContext(context);
        }
    }

    /// <summary>Frees the code and data of one compiled module; returns LLVM's message if it could not.</summary>
    internal static string? Remove(LLVMOrcResourceTrackerRef tracker)
    {
        string? error = LlvmStrings.TakeError(LlvmNative.LLVMOrcResourceTrackerRemove(tracker));
        LlvmNative.LLVMOrcReleaseResourceTracker(tracker);
        return error;
    }

    private Dictionary<string, nint> AddAndLookUp(
        LlvmIrModule module, LLVMOrcThreadSafeContextRef context, LLVMOrcResourceTrackerRef tracker,
        IReadOnlyList<string> symbols, string[] jitNames)
    {
        var threadSafeModule = LlvmNative.LLVMOrcCreateNewThreadSafeModule(module.Release(), context);
        string? error = LlvmStrings.TakeError(LlvmNative.LLVMOrcLLJITAddLLVMIRModuleWithRT(jit, tracker, threadSafeModule));
        if (error is not null)
        {
            Remove(tracker);
            throw new LlvmException($"LLVM could not add module '{module.Name}' to the JIT", error);
        }
        var functions = new Dictionary<string, nint>(symbols.Count, StringComparer.Ordinal);
        for (int i = 0; i < symbols.Count; i++)
        {
            // ORC generates the module's code on the first lookup, so this is where code generation errors surface; their
            // cause reaches the session's reporter, not the lookup's result.
            LlvmSessionErrors.Clear();
            error = LlvmStrings.TakeError(LlvmNative.LLVMOrcLLJITLookup(jit, out ulong address, jitNames[i]));
            if (error is not null)
            {
                string cause = LlvmSessionErrors.Take();
                // The lookup's error is the one to report; a failure to free the half-added module would only hide it.
                Remove(tracker);
                throw new LlvmException(
                    $"JIT compiling function '{symbols[i]}' of module '{module.Name}' failed", cause.Length == 0 ? error : $"{cause} ({error})");
            }
            functions.Add(symbols[i], checked((nint)address));
        }
        return functions;
    }
}
