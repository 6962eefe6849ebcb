namespace Kiln.IR.Ops;

/// <summary>
/// OpInfo samples of the losses: each loss under every reduction on batched, unbatched, empty and
/// non-contiguous inputs, with weights, ignore_index hits, label smoothing, class-probability targets and
/// mixed dtypes where PyTorch takes them, plus calls PyTorch rejects (bad reductions, shapes, attributes).
/// float32 gets the full set, the other float dtypes a short one.
/// </summary>
public static class LossSamples
{
    private const DType F32 = DType.Float32, F64 = DType.Float64, F16 = DType.Float16, BF16 = DType.BFloat16, I64 = DType.Int64, I32 = DType.Int32;
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;
    private const SampleDomain Any = SampleDomain.Any, Positive = SampleDomain.Positive, Probability = SampleDomain.Probability, Index = SampleDomain.Index;

    private static readonly string[] Reductions = ["none", "mean", "sum"];
    private static readonly DType[] LowPrecision = [F64, F16, BF16];

    private static TensorSpec Spec(DType dtype, long[] shape, SampleLayout layout = C, SampleDomain domain = Any, long high = 0) => new(dtype, shape, layout, domain, high);

    private static TensorSpec Classes(long[] shape, long classes, SampleLayout layout = C) => new(I64, shape, layout, Index, classes);

    private static Attrs With(string reduction, params (string Name, object? Value)[] extra)
    {
        var attrs = new Attrs { { "reduction", reduction } };
        foreach (var (name, value) in extra) attrs.Add(name, value);
        return attrs;
    }

    private static OpSample Sample(Attrs attrs, params TensorSpec[] inputs) => new(inputs, attrs, Tolerant(inputs[0].DType));

    /// <summary>Float16 and bfloat16 results are a sum rounded once; PyTorch's references round the same float32 sum, but a tie may land a step apart.</summary>
    private static Tolerance? Tolerant(DType dtype) => dtype switch
    {
        F16 => new Tolerance(2e-3, 1e-3),
        BF16 => new Tolerance(1.6e-2, 1e-2),
        _ => null,
    };

    /// <summary>One sample per reduction.</summary>
    private static IEnumerable<OpSample> EachReduction(TensorSpec[] inputs, params (string, object?)[] extra) =>
        Reductions.Select(r => Sample(With(r, extra), inputs));

    // ---- class losses ----------------------------------------------------------------------------

    /// <summary>Index-target cases shared by cross_entropy and nll_loss: input, target and optional weight.</summary>
    private static IEnumerable<TensorSpec[]> ClassCases(DType d)
    {
        yield return [Spec(d, [4, 5]), Classes([4], 5), Spec(d, [5], C, Positive)];
        yield return [Spec(d, [4, 5]), Classes([4], 5)];
        yield return [Spec(d, [2, 4, 3, 2]), Classes([2, 3, 2], 4)];
        yield return [Spec(d, [2, 4, 3, 2]), Classes([2, 3, 2], 4), Spec(d, [4], C, Positive)];
        yield return [Spec(d, [5]), Classes([], 5)];
        yield return [Spec(d, [5]), Classes([], 5), Spec(d, [5], C, Positive)];
        yield return [Spec(d, [0, 5]), Classes([0], 5)];
        yield return [Spec(d, [2, 3, 0]), Classes([2, 0], 3)];
        yield return [Spec(d, [4, 5], T), Classes([4], 5, S)];
        yield return [Spec(d, [3, 6], S), Classes([3], 6), Spec(d, [6], S, Positive)];
        yield return [Spec(d, [4, 5], E), Classes([4], 5, E)];
        yield return [Spec(d, [2, 5, 3], T), Classes([2, 3], 5, T)];
        yield return [Spec(d, [16, 300]), Classes([16], 300), Spec(d, [300], C, Positive)];
        yield return [Spec(d, [5, 6], C, SampleDomain.Special), Classes([5], 6)];
    }

