namespace Kiln.IR.Ops;

/// <summary>
/// Ops that draw from the seeded generator: dropout, dropout2d, bernoulli and multinomial, with PyTorch's
/// shapes, dtypes and errors. Their results are random, so the PyTorch oracle skips them
/// (<see cref="OpDef.IsRandom"/>) and their tests are statistical. The rules are public so the eager
/// kernels check inputs with the same code.
/// </summary>
public static class RandomOps
{
    /// <summary>The largest number of categories multinomial samples from (PyTorch's limit, 2^24).</summary>
    public const long MaxCategories = 1L << 24;

    /// <summary>
    /// <c>torch.nn.functional.dropout(input, p, training)</c>: zeroes each element with probability p and
    /// scales the others by 1/(1-p) while training; the input itself otherwise. The second result is the mask of
    /// factors (0 or 1/(1-p)) the gradient is multiplied by.
    /// </summary>
    public static OpDef Dropout { get; } = DropoutDef("dropout", feature: false);

    /// <summary>
    /// <c>torch.nn.functional.dropout2d(input, p, training)</c>: zeroes whole channels, one draw per index of the
    /// first two dims (PyTorch reads a 3-d input as [N, C, L]), scaling the rest by 1/(1-p).
    /// </summary>
    public static OpDef Dropout2d { get; } = DropoutDef("dropout2d", feature: true);

