using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Sources;
using Kiln.IR;
using Kiln.NN;
using Kiln.Scripting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Kiln.Frontend.Lowering;

/// <summary>
/// Lowers C# methods to a graph by partial evaluation: it walks each method's operation tree with the live
/// module, computing script-time values (ints, shapes, fields, loop bounds, conditions on them) in C# and
/// adding graph nodes for everything computed from tensors. This file holds the statements; the expressions,
/// calls and tensor control flow are in the other parts.
/// </summary>
internal sealed partial class ScriptLowerer
{
    /// <summary>The most iterations a loop over script-time values is unrolled to.</summary>
    public const int MaxUnrolledIterations = 10_000;

    private const int MaxCallDepth = 64;

    private readonly GraphCapture capture;
    private readonly CallSiteTracer tracer;
    private readonly List<Frame> frames = [];
    // The receivers of ?. and of object and collection initializers being evaluated, innermost on top.
    private readonly Stack<object?> implicitReceivers = new();
    private GraphBuilder builder;

    /// <summary>A lowerer adding to <paramref name="capture"/>'s graph, with the stand-in sizes for its symbolic dims.</summary>
    public ScriptLowerer(GraphCapture capture, StandIns standIns)
    {
        this.capture = capture;
        builder = new GraphBuilder(capture.Graph);
        tracer = new CallSiteTracer(capture, standIns);
    }

    private Frame Current => frames[^1];

    /// <summary>
    /// Lowers <paramref name="forward"/> of <paramref name="module"/> for inputs of <paramref name="inputTypes"/>:
    /// adds the graph's inputs, its nodes and its outputs.
    /// </summary>
    /// <exception cref="ScriptException">Something in the method cannot be lowered.</exception>
    public void LowerForward(Module module, ScriptProgram program, IMethodSymbol forward, IReadOnlyList<IrType> inputTypes)
    {
        var syntax = forward.DeclaringSyntaxReferences[0].GetSyntax();
        if (inputTypes.Count != forward.Parameters.Length)
            throw ScriptErrors.Lowering(syntax, $"Forward takes {forward.Parameters.Length} inputs but {inputTypes.Count} input types were given");
        var arguments = new object?[inputTypes.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            var parameter = forward.Parameters[i];
            var input = capture.Graph.AddInput(parameter.Name, inputTypes[i]);
            arguments[i] = inputTypes[i] switch
            {
                TensorValueType => new GraphTensor(input),
                ScalarType => new GraphScalar(input, RuntimeMembers.Type(parameter.Type)),
                _ => throw ScriptErrors.At(syntax, ScriptDiagnosticIds.UnsupportedForwardType, parameter.Name, inputTypes[i].ToString()!),
            };
        }
        var result = LowerMethod(program, forward, module, arguments, syntax);
        builder.Span = ScriptErrors.Span(syntax);
        capture.Graph.SetOutputs(Outputs(result, syntax));
    }

    /// <summary>Lowers a call of <paramref name="method"/> (with source in <paramref name="program"/>) on <paramref name="self"/>; its result.</summary>
    private object? LowerMethod(ScriptProgram program, IMethodSymbol method, object? self, object?[] arguments, SyntaxNode callSite)
    {
        var body = program.Body(method) ?? throw ScriptErrors.Lowering(callSite, $"'{method.Name}' has no body in the captured source");
        if (frames.Count >= MaxCallDepth)
            throw ScriptErrors.Lowering(callSite, $"calls nest deeper than {MaxCallDepth} methods (recursion that does not end at script time?)");
        var frame = new Frame(program, self);
        for (int i = 0; i < arguments.Length; i++) frame.Locals[method.Parameters[i]] = arguments[i];
        frames.Add(frame);
        try
        {
            var completion = body is IBlockOperation block
                ? ExecuteList(block.Operations, 0, Continuation.End)
                : Execute(body, Continuation.End);
            return completion.Kind switch
            {
                CompletionKind.Return => completion.Value,
                CompletionKind.Normal => null,
                _ => throw ScriptErrors.Lowering(body.Syntax, "break or continue outside a loop"),
            };
        }
        finally
        {
            frames.RemoveAt(frames.Count - 1);
        }
    }

    private Completion ExecuteList(IReadOnlyList<IOperation> statements, int start, Continuation? rest)
    {
        for (int i = start; i < statements.Count; i++)
        {
            var after = rest is null ? null : new Continuation(statements, i + 1, rest);
            var completion = Execute(statements[i], after);
            if (completion.Kind != CompletionKind.Normal) return completion;
        }
        return Completion.Normal;
    }

    /// <summary>Runs the statements of <paramref name="rest"/> and the lists around it, until one returns.</summary>
    private Completion ExecuteRest(Continuation? rest)
    {
        for (var c = rest; c is not null; c = c.Outer)
        {
            var completion = ExecuteList(c.Statements, c.Next, c.Outer);
            if (completion.Kind != CompletionKind.Normal) return completion;
        }
        return Completion.Normal;
    }