    /// <summary>Cases whose targets hit ignore_index often (few classes), with and without weights.</summary>
    private static IEnumerable<OpSample> IgnoreIndexCases(params (string, object?)[] extra)
    {
        foreach (var weighted in new[] { false, true })
        {
            TensorSpec[] inputs = weighted ? [Spec(F32, [8, 3]), Classes([8], 3), Spec(F32, [3], C, Positive)] : [Spec(F32, [8, 3]), Classes([8], 3)];
            foreach (var sample in EachReduction(inputs, [("ignore_index", 1L), .. extra]))
                yield return sample;
        }
        yield return Sample(With("mean", [("ignore_index", 0L), .. extra]), Spec(F32, [2, 3, 4]), Classes([2, 4], 3), Spec(F32, [3], C, Positive));
        // Every target ignored: the mean of nothing is NaN.
        foreach (var r in Reductions)
            yield return Sample(With(r, [("ignore_index", 0L), .. extra]), Spec(F32, [3, 2]), Classes([3], 1), Spec(F32, [2], C, Positive));
        yield return Sample(With("mean", [("ignore_index", 0L), .. extra]), Spec(F32, [4]), Classes([], 1));
    }

    /// <summary>
    /// Calls PyTorch rejects, shared by cross_entropy and nll_loss. Error samples carry only the attribute at
    /// fault (none for bad shapes), so that leaving an attribute out makes them valid.
    /// </summary>
    private static IEnumerable<OpSample> ClassErrors()
    {
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Classes([3], 5));
        yield return Sample(new Attrs(), Spec(F32, [2, 4, 3]), Classes([2, 4], 4));
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Classes([4], 5), Spec(F32, [4], C, Positive));
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Classes([4], 5), Spec(F64, [5], C, Positive));
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Spec(I32, [4], C, Index, 5));
        yield return Sample(new Attrs(), Spec(F32, []), Classes([], 5));
        yield return Sample(Bad("reduction", "avg"), Spec(F32, [4, 5]), Classes([4], 5));
    }

    /// <summary>The attributes of an error sample: just the one at fault.</summary>
    private static Attrs Bad(string name, object value) => new() { { name, value } };

    /// <summary>Samples of <c>cross_entropy</c>.</summary>
    public static IEnumerable<OpSample> CrossEntropy()
    {
        foreach (var inputs in ClassCases(F32))
        {
            foreach (var sample in EachReduction(inputs))
                yield return sample;
        }
        foreach (var sample in IgnoreIndexCases())
            yield return sample;
        foreach (var sample in IgnoreIndexCases(("label_smoothing", 0.2)))
            yield return sample;
        foreach (var ls in new[] { 0.1, 0.3, 1.0 })
        {
            foreach (var sample in EachReduction([Spec(F32, [4, 5]), Classes([4], 5), Spec(F32, [5], C, Positive)], ("label_smoothing", ls)))
                yield return sample;
        }
        foreach (var sample in EachReduction([Spec(F32, [4, 5]), Classes([4], 5)], ("label_smoothing", 0.1)))
            yield return sample;
        foreach (var sample in EachReduction([Spec(F32, [2, 4, 3, 2]), Classes([2, 3, 2], 4)], ("label_smoothing", 0.25)))
            yield return sample;
        yield return Sample(With("mean", ("label_smoothing", 0.2)), Spec(F32, [5]), Classes([], 5), Spec(F32, [5], C, Positive));
        yield return Sample(With("none", ("label_smoothing", 0.2)), Spec(F32, [16, 300]), Classes([16], 300));
        foreach (var sample in ProbabilityTargets())
            yield return sample;
        foreach (var sample in ClassErrors())
            yield return sample;
        yield return Sample(Bad("label_smoothing", 1.5), Spec(F32, [4, 5]), Classes([4], 5));
        foreach (var d in LowPrecision)
        {
            yield return Sample(With("mean"), Spec(d, [4, 5]), Classes([4], 5), Spec(d, [5], C, Positive));
            yield return Sample(With("none"), Spec(d, [2, 4, 3]), Classes([2, 3], 4));
            yield return Sample(With("sum", ("label_smoothing", 0.2)), Spec(d, [4, 5]), Classes([4], 5));
            yield return Sample(With("mean"), Spec(d, [4, 5]), Spec(d, [4, 5], C, Probability));
            yield return Sample(With("mean"), Spec(d, [16, 300]), Classes([16], 300));
        }
    }

    /// <summary>cross_entropy with class probabilities: the target has the input's shape.</summary>
    private static IEnumerable<OpSample> ProbabilityTargets()
    {
        TensorSpec[][] cases =
        [
            [Spec(F32, [4, 5]), Spec(F32, [4, 5], C, Probability)],
            [Spec(F32, [4, 5]), Spec(F32, [4, 5], C, Probability), Spec(F32, [5], C, Positive)],
            [Spec(F32, [2, 4, 3]), Spec(F32, [2, 4, 3], C, Probability), Spec(F32, [4], C, Positive)],
            [Spec(F32, [5]), Spec(F32, [5], C, Probability)],
            [Spec(F32, [0, 5]), Spec(F32, [0, 5], C, Probability)],
            [Spec(F32, [4, 5], T), Spec(F32, [4, 5], S, Probability)],
            [Spec(F32, [4, 5]), Spec(F64, [4, 5], C, Probability)],
        ];
        foreach (var inputs in cases)
        {
            foreach (var sample in EachReduction(inputs))
                yield return sample;
        }
        foreach (var sample in EachReduction([Spec(F32, [4, 5]), Spec(F32, [4, 5], C, Probability), Spec(F32, [5], C, Positive)], ("label_smoothing", 0.2)))
            yield return sample;
        yield return Sample(With("mean", ("label_smoothing", 0.3)), Spec(F32, [2, 4, 3]), Spec(F32, [2, 4, 3], C, Probability));
        yield return Sample(Bad("ignore_index", 1L), Spec(F32, [4, 5]), Spec(F32, [4, 5], C, Probability));
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Spec(I64, [4, 5], C, Index, 5));
    }

    /// <summary>Samples of <c>nll_loss</c>.</summary>
    public static IEnumerable<OpSample> NllLoss()
    {
        foreach (var inputs in ClassCases(F32))
        {
            foreach (var sample in EachReduction(inputs))
                yield return sample;
        }
        foreach (var sample in IgnoreIndexCases())
            yield return sample;
        foreach (var sample in ClassErrors())
            yield return sample;
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Spec(F32, [4, 5], C, Probability));
        foreach (var d in LowPrecision)
        {
            yield return Sample(With("mean"), Spec(d, [4, 5]), Classes([4], 5), Spec(d, [5], C, Positive));
            yield return Sample(With("none"), Spec(d, [2, 4, 3]), Classes([2, 3], 4));
            yield return Sample(With("sum", ("ignore_index", 1L)), Spec(d, [8, 3]), Classes([8], 3));
        }
    }

    // ---- elementwise losses --------------------------------------------------------------------

    private static readonly (long[] A, SampleLayout LA, long[] B, SampleLayout LB)[] RegressionShapes =
    [
        ([3, 4], C, [3, 4], C),
        ([3, 4], C, [4], C),
        ([3, 1], C, [1, 4], C),
        ([], C, [], C),
        ([5], C, [], C),
        ([4, 3], T, [4, 3], S),
        ([2, 3, 5], S, [3, 1], C),
        ([3, 4], E, [3, 4], T),
        ([0, 3], C, [0, 3], C),
        ([13, 67], C, [13, 67], C),
    ];

    /// <summary>
    /// Samples of an elementwise (input, target) loss: every shape pair under every reduction, each value of
    /// the op's attribute (<paramref name="variants"/>) and one it rejects (<paramref name="invalid"/>), mixed
    /// dtypes (a 0-d operand too: these losses broadcast before they promote), the other float dtypes, and a bad
    /// reduction and shapes that do not broadcast.
    /// </summary>
    public static IEnumerable<OpSample> Regression(IReadOnlyList<(string Name, object Value)> variants, (string Name, object Value)? invalid = null)
    {
        foreach (var (a, la, b, lb) in RegressionShapes)
        {
            foreach (var sample in EachReduction([Spec(F32, a, la), Spec(F32, b, lb)]))
                yield return sample;
        }
        foreach (var variant in variants)
        {
            foreach (var r in new[] { "none", "mean" })
                yield return Sample(With(r, variant), Spec(F32, [4, 5]), Spec(F32, [4, 5]));
        }
        if (invalid is var (name, value))
            yield return Sample(Bad(name, value), Spec(F32, [4, 5]), Spec(F32, [4, 5]));
        (DType A, long[] ShapeA, DType B, long[] ShapeB)[] mixed =
        [
            (F32, [3, 4], F64, [3, 4]), (F64, [3, 4], F32, [3, 4]), (F32, [3, 4], I64, [3, 4]), (F32, [3, 4], F64, []), (F16, [3, 4], F32, [3, 4]),
        ];
        foreach (var (da, sa, db, sb) in mixed)
        {
            yield return Sample(With("none"), Spec(da, sa), Spec(db, sb));
            yield return Sample(With("mean"), Spec(da, sa), Spec(db, sb));
        }
        foreach (var d in LowPrecision)
        {
            foreach (var sample in EachReduction([Spec(d, [3, 4]), Spec(d, [3, 4])]))
                yield return sample;
            yield return Sample(With("mean"), Spec(d, [13, 67]), Spec(d, [13, 67]));
        }
        yield return Sample(new Attrs(), Spec(F32, [3, 4]), Spec(F32, [3]));
        yield return Sample(Bad("reduction", "avg"), Spec(F32, [3, 4]), Spec(F32, [3, 4]));
    }

    /// <summary>Samples of <c>binary_cross_entropy</c>: probabilities (exact 0s and 1s included, where the logs clamp to -100).</summary>
    public static IEnumerable<OpSample> BinaryCrossEntropy()
    {
        TensorSpec P(DType d, long[] shape, SampleLayout layout = C) => Spec(d, shape, layout, Probability);
        TensorSpec[][] cases =
        [
            [P(F32, [3, 4]), P(F32, [3, 4]), Spec(F32, [4], C, Positive)],
            [P(F32, [3, 4]), P(F32, [3, 4])],
            [P(F32, [3, 4]), P(F32, [3, 4]), Spec(F32, [3, 4], T, Positive)],
            [P(F32, [3, 4]), P(F32, [3, 4]), Spec(F32, [3, 1], C, Positive)],
            [P(F32, []), P(F32, [])],
            [P(F32, [0, 3]), P(F32, [0, 3])],
            [P(F32, [4, 3], T), P(F32, [4, 3], S)],
            [P(F32, [3, 4], E), P(F32, [3, 4])],
            [P(F32, [13, 67]), P(F32, [13, 67])],
        ];
        foreach (var inputs in cases)
        {
            foreach (var sample in EachReduction(inputs))
                yield return sample;
        }
        yield return Sample(With("mean"), P(F32, [3, 4]), P(F32, [3, 4]), Spec(F64, [4], C, Positive));
        foreach (var d in LowPrecision)
        {
            foreach (var sample in EachReduction([P(d, [3, 4]), P(d, [3, 4]), Spec(d, [4], C, Positive)]))
                yield return sample;
        }
        yield return Sample(new Attrs(), P(F32, [3, 4]), P(F32, [4]));
        yield return Sample(new Attrs(), P(F32, [3, 4]), P(F64, [3, 4]));
        yield return Sample(new Attrs(), P(F32, [3, 4]), P(F32, [3, 4]), Spec(F32, [2, 3, 4], C, Positive));
        yield return Sample(Bad("reduction", "avg"), P(F32, [3, 4]), P(F32, [3, 4]));
    }

    /// <summary>Samples of <c>binary_cross_entropy_with_logits</c>, with weight and pos_weight (one value per class, broadcast).</summary>
    public static IEnumerable<OpSample> BinaryCrossEntropyWithLogits()
    {
        TensorSpec P(DType d, long[] shape, SampleLayout layout = C) => Spec(d, shape, layout, Probability);
        TensorSpec W(DType d, long[] shape, SampleLayout layout = C) => Spec(d, shape, layout, Positive);
        TensorSpec[][] cases =
        [
            [Spec(F32, [3, 4]), P(F32, [3, 4]), W(F32, [4]), W(F32, [4])],
            [Spec(F32, [3, 4]), P(F32, [3, 4])],
            [Spec(F32, [3, 4]), P(F32, [3, 4]), W(F32, [3, 1])],
            [Spec(F32, [2, 3, 4]), P(F32, [2, 3, 4]), W(F32, [3, 4], T), W(F32, [4], S)],
            [Spec(F32, []), P(F32, [])],
            [Spec(F32, [0, 4]), P(F32, [0, 4]), W(F32, [4]), W(F32, [4])],
            [Spec(F32, [4, 3], T), P(F32, [4, 3], S)],
            [Spec(F32, [3, 4], E), P(F32, [3, 4])],
            [Spec(F32, [13, 67]), P(F32, [13, 67]), W(F32, [67]), W(F32, [67])],
            [Spec(F32, [6, 5], C, SampleDomain.Special), P(F32, [6, 5])],
        ];
        foreach (var inputs in cases)
        {
            foreach (var sample in EachReduction(inputs))
                yield return sample;
        }
        // The result takes the target's dtype, as in PyTorch.
        yield return Sample(With("none"), Spec(F64, [3, 4]), P(F32, [3, 4]));
        yield return Sample(With("mean"), Spec(F32, [3, 4]), P(F64, [3, 4]), W(F64, [4]), W(F64, [4]));
        foreach (var d in LowPrecision)
        {
            foreach (var sample in EachReduction([Spec(d, [3, 4]), P(d, [3, 4]), W(d, [4]), W(d, [4])]))
                yield return sample;
        }
        yield return Sample(new Attrs(), Spec(F32, [3, 4]), P(F32, [4]));
        yield return Sample(new Attrs(), Spec(F32, [3, 4]), P(F32, [3, 4]), W(F32, [2, 3, 4]));
        yield return Sample(Bad("reduction", "avg"), Spec(F32, [3, 4]), P(F32, [3, 4]));
    }

    /// <summary>Samples of <c>kl_div</c>: probabilities (0 included) or log-probabilities as targets, every reduction including batchmean.</summary>
    public static IEnumerable<OpSample> KlDiv()
    {
        string[] reductions = ["none", "mean", "sum", "batchmean"];
        TensorSpec[][] cases =
        [
            [Spec(F32, [3, 4]), Spec(F32, [3, 4], C, Probability)],
            [Spec(F32, [3, 4]), Spec(F32, [4], C, Probability)],
            [Spec(F32, []), Spec(F32, [], C, Probability)],
            [Spec(F32, [0, 3]), Spec(F32, [0, 3], C, Probability)],
            [Spec(F32, [4, 3], T), Spec(F32, [4, 3], S, Probability)],
            [Spec(F32, [13, 67]), Spec(F32, [13, 67], C, Probability)],
            [Spec(F32, [3, 4]), Spec(F64, [3, 4], C, Probability)],
        ];
        foreach (var inputs in cases)
        {
            foreach (var r in reductions)
                yield return Sample(With(r), inputs);
        }
        foreach (var r in reductions)
            yield return Sample(With(r, ("log_target", true)), Spec(F32, [3, 4]), Spec(F32, [3, 4]));
        // Negative targets have no logarithm: NaN.
        yield return Sample(With("none"), Spec(F32, [3, 4]), Spec(F32, [3, 4]));
        foreach (var d in LowPrecision)
        {
            yield return Sample(With("batchmean"), Spec(d, [3, 4]), Spec(d, [3, 4], C, Probability));
            yield return Sample(With("none", ("log_target", true)), Spec(d, [3, 4]), Spec(d, [3, 4]));
        }
        yield return Sample(new Attrs(), Spec(F32, [3, 4]), Spec(F32, [3], C, Probability));
        yield return Sample(Bad("reduction", "avg"), Spec(F32, [3, 4]), Spec(F32, [3, 4], C, Probability));
    }

    /// <summary>Samples of <c>cosine_embedding_loss</c>: targets -1, 0 and 1 (0 contributes nothing), several margins.</summary>
    public static IEnumerable<OpSample> CosineEmbedding()
    {
        TensorSpec Signs(long[] shape, SampleLayout layout = C) => Spec(I64, shape, layout, SampleDomain.Unit);
        TensorSpec[][] cases =
        [
            [Spec(F32, [4, 5]), Spec(F32, [4, 5]), Signs([4])],
            [Spec(F32, [5]), Spec(F32, [5]), Signs([])],
            [Spec(F32, [4, 5]), Spec(F32, [1, 5]), Signs([4])],
            [Spec(F32, [4, 5]), Spec(F32, [4, 5]), Signs([1])],
            [Spec(F32, [0, 5]), Spec(F32, [0, 5]), Signs([0])],
            [Spec(F32, [4, 5], T), Spec(F32, [4, 5], S), Signs([4], S)],
            [Spec(F32, [4, 5], E), Spec(F32, [4, 5]), Spec(F32, [4])],
            [Spec(F32, [64, 33]), Spec(F32, [64, 33]), Signs([64])],
            [Spec(F32, [4, 5]), Spec(F64, [4, 5]), Signs([4])],
        ];
        foreach (var inputs in cases)
        {
            foreach (var sample in EachReduction(inputs))
                yield return sample;
        }
        foreach (var margin in new[] { 0.3, -0.2 })
        {
            foreach (var sample in EachReduction([Spec(F32, [6, 5]), Spec(F32, [6, 5]), Signs([6])], ("margin", margin)))
                yield return sample;
        }
        foreach (var d in LowPrecision)
            yield return Sample(With("mean", ("margin", 0.1)), Spec(d, [6, 5]), Spec(d, [6, 5]), Signs([6]));
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Spec(F32, [4, 5]), Signs([4, 1]));
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Spec(F32, [5]), Signs([4]));
        yield return Sample(new Attrs(), Spec(F32, [4, 5]), Spec(F32, [4, 5]), Signs([3]));
        yield return Sample(Bad("reduction", "avg"), Spec(F32, [4, 5]), Spec(F32, [4, 5]), Signs([4]));
    }

    /// <summary>Samples of <c>margin_ranking_loss</c>.</summary>
    public static IEnumerable<OpSample> MarginRanking()
    {
        TensorSpec[][] cases =
        [
            [Spec(F32, [6]), Spec(F32, [6]), Spec(F32, [6])],
            [Spec(F32, []), Spec(F32, []), Spec(F32, [])],
            [Spec(F32, [3, 1]), Spec(F32, [1, 4]), Spec(F32, [3, 4])],
            [Spec(F32, [6]), Spec(F32, [1]), Spec(I64, [6], C, SampleDomain.Unit)],
            [Spec(F32, [0]), Spec(F32, [0]), Spec(F32, [0])],
            [Spec(F32, [4, 3], T), Spec(F32, [4, 3], S), Spec(F32, [4, 3], E)],
            [Spec(F32, [13, 67]), Spec(F32, [13, 67]), Spec(F32, [13, 67])],
            [Spec(F32, [6]), Spec(F32, [6]), Spec(F64, [6])],
        ];
        foreach (var inputs in cases)
        {
            foreach (var sample in EachReduction(inputs))
                yield return sample;
        }
        foreach (var margin in new[] { 0.5, -1.0 })
        {
            foreach (var sample in EachReduction([Spec(F32, [3, 4]), Spec(F32, [3, 4]), Spec(F32, [3, 4])], ("margin", margin)))
                yield return sample;
        }
        foreach (var d in LowPrecision)
            yield return Sample(With("mean", ("margin", 0.5)), Spec(d, [3, 4]), Spec(d, [3, 4]), Spec(d, [3, 4]));
        yield return Sample(new Attrs(), Spec(F32, [3, 4]), Spec(F32, [4]), Spec(F32, [4]));
        yield return Sample(new Attrs(), Spec(F32, [3, 4]), Spec(F32, [3, 4]), Spec(F32, [3, 5]));
        yield return Sample(Bad("reduction", "avg"), Spec(F32, [6]), Spec(F32, [6]), Spec(F32, [6]));
    }

    // ---- ctc_loss --------------------------------------------------------------------------------

    /// <summary>
    /// Samples of <c>ctc_loss</c>. Lengths are drawn at random within their bounds, so some inputs are too short
    /// for their targets (an infinite loss, or 0 with zero_infinity). Input lengths are never 0: PyTorch 1.13
    /// reads outside its buffer for them (Kiln gives 0 for an empty target, infinity otherwise).
    /// </summary>
    public static IEnumerable<OpSample> Ctc()
    {
        // uint8 lengths drawn "non-zero" lie in [1, 9], so the inputs have 9 steps.
        static TensorSpec[] Batch(DType d, long batch, long classes, long width, long targetHigh, SampleLayout layout = C) =>
        [
            Spec(d, [9, batch, classes], layout),
            Spec(I64, [batch, width], C, Index, targetHigh),
            Spec(DType.UInt8, [batch], C, SampleDomain.NonZero),
            Spec(I64, [batch], C, Index, width + 1),
        ];
        var small = Batch(F32, 3, 5, 4, 4);
        foreach (var zero in new[] { false, true })
        {
            foreach (var sample in EachReduction(small, ("blank", 4L), ("zero_infinity", zero)))
                yield return sample;
        }
        TensorSpec[] longer = [Spec(F32, [30, 4, 6]), Spec(I64, [4, 8], C, Index, 5), Spec(I64, [4], C, Index, 31), Spec(I64, [4], C, Index, 9)];
        foreach (var sample in EachReduction(longer, ("blank", 5L)))
            yield return sample;
        // Blank 0 with targets that may hold the blank itself, as PyTorch allows.
        foreach (var sample in EachReduction(Batch(F32, 3, 5, 3, 5)))
            yield return sample;
        yield return Sample(With("mean", ("blank", 4L)), Batch(F32, 3, 5, 4, 4, T));
        TensorSpec[] int32 = [Spec(F32, [9, 3, 5]), Spec(I32, [3, 4], C, Index, 4), Spec(I32, [3], C, Positive), Spec(I32, [3], C, Index, 5)];
        yield return Sample(With("none", ("blank", 4L)), int32);
        TensorSpec[] unbatched = [Spec(F32, [9, 5]), Spec(I64, [1, 4], C, Index, 4), Spec(DType.UInt8, [], C, SampleDomain.NonZero), Spec(I64, [], C, Index, 5)];
        foreach (var sample in EachReduction(unbatched, ("blank", 4L)))
            yield return sample;
        // Concatenated targets, all empty; and an empty batch.
        TensorSpec[] concatenated = [Spec(F32, [9, 3, 5]), Spec(I64, [0], C, Index, 4), Spec(DType.UInt8, [3], C, SampleDomain.NonZero), Spec(I64, [3], C, Index, 1)];
        yield return Sample(With("none", ("blank", 4L)), concatenated);
        yield return Sample(With("mean", ("blank", 4L)), concatenated);
        foreach (var sample in EachReduction(Batch(F32, 0, 5, 4, 4), ("blank", 4L)))
            yield return sample;
        foreach (var d in LowPrecision)
        {
            yield return Sample(With("none", ("blank", 4L)), Batch(d, 3, 5, 4, 4));
            yield return Sample(With("mean", ("blank", 4L)), Batch(d, 3, 5, 4, 4));
        }
        yield return Sample(new Attrs(), [small[0], Spec(I64, [2, 4], C, Index, 4), small[2], small[3]]);
        yield return Sample(new Attrs(), [small[0], small[1], Spec(DType.UInt8, [4], C, SampleDomain.NonZero), small[3]]);
        yield return Sample(Bad("blank", 5L), small);
        yield return Sample(Bad("reduction", "avg"), small);
    }
}
