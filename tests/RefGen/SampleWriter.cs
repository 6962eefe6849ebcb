using System.Globalization;
using System.Text.Json;
using Kiln.IR;
using Kiln.Tests.OpInfo;

namespace Kiln.RefGen;

/// <summary>Writes one op's samples, with their generated input values, as the JSON the oracle reads.</summary>
internal static class SampleWriter
{
    /// <summary>Writes <paramref name="op"/> and all its samples as one JSON object; returns the sample count.</summary>
    /// <exception cref="InvalidOperationException">Two samples of the op have the same id.</exception>
    public static int WriteOp(Utf8JsonWriter writer, OpDef op)
    {
        writer.WriteStartObject();
        writer.WriteString("op", op.Name);
        writer.WriteString("family", op.Family);
        writer.WriteStartArray("samples");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sample in op.Samples())
        {
            if (!ids.Add(sample.Id))
                throw new InvalidOperationException($"op '{op.Name}' has two samples with id '{sample.Id}'; reference files match samples by id, so ids must be unique");
            WriteSample(writer, op.Name, sample);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        return ids.Count;
    }

    private static void WriteSample(Utf8JsonWriter writer, string op, OpSample sample)
    {
        writer.WriteStartObject();
        writer.WriteString("id", sample.Id);
        writer.WriteStartArray("inputs");
        for (int i = 0; i < sample.Inputs.Count; i++)
        {
            var spec = sample.Inputs[i];
            writer.WriteStartObject();
            SampleCodec.WriteSpecProperties(writer, spec);
            writer.WriteStartArray("values");
            double[] values;
            try
            {
                values = InputGenerator.Generate(spec, SplitMix64.SeedOf($"{op}\n{sample.Id}\n{i}"));
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"op '{op}' sample '{sample.Id}': {e.Message}", e);
            }
            foreach (var v in values)
                writer.WriteRawValue(Token(spec.DType, v));
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WritePropertyName("attrs");
        SampleCodec.WriteAttrs(writer, sample.Attrs);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The JSON token of one value: true/false for bool, an integer for integer dtypes, the shortest
    /// decimal that reads back as exactly this value of the dtype for floats, and a string for NaN and infinities.
    /// </summary>
    private static string Token(DType dtype, double v)
    {
        if (dtype == DType.Bool) return v != 0 ? "true" : "false";
        if (!dtype.IsFloatingPoint()) return ((long)v).ToString(CultureInfo.InvariantCulture);
        if (double.IsNaN(v)) return "\"nan\"";
        if (double.IsInfinity(v)) return v > 0 ? "\"inf\"" : "\"-inf\"";
        return dtype switch
        {
            DType.Float64 => SampleCodec.FloatToken(v),
            DType.Float16 => SampleCodec.FloatToken(((Half)v).ToString(CultureInfo.InvariantCulture)),
            // float32 and bfloat16 (whose values are float32 values with a shorter mantissa).
            _ => SampleCodec.FloatToken(((float)v).ToString("R", CultureInfo.InvariantCulture)),
        };
    }
}
