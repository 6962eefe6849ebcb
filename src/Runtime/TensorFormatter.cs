using System.Globalization;

namespace Kiln;

/// <summary>
/// Renders a tensor the way PyTorch 1.13's <c>repr</c> does (torch/_tensor_str.py with its default print
/// options): one number format chosen for the whole tensor, elements right-aligned to a common width,
/// rows wrapped at 80 columns, large tensors summarised with <c>...</c>, and a dtype suffix when the
/// dtype is not float32, int64 or bool.
/// </summary>
internal static class TensorFormatter
{
    private const int Precision = 4;
    private const long Threshold = 1000;
    private const int EdgeItems = 3;
    private const int LineWidth = 80;
    private const string Prefix = "tensor(";

    /// <summary>The PyTorch-style text of <paramref name="tensor"/>.</summary>
    internal static string Format(Tensor tensor)
    {
        var suffixes = new List<string>();
        string body;
        if (tensor.numel == 0)
        {
            // Nothing shows the shape or dtype of an empty tensor, so they are spelled out.
            if (tensor.Dim != 1) suffixes.Add("size=" + PythonTuple(tensor.shape));
            if (tensor.DType != DTypes.DefaultFloat) suffixes.Add(DTypeSuffix(tensor.DType));
            body = "[]";
        }
        else
        {
            if (tensor.DType is not (DTypes.DefaultFloat or DType.Int64 or DType.Bool)) suffixes.Add(DTypeSuffix(tensor.DType));
            body = Body(tensor, Prefix.Length);
        }
        return AddSuffixes(Prefix + body, suffixes, Prefix.Length);
    }

    private static string Body(Tensor tensor, int indent)
    {
        bool summarize = tensor.numel > Threshold;
        IEnumerable<string> texts;
        int width;
        if (tensor.DType.IsFloatingPoint())
        {
            var values = new List<double>();
            Collect(tensor, summarize, DType.Float64, values);
            var format = new FloatFormat(values);
            texts = values.Select(format.Format);
            width = format.Width;
        }
        else
        {
            var values = new List<long>();
            Collect(tensor, summarize, DType.Int64, values);
            Func<long, string> text = tensor.DType == DType.Bool
                ? v => v != 0 ? "True" : "False"
                : v => v.ToString(CultureInfo.InvariantCulture);
            width = values.Select(v => text(v).Length).Prepend(1).Max();
            texts = values.Select(v => text(v).PadLeft(width));
        }
        using var next = texts.GetEnumerator();
        return Render(tensor.shape, 0, indent, summarize, width, next);
    }

    /// <summary>The printed elements (the edges only, when summarising) in print order, read as <paramref name="wide"/>.</summary>
    private static void Collect<T>(Tensor t, bool summarize, DType wide, List<T> into) where T : unmanaged
    {
        if (t.Dim == 0)
        {
            into.Add(t.To(wide).Item<T>());
            return;
        }
        long size = t.shape[0];
        if (t.Dim == 1)
        {
            if (Summarized(size, summarize))
            {
                into.AddRange(t.Narrow(0, 0, EdgeItems).To(wide).ToArray<T>());
                into.AddRange(t.Narrow(0, size - EdgeItems, EdgeItems).To(wide).ToArray<T>());
            }
            else
            {
                into.AddRange(t.To(wide).ToArray<T>());
            }
            return;
        }
        foreach (var i in PrintedIndices(size, summarize))
        {
            if (i is { } index) Collect(t.Select(0, index), summarize, wide, into);
        }
    }

