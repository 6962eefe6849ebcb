using System.Reflection;
using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Sources;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace Kiln.Frontend.Lowering;

/// <summary>Expressions: script-time values computed in C#, tensor values as graph nodes.</summary>
internal sealed partial class ScriptLowerer
{
    private object? Evaluate(IOperation operation)
    {
        if (operation.ConstantValue.HasValue) return Constant(operation);
        switch (operation)
        {
            case ILocalReferenceOperation local:
                return Read(local.Local, operation);
            case IParameterReferenceOperation parameter:
                return Read(parameter.Parameter, operation);
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }:
                return implicitReceivers.Peek();
            case IInstanceReferenceOperation:
                return Current.Self;
            case IFieldReferenceOperation field:
                return ReadField(field);
            case IPropertyReferenceOperation property:
                return ReadProperty(property);
            case IArrayElementReferenceOperation element:
                return ReadElement(element);
            case IInvocationOperation invocation:
                return Invoke(invocation);
            case IObjectCreationOperation creation:
                return Create(creation);
            case IArrayCreationOperation array:
                return CreateArray(array);
            case ICollectionExpressionOperation collection:
                return CreateCollection(collection);
            case IConversionOperation conversion:
                return Convert(conversion);
            case IBinaryOperation binary:
                return Binary(binary);
            case IUnaryOperation unary:
                return Unary(unary);
            case IConditionalOperation conditional:
                return Conditional(conditional);
            case ICoalesceOperation coalesce:
                return Evaluate(coalesce.Value) ?? Evaluate(coalesce.WhenNull);
            case IConditionalAccessOperation access:
                return ConditionalAccess(access);
            case IConditionalAccessInstanceOperation:
                return implicitReceivers.Peek();
            case ISimpleAssignmentOperation assignment:
                return Assign(assignment.Target, Evaluate(assignment.Value));
            case ICompoundAssignmentOperation compound:
                return Assign(compound.Target, Operator(compound, compound.OperatorKind, compound.OperatorMethod,
                    Evaluate(compound.Target), Evaluate(compound.Value), compound.IsChecked));
            case IIncrementOrDecrementOperation step:
                return Increment(step);
            case ITupleOperation tuple:
                return new ScriptTuple([.. tuple.Elements.Select(Evaluate)]);
            case IDeconstructionAssignmentOperation deconstruction:
                return Assign(deconstruction.Target, Evaluate(deconstruction.Value));
            case IDeclarationExpressionOperation declaration:
                return Evaluate(declaration.Expression);
            case IDefaultValueOperation:
                return operation.Type is { IsValueType: true } type ? Activator.CreateInstance(RuntimeMembers.Type(type)) : null;
            case IRangeOperation range:
                return new Range(range.LeftOperand is null ? Index.Start : AsIndex(Evaluate(range.LeftOperand)),
                    range.RightOperand is null ? Index.End : AsIndex(Evaluate(range.RightOperand)));
            case ITypeOfOperation typeOf:
                return RuntimeMembers.Type(typeOf.TypeOperand);
            case IIsPatternOperation isPattern:
                return Matches(Evaluate(isPattern.Value), isPattern.Pattern);
            case IInterpolatedStringOperation interpolated:
                return string.Concat(interpolated.Parts.Select(p => p switch
                {
                    IInterpolatedStringTextOperation text => Evaluate(text.Text)?.ToString(),
                    IInterpolationOperation hole => System.Convert.ToString(ScriptTime(Evaluate(hole.Expression), hole.Expression), System.Globalization.CultureInfo.InvariantCulture),
                    _ => throw ScriptErrors.Unsupported(p.Syntax, "this interpolated string part"),
                }));
            case IThrowOperation thrown:
                throw Thrown(thrown);
            default:
                throw ScriptErrors.Unsupported(operation.Syntax, Describe(operation));
        }
    }

    private static object? Constant(IOperation operation)
    {
        var value = operation.ConstantValue.Value;
        return value is not null && operation.Type is { TypeKind: TypeKind.Enum } type ? Enum.ToObject(RuntimeMembers.Type(type), value) : value;
    }

    private object? Read(ISymbol symbol, IOperation operation) =>
        Current.Locals.TryGetValue(symbol, out var value) ? value
            : throw ScriptErrors.Lowering(operation.Syntax, $"'{symbol.Name}' is read before it is assigned");

    private object? ReadField(IFieldReferenceOperation operation)
    {
        var field = operation.Field;
        var receiver = operation.Instance is null ? null : Evaluate(operation.Instance);
        if (receiver is ScriptTuple tuple && field.ContainingType.IsTupleType)
            return tuple.Items[int.Parse((field.CorrespondingTupleField ?? field).Name.AsSpan("Item".Length), System.Globalization.CultureInfo.InvariantCulture) - 1];
        if (receiver is GraphTensor or GraphScalar or ScriptList)
            throw ScriptErrors.Lowering(operation.Syntax, $"field '{field.Name}' of a graph value");
        return Import(RuntimeMembers.Field(field).GetValue(receiver));
    }

    private object? ReadProperty(IPropertyReferenceOperation operation)
    {
        var property = operation.Property;
        var receiver = operation.Instance is null ? null : Evaluate(operation.Instance);
        var arguments = Arguments(operation.Arguments, property.Parameters.Length);
        switch (receiver)
        {
            case ScriptList list when property.IsIndexer:
                return list.Items[ListIndex(list, arguments[0], operation)];
            case ScriptList list when property.Name is "Count" or "Length":
                return list.Items.Count;
            case SymbolicShape shape when property.Name == "Length":
                return shape.Dims.Count;
            case GraphTensor tensor when property.Name == nameof(Tensor.Shape) && IsKiln(property.ContainingType):
                return Shape(tensor, operation.Syntax);
        }
        var getter = property.GetMethod ?? throw ScriptErrors.Lowering(operation.Syntax, $"property '{property.Name}' has no getter");
        return Call(operation, getter, receiver, arguments);
    }

    private object? ReadElement(IArrayElementReferenceOperation operation)
    {
        var array = Evaluate(operation.ArrayReference);
        var indices = operation.Indices.Select(i => ScriptTime(Evaluate(i), i)).ToArray();
        return array switch
        {
            ScriptList list when indices.Length == 1 => list.Items[ListIndex(list, indices[0], operation)],
            SymbolicShape shape when indices.Length == 1 => SymbolicDim(shape, indices[0], operation.Syntax),
            Array real => Import(real.GetValue([.. indices.Select(i => System.Convert.ToInt64(i, System.Globalization.CultureInfo.InvariantCulture))])),
            _ => throw ScriptErrors.Lowering(operation.Syntax, $"indexing {ScriptArithmetic.Describe(array)}"),
        };
    }

    private object? Convert(IConversionOperation operation)
    {
        var operand = Evaluate(operation.Operand);
        if (operation.OperatorMethod is { } method) return Call(operation, method, null, [operand]);
        var conversion = operation.GetConversion();
        if (operand is null || operation.Type is null || conversion.IsIdentity || conversion.IsReference || conversion.IsBoxing
            || conversion.IsUnboxing || conversion.IsTupleLiteralConversion || conversion.IsTupleConversion || conversion.IsCollectionExpression)
        {
            return operand;
        }
        var target = RuntimeMembers.Type(operation.Type);
        target = Nullable.GetUnderlyingType(target) ?? target;
        return operand switch
        {
            GraphScalar scalar => ConvertScalar(scalar, target, operation),
            _ when operand.GetType() == target => operand,
            _ when target.IsPrimitive || target.IsEnum || target == typeof(decimal) =>
                Guard(operation, () => ScriptArithmetic.Convert(ScriptTime(operand, operation.Operand)!, target, operation.IsChecked)),
            _ => throw ScriptErrors.Unsupported(operation.Syntax, $"the conversion of '{ScriptErrors.Shorten(operation.Operand.Syntax)}' to {operation.Type}"),
        };
    }

    private object? Binary(IBinaryOperation operation)
    {
        var left = Evaluate(operation.LeftOperand);
        if (left is bool b && operation.OperatorMethod is null
            && (operation.OperatorKind == BinaryOperatorKind.ConditionalAnd && !b || operation.OperatorKind == BinaryOperatorKind.ConditionalOr && b))
        {
            return b;
        }
        return Operator(operation, operation.OperatorKind, operation.OperatorMethod, left, Evaluate(operation.RightOperand), operation.IsChecked);
    }

    /// <summary>A binary operator: a call of the user-defined operator (tensor operators), graph scalar arithmetic, or C# arithmetic.</summary>
    private object? Operator(IOperation operation, BinaryOperatorKind kind, IMethodSymbol? method, object? left, object? right, bool isChecked)
    {
        if (method is not null) return Call(operation, method, null, [left, right]);
        if (left is GraphScalar || right is GraphScalar) return ScalarBinary(kind, left, right, operation);
        return Guard(operation, () => ScriptArithmetic.Binary(kind, ScriptTime(left, operation), ScriptTime(right, operation), isChecked));
    }

    private object? Unary(IUnaryOperation operation)
    {
        var operand = Evaluate(operation.Operand);
        if (operation.OperatorMethod is { } method) return Call(operation, method, null, [operand]);
        if (operand is GraphScalar scalar) return ScalarUnary(operation.OperatorKind, scalar, operation);
        return Guard(operation, () => ScriptArithmetic.Unary(operation.OperatorKind, ScriptTime(operand, operation.Operand), operation.IsChecked));
    }

    private object? Increment(IIncrementOrDecrementOperation operation)
    {
        var old = Evaluate(operation.Target);
        var kind = operation.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract;
        var one = old is null ? 1 : ScriptArithmetic.Convert(1, old is GraphScalar s ? s.ClrType : old.GetType(), isChecked: false);
        var updated = operation.OperatorMethod is { } method
            ? Call(operation, method, null, [old])
            : Operator(operation, kind, null, old, one, operation.IsChecked);
        Assign(operation.Target, updated);
        return operation.IsPostfix ? old : updated;
    }

    private object? Conditional(IConditionalOperation operation)
    {
        var condition = Evaluate(operation.Condition);
        if (condition is bool taken) return Evaluate(taken ? operation.WhenTrue : operation.WhenFalse!);
        return LowerTensorConditional(operation, GraphCondition(condition, operation.Condition));
    }

    private object? ConditionalAccess(IConditionalAccessOperation operation)
    {
        var receiver = Evaluate(operation.Operation);
        if (receiver is null) return null;
        implicitReceivers.Push(receiver);
        try
        {
            return Evaluate(operation.WhenNotNull);
        }
        finally
        {
            implicitReceivers.Pop();
        }
    }

    private object? Assign(IOperation target, object? value)
    {
        switch (target)
        {
            case ILocalReferenceOperation local:
                Current.Locals[local.Local] = value;
                break;
            case IParameterReferenceOperation parameter:
                Current.Locals[parameter.Parameter] = value;
                break;
            case IVariableDeclaratorOperation declarator:
                Current.Locals[declarator.Symbol] = value;
                break;
            case IDeclarationExpressionOperation declaration:
                Assign(declaration.Expression, value);
                break;
            case IDiscardOperation:
                break;
            case ITupleOperation tuple:
                var items = value as ScriptTuple ?? throw ScriptErrors.Lowering(target.Syntax, $"deconstructing {ScriptArithmetic.Describe(value)}");
                for (int i = 0; i < tuple.Elements.Length; i++) Assign(tuple.Elements[i], items.Items[i]);
                break;
            case IArrayElementReferenceOperation element when Evaluate(element.ArrayReference) is var array:
                var indices = element.Indices.Select(i => ScriptTime(Evaluate(i), i)).ToArray();
                if (array is ScriptList list && indices.Length == 1) list.Items[ListIndex(list, indices[0], element)] = value;
                else if (array is Array real) real.SetValue(ScriptTime(value, target), [.. indices.Select(i => System.Convert.ToInt64(i, System.Globalization.CultureInfo.InvariantCulture))]);
                else throw ScriptErrors.Lowering(target.Syntax, $"assigning an element of {ScriptArithmetic.Describe(array)}");
                break;
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance is not null && Evaluate(indexer.Instance) is ScriptList indexed:
                indexed.Items[ListIndex(indexed, Evaluate(indexer.Arguments[0].Value), indexer)] = value;
                break;
            case IFieldReferenceOperation or IPropertyReferenceOperation:
                throw ScriptErrors.At(target.Syntax, ScriptDiagnosticIds.StateMutation, ScriptErrors.Shorten(target.Syntax));
            default:
                throw ScriptErrors.Unsupported(target.Syntax, $"assigning to '{ScriptErrors.Shorten(target.Syntax)}'");
        }
        return value;
    }

    private bool Matches(object? value, IPatternOperation pattern) => pattern switch
    {
        IConstantPatternOperation constant => MatchesConstant(value, Evaluate(constant.Value), pattern),
        INegatedPatternOperation negated => !Matches(value, negated.Pattern),
        IDiscardPatternOperation => true,
        ITypePatternOperation type => IsOfType(value, type.MatchedType),
        IDeclarationPatternOperation declaration => IsOfType(value, declaration.MatchedType) && Declared(declaration, value),
        IBinaryPatternOperation binary => binary.OperatorKind == BinaryOperatorKind.Or
            ? Matches(value, binary.LeftPattern) || Matches(value, binary.RightPattern)
            : Matches(value, binary.LeftPattern) && Matches(value, binary.RightPattern),
        _ => throw ScriptErrors.Unsupported(pattern.Syntax, "this pattern"),
    };

    private bool Declared(IDeclarationPatternOperation declaration, object? value)
    {
        if (declaration.DeclaredSymbol is { } symbol) Current.Locals[symbol] = value;
        return true;
    }

    private static bool MatchesConstant(object? value, object? constant, IPatternOperation pattern)
    {
        if (!IsGraphValue(value)) return Equals(value, constant);
        // Graph values are never null, so a null test is decided at script time; other constants would test data.
        return constant is null ? false : throw ScriptErrors.At(pattern.Syntax, ScriptDiagnosticIds.NotScriptTimeConstant, ScriptErrors.Shorten(pattern.Syntax));
    }

    private static bool IsGraphValue(object? value) => value is GraphTensor or GraphScalar or ScriptList or ScriptTuple;

    private static bool IsOfType(object? value, ITypeSymbol? type) => value switch
    {
        null => false,
        GraphTensor => type is null || RuntimeMembers.Type(type).IsAssignableFrom(typeof(Tensor)),
        GraphScalar s => type is null || RuntimeMembers.Type(type).IsAssignableFrom(s.ClrType),
        ScriptList l => type is null || RuntimeMembers.Type(type).IsAssignableFrom(l.ClrType),
        _ => type is null || RuntimeMembers.Type(type).IsInstanceOfType(value),
    };

    private ScriptException Thrown(IThrowOperation thrown)
    {
        string message = thrown.Exception is IObjectCreationOperation creation
            ? string.Join(", ", creation.Arguments.Select(a => Evaluate(a.Value) is var v && IsGraphValue(v) ? "<graph value>" : v?.ToString()))
            : ScriptErrors.Shorten(thrown.Syntax);
        return ScriptErrors.Lowering(thrown.Syntax, $"the model throws at script time ({message})");
    }

    /// <summary>
    /// A value that must be known at script time (an index, a loop bound, a shape argument).
    /// </summary>
    /// <exception cref="ScriptException">The value depends on tensor data or on a symbolic dim.</exception>
    private static object? ScriptTime(object? value, IOperation operation) => value switch
    {
        GraphScalar or GraphTensor => throw ScriptErrors.At(operation.Syntax, ScriptDiagnosticIds.NotScriptTimeConstant, ScriptErrors.Shorten(operation.Syntax)),
        SymbolicShape shape => throw SymbolicShapes.Error(operation.Syntax, shape.Dims.First(d => d.IsSymbol)),
        _ => value,
    };

    private static Index AsIndex(object? value) => value switch
    {
        Index index => index,
        int i => i,
        _ => new Index((int)System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static int ListIndex(ScriptList list, object? index, IOperation operation)
    {
        var i = index switch
        {
            Index ix => ix.GetOffset(list.Items.Count),
            _ => (int)System.Convert.ToInt64(ScriptTime(index, operation), System.Globalization.CultureInfo.InvariantCulture),
        };
        return i >= 0 && i < list.Items.Count ? i
            : throw ScriptErrors.Lowering(operation.Syntax, $"index {index} is out of range for a list of {list.Items.Count} elements");
    }

    private static T Guard<T>(IOperation operation, Func<T> compute)
    {
        try
        {
            return compute();
        }
        catch (Exception e) when (e is ArithmeticException or NotSupportedException or InvalidCastException or ArgumentException or TargetInvocationException)
        {
            throw ScriptErrors.Lowering(operation.Syntax, (e.InnerException ?? e).Message, e);
        }
    }
}
