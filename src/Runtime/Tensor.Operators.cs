namespace Kiln;

// C# operators mirror Python's on torch tensors. == and != keep their reference meaning (C# null checks
// and collections rely on it); use Eq/Ne for elementwise equality. & | ^ and ! are the logical ops on
// bool masks, as Python's & | ^ ~ are on bool tensors.
public partial class Tensor
{
    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    /// <summary>Adds an integer scalar (keeps integer dtypes).</summary>
    public static Tensor operator +(Tensor a, long b) => a.Add(b);
    /// <summary>Adds an integer scalar (keeps integer dtypes).</summary>
    public static Tensor operator +(long a, Tensor b) => b.Add(a);

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    /// <summary>Subtracts from a scalar.</summary>
    public static Tensor operator -(double a, Tensor b) => b.Neg().Add(a);
    /// <summary>Subtracts an integer scalar.</summary>
    public static Tensor operator -(Tensor a, long b) => a.Sub(b);
    /// <summary>Subtracts from an integer scalar.</summary>
    public static Tensor operator -(long a, Tensor b) => b.Neg().Add(a);

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    /// <summary>Multiplies by an integer scalar.</summary>
    public static Tensor operator *(Tensor a, long b) => a.Mul(b);
    /// <summary>Multiplies by an integer scalar.</summary>
    public static Tensor operator *(long a, Tensor b) => b.Mul(a);

    /// <summary>True division with broadcasting (integers give float32).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    /// <summary>Divides a scalar by each element.</summary>
    public static Tensor operator /(double a, Tensor b) => b.DivideInto(a);

    /// <summary>Python's modulo (<see cref="Remainder(Tensor)"/>): the result has the divisor's sign.</summary>
    public static Tensor operator %(Tensor a, Tensor b) => a.Remainder(b);
    /// <summary>Python's modulo by a scalar.</summary>
    public static Tensor operator %(Tensor a, double b) => a.Remainder(b);
    /// <summary>Python's modulo by an integer scalar (keeps integer dtypes).</summary>
    public static Tensor operator %(Tensor a, long b) => a.Remainder(b);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Logical not of a mask (<see cref="LogicalNot"/>: true where the element is zero).</summary>
    public static Tensor operator !(Tensor a) => a.LogicalNot();
    /// <summary>Logical and of two bool masks.</summary>
    /// <exception cref="ArgumentException">An operand is not bool (bitwise ops on integers are not available).</exception>
    public static Tensor operator &(Tensor a, Tensor b) => RequireMasks("&", a, b).LogicalAnd(b);
    /// <summary>Logical or of two bool masks.</summary>
    public static Tensor operator |(Tensor a, Tensor b) => RequireMasks("|", a, b).LogicalOr(b);
    /// <summary>Logical exclusive or of two bool masks.</summary>
    public static Tensor operator ^(Tensor a, Tensor b) => RequireMasks("^", a, b).LogicalXor(b);

    /// <summary>Elementwise <c>a &lt; b</c> as a bool tensor.</summary>
    public static Tensor operator <(Tensor a, Tensor b) => a.Lt(b);
    /// <summary>Elementwise <c>a &gt; b</c> as a bool tensor.</summary>
    public static Tensor operator >(Tensor a, Tensor b) => a.Gt(b);
    /// <summary>Elementwise <c>a &lt;= b</c> as a bool tensor.</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => a.Le(b);
    /// <summary>Elementwise <c>a &gt;= b</c> as a bool tensor.</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => a.Ge(b);
    /// <summary>Elementwise <c>a &lt; b</c>.</summary>
    public static Tensor operator <(Tensor a, double b) => a.Lt(b);
    /// <summary>Elementwise <c>a &gt; b</c>.</summary>
    public static Tensor operator >(Tensor a, double b) => a.Gt(b);
    /// <summary>Elementwise <c>a &lt;= b</c>.</summary>
    public static Tensor operator <=(Tensor a, double b) => a.Le(b);
    /// <summary>Elementwise <c>a &gt;= b</c>.</summary>
    public static Tensor operator >=(Tensor a, double b) => a.Ge(b);
    /// <summary>Elementwise <c>a &lt; b</c>.</summary>
    public static Tensor operator <(Tensor a, long b) => a.Lt(b);
    /// <summary>Elementwise <c>a &gt; b</c>.</summary>
    public static Tensor operator >(Tensor a, long b) => a.Gt(b);
    /// <summary>Elementwise <c>a &lt;= b</c>.</summary>
    public static Tensor operator <=(Tensor a, long b) => a.Le(b);
    /// <summary>Elementwise <c>a &gt;= b</c>.</summary>
    public static Tensor operator >=(Tensor a, long b) => a.Ge(b);
    /// <summary>Elementwise <c>a &lt; b</c>.</summary>
    public static Tensor operator <(double a, Tensor b) => b.Gt(a);
    /// <summary>Elementwise <c>a &gt; b</c>.</summary>
    public static Tensor operator >(double a, Tensor b) => b.Lt(a);
    /// <summary>Elementwise <c>a &lt;= b</c>.</summary>
    public static Tensor operator <=(double a, Tensor b) => b.Ge(a);
    /// <summary>Elementwise <c>a &gt;= b</c>.</summary>
    public static Tensor operator >=(double a, Tensor b) => b.Le(a);
    /// <summary>Elementwise <c>a &lt; b</c>.</summary>
    public static Tensor operator <(long a, Tensor b) => b.Gt(a);
    /// <summary>Elementwise <c>a &gt; b</c>.</summary>
    public static Tensor operator >(long a, Tensor b) => b.Lt(a);
    /// <summary>Elementwise <c>a &lt;= b</c>.</summary>
    public static Tensor operator <=(long a, Tensor b) => b.Ge(a);
    /// <summary>Elementwise <c>a &gt;= b</c>.</summary>
    public static Tensor operator >=(long a, Tensor b) => b.Le(a);

    private static Tensor RequireMasks(string op, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.DType != DType.Bool || b.DType != DType.Bool)
            throw new ArgumentException($"operator {op}: expects two bool tensors, got {a.DType.Name()} and {b.DType.Name()}; bitwise ops on integer tensors are not available, use LogicalAnd/LogicalOr/LogicalXor for truth values");
        return a;
    }
}
