using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Sources;
using Kiln.NN;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Module = Kiln.NN.Module;

namespace Kiln.Frontend.Lowering;

/// <summary>
/// Calls and object creation: methods with captured source are lowered recursively (user modules' Forward,
/// helpers), calls into Kiln on tensors are captured by call-site tracing, and everything else runs in C# at
/// script time.
/// </summary>
internal sealed partial class ScriptLowerer
{
    private object? Invoke(IInvocationOperation operation)
    {
        var receiver = operation.Instance is null ? null : Evaluate(operation.Instance);
        return Call(operation, operation.TargetMethod, receiver, Arguments(operation.Arguments, operation.TargetMethod.Parameters.Length), operation.IsVirtual);
    }

    private object?[] Arguments(ImmutableArray<IArgumentOperation> arguments, int count)
    {
        var values = new object?[count];
        foreach (var argument in arguments) values[argument.Parameter!.Ordinal] = Evaluate(argument.Value);
        return values;
    }

    /// <summary>
    /// Calls <paramref name="method"/> on <paramref name="receiver"/> (null for static methods and operators); a virtual
    /// call (<paramref name="dispatch"/>, not <c>base.M()</c>) runs the live receiver's override.
    /// </summary>
    private object? Call(IOperation site, IMethodSymbol method, object? receiver, object?[] arguments, bool dispatch = true)
    {
        if (receiver is ScriptList list) return ListCall(site, method.Name, list, arguments);
        if (method.Name == nameof(Tensor.Item) && IsKiln(method.ContainingType) && receiver is GraphTensor or Tensor)
            return Item(receiver, RuntimeMembers.Type(method.ReturnType), site);
        if (receiver is ScriptTuple or GraphScalar or SymbolicShape)
            throw ScriptErrors.Lowering(site.Syntax, $"'{method.Name}' on a graph value");
        var runtime = Guard(site, () => RuntimeMembers.Method(method));
        if (dispatch && runtime is MethodInfo info && receiver is not null and not GraphTensor) runtime = RuntimeMembers.Override(info, receiver.GetType());
        return CallRuntime(site, runtime, receiver, arguments);
    }

    private object? CallRuntime(IOperation site, MethodBase method, object? receiver, object?[] arguments)
    {
        var declaring = method.DeclaringType!;
        if (method is MethodInfo { Name: "Forward" } && receiver is Sequential sequential)
            return ForwardThrough(site, sequential, arguments);
        if (method is ConstructorInfo && typeof(Module).IsAssignableFrom(declaring))
            throw ScriptErrors.Unsupported(site.Syntax, "creating a module in scripted code (create it in the constructor)");
        bool library = declaring.Assembly == typeof(Tensor).Assembly;
        bool user = !library && IsUserCode(declaring);
        // User methods (not constructors, which only set up script-time objects) are lowered from their source.
        if (user && method is MethodInfo && ScriptProgram.Declaring(declaring) is { } program
            && program.SourceMethod(method) is { } symbol && program.Body(symbol) is not null)
        {
            return LowerMethod(program, symbol, method.IsStatic ? null : receiver, arguments, site.Syntax);
        }
        bool graph = HoldsGraphValues(receiver) || arguments.Any(HoldsGraphValues);
        if (graph && !library)
        {
            throw user
                ? ScriptErrors.At(site.Syntax, ScriptDiagnosticIds.NoCapturedSource, declaring.FullName ?? declaring.Name)
                : ScriptErrors.At(site.Syntax, ScriptDiagnosticIds.NotScriptTimeConstant, ScriptErrors.Shorten(site.Syntax));
        }
        var parameters = method.GetParameters();
        if (library && (graph || ReturnsTensors(method) || parameters.Any(p => ContainsTensor(p.ParameterType))))
        {
            builder.Span = ScriptErrors.Span(site.Syntax);
            var traced = tracer.Invoke(method, receiver, arguments, builder, site.Syntax);
            foreach (var (old, updated) in traced.Mutated) Replace(old, updated, site.Syntax);
            return traced.Result;
        }
        var realized = arguments.Select((a, i) => CallSiteTracer.Realize(a, parameters[i].ParameterType, null)).ToArray();
        return Guard(site, () => Import(method is ConstructorInfo constructor ? constructor.Invoke(realized) : method.Invoke(receiver, realized)));
    }

