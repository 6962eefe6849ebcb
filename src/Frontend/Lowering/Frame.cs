using Kiln.Frontend.Sources;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Lowering;

/// <summary>One method being lowered: its source program, the live object it runs on, and its locals' current values.</summary>
/// <param name="program">The program whose source declares the method.</param>
/// <param name="self">The live object (<c>this</c>), or null for a static method.</param>
internal sealed class Frame(ScriptProgram program, object? self)
{
    /// <summary>The program whose source declares the method.</summary>
    public ScriptProgram Program { get; } = program;

    /// <summary>The live object (<c>this</c>), or null for a static method.</summary>
    public object? Self { get; } = self;

    /// <summary>The current value of each parameter and local (script-time values or graph values).</summary>
    public Dictionary<ISymbol, object?> Locals { get; set; } = new(SymbolEqualityComparer.Default);

    /// <summary>The semantic model of <paramref name="syntax"/>'s file.</summary>
    public SemanticModel Model(SyntaxNode syntax) => Program.Model(syntax.SyntaxTree);
}

/// <summary>
/// What runs after the statement being lowered, when the method's remaining statements are known: the rest of
/// the enclosing statement lists, innermost first. A tensor-conditioned <c>if</c> that returns lowers the rest
/// into its branches. Inside loops the rest is not known (null).
/// </summary>
/// <param name="Statements">A statement list.</param>
/// <param name="Next">The index of the first statement still to run.</param>
/// <param name="Outer">What runs after this list, or null at the end of the method.</param>
internal sealed record Continuation(IReadOnlyList<IOperation> Statements, int Next, Continuation? Outer)
{
    /// <summary>The end of the method body: nothing runs after it.</summary>
    public static Continuation End { get; } = new([], 0, null);
}
