namespace Kiln.IR.Ops;

/// <summary>
/// Matrix products: matmul, bmm, linear, outer and dot, with PyTorch's shapes, dtype rules and error
/// messages. The shape rules are public so the eager kernels check inputs with the same code.
/// </summary>
public static class LinalgOps
{
    /// <summary>The dtypes matrix products accept: every numeric dtype (PyTorch has no bool matmul).</summary>
    public static IReadOnlyList<DType> NumericDTypes { get; } = [.. DTypes.All.Where(d => d != DType.Bool)];

    private static readonly Tolerance LowPrecision = new(1e-2, 1e-2);

    /// <summary><c>torch.matmul</c>: dot, matrix-vector, vector-matrix, matrix and batched products with broadcast batch dims.</summary>
    public static OpDef Matmul { get; } = new()
    {
        Name = "matmul",
        Family = "linalg",
        Inputs = ["self", "other"],
        DTypes = NumericDTypes,
        InferTypes = (inputs, _) =>
        {
            TypeRules.CheckArity("matmul", 2, inputs.Count);
            var dtype = SameDType("matmul", inputs[0].DType, inputs[1].DType);
            return [new TensorType(dtype, MatmulShape(inputs[0].Shape, inputs[1].Shape))];
        },
        Samples = MatmulSamples,
        Gradient = LinalgGradients.Matmul,
    };

    /// <summary><c>torch.bmm</c>: batched products of 3-d tensors with equal batch sizes (no broadcasting).</summary>
    public static OpDef Bmm { get; } = new()
    {
        Name = "bmm",
        Family = "linalg",
        Inputs = ["self", "mat2"],
        DTypes = NumericDTypes,
        InferTypes = (inputs, _) =>
        {
            TypeRules.CheckArity("bmm", 2, inputs.Count);
            var dtype = SameDType("bmm", inputs[0].DType, inputs[1].DType);
            return [new TensorType(dtype, BmmShape(inputs[0].Shape, inputs[1].Shape))];
        },
        Samples = BmmSamples,
        Gradient = LinalgGradients.Bmm,
    };

    /// <summary><c>torch.nn.functional.linear</c>: input·weightᵀ + bias, for an input of any rank ≥ 1.</summary>
    public static OpDef Linear { get; } = new()
    {
        Name = "linear",
        Family = "linalg",
        Inputs = ["input", "weight", "bias"],
        RequiredInputs = 2,
        DTypes = NumericDTypes,
        InferTypes = (inputs, _) =>
        {
            if (inputs.Count is not (2 or 3))
                throw new ArgumentException($"linear: expected 2 or 3 inputs (input, weight, bias), got {inputs.Count}");
            var dtype = SameDType("linear", inputs[0].DType, inputs[1].DType, "weight");
            if (inputs.Count == 3) SameDType("linear", inputs[0].DType, inputs[2].DType, "bias");
            return [new TensorType(dtype, LinearShape(inputs[0].Shape, inputs[1].Shape, inputs.Count == 3 ? inputs[2].Shape : null))];
        },
        Samples = LinearSamples,
        Gradient = LinalgGradients.Linear,
    };

    /// <summary><c>torch.outer</c>: the outer product of two vectors, in their promoted dtype (bool allowed).</summary>
    public static OpDef Outer { get; } = new()
    {
        Name = "outer",
        Family = "linalg",
        Inputs = ["self", "vec2"],
        DTypes = DTypes.All,
        InferTypes = (inputs, _) =>
        {
            TypeRules.CheckArity("outer", 2, inputs.Count);
            return [new TensorType(DTypePromotion.Promote(inputs[0].DType, inputs[1].DType), OuterShape(inputs[0].Shape, inputs[1].Shape))];
        },
        Samples = OuterSamples,
        Gradient = LinalgGradients.Outer,
    };