    /// <summary>Sequential's forward pass, one layer at a time, so user layers inside it are lowered from their source.</summary>
    private object? ForwardThrough(IOperation site, Sequential sequential, object?[] arguments)
    {
        var value = arguments[0];
        var forward = typeof(Module<Tensor, Tensor>).GetMethod(nameof(Sequential.Forward))!;
        for (int i = 0; i < sequential.Count; i++)
        {
            var layer = sequential[i];
            value = CallRuntime(site, RuntimeMembers.Override(forward, layer.GetType()), layer, [value]);
        }
        return value;
    }

    private object? ListCall(IOperation site, string name, ScriptList list, object?[] arguments)
    {
        switch (name)
        {
            case "Add":
                list.Items.Add(arguments[0]);
                return null;
            case "Insert":
                list.Items.Insert((int)ScriptTime(arguments[0], site)!, arguments[1]);
                return null;
            case "RemoveAt":
                list.Items.RemoveAt(ListIndex(list, arguments[0], site));
                return null;
            case "Clear":
                list.Items.Clear();
                return null;
            case "AddRange":
                list.Items.AddRange(Elements(arguments[0], site));
                return null;
            case "ToArray":
                return new ScriptList([.. list.Items], list.ClrType.IsArray ? list.ClrType : ElementType(list.ClrType).MakeArrayType());
            case "ToList":
                return new ScriptList([.. list.Items], typeof(List<>).MakeGenericType(ElementType(list.ClrType)));
            default:
                throw ScriptErrors.Unsupported(site.Syntax, $"'{name}' on a list of tensors (use Add, Insert, RemoveAt, Clear, AddRange, indexing, Count)");
        }
    }

    private object? Create(IObjectCreationOperation operation)
    {
        var type = RuntimeMembers.Type(operation.Type!);
        var arguments = operation.Constructor is null ? [] : Arguments(operation.Arguments, operation.Constructor.Parameters.Length);
        object? created = IsTensorCollection(type)
            ? new ScriptList(arguments.Length == 1 && arguments[0] is not int ? Elements(arguments[0], operation) : [], type)
            : operation.Constructor is null
                ? Activator.CreateInstance(type)
                : Call(operation, operation.Constructor, null, arguments);
        if (operation.Initializer is { } initializer)
        {
            implicitReceivers.Push(created);
            try
            {
                foreach (var step in initializer.Initializers) Evaluate(step);
            }
            finally
            {
                implicitReceivers.Pop();
            }
        }
        return created;
    }

