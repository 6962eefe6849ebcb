using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Kiln.Frontend.Analyzers;

/// <summary>
/// Walks one method body's <see cref="IOperation"/> tree: reports every construct outside the scriptable subset and
/// hands the source methods it calls to the <see cref="ScriptWalk"/>, which walks them in turn. Constructs are
/// allowed by kind (an allow-list), so anything new in C# is reported rather than silently accepted.
/// </summary>
internal sealed class ScriptBodyWalker
{
    private readonly ScriptWalk walk;
    private readonly IMethodSymbol method;

    public ScriptBodyWalker(ScriptWalk walk, IMethodSymbol method)
    {
        this.walk = walk;
        this.method = method;
    }

    private ScriptSymbols Symbols => walk.Symbols;

    public void Visit(IOperation operation)
    {
        // A compile-time constant (nameof, const fields of any library) needs nothing at run time.
        if (operation.ConstantValue.HasValue) return;
        if (operation.Kind is OperationKind.DynamicInvocation or OperationKind.DynamicMemberReference
            or OperationKind.DynamicIndexerAccess or OperationKind.DynamicObjectCreation
            || operation.Type?.TypeKind == TypeKind.Dynamic)
        {
            Report(ScriptDiagnosticIds.Dynamic, operation, Text(operation.Syntax));
            return;
        }
        if (operation.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
        {
            Report(ScriptDiagnosticIds.Unsafe, operation, $"the pointer expression '{Text(operation.Syntax)}'");
            return;
        }
        if (VisitSpecial(operation)) return;
        if (IsPlainKind(operation.Kind)) VisitChildren(operation);
        else Report(ScriptDiagnosticIds.UnsupportedConstruct, operation, Describe(operation));
    }

    /// <summary>Kinds that are fine as they are; their children are checked.</summary>
    private static bool IsPlainKind(OperationKind kind) => kind switch
    {
        // Statements.
        OperationKind.Block or OperationKind.ExpressionStatement or OperationKind.VariableDeclarationGroup
            or OperationKind.VariableDeclaration or OperationKind.VariableInitializer or OperationKind.Return
            or OperationKind.Loop or OperationKind.Empty or OperationKind.MethodBody
        // Values and references.
            or OperationKind.Literal or OperationKind.LocalReference or OperationKind.ParameterReference
            or OperationKind.InstanceReference or OperationKind.ArrayElementReference or OperationKind.ImplicitIndexerReference
            or OperationKind.DeclarationExpression or OperationKind.Discard or OperationKind.DefaultValue
            or OperationKind.NameOf or OperationKind.SizeOf or OperationKind.Argument
        // Operators (user-defined ones are checked first, in VisitSpecial).
            or OperationKind.Binary or OperationKind.Unary or OperationKind.Conversion or OperationKind.Coalesce
            or OperationKind.TupleBinary or OperationKind.Range or OperationKind.Parenthesized
        // Construction: tuples, arrays, collections, object initializers (constructors are checked in VisitSpecial).
            or OperationKind.Tuple or OperationKind.ArrayCreation or OperationKind.ArrayInitializer
            or OperationKind.CollectionExpression or OperationKind.Spread or OperationKind.ObjectCreation
            or OperationKind.ObjectOrCollectionInitializer or OperationKind.MemberInitializer
        // Null checks and constant or relational patterns.
            or OperationKind.IsPattern or OperationKind.ConstantPattern or OperationKind.NegatedPattern
            or OperationKind.RelationalPattern or OperationKind.BinaryPattern or OperationKind.DiscardPattern => true,
        _ => false,
    };

    /// <summary>Handles the kinds with rules of their own; false when <paramref name="operation"/> is not one of them.</summary>
    private bool VisitSpecial(IOperation operation)
    {
        switch (operation)
        {
            case IInvalidOperation:
                return true; // the compiler reports it
            case IInvocationOperation invocation:
                VisitInvocation(invocation);
                return true;
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                VisitMemberUse(creation, constructor, follow: false);
                return true;
            case IPropertyReferenceOperation property:
                VisitMemberUse(property, property.Property.GetMethod ?? (ISymbol)property.Property, follow: !IsAssigned(property));
                return true;
            case IFieldReferenceOperation field:
                VisitMemberUse(field, field.Field, follow: false);
                return true;
            case IBinaryOperation or IUnaryOperation or IConversionOperation when UserOperator(operation) is { } op:
                VisitMemberUse(operation, op, follow: true);
                return true;
            case IAssignmentOperation assignment:
                VisitAssignment(assignment);
                return true;
            case IIncrementOrDecrementOperation step:
                CheckTarget(step.Target);
                VisitChildren(step);
                return true;
            case IVariableDeclaratorOperation declarator:
                if (declarator.Symbol.RefKind != RefKind.None)
                    Report(ScriptDiagnosticIds.RefOrOut, declarator, $"the ref local '{declarator.Symbol.Name}'");
                else VisitChildren(declarator);
                return true;
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                Report(ScriptDiagnosticIds.RefOrOut, argument, $"the {argument.Parameter.RefKind.ToString().ToLowerInvariant()} argument '{Text(argument.Syntax)}'");
                return true;
            case IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation }:
                Report(ScriptDiagnosticIds.ExceptionControlFlow, operation,
                    IsThrowStatement(operation) ? "a throw that is not an input guard" : "a throw expression");
                return true;
            case IConditionalOperation conditional:
                VisitConditional(conditional);
                return true;
            case IBranchOperation branch:
                if (branch.BranchKind == BranchKind.GoTo) Report(ScriptDiagnosticIds.Goto, branch, "'goto'");
                return true;
            case IBlockOperation { Syntax.Parent: UnsafeStatementSyntax unsafeBlock }:
                walk.Report(ScriptDiagnosticIds.Unsafe, unsafeBlock.UnsafeKeyword.GetLocation(), "an unsafe block");
                return true;
            default:
                return VisitUnsupportedKind(operation);
        }
    }