    private Completion Execute(IOperation statement, Continuation? rest)
    {
        builder.Span = ScriptErrors.Span(statement.Syntax);
        switch (statement)
        {
            case IBlockOperation block:
                return ExecuteList(block.Operations, 0, rest);
            case IVariableDeclarationGroupOperation group:
                foreach (var declaration in group.Declarations)
                {
                    foreach (var declarator in declaration.Declarators)
                        Declare(declarator, declarator.GetVariableInitializer() ?? declaration.Initializer);
                }
                return Completion.Normal;
            case IExpressionStatementOperation expression:
                Evaluate(expression.Operation);
                return Completion.Normal;
            case IReturnOperation ret:
                return new Completion(CompletionKind.Return, ret.ReturnedValue is null ? null : Evaluate(ret.ReturnedValue));
            case IConditionalOperation conditional:
                return ExecuteIf(conditional, rest);
            case IBranchOperation { BranchKind: BranchKind.Break }:
                return new Completion(CompletionKind.Break);
            case IBranchOperation { BranchKind: BranchKind.Continue }:
                return new Completion(CompletionKind.Continue);
            case IForLoopOperation loop:
                return ExecuteFor(loop);
            case IForEachLoopOperation loop:
                return ExecuteForEach(loop);
            case IWhileLoopOperation loop:
                return ExecuteWhile(loop);
            case IEmptyOperation:
                return Completion.Normal;
            case IThrowOperation:
                Evaluate(statement);
                return Completion.Normal;
            default:
                throw ScriptErrors.Unsupported(statement.Syntax, Describe(statement));
        }
    }

    private void Declare(IVariableDeclaratorOperation declarator, IVariableInitializerOperation? initializer) =>
        Current.Locals[declarator.Symbol] = initializer is null ? null : Evaluate(initializer.Value);

    private Completion ExecuteIf(IConditionalOperation conditional, Continuation? rest)
    {
        var condition = Evaluate(conditional.Condition);
        if (condition is bool taken)
        {
            var branch = taken ? conditional.WhenTrue : conditional.WhenFalse;
            return branch is null ? Completion.Normal : Execute(branch, rest);
        }
        return LowerTensorIf(conditional, GraphCondition(condition, conditional.Condition), rest);
    }

    private Completion ExecuteFor(IForLoopOperation loop)
    {
        foreach (var before in loop.Before) Execute(before, null);
        return Unroll(loop, loop.Condition, loop.Body, loop.AtLoopBottom, conditionIsTop: true);
    }

    private Completion ExecuteWhile(IWhileLoopOperation loop)
    {
        if (loop.ConditionIsUntil) throw ScriptErrors.Unsupported(loop.Syntax, "an until loop");
        return Unroll(loop, loop.Condition, loop.Body, [], loop.ConditionIsTop);
    }

    /// <summary>
    /// Runs a for or while loop at script time while its condition is a script-time bool, unrolling the body;
    /// once the condition depends on tensor data, the remaining iterations become one Loop node.
    /// </summary>
    private Completion Unroll(ILoopOperation loop, IOperation? conditionOperation, IOperation body, IReadOnlyList<IOperation> atBottom, bool conditionIsTop)
    {
        for (int iteration = 0; ; iteration++)
        {
            if (conditionOperation is not null && (conditionIsTop || iteration > 0))
            {
                var condition = Evaluate(conditionOperation);
                if (condition is not bool go) return LowerTensorLoop(loop, conditionOperation, body, atBottom, GraphCondition(condition, conditionOperation));
                if (!go) return Completion.Normal;
            }
            CheckIterations(loop, iteration);
            var completion = Execute(body, null);
            if (completion.Kind == CompletionKind.Break) return Completion.Normal;
            if (completion.Kind == CompletionKind.Return) return completion;
            foreach (var step in atBottom) Execute(step, null);
        }
    }

    private Completion ExecuteForEach(IForEachLoopOperation loop)
    {
        var collection = Evaluate(loop.Collection);
        var items = collection switch
        {
            ScriptList list => list.Items.ToList(),
            System.Collections.IEnumerable sequence and not string => sequence.Cast<object?>().Select(Import).ToList(),
            _ => throw ScriptErrors.At(loop.Collection.Syntax, ScriptDiagnosticIds.NotScriptTimeConstant, ScriptErrors.Shorten(loop.Collection.Syntax)),
        };
        for (int iteration = 0; iteration < items.Count; iteration++)
        {
            CheckIterations(loop, iteration);
            Assign(loop.LoopControlVariable, items[iteration]);
            var completion = Execute(loop.Body, null);
            if (completion.Kind == CompletionKind.Break) break;
            if (completion.Kind == CompletionKind.Return) return completion;
        }
        return Completion.Normal;
    }

    private static void CheckIterations(ILoopOperation loop, int iteration)
    {
        if (iteration >= MaxUnrolledIterations)
            throw ScriptErrors.At(loop.Syntax, ScriptDiagnosticIds.UnrolledLoopTooLong, "at least " + (MaxUnrolledIterations + 1), MaxUnrolledIterations);
    }

    private static string Describe(IOperation operation) => operation.Kind switch
    {
        OperationKind.Try => "a try statement",
        OperationKind.Using or OperationKind.UsingDeclaration => "a using statement",
        OperationKind.Lock => "a lock statement",
        OperationKind.Switch => "a switch statement",
        OperationKind.LocalFunction => "a local function",
        OperationKind.Labeled or OperationKind.Branch => "a goto or label",
        _ => $"'{ScriptErrors.Shorten(operation.Syntax)}' ({operation.Kind})",
    };
}
