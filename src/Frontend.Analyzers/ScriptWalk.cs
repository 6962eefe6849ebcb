using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Analyzers;

/// <summary>
/// One run of the subset checker over a [Script] class: the methods still to walk (each once), the user types
/// reached, the diagnostics found, and the calls on the same object from which recursion is found at the end.
/// </summary>
internal sealed class ScriptWalk
{
    private readonly CancellationToken cancellation;
    private readonly List<Diagnostic> diagnostics = new();
    private readonly HashSet<IMethodSymbol> followed = new(SymbolEqualityComparer.Default);
    private readonly Queue<IMethodSymbol> pending = new();
    private readonly HashSet<INamedTypeSymbol> used = new(SymbolEqualityComparer.Default);
    private readonly List<INamedTypeSymbol> usedInOrder = new();
    private readonly List<SelfCall> selfCalls = new();
    private readonly Dictionary<SyntaxTree, SemanticModel> models = new();

    public ScriptWalk(ScriptSymbols symbols, CancellationToken cancellation)
    {
        Symbols = symbols;
        this.cancellation = cancellation;
    }

    public ScriptSymbols Symbols { get; }

    /// <summary>The diagnostics found so far.</summary>
    public List<Diagnostic> Diagnostics => diagnostics;

    /// <summary>The user types reached, in the order first reached.</summary>
    public IReadOnlyList<INamedTypeSymbol> UsedTypes => usedInOrder;

    public void Report(string id, Location location, string what) =>
        diagnostics.Add(ScriptDiagnostics.Create(id, location, what));

    /// <summary>Queues <paramref name="method"/> (a source method) to be walked, unless it already was.</summary>
    public void Follow(IMethodSymbol method)
    {
        var definition = Key(method);
        if (followed.Add(definition)) pending.Enqueue(definition);
    }

    /// <summary>Records a call from <paramref name="caller"/> to <paramref name="callee"/> on the same object (or a static call).</summary>
    public void AddSelfCall(IMethodSymbol caller, IMethodSymbol callee, Location at) =>
        selfCalls.Add(new SelfCall(Key(caller), Key(callee), at));

    /// <summary>
    /// Records that scripted code uses user type <paramref name="type"/> (its source is needed to script it), with its
    /// base types and the user types of its fields and properties; a user module held in a field has its
    /// <c>Forward</c> walked too, since the script may call it through a container.
    /// </summary>
    public void UseType(INamedTypeSymbol? type)
    {
        var definition = type?.OriginalDefinition;
        if (definition is null || !Symbols.HasSource(definition) || !used.Add(definition)) return;
        usedInOrder.Add(definition);
        UseType(definition.BaseType);
        foreach (var member in definition.GetMembers())
        {
            if (member is IFieldSymbol { IsImplicitlyDeclared: false } field) UseMemberType(field.Type);
            else if (member is IPropertySymbol property) UseMemberType(property.Type);
        }
    }

    /// <summary>Walks every queued method, and those they queue, to the end.</summary>
    public void Run()
    {
        while (pending.Count > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            var method = pending.Dequeue();
            UseType(method.ContainingType);
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                var node = reference.GetSyntax(cancellation);
                var body = Model(node.SyntaxTree).GetOperation(node, cancellation);
                if (body is not null) new ScriptBodyWalker(this, method).Visit(body);
            }
        }
        ReportRecursion();
    }

    private void UseMemberType(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                UseMemberType(array.ElementType);
                break;
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments) UseMemberType(argument);
                if (!Symbols.HasSource(named)) break;
                UseType(named);
                if (Symbols.IsModule(named) && !named.IsAbstract)
                {
                    var forwards = ScriptClassRules.PublicForwards(named);
                    if (forwards.Count == 1 && Symbols.HasSource(forwards[0])) Follow(forwards[0]);
                }
                break;
        }
    }

    /// <summary>Reports each same-object call that lies on a cycle of such calls (Tarjan's strongly connected components).</summary>
    private void ReportRecursion()
    {
        if (selfCalls.Count == 0) return;
        var component = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
        var index = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
        var lowLink = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
        var stack = new Stack<IMethodSymbol>();
        var onStack = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var edges = selfCalls.ToLookup(c => c.Caller, c => c.Callee, SymbolEqualityComparer.Default);

        void Connect(IMethodSymbol method)
        {
            index[method] = lowLink[method] = index.Count;
            stack.Push(method);
            onStack.Add(method);
            foreach (var callee in edges[method])
            {
                if (!index.ContainsKey(callee))
                {
                    Connect(callee);
                    lowLink[method] = System.Math.Min(lowLink[method], lowLink[callee]);
                }
                else if (onStack.Contains(callee))
                {
                    lowLink[method] = System.Math.Min(lowLink[method], index[callee]);
                }
            }
            if (lowLink[method] != index[method]) return;
            IMethodSymbol member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component[member] = index[method];
            }
            while (!SymbolEqualityComparer.Default.Equals(member, method));
        }

        foreach (var call in selfCalls)
        {
            if (!index.ContainsKey(call.Caller)) Connect(call.Caller);
        }
        foreach (var call in selfCalls)
        {
            if (component[call.Caller] == component[call.Callee])
                diagnostics.Add(ScriptDiagnostics.Create(ScriptDiagnosticIds.Recursion, call.At, Name(call.Callee)));
        }
    }

    /// <summary>A method's name for messages: <c>Type.Method</c>.</summary>
    private static string Name(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;

    /// <summary>The symbol that stands for a method: its generic definition's implementing part.</summary>
    private static IMethodSymbol Key(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        return definition.PartialImplementationPart ?? definition;
    }

    private SemanticModel Model(SyntaxTree tree)
    {
        if (!models.TryGetValue(tree, out var model))
            models[tree] = model = Symbols.Compilation.GetSemanticModel(tree);
        return model;
    }

    private sealed class SelfCall
    {
        public SelfCall(IMethodSymbol caller, IMethodSymbol callee, Location at)
        {
            Caller = caller;
            Callee = callee;
            At = at;
        }

        public IMethodSymbol Caller { get; }

        public IMethodSymbol Callee { get; }

        public Location At { get; }
    }
}