    /// <summary>The nested-bracket text of dims <paramref name="dim"/>.. of <paramref name="shape"/>, taking element texts in order from <paramref name="texts"/>.</summary>
    private static string Render(long[] shape, int dim, int indent, bool summarize, int width, IEnumerator<string> texts)
    {
        int rank = shape.Length - dim;
        if (rank == 0) return Next(texts);
        var items = PrintedIndices(shape[dim], summarize)
            .Select(i => i is null ? (rank == 1 ? " ..." : "...")
                : rank == 1 ? Next(texts) : Render(shape, dim + 1, indent + 1, summarize, width, texts))
            .ToList();
        if (rank > 1)
            return "[" + string.Join("," + new string('\n', rank - 1) + new string(' ', indent + 1), items) + "]";
        // A row holds as many elements as fit in the line width (", " included), at least one.
        int perLine = Math.Max(1, (LineWidth - indent) / (width + 2));
        var lines = items.Chunk(perLine).Select(line => string.Join(", ", line));
        return "[" + string.Join(",\n" + new string(' ', indent + 1), lines) + "]";
    }

    private static string Next(IEnumerator<string> texts) =>
        texts.MoveNext() ? texts.Current : throw new InvalidOperationException("tensor formatting: fewer element texts than printed elements");

    /// <summary>The indices of a dim that are printed, with null where the <c>...</c> of a summary goes.</summary>
    private static IEnumerable<long?> PrintedIndices(long size, bool summarize)
    {
        if (!Summarized(size, summarize))
        {
            for (long i = 0; i < size; i++) yield return i;
            yield break;
        }
        for (long i = 0; i < EdgeItems; i++) yield return i;
        yield return null;
        for (long i = size - EdgeItems; i < size; i++) yield return i;
    }

    private static bool Summarized(long size, bool summarize) => summarize && size > 2 * EdgeItems;

    /// <summary>Appends <c>, suffix</c> for each suffix, on a new line when the current one would pass the line width.</summary>
    private static string AddSuffixes(string text, List<string> suffixes, int indent)
    {
        var result = new System.Text.StringBuilder(text);
        int lastLineLength = text.Length - text.LastIndexOf('\n') + 1;
        foreach (var suffix in suffixes)
        {
            if (lastLineLength + suffix.Length + 2 > LineWidth)
            {
                result.Append(",\n").Append(' ', indent).Append(suffix);
                lastLineLength = indent + suffix.Length;
            }
            else
            {
                result.Append(", ").Append(suffix);
                lastLineLength += suffix.Length + 2;
            }
        }
        return result.Append(')').ToString();
    }

    private static string DTypeSuffix(DType dtype) => "dtype=torch." + dtype.Name();

    private static string PythonTuple(long[] shape) =>
        shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    /// <summary>
    /// PyTorch's choice of one format for all floating elements, from the nonzero finite ones: integers
    /// print as <c>3.</c>; a spread above 1000×, a magnitude above 1e8 or (for non-integers) below 1e-4
    /// switches to scientific notation; otherwise 4 decimals.
    /// </summary>
    private sealed class FloatFormat
    {
        private readonly bool intMode = true;
        private readonly bool sciMode;

        internal FloatFormat(List<double> values)
        {
            var finite = values.Where(v => double.IsFinite(v) && v != 0).ToList();
            if (finite.Count == 0) return;
            double min = finite.Min(Math.Abs), max = finite.Max(Math.Abs);
            intMode = finite.All(v => v == Math.Ceiling(v));
            sciMode = max / min > 1000.0 || max > 1.0e8 || (!intMode && min < 1.0e-4);
            Width = finite.Max(v => Plain(v).Length + (intMode && !sciMode ? 1 : 0));
        }

        /// <summary>The width every element is padded to.</summary>
        internal int Width { get; } = 1;

        internal string Format(double value)
        {
            string text = Plain(value);
            if (intMode && !sciMode && double.IsFinite(value)) text += ".";
            return text.PadLeft(Width);
        }

        private string Plain(double value) =>
            sciMode ? PythonFloatFormat.Scientific(value, Precision)
            : intMode ? PythonFloatFormat.Fixed(value, 0)
            : PythonFloatFormat.Fixed(value, Precision);
    }
}