    /// <summary>
    /// <c>torch.bernoulli(input)</c> (each element is a probability) or <c>torch.bernoulli(input, p)</c> (one
    /// probability for every element): 0/1 draws with the input's shape and dtype.
    /// </summary>
    public static OpDef Bernoulli { get; } = new()
    {
        Name = "bernoulli",
        Family = "random",
        Inputs = ["input"],
        Attributes = [new("p", "float")],
        DTypes = DTypes.All,
        IsRandom = true,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity("bernoulli", 1, inputs.Count);
            CheckBernoulli(inputs[0].DType, attrs.GetOptionalDouble("p"));
            return [inputs[0]];
        },
        Samples = BernoulliSamples,
    };

    /// <summary>
    /// <c>torch.multinomial(input, num_samples, replacement)</c>: category indices (int64) drawn from each row of
    /// non-negative weights (rows need not sum to 1); a 1-d input is one row.
    /// </summary>
    public static OpDef Multinomial { get; } = new()
    {
        Name = "multinomial",
        Family = "random",
        Inputs = ["input"],
        Attributes = [new("num_samples", "int"), new("replacement", "bool", false)],
        DTypes = DTypes.Floating,
        IsRandom = true,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity("multinomial", 1, inputs.Count);
            if (!attrs.Contains("num_samples") || attrs["num_samples"] is null)
                throw new ArgumentException("multinomial: the attribute num_samples is required");
            var shape = MultinomialShape(inputs[0].DType, inputs[0].Shape, attrs.GetLong("num_samples", 0), attrs.GetBool("replacement", false));
            return [new TensorType(DType.Int64, shape)];
        },
        Samples = MultinomialSamples,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } = [Dropout, Dropout2d, Bernoulli, Multinomial];

    /// <summary>Throws unless <paramref name="p"/> is a probability (PyTorch's check on dropout's p).</summary>
    /// <exception cref="ArgumentException">p is outside [0, 1] or NaN.</exception>
    public static void CheckDropoutProbability(string op, double p)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentException($"{op}: dropout probability has to be between 0 and 1, but got p={p}");
    }

    /// <summary>
    /// Checks a dropout call: p in [0, 1]; while training with p &gt; 0 the input must be floating-point (the
    /// kept elements are scaled by 1/(1-p)), and dropout2d's input must be at least 2-d.
    /// </summary>
    /// <exception cref="ArgumentException">The call is invalid; the message names the op and the value at fault.</exception>
    public static void CheckDropout(string op, DType dtype, ReadOnlySpan<long> shape, double p, bool training, bool feature)
    {
        CheckDropoutProbability(op, p);
        if (!training || p == 0) return;
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{op}: expects a floating-point input while training (kept elements are scaled by 1/(1-p)), got {dtype.Name()}");
        if (feature && shape.Length < 2)
            throw new ArgumentException($"{op}: feature dropout requires at least 2 dims in the input, got shape {Shapes.Format(shape)}");
    }

    /// <summary>
    /// Checks a bernoulli call: with no <paramref name="p"/> the input holds the probabilities and must be
    /// floating-point; a given p must lie in [0, 1].
    /// </summary>
    /// <exception cref="ArgumentException">The dtype or p is invalid.</exception>
    public static void CheckBernoulli(DType dtype, double? p)
    {
        if (p is { } value)
        {
            if (!(value >= 0 && value <= 1))
                throw new ArgumentException($"bernoulli: expects p to be in [0, 1], but got p={value}");
        }
        else if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"bernoulli: the input holds the probabilities and must be floating-point, got {dtype.Name()} (pass p to draw with one probability for every element)");
        }
    }

    /// <summary>
    /// The shape of <c>multinomial(input, numSamples, replacement)</c>: [numSamples] for a 1-d input,
    /// [rows, numSamples] for a 2-d one.
    /// </summary>
    /// <exception cref="ArgumentException">The dtype is not floating-point, the input not 1-d or 2-d, numSamples not positive, or more samples than categories are asked for without replacement.</exception>
    public static long[] MultinomialShape(DType dtype, ReadOnlySpan<long> shape, long numSamples, bool replacement)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"multinomial: only supports floating-point dtypes for input, got {dtype.Name()}");
        if (shape.Length is not (1 or 2))
            throw new ArgumentException($"multinomial: the probability input must be 1-d or 2-d, got shape {Shapes.Format(shape)}");
        if (numSamples <= 0)
            throw new ArgumentException($"multinomial: cannot sample num_samples={numSamples} <= 0 samples");
        long categories = shape[^1];
        if (!replacement && numSamples > categories)
            throw new ArgumentException($"multinomial: cannot sample num_samples={numSamples} > {categories} categories (input shape {Shapes.Format(shape)}) without replacement");
        if (categories > MaxCategories)
            throw new ArgumentException($"multinomial: the number of categories cannot exceed 2^24, got {categories} (input shape {Shapes.Format(shape)})");
        return shape.Length == 1 ? [numSamples] : [shape[0], numSamples];
    }

    /// <summary>
    /// The shape of dropout's mask result: the input's, or for feature dropout [N, C, 1, ...] (one factor per channel,
    /// broadcast over the rest).
    /// </summary>
    public static long[] DropoutMaskShape(ReadOnlySpan<long> shape, bool feature)
    {
        var mask = shape.ToArray();
        if (feature && mask.Length >= 2) mask.AsSpan(2).Fill(1);
        return mask;
    }

    // Dropout's second result is its mask: the factor each element was multiplied by (0 or 1/(1-p); 1 when not
    // training), which the gradient reuses, as PyTorch's native_dropout returns and saves its mask.
    private static OpDef DropoutDef(string name, bool feature) => new()
    {
        Name = name,
        Family = "random",
        Inputs = ["input"],
        Outputs = ["out", "mask"],
        Gradient = c => [c.Grad * c.Outputs[1]],
        Attributes = [new("p", "float", 0.5), new("training", "bool", true)],
        DTypes = DTypes.Floating,
        IsRandom = true,
        InferTypes = (inputs, attrs) =>
        {
            TypeRules.CheckArity(name, 1, inputs.Count);
            CheckDropout(name, inputs[0].DType, inputs[0].Shape, attrs.GetDouble("p", 0.5), attrs.GetBool("training", true), feature);
            return [inputs[0], new TensorType(inputs[0].DType, DropoutMaskShape(inputs[0].Shape, feature))];
        },
        Samples = () => DropoutSamples(feature),
    };

    private static IEnumerable<OpSample> DropoutSamples(bool feature)
    {
        long[][] shapes = feature ? [[2, 3, 4, 5], [3, 4, 5], [0, 3, 2, 2]] : [[], [7], [3, 4], [2, 0, 3]];
        foreach (var shape in shapes)
            yield return new OpSample([new TensorSpec(DType.Float32, shape)], Attrs.Empty);
        yield return new OpSample([new TensorSpec(DType.Float32, [4, 3, 2, 2], SampleLayout.Transposed)], new Attrs { { "p", 0.2 } });
        foreach (var d in new[] { DType.Float64, DType.Float16, DType.BFloat16 })
            yield return new OpSample([new TensorSpec(d, [2, 3, 2, 2])], new Attrs { { "p", 0.3 } });
        yield return new OpSample([new TensorSpec(DType.Float32, [2, 3, 2, 2])], new Attrs { { "p", 1.0 } });
        yield return new OpSample([new TensorSpec(DType.Float32, [2, 3, 2, 2])], new Attrs { { "training", false } });
    }

    private static IEnumerable<OpSample> BernoulliSamples()
    {
        foreach (var d in DTypes.Floating)
            yield return new OpSample([new TensorSpec(d, [3, 4], SampleLayout.Contiguous, SampleDomain.Probability)], Attrs.Empty);
        yield return new OpSample([new TensorSpec(DType.Float32, [4, 3], SampleLayout.Transposed, SampleDomain.Probability)], Attrs.Empty);
        yield return new OpSample([new TensorSpec(DType.Float32, [0, 3], SampleLayout.Contiguous, SampleDomain.Probability)], Attrs.Empty);
        foreach (var d in new[] { DType.Float32, DType.Int64, DType.Bool })
            yield return new OpSample([new TensorSpec(d, [3, 4])], new Attrs { { "p", 0.3 } });
    }

    private static IEnumerable<OpSample> MultinomialSamples()
    {
        foreach (var d in DTypes.Floating)
            yield return new OpSample([new TensorSpec(d, [5], SampleLayout.Contiguous, SampleDomain.Positive)], new Attrs { { "num_samples", 3L } });
        yield return new OpSample([new TensorSpec(DType.Float32, [3, 5], SampleLayout.Contiguous, SampleDomain.Positive)], new Attrs { { "num_samples", 8L }, { "replacement", true } });
        yield return new OpSample([new TensorSpec(DType.Float32, [5, 3], SampleLayout.Transposed, SampleDomain.Positive)], new Attrs { { "num_samples", 2L } });
        yield return new OpSample([new TensorSpec(DType.Float32, [0, 4], SampleLayout.Contiguous, SampleDomain.Positive)], new Attrs { { "num_samples", 2L } });
    }
}
