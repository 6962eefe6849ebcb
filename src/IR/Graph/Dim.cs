using System.Globalization;

namespace Kiln.IR;

/// <summary>
/// One dim of a graph value's shape: a constant size, a named symbol (<c>?batch</c>) that is fixed for
/// one run of the graph but may differ between runs, or an anonymous dynamic size (<c>?</c>) known only
/// from the data (nonzero's row count).
/// </summary>
public readonly struct Dim : IEquatable<Dim>
{
    private Dim(long size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    /// <summary>A constant size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    public static Dim Of(long size) =>
        size >= 0 ? new Dim(size, null) : throw new ArgumentOutOfRangeException(nameof(size), size, "a constant dim must be >= 0");

    /// <summary>A named symbol such as <c>batch</c> (printed <c>?batch</c>).</summary>
    /// <exception cref="ArgumentException">The name is not an identifier.</exception>
    public static Dim Sym(string name)
    {
        if (!KirSyntax.IsIdentifier(name))
            throw new ArgumentException($"dim symbol '{name}' is not an identifier (letters, digits and '_', not starting with a digit)", nameof(name));
        return new Dim(0, name);
    }

    /// <summary>An anonymous size that depends on the data (printed <c>?</c>).</summary>
    public static Dim Dynamic { get; } = new(TensorType.DataDependent, null);

    /// <summary>A constant size.</summary>
    public static implicit operator Dim(long size) => Of(size);

    /// <summary>The size when <see cref="IsConstant"/>.</summary>
    public long Size { get; }

    /// <summary>The symbol's name when <see cref="IsSymbol"/>, else null.</summary>
    public string? Symbol { get; }

    /// <summary>Whether this dim is a constant size.</summary>
    public bool IsConstant => Symbol is null && Size >= 0;

    /// <summary>Whether this dim is a named symbol.</summary>
    public bool IsSymbol => Symbol is not null;

    /// <summary>Whether this dim is an anonymous data-dependent size.</summary>
    public bool IsDynamic => Symbol is null && Size < 0;

    /// <summary>Whether a concrete size fits this dim: a constant must equal it, a symbol or dynamic dim admits any size.</summary>
    public bool Admits(long size) => !IsConstant || Size == size;

    /// <inheritdoc/>
    public bool Equals(Dim other) => Size == other.Size && Symbol == other.Symbol;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Dim d && Equals(d);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Size, Symbol);

    /// <summary>Equality.</summary>
    public static bool operator ==(Dim a, Dim b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Dim a, Dim b) => !a.Equals(b);

    /// <summary>Formats as <c>784</c>, <c>?batch</c> or <c>?</c>.</summary>
    public override string ToString() =>
        IsSymbol ? "?" + Symbol : IsDynamic ? "?" : Size.ToString(CultureInfo.InvariantCulture);
}