    /// <summary><c>torch.dot</c>: the inner product of two vectors of one dtype, as a 0-d tensor.</summary>
    public static OpDef Dot { get; } = new()
    {
        Name = "dot",
        Family = "linalg",
        Inputs = ["self", "tensor"],
        DTypes = NumericDTypes,
        InferTypes = (inputs, _) =>
        {
            TypeRules.CheckArity("dot", 2, inputs.Count);
            var dtype = SameDType("dot", inputs[0].DType, inputs[1].DType);
            CheckDotShapes(inputs[0].Shape, inputs[1].Shape);
            return [new TensorType(dtype, [])];
        },
        Samples = DotSamples,
        Gradient = LinalgGradients.Dot,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [Matmul, Bmm, Linear, Outer, Dot];

    /// <summary>
    /// The dtype of a product of two operands: they must have the same dtype (PyTorch does not
    /// promote in matrix products) and it must not be bool.
    /// </summary>
    /// <exception cref="ArgumentException">The dtypes differ or are bool; the message names the op and both dtypes.</exception>
    public static DType SameDType(string op, DType a, DType b, string what = "operands")
    {
        if (a != b)
            throw new ArgumentException($"{op}: expected {(what == "operands" ? "both operands" : "input and " + what)} to have the same dtype, but got {a.Name()} and {b.Name()}");
        if (a == DType.Bool)
            throw new ArgumentException($"{op}: not implemented for bool tensors (as in PyTorch); convert them to an integer or float dtype first");
        return a;
    }

    /// <summary>
    /// The shape of <c>matmul(a, b)</c>: 1-d operands get a dim added (then removed from the result),
    /// the last two dims are multiplied, the others broadcast as batch dims.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is 0-d, the inner sizes differ, or the batch dims do not broadcast.</exception>
    public static long[] MatmulShape(ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        if (a.Length == 0 || b.Length == 0)
            throw new ArgumentException($"matmul: both arguments need to be at least 1-d, but they are {a.Length}-d and {b.Length}-d (shapes {Shapes.Format(a)} and {Shapes.Format(b)})");
        long ka = a[^1], kb = b.Length == 1 ? b[0] : b[^2];
        if (ka != kb)
            throw new ArgumentException($"matmul: shapes {Shapes.Format(a)} and {Shapes.Format(b)} cannot be multiplied ({ka} != {kb})");
        var batchA = a.Length > 2 ? a[..^2] : [];
        var batchB = b.Length > 2 ? b[..^2] : [];
        var result = new List<long>();
        int rank = Math.Max(batchA.Length, batchB.Length);
        for (int i = rank; i >= 1; i--)
        {
            long da = i <= batchA.Length ? batchA[^i] : 1, db = i <= batchB.Length ? batchB[^i] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"matmul: shapes {Shapes.Format(a)} and {Shapes.Format(b)} cannot be multiplied: batch dims {Shapes.Format(batchA)} and {Shapes.Format(batchB)} do not broadcast ({da} != {db})");
            result.Add(da == 1 ? db : da);
        }
        if (a.Length >= 2) result.Add(a[^2]);
        if (b.Length >= 2) result.Add(b[^1]);
        return [.. result];
    }

    /// <summary>The shape of <c>bmm(a, b)</c>: [B, M, K]·[B, K, N] → [B, M, N].</summary>
    /// <exception cref="ArgumentException">An operand is not 3-d, the batch sizes differ or the inner sizes differ.</exception>
    public static long[] BmmShape(ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        if (a.Length != 3 || b.Length != 3)
            throw new ArgumentException($"bmm: expected 3-d tensors, but got shapes {Shapes.Format(a)} and {Shapes.Format(b)}");
        if (a[0] != b[0])
            throw new ArgumentException($"bmm: shapes {Shapes.Format(a)} and {Shapes.Format(b)} have different batch sizes ({a[0]} != {b[0]})");
        if (a[2] != b[1])
            throw new ArgumentException($"bmm: shapes {Shapes.Format(a)} and {Shapes.Format(b)} cannot be multiplied ({a[2]} != {b[1]})");
        return [a[0], a[1], b[2]];
    }

    /// <summary>
    /// The shape of <c>linear(input, weight, bias)</c>: input [*, in] with weight [out, in] gives [*, out]
    /// (a 1-d weight [in] gives [*]); the bias must broadcast to the result.
    /// </summary>
    /// <exception cref="ArgumentException">The input is 0-d, the weight is not 1-d or 2-d, the sizes do not match, or the bias does not broadcast.</exception>
    public static long[] LinearShape(ReadOnlySpan<long> input, ReadOnlySpan<long> weight, long[]? bias)
    {
        if (input.Length == 0)
            throw new ArgumentException($"linear: the input must be at least 1-d, but got a 0-d tensor (weight shape {Shapes.Format(weight)})");
        if (weight.Length is not (1 or 2))
            throw new ArgumentException($"linear: the weight must be 2-d [out_features, in_features] (or 1-d), but got shape {Shapes.Format(weight)}");
        long inFeatures = weight[^1];
        if (input[^1] != inFeatures)
            throw new ArgumentException($"linear: input shape {Shapes.Format(input)} and weight shape {Shapes.Format(weight)} cannot be multiplied ({input[^1]} != {inFeatures}): the input's last dim must equal the weight's in_features");
        long[] result = weight.Length == 2 ? [.. input[..^1], weight[0]] : input[..^1].ToArray();
        if (bias is not null && !Shapes.CanExpand(bias, result))
            throw new ArgumentException($"linear: bias of shape {Shapes.Format(bias)} does not broadcast to the output shape {Shapes.Format(result)} (input {Shapes.Format(input)}, weight {Shapes.Format(weight)})");
        return result;
    }

