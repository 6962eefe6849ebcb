using System.Collections.Concurrent;
using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Lowering;
using Kiln.Frontend.Sources;
using Kiln.IR;
using Kiln.NN;
using Kiln.Scripting;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend;

/// <summary>
/// The Roslyn script frontend that <c>Jit.Script</c> finds by reflection: it compiles the C# source the Kiln
/// source generator captured for a [Script] module, checks it with the same subset checker the build-time analyzer
/// runs, and lowers <c>Forward</c> from its operation tree with the live module (partial evaluation): script-time
/// values are computed in C#, tensor values become graph nodes, and calls into Kiln are captured by call-site tracing.
/// </summary>
/// <remarks>
/// A graph lowered for input types with symbolic dims is symbolic only where that is checked; where a symbolic dim
/// is needed as a C# value (or a library call bakes a size in), <see cref="Lower"/> throws a <see cref="ScriptException"/>
/// with diagnostic KILN0202 and the caller scripts again with concrete shapes.
/// </remarks>
public sealed class RoslynScriptFrontend : IScriptFrontend
{
    private static readonly ConcurrentDictionary<Type, IMethodSymbol> Checked = new();

    /// <inheritdoc/>
    public void Lower(Module module, IReadOnlyList<IrType> inputTypes, GraphCapture capture)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(inputTypes);
        ArgumentNullException.ThrowIfNull(capture);
        var type = module.GetType();
        var program = ScriptProgram.For(type);
        var forward = Checked.GetOrAdd(type, _ => Check(program, type));
        StandIns standIns;
        try
        {
            standIns = StandIns.For(inputTypes);
        }
        catch (ArgumentException e)
        {
            throw new ScriptException(e.Message, e);
        }
        new ScriptLowerer(capture, standIns).LowerForward(module, program, forward, inputTypes);
    }

    /// <summary>Runs the subset checker on the class; its Forward method when the class passes.</summary>
    private static IMethodSymbol Check(ScriptProgram program, Type type)
    {
        var symbol = program.SourceType(type) ?? throw ScriptErrors.NoSource(type);
        var result = ScriptSubsetChecker.Check(program.Compilation, symbol);
        if (ScriptErrors.FromChecker(result.Diagnostics) is { } errors) throw errors;
        return result.Forward ?? throw ScriptErrors.At(symbol.DeclaringSyntaxReferences[0].GetSyntax(), ScriptDiagnosticIds.NoSingleForward, type.Name, 0);
    }
}
