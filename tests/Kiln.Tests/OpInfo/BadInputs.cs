using Kiln.IR;

namespace Kiln.Tests.OpInfo;

/// <summary>One bad call of an op: inputs (contiguous zeros) and attributes, and what the error message must mention.</summary>
internal sealed record BadInput(string Op, string Kind, TensorSpec[] Inputs, Attrs Attrs, string[] MustMention);

/// <summary>
/// Bad inputs derived from each op's own samples: a sample is changed in one way (a mismatched shape, a
/// dim out of range, a dtype the op does not take, a required attribute left out, one input too many),
/// and the op's type rule decides whether the change makes the call invalid. So the cases follow the
/// registry as ops are added, and every op family gets checked.
/// </summary>
internal static class BadInputs
{
    /// <summary>The kind of case that every op has (the input count is checked by the dispatcher).</summary>
    public const string WrongInputCount = "wrong input count";

    /// <summary>Every bad-input case of every non-random op.</summary>
    public static IEnumerable<BadInput> All() => OpRegistry.All.Where(o => !o.IsRandom).SelectMany(For);

    /// <summary>The bad-input cases of <paramref name="op"/>.</summary>
    public static IEnumerable<BadInput> For(OpDef op)
    {
        var samples = op.Samples().ToArray();
        if (samples.Length == 0) yield break;
        if (MismatchedShape(op, samples) is { } shape) yield return shape;
        if (DimOutOfRange(op, samples) is { } dim) yield return dim;
        if (UnsupportedDType(op, samples[0]) is { } dtype) yield return dtype;
        if (MissingAttribute(op, samples) is { } attr) yield return attr;
        // One input too many; a variadic op takes any number, so it gets none at all instead.
        var first = Contiguous(samples[0].Inputs);
        TensorSpec[] wrong = op.IsVariadic ? [] : [.. first, first[0]];
        yield return new BadInput(op.Name, WrongInputCount, wrong, samples[0].Attrs, [op.Name, wrong.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    /// <summary>The last dim of input 0 made one longer, in the first sample where that is invalid.</summary>
    private static BadInput? MismatchedShape(OpDef op, OpSample[] samples)
    {
        foreach (var sample in samples.Where(s => s.Inputs.Count >= 2 && s.Inputs.All(i => i.Shape.Length > 0)))
        {
            var inputs = Contiguous(sample.Inputs);
            inputs[0] = inputs[0] with { Shape = [.. inputs[0].Shape[..^1], inputs[0].Shape[^1] + 1] };
            if (Rejects(op, inputs, sample.Attrs))
                return new BadInput(op.Name, "mismatched shapes", inputs, sample.Attrs, [op.Name, Shapes.Format(inputs[0].Shape), Shapes.Format(inputs[1].Shape)]);
        }
        return null;
    }

    /// <summary>The <c>dim</c> attribute set two past the last dim of input 0.</summary>
    private static BadInput? DimOutOfRange(OpDef op, OpSample[] samples)
    {
        var schema = op.Attributes.FirstOrDefault(a => a.Name == "dim");
        var sample = samples.FirstOrDefault(s => s.Inputs[0].Shape.Length > 0);
        if (schema is null || sample is null) return null;
        long bad = sample.Inputs[0].Shape.Length + 2;
        var attrs = With(sample.Attrs, "dim", schema.Kind == "ints" ? new[] { bad } : bad);
        var inputs = Contiguous(sample.Inputs);
        return Rejects(op, inputs, attrs)
            ? new BadInput(op.Name, "dim out of range", inputs, attrs, [op.Name, bad.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            : null;
    }

    /// <summary>Input 0 given a dtype the op does not list in <see cref="OpDef.DTypes"/>.</summary>
    private static BadInput? UnsupportedDType(OpDef op, OpSample sample)
    {
        foreach (var dtype in DTypes.All.Where(d => !op.DTypes.Contains(d)))
        {
            var inputs = Contiguous(sample.Inputs);
            inputs[0] = inputs[0] with { DType = dtype };
            if (Rejects(op, inputs, sample.Attrs))
                return new BadInput(op.Name, "unsupported dtype", inputs, sample.Attrs, [op.Name, dtype.Name()]);
        }
        return null;
    }

    /// <summary>One attribute of a sample left out, where the op cannot do without it.</summary>
    private static BadInput? MissingAttribute(OpDef op, OpSample[] samples)
    {
        // Only samples the op accepts as they are: leaving an attribute out must be what makes the call invalid.
        foreach (var sample in samples.Where(s => !Rejects(op, Contiguous(s.Inputs), s.Attrs)))
        {
            foreach (var (name, _) in sample.Attrs)
            {
                var attrs = new Attrs();
                foreach (var (other, value) in sample.Attrs.Where(kv => kv.Key != name))
                    attrs.Add(other, value);
                var inputs = Contiguous(sample.Inputs);
                if (Rejects(op, inputs, attrs))
                    return new BadInput(op.Name, $"missing attribute {name}", inputs, attrs, [op.Name, name]);
            }
        }
        return null;
    }

    private static TensorSpec[] Contiguous(IReadOnlyList<TensorSpec> inputs) =>
        inputs.Select(i => new TensorSpec(i.DType, i.Shape)).ToArray();

    private static Attrs With(Attrs attrs, string name, object value)
    {
        var result = new Attrs();
        foreach (var (other, v) in attrs)
            result.Add(other, v);
        result.Add(name, value);
        return result;
    }

    /// <summary>Whether the op's type rule rejects the call (the judge of what is invalid).</summary>
    private static bool Rejects(OpDef op, TensorSpec[] inputs, Attrs attrs)
    {
        try
        {
            op.InferTypes(inputs.Select(i => new TensorType(i.DType, i.Shape)).ToArray(), attrs);
            return false;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return true;
        }
    }
}