    /// <summary>The shape of <c>outer(a, b)</c>: [M]·[N] → [M, N].</summary>
    /// <exception cref="ArgumentException">An operand is not 1-d.</exception>
    public static long[] OuterShape(ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        if (a.Length != 1 || b.Length != 1)
            throw new ArgumentException($"outer: expected 1-d vectors, but got shapes {Shapes.Format(a)} and {Shapes.Format(b)}");
        return [a[0], b[0]];
    }

    /// <summary>Checks the operands of <c>dot</c>: two 1-d vectors of one length.</summary>
    /// <exception cref="ArgumentException">An operand is not 1-d or the lengths differ.</exception>
    public static void CheckDotShapes(ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        if (a.Length != 1 || b.Length != 1)
            throw new ArgumentException($"dot: expected 1-d vectors, but got shapes {Shapes.Format(a)} and {Shapes.Format(b)}");
        if (a[0] != b[0])
            throw new ArgumentException($"dot: vectors of shapes {Shapes.Format(a)} and {Shapes.Format(b)} have different lengths ({a[0]} != {b[0]})");
    }

    private static OpSample Pair(DType dtype, long[] a, long[] b, SampleLayout la = SampleLayout.Contiguous, SampleLayout lb = SampleLayout.Contiguous, Tolerance? tolerance = null) =>
        new([new TensorSpec(dtype, a, la), new TensorSpec(dtype, b, lb)], Attrs.Empty, tolerance ?? DefaultTolerance(dtype));

    /// <summary>Float16 and bfloat16 products accumulate in another order than PyTorch's, so they get a looser tolerance.</summary>
    private static Tolerance? DefaultTolerance(DType dtype) => dtype is DType.Float16 or DType.BFloat16 ? LowPrecision : null;

    private static IEnumerable<OpSample> MatmulSamples()
    {
        const DType F = DType.Float32;
        const SampleLayout T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded, C = SampleLayout.Contiguous;
        yield return Pair(F, [3, 4], [4, 5]);
        yield return Pair(F, [7], [7]);
        yield return Pair(F, [3, 4], [4]);
        yield return Pair(F, [4], [4, 5]);
        yield return Pair(F, [2, 3, 4], [2, 4, 5]);
        yield return Pair(F, [2, 3, 4], [4, 5]);
        yield return Pair(F, [3, 4], [2, 4, 5]);
        yield return Pair(F, [2, 1, 3, 4], [5, 4, 6]);
        yield return Pair(F, [4], [2, 4, 3]);
        yield return Pair(F, [2, 3, 4], [4]);
        yield return Pair(F, [3, 4], [4, 5], T, C);
        yield return Pair(F, [3, 4], [4, 5], C, T);
        yield return Pair(F, [2, 3, 4], [2, 4, 5], T, T);
        yield return Pair(F, [3, 4], [4, 6], S, S);
        yield return Pair(F, [3, 4], [4, 5], E, C);
        yield return Pair(F, [17, 33], [33, 20]);
        yield return Pair(F, [13, 260], [260, 18], T, C, new Tolerance(1e-5, 1e-4));
        yield return Pair(F, [3, 0], [0, 4]);
        yield return Pair(F, [0, 4], [4, 5]);
        yield return Pair(F, [3, 4], [4, 0]);
        yield return Pair(F, [0, 3, 4], [4, 5]);
        yield return Pair(F, [0], [0]);
        yield return Pair(DType.Float64, [3, 4], [4, 5]);
        yield return Pair(DType.Float64, [2, 1, 3, 4], [5, 4, 6]);
        yield return Pair(DType.Float64, [5], [5, 3], C, T);
        foreach (var d in new[] { DType.Float16, DType.BFloat16 })
        {
            yield return Pair(d, [3, 4], [4, 5]);
            yield return Pair(d, [2, 3, 4], [4, 5], T, C);
            yield return Pair(d, [6], [6]);
        }
        foreach (var d in new[] { DType.Int64, DType.Int32 })
        {
            yield return Pair(d, [3, 4], [4, 5]);
            yield return Pair(d, [2, 3, 4], [2, 4, 5], C, T);
            yield return Pair(d, [4], [4]);
        }
        yield return Pair(DType.Int16, [3, 4], [4]);
        yield return Pair(DType.Int8, [3, 4], [4, 5]);
        yield return Pair(DType.UInt8, [3, 4], [4, 5]);
    }

