using Kiln.Frontend.Sources;
using Kiln.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Kiln.Frontend.Lowering;

/// <summary>
/// Control flow on tensor data: <c>if</c> and <c>?:</c> become If nodes (both branches lowered, the locals they
/// assign merged as results; an if that returns takes the rest of the method into its branches), and a loop
/// whose condition depends on tensor data becomes a Loop node carrying the locals its body assigns.
/// </summary>
internal sealed partial class ScriptLowerer
{
    // How many If/Loop blocks enclose the node being lowered.
    private int regionDepth;

    private Completion LowerTensorIf(IConditionalOperation conditional, Value condition, Continuation? rest)
    {
        var (returns, escapes) = Jumps([conditional.WhenTrue, conditional.WhenFalse]);
        if (escapes) throw ScriptErrors.Unsupported(conditional.Syntax, "break or continue inside an if on tensor data");
        if (returns)
        {
            if (rest is null)
                throw ScriptErrors.Lowering(conditional.Syntax, "a return inside an if on tensor data is supported outside loops only");
            var result = BuildIf(condition, conditional,
                () => Returned(Execute(conditional.WhenTrue, rest), rest, conditional.WhenTrue),
                () => Returned(conditional.WhenFalse is null ? Completion.Normal : Execute(conditional.WhenFalse, rest), rest, conditional));
            return new Completion(CompletionKind.Return, result);
        }
        var written = WrittenLocals(conditional.Syntax);
        var merged = (ScriptTuple)BuildIf(condition, conditional,
            () => Locals(written, conditional.WhenTrue),
            () => Locals(written, conditional.WhenFalse))!;
        for (int i = 0; i < written.Count; i++) Current.Locals[written[i]] = merged.Items[i];
        return Completion.Normal;
    }

    private object? LowerTensorConditional(IConditionalOperation conditional, Value condition) =>
        BuildIf(condition, conditional, () => Evaluate(conditional.WhenTrue), () => Evaluate(conditional.WhenFalse!));

    /// <summary>Runs a branch, then (when it falls through) the rest of the method; what it returns.</summary>
    private object? Returned(Completion completion, Continuation rest, IOperation branch)
    {
        if (completion.Kind == CompletionKind.Normal) completion = ExecuteRest(rest);
        return completion.Kind == CompletionKind.Return ? completion.Value
            : throw ScriptErrors.Lowering(branch.Syntax, "a branch of an if on tensor data ends without returning");
    }

    /// <summary>Runs a branch (when there is one); the values of <paramref name="written"/> after it.</summary>
    private ScriptTuple Locals(IReadOnlyList<ISymbol> written, IOperation? branch)
    {
        if (branch is not null)
        {
            var completion = Execute(branch, null);
            if (completion.Kind != CompletionKind.Normal) throw ScriptErrors.Lowering(branch.Syntax, "a jump out of an if on tensor data");
        }
        return new ScriptTuple([.. written.Select(s => Current.Locals[s])]);
    }

    /// <summary>An If node on <paramref name="condition"/> whose branches yield values of the same layout; the merged value.</summary>
    private object? BuildIf(Value condition, IOperation site, Func<object?> then, Func<object?> otherwise)
    {
        var outer = Current.Locals;
        object? thenValue = null, elseValue = null;
        Value[] results;
        try
        {
            results = builder.If(condition,
                b => InBlock(b, outer, () => Flatten(thenValue = then(), site.Syntax)),
                b => InBlock(b, outer, () => Flatten(elseValue = otherwise(), site.Syntax)));
        }
        catch (IrException e)
        {
            throw ScriptErrors.Lowering(site.Syntax, "the branches of an if on tensor data give values of different types: " + e.Message, e);
        }
        if (Layout(thenValue) != Layout(elseValue))
            throw ScriptErrors.Lowering(site.Syntax, $"the branches of an if on tensor data give {Layout(thenValue)} and {Layout(elseValue)}");
        var queue = new Queue<Value>(results);
        return Rebuild(thenValue, queue);
    }

    private Completion LowerTensorLoop(ILoopOperation loop, IOperation conditionOperation, IOperation body, IReadOnlyList<IOperation> atBottom, Value condition)
    {
        var (returns, escapes) = Jumps([body]);
        if (returns || escapes)
            throw ScriptErrors.Unsupported(loop.Syntax, "return, break or continue inside a loop whose condition depends on tensor data");
        var carried = WrittenLocals(loop.Syntax);
        var initial = new ScriptTuple([.. carried.Select(s => Current.Locals[s])]);
        var outer = Current.Locals;
        Value[] results;
        try
        {
            results = builder.Loop(builder.Constant(long.MaxValue), Flatten(initial, loop.Syntax), (b, _, parameters) => InBlock(b, outer, () =>
            {
                var state = (ScriptTuple)Rebuild(initial, new Queue<Value>(parameters))!;
                for (int i = 0; i < carried.Count; i++) Current.Locals[carried[i]] = state.Items[i];
                if (Execute(body, null).Kind != CompletionKind.Normal) throw ScriptErrors.Lowering(body.Syntax, "a jump out of a loop on tensor data");
                foreach (var step in atBottom) Execute(step, null);
                var next = Evaluate(conditionOperation);
                var go = next is bool ? Materialize(next, conditionOperation.Syntax) : GraphCondition(next, conditionOperation);
                return new LoopStep(Flatten(new ScriptTuple([.. carried.Select(s => Current.Locals[s])]), loop.Syntax), go);
            }), condition);
        }
        catch (IrException e)
        {
            throw ScriptErrors.Lowering(loop.Syntax, "a local carried by a loop on tensor data changes type: " + e.Message, e);
        }
        var final = (ScriptTuple)Rebuild(initial, new Queue<Value>(results))!;
        for (int i = 0; i < carried.Count; i++) Current.Locals[carried[i]] = final.Items[i];
        return Completion.Normal;
    }

