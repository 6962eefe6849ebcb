using System.Globalization;
using System.Text.RegularExpressions;

namespace Kiln.IR;

/// <summary>
/// Runs an op's <see cref="TypeRule"/> (written for concrete shapes) on shapes with symbolic dims. Each
/// symbol is given a distinct large prime as a stand-in size, the rule runs twice with two different sets
/// of primes, and each result dim maps back to a constant (same in both runs), to a symbol (its stand-in
/// in both runs), or is reported as depending on a symbol in a way the IR cannot express
/// (<c>(?h - 2) / 2 + 1</c>). So <c>matmul(?b×784, 784×512)</c> gives <c>?b×512</c>, <c>?b</c> broadcasts
/// with 1 and with itself, and <c>?a</c> against <c>?b</c> is an error.
/// </summary>
public static class SymbolicInference
{
    private const long FirstStandIn = 100_003, SecondStandIn = 200_003;

    /// <summary>Infers the result types of <paramref name="op"/> applied to <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">The rule rejects the inputs (the message shows symbols, not stand-ins), or a result depends on a symbol non-trivially.</exception>
    public static TensorValueType[] Infer(OpDef op, IReadOnlyList<TensorValueType> inputs, Attrs attrs)
    {
        // Each named symbol is one unknown; each dynamic dim is an unknown of its own (null name).
        var unknowns = new List<string?>();
        var slots = new int[inputs.Count][];
        for (int i = 0; i < inputs.Count; i++)
        {
            slots[i] = new int[inputs[i].Rank];
            for (int d = 0; d < inputs[i].Rank; d++)
            {
                var dim = inputs[i].Shape[d];
                slots[i][d] = dim.IsConstant ? -1
                    : dim.IsSymbol && unknowns.IndexOf(dim.Symbol) is var k and >= 0 ? k
                    : Add(unknowns, dim.Symbol);
            }
        }
        if (unknowns.Count == 0)
            return [.. op.InferTypes([.. inputs.Select(t => t.ToConcrete())], attrs).Select(TensorValueType.FromConcrete)];

        var first = Primes(FirstStandIn, unknowns.Count);
        var second = Primes(SecondStandIn, unknowns.Count);
        var a = Run(op, inputs, slots, first, attrs, unknowns, null);
        var b = Run(op, inputs, slots, second, attrs, unknowns, "its result depends on the symbols' values: ");
        if (a.Length != b.Length)
            throw new ArgumentException($"{op.Name}: the number of results depends on the values of {Describe(unknowns)}");
        var results = new TensorValueType[a.Length];
        for (int r = 0; r < a.Length; r++)
        {
            if (a[r].DType != b[r].DType || a[r].Rank != b[r].Rank)
                throw new ArgumentException($"{op.Name}: the dtype or rank of result {r} depends on the values of {Describe(unknowns)}");
            results[r] = new TensorValueType(a[r].DType, a[r].Shape.Select((size, d) => MapBack(op, r, d, size, b[r].Shape[d], first, second, unknowns)));
        }
        return results;
    }

    private static int Add(List<string?> unknowns, string? symbol)
    {
        unknowns.Add(symbol);
        return unknowns.Count - 1;
    }

    private static TensorType[] Run(OpDef op, IReadOnlyList<TensorValueType> inputs, int[][] slots, long[] standIns, Attrs attrs, List<string?> unknowns, string? context)
    {
        var concrete = new TensorType[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
            concrete[i] = new TensorType(inputs[i].DType, [.. inputs[i].Shape.Select((dim, d) => slots[i][d] < 0 ? dim.Size : standIns[slots[i][d]])]);
        try
        {
            return op.InferTypes(concrete, attrs);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new ArgumentException(context + ShowSymbols(e.Message, standIns, unknowns), e);
        }
    }

    private static Dim MapBack(OpDef op, int result, int dim, long a, long b, long[] first, long[] second, List<string?> unknowns)
    {
        if (a == b) return a == TensorType.DataDependent ? Dim.Dynamic : Dim.Of(a);
        for (int k = 0; k < unknowns.Count; k++)
        {
            if (first[k] == a && second[k] == b)
                return unknowns[k] is { } name ? Dim.Sym(name) : Dim.Dynamic;
        }
        throw new ArgumentException(
            $"{op.Name}: dim {dim} of result {result} depends on {Describe(unknowns)} in a way a symbolic shape cannot express " +
            "(it is neither a constant nor equal to one symbol); give that input dim a constant size");
    }

    private static string Describe(List<string?> unknowns) =>
        string.Join(", ", unknowns.Select(u => u is null ? "?" : "?" + u).Distinct());

    /// <summary>Rewrites stand-in sizes in a rule's message back into the symbols they stand for.</summary>
    private static string ShowSymbols(string message, long[] standIns, List<string?> unknowns)
    {
        for (int k = 0; k < standIns.Length; k++)
        {
            var pattern = @"\b" + standIns[k].ToString(CultureInfo.InvariantCulture) + @"\b";
            message = Regex.Replace(message, pattern, unknowns[k] is null ? "?" : "?" + unknowns[k]);
        }
        // A size computed from several symbols (a numel) cannot be written back as one: say where it came from.
        if (Regex.IsMatch(message, @"\b\d{6,}\b"))
        {
            var standInList = string.Join(", ", unknowns.Select((u, k) => (u is null ? "?" : "?" + u) + "=" + standIns[k].ToString(CultureInfo.InvariantCulture)));
            message += $" (sizes computed with stand-ins {standInList} for the symbolic dims: give these dims constant sizes)";
        }
        return message;
    }

    private static long[] Primes(long from, int count)
    {
        var primes = new long[count];
        long n = from;
        for (int i = 0; i < count; n++)
        {
            if (IsPrime(n)) primes[i++] = n;
        }
        return primes;
    }

    private static bool IsPrime(long n)
    {
        for (long f = 2; f * f <= n; f++)
        {
            if (n % f == 0) return false;
        }
        return n > 1;
    }
}