    private static IEnumerable<OpSample> BmmSamples()
    {
        const DType F = DType.Float32;
        const SampleLayout T = SampleLayout.Transposed, C = SampleLayout.Contiguous;
        yield return Pair(F, [2, 3, 4], [2, 4, 5]);
        yield return Pair(F, [2, 3, 4], [2, 4, 5], T, C);
        yield return Pair(F, [3, 5, 7], [3, 7, 2], C, T);
        yield return Pair(F, [1, 9, 17], [1, 17, 10]);
        yield return Pair(F, [0, 3, 4], [0, 4, 5]);
        yield return Pair(F, [2, 3, 0], [2, 0, 5]);
        yield return Pair(F, [2, 0, 4], [2, 4, 5]);
        yield return Pair(DType.Float64, [2, 3, 4], [2, 4, 5]);
        yield return Pair(DType.Float16, [2, 3, 4], [2, 4, 5]);
        yield return Pair(DType.BFloat16, [2, 3, 4], [2, 4, 5]);
        yield return Pair(DType.Int64, [2, 3, 4], [2, 4, 5]);
        yield return Pair(DType.Int32, [2, 3, 4], [2, 4, 5], T, C);
    }

    private static IEnumerable<OpSample> LinearSamples()
    {
        static OpSample Sample(DType d, long[] input, long[] weight, long[] bias, SampleLayout weightLayout = SampleLayout.Contiguous) =>
            new([new TensorSpec(d, input), new TensorSpec(d, weight, weightLayout), new TensorSpec(d, bias)], Attrs.Empty, DefaultTolerance(d));
        const DType F = DType.Float32;
        yield return Sample(F, [2, 3], [4, 3], [4]);
        yield return Sample(F, [3], [4, 3], [4]);
        yield return Sample(F, [5, 2, 3], [4, 3], [4]);
        yield return Sample(F, [2, 3], [4, 3], [4], SampleLayout.Transposed);
        yield return Sample(F, [7, 19], [9, 19], [1]);
        yield return Sample(F, [2, 3], [4, 3], []);
        yield return Sample(F, [0, 3], [4, 3], [4]);
        yield return Sample(F, [2, 0], [4, 0], [4]);
        yield return Sample(DType.Float64, [2, 3], [4, 3], [4]);
        yield return Sample(DType.Float16, [2, 3], [4, 3], [4]);
        yield return Sample(DType.BFloat16, [2, 3], [4, 3], [4]);
        yield return Sample(DType.Int64, [2, 3], [4, 3], [4]);
        yield return Sample(DType.Int32, [3, 2, 3], [4, 3], [4]);
    }

    private static IEnumerable<OpSample> OuterSamples()
    {
        const DType F = DType.Float32;
        yield return Pair(F, [3], [4]);
        yield return Pair(F, [5], [1]);
        yield return Pair(F, [0], [4]);
        yield return Pair(F, [4], [6], SampleLayout.Strided, SampleLayout.Contiguous);
        yield return Pair(DType.Float64, [3], [4]);
        yield return Pair(DType.Float16, [3], [4]);
        yield return Pair(DType.BFloat16, [3], [4]);
        yield return Pair(DType.Int64, [3], [4]);
        yield return Pair(DType.Int32, [3], [4]);
        yield return Pair(DType.Bool, [3], [4]);
        yield return new OpSample([new TensorSpec(F, [3]), new TensorSpec(DType.Int64, [4])], Attrs.Empty);
        yield return new OpSample([new TensorSpec(DType.Int32, [3]), new TensorSpec(DType.Int8, [2])], Attrs.Empty);
    }

    private static IEnumerable<OpSample> DotSamples()
    {
        const DType F = DType.Float32;
        yield return Pair(F, [5], [5]);
        yield return Pair(F, [0], [0]);
        yield return Pair(F, [37], [37]);
        yield return Pair(F, [6], [6], SampleLayout.Strided, SampleLayout.Strided);
        yield return Pair(DType.Float64, [5], [5]);
        yield return Pair(DType.Float16, [5], [5]);
        yield return Pair(DType.BFloat16, [5], [5]);
        yield return Pair(DType.Int64, [5], [5]);
        yield return Pair(DType.Int32, [5], [5]);
    }
}