    /// <summary>The kinds that are never scriptable, each reported with the ID that names the problem.</summary>
    private bool VisitUnsupportedKind(IOperation operation)
    {
        switch (operation.Kind)
        {
            case OperationKind.Try:
                walk.Report(ScriptDiagnosticIds.ExceptionControlFlow,
                    operation.Syntax is TryStatementSyntax t ? t.TryKeyword.GetLocation() : operation.Syntax.GetLocation(), "a try statement");
                return true;
            case OperationKind.Labeled:
                var labeled = (ILabeledOperation)operation;
                walk.Report(ScriptDiagnosticIds.Goto,
                    labeled.Syntax is LabeledStatementSyntax l ? l.Identifier.GetLocation() : labeled.Syntax.GetLocation(), $"the label '{labeled.Label.Name}'");
                VisitChildren(labeled);
                return true;
            case OperationKind.Await:
                Report(ScriptDiagnosticIds.AsyncOrIterator, operation, "'await'");
                return true;
            case OperationKind.YieldReturn:
                Report(ScriptDiagnosticIds.AsyncOrIterator, operation, "'yield return'");
                return true;
            case OperationKind.YieldBreak:
                Report(ScriptDiagnosticIds.AsyncOrIterator, operation, "'yield break'");
                return true;
            case OperationKind.LocalFunction:
                var local = (ILocalFunctionOperation)operation;
                var name = local.Syntax is LocalFunctionStatementSyntax s ? s.Identifier.GetLocation() : local.Syntax.GetLocation();
                walk.Report(ScriptDiagnosticIds.AnonymousFunction, name, $"the local function '{local.Symbol.Name}'");
                return true;
            case OperationKind.AnonymousFunction:
                bool anonymousMethod = operation.Syntax.IsKind(SyntaxKind.AnonymousMethodExpression);
                Report(ScriptDiagnosticIds.AnonymousFunction, operation, anonymousMethod ? "an anonymous method" : "a lambda expression");
                return true;
            case OperationKind.DelegateCreation:
                VisitChildren(operation);
                return true;
            case OperationKind.MethodReference:
                Report(ScriptDiagnosticIds.DelegateOrEvent, operation, $"the method group '{Text(operation.Syntax)}' used as a delegate");
                return true;
            case OperationKind.EventReference or OperationKind.EventAssignment:
                Report(ScriptDiagnosticIds.DelegateOrEvent, operation, $"the event access '{Text(operation.Syntax)}'");
                return true;
            case OperationKind.TranslatedQuery:
                Report(ScriptDiagnosticIds.Linq, operation, "a query expression");
                return true;
            case OperationKind.AddressOf or OperationKind.FunctionPointerInvocation:
                Report(ScriptDiagnosticIds.Unsafe, operation, $"the pointer expression '{Text(operation.Syntax)}'");
                return true;
            case OperationKind.None when operation.Syntax is FixedStatementSyntax fixedStatement:
                walk.Report(ScriptDiagnosticIds.Unsafe, fixedStatement.FixedKeyword.GetLocation(), "a fixed statement");
                return true;
            default:
                return false;
        }
    }

