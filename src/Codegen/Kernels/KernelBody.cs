using System.Globalization;
using System.Text;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// Writes the LLVM IR instructions of one element's computation in a kernel's compute type (<c>float</c> or
/// <c>double</c>): fresh SSA names, typed constants, arithmetic, comparisons, and calls of LLVM intrinsics and libm
/// functions, whose declarations it collects for the module. The op emitters (<see cref="KernelOps"/>) speak only
/// through it, so each op's formula is written once for both precisions.
/// </summary>
internal sealed class KernelBody(bool isFloat32, string prefix = "v")
{
    private readonly StringBuilder code = new();
    private readonly SortedSet<string> declarations = new(StringComparer.Ordinal);
    private int next;

    /// <summary>Whether the compute type is <c>float</c> (else <c>double</c>).</summary>
    internal bool IsFloat32 { get; } = isFloat32;

    /// <summary>The compute type's LLVM name.</summary>
    internal string T => IsFloat32 ? "float" : "double";

    /// <summary>The compute type's size in bytes.</summary>
    internal int ElementSize => IsFloat32 ? 4 : 8;

    /// <summary>The instructions written so far, one per line, indented.</summary>
    internal string Code => code.ToString();

    /// <summary>The declarations of the intrinsics and library functions called.</summary>
    internal IEnumerable<string> Declarations => declarations;

    /// <summary>Appends an instruction that defines a new value; returns the value's name.</summary>
    internal string Emit(string instruction)
    {
        string name = $"%{prefix}{next++}";
        code.Append("  ").Append(name).Append(" = ").AppendLine(instruction);
        return name;
    }

    /// <summary>Appends an instruction that defines no value (a store).</summary>
    internal void Statement(string instruction) => code.Append("  ").AppendLine(instruction);

    /// <summary>
    /// <paramref name="value"/> rounded to the compute type, as an LLVM constant (hexadecimal, so it is exact; LLVM spells
    /// float constants as the double with the same value).
    /// </summary>
    internal string Const(double value)
    {
        double rounded = IsFloat32 ? (float)value : value;
        return "0x" + BitConverter.DoubleToInt64Bits(rounded).ToString("X16", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Loads kernel input <paramref name="k"/> at element <paramref name="index"/> of its current row, which starts at
    /// <c>%row&lt;k&gt;</c>: the row's first element when <paramref name="step"/> is broadcast, else
    /// <c>index · %step&lt;k&gt;</c> further (just <c>index</c> when contiguous). A bool (where's condition) becomes an <c>i1</c>.
    /// </summary>
    internal string LoadInput(int k, bool isBool, InnerStep step, string index)
    {
        string type = isBool ? "i8" : T;
        string at = step switch
        {
            InnerStep.Broadcast => $"%row{k}",
            InnerStep.Contiguous => Emit($"getelementptr inbounds {type}, ptr %row{k}, i64 {index}"),
            _ => Emit($"getelementptr inbounds {type}, ptr %row{k}, i64 {Emit($"mul i64 {index}, %step{k}")}"),
        };
        string value = Emit($"load {type}, ptr {at}, align {(isBool ? 1 : ElementSize)}");
        return isBool ? Emit($"icmp ne i8 {value}, 0") : value;
    }

    /// <summary>A binary instruction (<c>fadd</c>, <c>fsub</c>, <c>fmul</c>, <c>fdiv</c>, <c>frem</c>) in the compute type.</summary>
    internal string Op(string opcode, string a, string b) => Emit($"{opcode} {T} {a}, {b}");

    /// <summary><c>a + b</c>.</summary>
    internal string Add(string a, string b) => Op("fadd", a, b);

    /// <summary><c>a - b</c>.</summary>
    internal string Sub(string a, string b) => Op("fsub", a, b);

    /// <summary><c>a · b</c>.</summary>
    internal string Mul(string a, string b) => Op("fmul", a, b);

    /// <summary><c>a / b</c>.</summary>
    internal string Div(string a, string b) => Op("fdiv", a, b);

    /// <summary><c>-a</c>.</summary>
    internal string Neg(string a) => Emit($"fneg {T} {a}");

    /// <summary>An <c>fcmp</c> with predicate <paramref name="predicate"/> (<c>ogt</c>, <c>ult</c>, <c>uno</c> ...); an <c>i1</c>.</summary>
    internal string Compare(string predicate, string a, string b) => Emit($"fcmp {predicate} {T} {a}, {b}");

    /// <summary>Whether <paramref name="a"/> is NaN; an <c>i1</c>.</summary>
    internal string IsNaN(string a) => Compare("uno", a, a);

    /// <summary>An <c>i1</c> logical operation (<c>and</c>, <c>or</c>, <c>xor</c>).</summary>
    internal string Logic(string opcode, string a, string b) => Emit($"{opcode} i1 {a}, {b}");

    /// <summary><c>condition ? a : b</c> (<paramref name="condition"/> is an <c>i1</c>).</summary>
    internal string Select(string condition, string a, string b) => Emit($"select i1 {condition}, {T} {a}, {T} {b}");

    /// <summary>Calls LLVM intrinsic <c>llvm.<paramref name="name"/></c> overloaded on the compute type.</summary>
    internal string Intrinsic(string name, params string[] args) =>
        Call($"llvm.{name}.{(IsFloat32 ? "f32" : "f64")}", T, args);

    /// <summary>Calls the libm function of the compute type's precision (<c>tanhf</c> for float, <c>tanh</c> for double).</summary>
    internal string Libm(string name, params string[] args) => Call(IsFloat32 ? name + "f" : name, T, args);

    /// <summary>
    /// Calls libm's double-precision <paramref name="name"/> and rounds the result to the compute type: the eager kernels
    /// compute these functions (erf, expm1, log1p, pow ...) in double for every float type.
    /// </summary>
    internal string LibmInDouble(string name, params string[] args)
    {
        if (!IsFloat32) return Call(name, "double", args);
        string[] wide = [.. args.Select(a => Emit($"fpext float {a} to double"))];
        return Emit($"fptrunc double {Call(name, "double", wide)} to float");
    }

    private string Call(string function, string type, string[] args)
    {
        declarations.Add($"declare {type} @{function}({string.Join(", ", args.Select(_ => type))})");
        return Emit($"call {type} @{function}({string.Join(", ", args.Select(a => $"{type} {a}"))})");
    }
}
