using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Sources;
using Kiln.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Kiln.Frontend.Lowering;

/// <summary>
/// Values read from tensors: shapes (script-time, unless a dim is symbolic) and data (<c>Item</c>: a graph
/// scalar, with its arithmetic and comparisons as IR primitives, usable as an if or loop condition).
/// </summary>
internal sealed partial class ScriptLowerer
{
    /// <summary><c>x.Shape</c>: the sizes, or a symbolic shape whose symbolic dims cannot be read as C# values.</summary>
    private static object Shape(GraphTensor tensor, SyntaxNode syntax) =>
        tensor.Type.IsConcrete ? tensor.Type.ToConcrete().Shape.ToArray() : new SymbolicShape(tensor.Type.Shape);

    private static long SymbolicDim(SymbolicShape shape, object? index, SyntaxNode syntax)
    {
        int i = System.Convert.ToInt32(index, System.Globalization.CultureInfo.InvariantCulture);
        if (i < 0 || i >= shape.Dims.Count)
            throw ScriptErrors.Lowering(syntax, $"index {i} is out of range for a shape of {shape.Dims.Count} dims");
        var dim = shape.Dims[i];
        return dim.IsConstant ? dim.Size : throw SymbolicShapes.Error(syntax, dim);
    }

    /// <summary><c>t.Item&lt;T&gt;()</c>: the value of a one-element tensor as a graph scalar.</summary>
    private GraphScalar Item(object? tensor, Type clrType, IOperation site)
    {
        var value = Materialize(tensor, site.Syntax);
        var dtype = value.TensorType.DType;
        bool fits = clrType == typeof(bool) ? dtype == DType.Bool
            : IsFloating(clrType) ? dtype.IsFloatingPoint()
            : dtype != DType.Bool && !dtype.IsFloatingPoint();
        if (!fits) throw ScriptErrors.Lowering(site.Syntax, $"Item<{clrType.Name}>() of a {dtype} tensor");
        builder.Span = ScriptErrors.Span(site.Syntax);
        return new GraphScalar(Prim("tensor_item", site.Syntax, value), clrType);
    }

    private GraphScalar ScalarBinary(BinaryOperatorKind kind, object? left, object? right, IOperation site)
    {
        var type = left is GraphScalar l ? l.ClrType : ((GraphScalar)right!).ClrType;
        bool floating = IsFloating(type);
        var (prim, result) = kind switch
        {
            BinaryOperatorKind.Add => ("scalar_add", type),
            BinaryOperatorKind.Subtract => ("scalar_sub", type),
            BinaryOperatorKind.Multiply => ("scalar_mul", type),
            BinaryOperatorKind.Divide when floating => ("scalar_div", type),
            BinaryOperatorKind.LessThan => ("scalar_lt", typeof(bool)),
            BinaryOperatorKind.LessThanOrEqual => ("scalar_le", typeof(bool)),
            BinaryOperatorKind.GreaterThan => ("scalar_gt", typeof(bool)),
            BinaryOperatorKind.GreaterThanOrEqual => ("scalar_ge", typeof(bool)),
            BinaryOperatorKind.Equals => ("scalar_eq", typeof(bool)),
            BinaryOperatorKind.NotEquals or BinaryOperatorKind.ExclusiveOr when type == typeof(bool) => ("scalar_ne", typeof(bool)),
            BinaryOperatorKind.NotEquals => ("scalar_ne", typeof(bool)),
            BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd when type == typeof(bool) => ("scalar_and", typeof(bool)),
            BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr when type == typeof(bool) => ("scalar_or", typeof(bool)),
            _ => throw ScriptErrors.Lowering(site.Syntax, $"operator {kind} on values read from tensor data (supported: + - * comparisons, / on floats, && || on bools)"),
        };
        var a = Materialize(left, site.Syntax);
        var b = Materialize(right, site.Syntax);
        builder.Span = ScriptErrors.Span(site.Syntax);
        return new GraphScalar(Prim(prim, site.Syntax, a, b), result);
    }

    private GraphScalar ScalarUnary(UnaryOperatorKind kind, GraphScalar operand, IOperation site)
    {
        builder.Span = ScriptErrors.Span(site.Syntax);
        return kind switch
        {
            UnaryOperatorKind.Plus => operand,
            UnaryOperatorKind.Minus => operand with { Value = Prim("scalar_neg", site.Syntax, operand.Value) },
            UnaryOperatorKind.Not => operand with { Value = Prim("scalar_not", site.Syntax, operand.Value) },
            _ => throw ScriptErrors.Lowering(site.Syntax, $"operator {kind} on a value read from tensor data"),
        };
    }

    private GraphScalar ConvertScalar(GraphScalar scalar, Type target, IOperation site)
    {
        if (target == typeof(bool) != (scalar.ClrType == typeof(bool)))
            throw ScriptErrors.Lowering(site.Syntax, $"converting a {scalar.ClrType.Name} read from tensor data to {target.Name}");
        builder.Span = ScriptErrors.Span(site.Syntax);
        return IsFloating(target) == IsFloating(scalar.ClrType)
            ? scalar with { ClrType = target }
            : new GraphScalar(Prim(IsFloating(target) ? "scalar_to_float" : "scalar_to_int", site.Syntax, scalar.Value), target);
    }

    /// <summary>The graph value of an if or loop condition that depends on tensor data.</summary>
    private static Value GraphCondition(object? condition, IOperation operation) =>
        condition is GraphScalar { ClrType: var t } scalar && t == typeof(bool) ? scalar.Value
            : throw ScriptErrors.Lowering(operation.Syntax, $"the condition is {ScriptArithmetic.Describe(condition)}, not a bool");

    /// <summary>
    /// The graph value of <paramref name="value"/>: a graph tensor's or scalar's value, a module tensor bound by
    /// the capture (a parameter, buffer or constant), or a script-time number or bool as a constant node.
    /// </summary>
    private Value Materialize(object? value, SyntaxNode site) => value switch
    {
        GraphTensor t => t.Value,
        GraphScalar s => s.Value,
        Tensor t => capture.Bind(t),
        bool b => builder.Constant(b),
        float or double or decimal => builder.Constant(System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
        sbyte or byte or short or ushort or int or uint or long or char or Enum => builder.Constant(System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        SymbolicShape shape => throw SymbolicShapes.Error(site, shape.Dims.First(d => d.IsSymbol)),
        _ => throw ScriptErrors.Lowering(site, $"{ScriptArithmetic.Describe(value)} has no graph value"),
    };

    private Value Prim(string name, SyntaxNode site, params Value[] operands)
    {
        try
        {
            return builder.Prim(name, operands);
        }
        catch (IrException e)
        {
            throw ScriptErrors.Lowering(site, e.Message, e);
        }
    }

    private static bool IsFloating(Type type) => type == typeof(float) || type == typeof(double) || type == typeof(Half) || type == typeof(decimal);
}

/// <summary>The error for a symbolic dim read as a C# value: the script module catches it and scripts again with concrete shapes.</summary>
internal static class SymbolicShapes
{
    /// <summary>
    /// A <see cref="ScriptDiagnosticIds.SymbolicDimAsInt"/> error at <paramref name="syntax"/> about <paramref name="dim"/>:
    /// the graph cannot be symbolic in that dim.
    /// </summary>
    public static ScriptException Error(SyntaxNode syntax, Dim dim) => ScriptErrors.At(syntax, ScriptDiagnosticIds.SymbolicDimAsInt, dim.ToString());
}