    private void VisitInvocation(IInvocationOperation invocation)
    {
        var target = invocation.TargetMethod;
        if (target.MethodKind == MethodKind.DelegateInvoke)
        {
            Report(ScriptDiagnosticIds.DelegateOrEvent, invocation, $"the delegate call '{Text(invocation.Syntax)}'");
            return;
        }
        if (target.MethodKind == MethodKind.LocalFunction)
        {
            VisitChildren(invocation); // the local function itself is reported where it is declared
            return;
        }
        if (invocation.Instance is { } receiver && IsStateReference(receiver) && Symbols.MutatesReceiver(target))
            Report(ScriptDiagnosticIds.StateMutation, invocation, Text(receiver.Syntax));
        if (!VisitMemberUse(invocation, target, follow: true)) return;
        bool sameObject = invocation.Instance is null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };
        if (Symbols.OriginOf(target) == MemberOrigin.Source && sameObject)
            walk.AddSelfCall(method, target, invocation.Syntax.GetLocation());
    }

    /// <summary>
    /// Checks a use of <paramref name="member"/> (a call, constructor, property, field or operator): source members are
    /// followed (<paramref name="follow"/>) and library ones accepted, with their operands checked; LINQ and external
    /// members are reported without looking inside. Returns whether the use was accepted.
    /// </summary>
    private bool VisitMemberUse(IOperation use, ISymbol member, bool follow)
    {
        switch (Symbols.OriginOf(member))
        {
            case MemberOrigin.Linq:
                Report(ScriptDiagnosticIds.Linq, use, member.ContainingType.Name + "." + member.Name);
                return false;
            case MemberOrigin.External:
                Report(ScriptDiagnosticIds.ExternalMember, use, member.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat));
                return false;
            case MemberOrigin.Source:
                walk.UseType(member.ContainingType);
                if (follow && member is IMethodSymbol callee) walk.Follow(callee);
                break;
        }
        VisitChildren(use);
        return true;
    }

    private void VisitAssignment(IAssignmentOperation assignment)
    {
        if (assignment is ISimpleAssignmentOperation { IsRef: true })
        {
            Report(ScriptDiagnosticIds.RefOrOut, assignment, "a ref assignment");
            return;
        }
        if (assignment is ICompoundAssignmentOperation { OperatorMethod: { } op } && !VisitMemberUse(assignment, op, follow: true)) return;
        CheckTarget(assignment.Target);
        if (assignment is not ICompoundAssignmentOperation { OperatorMethod: not null }) VisitChildren(assignment);
    }

    /// <summary>Reports an assignment target that is module (or other object) state rather than a local.</summary>
    private void CheckTarget(IOperation target)
    {
        if (target is ITupleOperation tuple)
        {
            foreach (var element in tuple.Elements) CheckTarget(element);
            return;
        }
        bool state = target switch
        {
            IFieldReferenceOperation f => f.Field.IsStatic || !IsLocalValue(f.Instance),
            IPropertyReferenceOperation p => p.Property.IsStatic || (p.Property.IsIndexer ? IsStateReference(p.Instance!) : !IsLocalValue(p.Instance)),
            IArrayElementReferenceOperation a => IsStateReference(a.ArrayReference),
            _ => false,
        };
        if (state) Report(ScriptDiagnosticIds.StateMutation, target, Text(target.Syntax));
    }

    /// <summary>Whether <paramref name="receiver"/> denotes an object being initialised, or a struct held in a local or parameter.</summary>
    private static bool IsLocalValue(IOperation? receiver) => receiver switch
    {
        IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver } => true,
        ILocalReferenceOperation or IParameterReferenceOperation => receiver.Type?.IsValueType == true,
        _ => false,
    };

    /// <summary>Whether <paramref name="operation"/> reads a field or property: state of a module (or other object) rather than a local.</summary>
    private static bool IsStateReference(IOperation operation) => operation is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false };

    /// <summary>The operator method a binary, unary or conversion operation calls (Tensor's <c>+</c>, an implicit conversion), or null for a built-in one.</summary>
    private static IMethodSymbol? UserOperator(IOperation operation) => operation switch
    {
        IBinaryOperation binary => binary.OperatorMethod,
        IUnaryOperation unary => unary.OperatorMethod,
        IConversionOperation conversion => conversion.OperatorMethod,
        _ => null,
    };

    private static bool IsAssigned(IOperation operation) =>
        operation.Parent is IAssignmentOperation assignment && assignment.Target == operation;

    /// <summary><c>if (condition) throw ...;</c> with no else is an input guard: its throw is not checked.</summary>
    private void VisitConditional(IConditionalOperation conditional)
    {
        if (conditional.WhenFalse is null && IsThrowStatement(conditional.WhenTrue))
        {
            Visit(conditional.Condition);
            return;
        }
        VisitChildren(conditional);
    }

    /// <summary>A <c>throw</c> statement (Roslyn versions differ on wrapping it in an expression statement).</summary>
    private static bool IsThrowStatement(IOperation operation) => operation switch
    {
        IThrowOperation => operation.Syntax is ThrowStatementSyntax,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IBlockOperation { Operations.Length: 1 } block => IsThrowStatement(block.Operations[0]),
        _ => false,
    };

    private void VisitChildren(IOperation operation)
    {
        foreach (var child in operation.ChildOperations) Visit(child);
    }

    private void Report(string id, IOperation at, string what) => walk.Report(id, at.Syntax.GetLocation(), what);

    /// <summary>A name for a construct the allow-list rejects, for the KILN0016 message.</summary>
    private static string Describe(IOperation operation) => operation.Kind switch
    {
        OperationKind.Switch => "a switch statement",
        OperationKind.SwitchExpression => "a switch expression",
        OperationKind.Using or OperationKind.UsingDeclaration => "a using statement",
        OperationKind.Lock => "a lock statement",
        OperationKind.InterpolatedString => "string interpolation",
        OperationKind.ConditionalAccess => "the '?.' operator",
        OperationKind.With => "a 'with' expression",
        OperationKind.AnonymousObjectCreation => "an anonymous type",
        OperationKind.TypeOf => "typeof",
        OperationKind.IsType => "an 'is' type test",
        OperationKind.DeclarationPattern or OperationKind.TypePattern or OperationKind.RecursivePattern
            or OperationKind.ListPattern or OperationKind.SlicePattern => $"the pattern '{Text(operation.Syntax)}'",
        _ => $"'{Text(operation.Syntax)}'",
    };

    /// <summary>The first line of <paramref name="syntax"/>'s text, shortened, for messages.</summary>
    internal static string Text(SyntaxNode syntax)
    {
        const int Limit = 60;
        string text = syntax.ToString();
        int newline = text.IndexOfAny(new[] { '\r', '\n' });
        if (newline >= 0) text = text.Substring(0, newline).TrimEnd() + " ...";
        return text.Length <= Limit ? text : text.Substring(0, Limit) + "...";
    }
}
