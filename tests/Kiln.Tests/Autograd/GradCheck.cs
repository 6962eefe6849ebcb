using Kiln.IR;
using Kiln.Kernels;

namespace Kiln.Tests.Gradients;

/// <summary>
/// Checks an op's gradient rule against central finite differences in float64 (PyTorch's gradcheck):
/// the vector-Jacobian product with a fixed pseudo-random cotangent, for every floating-point input.
/// </summary>
internal static class GradCheck
{
    /// <summary>Returns a description of each mismatch (empty when the rule agrees with the finite differences).</summary>
    public static List<string> Run(string op, IReadOnlyList<Tensor> inputs, Attrs attrs, double atol = 1e-5, double rtol = 1e-3)
    {
        var x = inputs.Select(t => t.DType.IsFloatingPoint() ? t.To(DType.Float64).Clone().RequiresGrad_() : t).ToArray();
        var outputs = OpDispatch.Call(op, x, attrs);
        var cotangents = outputs.Select((o, i) => o.DType.IsFloatingPoint() ? Cotangent(o.shape, seed: i + 1) : null).ToArray();
        var differentiable = Enumerable.Range(0, x.Length).Where(i => x[i].RequiresGrad).ToArray();
        var floatOutputs = Enumerable.Range(0, outputs.Length).Where(i => cotangents[i] is not null).ToArray();
        var problems = new List<string>();
        if (floatOutputs.Length == 0 || differentiable.Length == 0) return problems;
        var analytic = Kiln.Autograd.Grad(
            floatOutputs.Select(i => outputs[i]).ToArray(), differentiable.Select(i => x[i]).ToArray(),
            floatOutputs.Select(i => cotangents[i]).ToArray(), allowUnused: true);
        long checkedElements = 0, skippedElements = 0;
        for (int k = 0; k < differentiable.Length; k++)
        {
            int input = differentiable[k];
            var numeric = Numeric(op, x, attrs, input, cotangents);
            skippedElements += numeric.Count(double.IsNaN);
            checkedElements += numeric.Count(v => !double.IsNaN(v));
            var got = analytic[k]?.To(DType.Float64).Contiguous().ToArray<double>() ?? new double[numeric.Length];
            for (int j = 0; j < numeric.Length; j++)
            {
                if (!double.IsNaN(numeric[j]) && Math.Abs(got[j] - numeric[j]) > atol + rtol * Math.Abs(numeric[j]))
                {
                    problems.Add($"input {input} element {j}: analytic {got[j]:R}, numeric {numeric[j]:R}");
                    if (problems.Count >= 5) return problems;
                }
            }
        }
        bool finite = double.IsFinite(Objective(op, x.Select(t => t.Detach()).ToArray(), attrs, cotangents));
        if (checkedElements == 0 && skippedElements > 0 && finite)
            problems.Add($"no element could be checked: all {skippedElements} sit on points without a derivative");
        return problems;
    }

    /// <summary>
    /// d(Σ cotangent · output)/d(input element) by central differences; NaN where the function has no derivative
    /// (the one-sided differences disagree: a kink, a tie between maxima, a repeated index) or where a step leaves
    /// the op's domain (the kernel throws), so the caller skips those elements as PyTorch's gradcheck users must.
    /// </summary>
    private static double[] Numeric(string op, Tensor[] x, Attrs attrs, int input, Tensor?[] cotangents)
    {
        var probe = x.Select(t => t.Detach()).ToArray();
        var perturbed = x[input].Detach().Clone();
        probe[input] = perturbed;
        var values = perturbed.Span<double>();
        var result = new double[values.Length];
        double center = Objective(op, probe, attrs, cotangents);
        for (int j = 0; j < values.Length; j++)
        {
            double original = values[j], h = 1e-6 * Math.Max(1, Math.Abs(original));
            try
            {
                values[j] = original + h;
                double plus = Objective(op, probe, attrs, cotangents);
                values[j] = original - h;
                double minus = Objective(op, probe, attrs, cotangents);
                double right = (plus - center) / h, left = (center - minus) / h;
                bool smooth = Math.Abs(right - left) <= 1e-3 * Math.Max(1, Math.Abs(right) + Math.Abs(left));
                result[j] = smooth ? (plus - minus) / (2 * h) : double.NaN;
            }
            catch (ArgumentException)
            {
                result[j] = double.NaN;
            }
            finally
            {
                values[j] = original;
            }
        }
        return result;
    }

    private static double Objective(string op, Tensor[] x, Attrs attrs, Tensor?[] cotangents)
    {
        var outputs = CpuKernels.Invoke(op, x, attrs);
        double total = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            if (cotangents[i] is not { } c) continue;
            var o = outputs[i].To(DType.Float64).Contiguous().ToArray<double>();
            var w = c.ToArray<double>();
            for (int j = 0; j < o.Length; j++) total += o[j] * w[j];
        }
        return total;
    }

    /// <summary>A reproducible float64 tensor of values in [-1, 1).</summary>
    public static Tensor Cotangent(long[] shape, int seed)
    {
        var rng = new System.Random(seed);
        var data = new double[Shapes.Numel(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextDouble() * 2 - 1;
        return Tensor.FromArray(data, [data.Length]).Reshape(shape);
    }
}