    private object? CreateArray(IArrayCreationOperation operation)
    {
        var type = RuntimeMembers.Type(operation.Type!);
        var items = operation.Initializer is null ? null : operation.Initializer.ElementValues.Select(Evaluate).ToList();
        if (items is null)
        {
            var sizes = operation.DimensionSizes.Select(d => System.Convert.ToInt32(ScriptTime(Evaluate(d), d), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            return IsTensorCollection(type) && sizes.Length == 1
                ? new ScriptList([.. Enumerable.Repeat<object?>(null, sizes[0])], type)
                : Array.CreateInstance(type.GetElementType()!, sizes);
        }
        return Collection(type, items, operation);
    }

    private object? CreateCollection(ICollectionExpressionOperation operation)
    {
        var items = new List<object?>();
        foreach (var element in operation.Elements)
        {
            if (element is ISpreadOperation spread) items.AddRange(Elements(Evaluate(spread.Operand), spread));
            else items.Add(Evaluate(element));
        }
        return Collection(RuntimeMembers.Type(operation.Type!), items, operation);
    }

    /// <summary>A collection of <paramref name="type"/> holding <paramref name="items"/>: a script list when it holds tensors, else the real collection.</summary>
    private static object Collection(Type type, List<object?> items, IOperation operation)
    {
        if (IsTensorCollection(type) || items.Any(HoldsGraphValues)) return new ScriptList(items, type);
        var element = ElementType(type);
        if (type.IsArray)
        {
            var array = Array.CreateInstance(element, items.Count);
            for (int i = 0; i < items.Count; i++) array.SetValue(items[i], i);
            return array;
        }
        var concrete = type.IsInterface ? typeof(List<>).MakeGenericType(element) : type;
        var list = Activator.CreateInstance(concrete) as IList
            ?? throw ScriptErrors.Unsupported(operation.Syntax, $"a collection of type {type.Name}");
        foreach (var item in items) list.Add(item);
        return list;
    }

    private List<object?> Elements(object? collection, IOperation operation) => collection switch
    {
        ScriptList list => [.. list.Items],
        IEnumerable sequence and not string => [.. sequence.Cast<object?>().Select(Import)],
        _ => throw ScriptErrors.Lowering(operation.Syntax, $"{ScriptArithmetic.Describe(collection)} is not a collection"),
    };

    /// <summary>Replaces a tensor changed in place by its new value in every local of every method being lowered.</summary>
    private void Replace(GraphTensor old, GraphTensor updated, SyntaxNode site)
    {
        // A changed tensor may be live outside the block; the branches' merge does not see such changes.
        if (regionDepth > 0) throw ScriptErrors.Lowering(site, "an in-place tensor operation inside control flow on tensor data (use the out-of-place form)");
        foreach (var frame in frames)
        {
            foreach (var (symbol, value) in frame.Locals.ToList())
            {
                if (Equals(value, old)) frame.Locals[symbol] = updated;
                else if (value is ScriptList list) ReplaceIn(list.Items, old, updated);
                else if (value is ScriptTuple tuple) ReplaceIn(tuple.Items, old, updated);
            }
        }
    }

    private static void ReplaceIn(IList<object?> items, GraphTensor old, GraphTensor updated)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (Equals(items[i], old)) items[i] = updated;
        }
    }

    /// <summary>Brings a value from C# reflection into the lowering: tuples become script tuples (lists and tensors stay as they are).</summary>
    private static object? Import(object? value) =>
        value is ITuple tuple && value.GetType().IsValueType
            ? new ScriptTuple([.. Enumerable.Range(0, tuple.Length).Select(i => Import(tuple[i]))])
            : value;

    /// <summary>Whether <paramref name="value"/> is or holds a value computed by the graph.</summary>
    public static bool HoldsGraphValues(object? value) => value switch
    {
        GraphTensor or GraphScalar or SymbolicShape => true,
        ScriptList list => list.Items.Any(HoldsGraphValues),
        ScriptTuple tuple => tuple.Items.Any(HoldsGraphValues),
        _ => false,
    };

    private static bool ReturnsTensors(MethodBase method) => method is MethodInfo info && ContainsTensor(info.ReturnType);

    /// <summary>Whether values of <paramref name="type"/> can hold tensors (a tensor, a collection or tuple of them).</summary>
    public static bool ContainsTensor(Type type) =>
        typeof(Tensor).IsAssignableFrom(type)
        || type.HasElementType && ContainsTensor(type.GetElementType()!)
        || type.IsGenericType && type.GetGenericArguments().Any(ContainsTensor);

    private static bool IsTensorCollection(Type type) => type != typeof(string) && !typeof(Tensor).IsAssignableFrom(type)
        && typeof(IEnumerable).IsAssignableFrom(type) && !typeof(Module).IsAssignableFrom(type) && ContainsTensor(ElementType(type));

    /// <summary>The element type of an array or generic collection type.</summary>
    public static Type ElementType(Type type) =>
        type.GetElementType() ?? (type.IsGenericType ? type.GetGenericArguments()[0] : typeof(object));

    private static bool IsKiln(ITypeSymbol type) => type.ContainingAssembly?.Name == typeof(Tensor).Assembly.GetName().Name;

    private static bool IsUserCode(Type type)
    {
        var name = type.Assembly.GetName().Name ?? "";
        return !name.StartsWith("System", StringComparison.Ordinal) && !name.StartsWith("Microsoft", StringComparison.Ordinal) && name != "mscorlib";
    }
}