    /// <summary>Lowers into block <paramref name="block"/>'s builder, starting from the locals <paramref name="locals"/>, then restores the outer state.</summary>
    private T InBlock<T>(GraphBuilder block, Dictionary<ISymbol, object?> locals, Func<T> lower)
    {
        var outerBuilder = builder;
        var outerLocals = Current.Locals;
        builder = block;
        Current.Locals = new Dictionary<ISymbol, object?>(locals, SymbolEqualityComparer.Default);
        regionDepth++;
        try
        {
            return lower();
        }
        finally
        {
            regionDepth--;
            builder = outerBuilder;
            Current.Locals = outerLocals;
        }
    }

    /// <summary>The graph values a value is made of (tensors, scalars, the elements of tuples and lists), in order.</summary>
    private List<Value> Flatten(object? value, SyntaxNode site)
    {
        var values = new List<Value>();
        void Add(object? v)
        {
            switch (v)
            {
                case ScriptTuple tuple:
                    foreach (var item in tuple.Items) Add(item);
                    break;
                case ScriptList list:
                    foreach (var item in list.Items) Add(item);
                    break;
                default:
                    values.Add(Materialize(v, site));
                    break;
            }
        }
        Add(value);
        return values;
    }

    /// <summary>A value of the same layout as <paramref name="template"/> made of the next values of <paramref name="values"/>.</summary>
    private static object? Rebuild(object? template, Queue<Value> values) => template switch
    {
        ScriptTuple tuple => new ScriptTuple([.. tuple.Items.Select(i => Rebuild(i, values))]),
        ScriptList list => new ScriptList([.. list.Items.Select(i => Rebuild(i, values))], list.ClrType),
        GraphTensor or Tensor => new GraphTensor(values.Dequeue()),
        GraphScalar s => new GraphScalar(values.Dequeue(), s.ClrType),
        _ => new GraphScalar(values.Dequeue(), template!.GetType()),
    };

    /// <summary>The layout of a value for messages and branch checks: <c>(tensor, [tensor, tensor], Int64)</c>.</summary>
    private static string Layout(object? value) => value switch
    {
        ScriptTuple tuple => "(" + string.Join(", ", tuple.Items.Select(Layout)) + ")",
        ScriptList list => "[" + string.Join(", ", list.Items.Select(Layout)) + "]",
        GraphTensor or Tensor => "tensor",
        GraphScalar s => s.ClrType.Name,
        null => "null",
        _ => value.GetType().Name,
    };

    /// <summary>The graph outputs for Forward's result: a tuple's elements are separate outputs; nested tuples and lists become tuple and list values.</summary>
    private List<Value> Outputs(object? result, SyntaxNode syntax)
    {
        return result is ScriptTuple tuple ? [.. tuple.Items.Select(i => Output(i, syntax))] : [Output(result, syntax)];
    }

    private Value Output(object? value, SyntaxNode site)
    {
        switch (value)
        {
            case ScriptTuple tuple:
                return builder.Tuple([.. tuple.Items.Select(i => Output(i, site))]);
            case ScriptList list:
                var items = list.Items.Select(i => Output(i, site)).ToArray();
                if (items.Length == 0) throw ScriptErrors.Lowering(site, "Forward returns an empty list, whose element type a graph cannot know");
                return builder.List(items[0].Type, items);
            default:
                return Materialize(value, site);
        }
    }

    /// <summary>The locals declared before <paramref name="syntax"/> that it assigns (what an If merges and a Loop carries).</summary>
    private List<ISymbol> WrittenLocals(SyntaxNode syntax)
    {
        var model = Current.Model(syntax);
        var flow = syntax is StatementSyntax statement ? model.AnalyzeDataFlow(statement) : model.AnalyzeDataFlow((ExpressionSyntax)syntax);
        return [.. flow!.WrittenInside.Where(s => Current.Locals.ContainsKey(s)
            && !s.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == syntax.SyntaxTree && syntax.Span.Contains(r.Span)))];
    }

    /// <summary>Whether <paramref name="operations"/> contain a return, and a break or continue that leaves them.</summary>
    private static (bool Returns, bool Escapes) Jumps(IEnumerable<IOperation?> operations)
    {
        bool returns = false, escapes = false;
        void Scan(IOperation operation, bool inLoop)
        {
            if (operation is IReturnOperation) returns = true;
            if (operation is IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue } && !inLoop) escapes = true;
            foreach (var child in operation.ChildOperations) Scan(child, inLoop || operation is ILoopOperation);
        }
        foreach (var operation in operations)
        {
            if (operation is not null) Scan(operation, inLoop: false);
        }
        return (returns, escapes);
    }
}
