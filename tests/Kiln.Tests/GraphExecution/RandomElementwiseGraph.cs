using Kiln.IR;
using IrGraph = Kiln.IR.Graph;
using Rng = System.Random;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// Seeded random graphs for the fusion tests: a DAG of unary and binary elementwise ops (float32 or
/// float64) over inputs that broadcast against a full shape <c>[?b, n1, n2]</c> or <c>[?b, n2]</c> with odd
/// sizes, drawing operands mostly from recent values (chains, diamonds, values read in several places),
/// with inline scalar constants and keepdim sums that shrink a shape which later ops broadcast back.
/// </summary>
internal static class RandomElementwiseGraph
{
    private static readonly string[] Unary = ["relu", "sigmoid", "tanh", "neg", "abs", "sin", "exp"];
    private static readonly string[] Binary = ["add", "sub", "mul", "div", "maximum", "minimum"];
    private static readonly long[] Sizes = [1, 2, 3, 5, 7, 8, 13, 17];

    /// <summary>A graph named <paramref name="name"/> drawn from <paramref name="random"/>.</summary>
    public static IrGraph Build(Rng random, string name)
    {
        var graph = new IrGraph(name);
        var dtype = random.Next(5) == 0 ? DType.Float64 : DType.Float32;
        Dim[] full = random.Next(2) == 0
            ? [Dim.Sym("b"), Dim.Of(Pick(random, Sizes)), Dim.Of(Pick(random, Sizes))]
            : [Dim.Sym("b"), Dim.Of(Pick(random, Sizes))];
        var pool = new List<Value>();
        int inputs = 2 + random.Next(3);
        for (int i = 0; i < inputs; i++) pool.Add(graph.AddInput($"x{i}", TensorValueType.Of(dtype, Broadcastable(random, full, first: i == 0))));
        var b = new GraphBuilder(graph);
        int steps = 6 + random.Next(12);
        for (int s = 0; s < steps; s++)
        {
            int kind = random.Next(20);
            var a = Recent(random, pool);
            pool.Add(kind switch
            {
                < 7 => b.Add(Pick(random, Unary), [a]),
                < 16 => b.Add(Pick(random, Binary), [a, Recent(random, pool)]),
                < 18 => b.Add(Pick(random, Binary), [a, b.Constant(DenseConstant.Splat(TensorValueType.Of(dtype), 0.25 + random.Next(4)))]),
                _ => b.Add("sum", [a], new Attrs { { "dim", new long[] { -1 } }, { "keepdim", true } }),
            });
        }
        var outputs = new List<Value> { pool[^1] };
        for (int k = random.Next(3); k > 0; k--)
        {
            var extra = pool[inputs + random.Next(pool.Count - inputs)];
            if (!outputs.Contains(extra)) outputs.Add(extra);
        }
        b.Return([.. outputs]);
        return graph;
    }

    /// <summary>A shape that broadcasts to <paramref name="full"/>: some dims 1, maybe fewer leading dims; the first input has the full shape.</summary>
    private static Dim[] Broadcastable(Rng random, Dim[] full, bool first)
    {
        if (first) return full;
        int drop = random.Next(3) == 0 ? 1 : 0;
        return [.. full.Skip(drop).Select(d => random.Next(4) == 0 ? Dim.Of(1) : d)];
    }

    /// <summary>One of the last few values, the latest most often.</summary>
    private static Value Recent(Rng random, List<Value> pool) => pool[Math.Max(0, pool.Count - 1 - (int)Math.Floor(-Math.Log(1 - random.NextDouble()) * 1.5))];

    private static T Pick<T>(Rng random, T[] items) => items[random.Next(items.Length)];
}
