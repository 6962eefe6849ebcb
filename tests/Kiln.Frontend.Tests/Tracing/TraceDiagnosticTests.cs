using Kiln.Frontend.Tests.Corpus;
using Kiln.NN;

namespace Kiln.Frontend.Tests.Tracing;

/// <summary>What tracing refuses, and where its diagnostics point.</summary>
public sealed class TraceDiagnosticTests
{
    [Fact]
    public void Data_dependent_if_is_refused_at_the_line_that_reads_the_tensor()
    {
        var c = CorpusCase.Get(nameof(DataDependentIf));
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(c.Create(), c.Inputs(2)));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("KILN0100", d.Id);
        Assert.EndsWith("DataDependentIf.cs", d.File, StringComparison.Ordinal);
        var line = File.ReadAllLines(d.File!)[d.Line - 1];
        Assert.Contains(".Item<bool>()", line, StringComparison.Ordinal);
        Assert.Contains($"DataDependentIf.cs:{d.Line}", d.Message, StringComparison.Ordinal);
        Assert.Contains("Jit.Script", d.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_traced_tensor_into_an_array_is_refused()
    {
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(new ReadsValues(), Tensor.Randn(2, 3)));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("KILN0100", d.Id);
        Assert.Contains("ToArray", d.Message, StringComparison.Ordinal);
        Assert.EndsWith(nameof(TraceDiagnosticTests) + ".cs", d.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_parameter_is_not_data_dependent()
    {
        var model = new ScalesByWeightSum();
        var x = Tensor.Randn(2, 3);
        var traced = Jit.Trace(model, x);
        CorpusCheck.AssertSame("output", model.Forward(x), traced.Forward(x));
    }

    [Fact]
    public void A_number_returned_from_forward_is_refused()
    {
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(new ReturnsCount(), Tensor.Randn(2, 3)));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("KILN0101", d.Id);
        Assert.Contains("element 1 of the returned tuple is a Int64", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_in_place_into_a_view_of_a_traced_tensor_is_refused()
    {
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(new WritesThroughView(), Tensor.Randn(2, 3)));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("KILN0101", d.Id);
        Assert.Contains("shares its storage", d.Message, StringComparison.Ordinal);
        Assert.Contains("Relu_()", File.ReadAllLines(d.File!)[d.Line - 1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_traced_tensor_overwritten_by_an_unrecorded_op_is_refused_where_it_is_written()
    {
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(new ZeroesInPlace(), Tensor.Randn(2, 3)));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("KILN0101", d.Id);
        Assert.Contains("tracing: zero_ inside traced code is not recorded", d.Message, StringComparison.Ordinal);
        Assert.Contains("h.Zero_();", File.ReadAllLines(d.File!)[d.Line - 1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_constant_written_in_place_after_it_was_read_becomes_a_new_constant()
    {
        var model = new AccumulatesIntoZeros();
        var traced = Jit.Trace(model, Tensor.Randn(2, 3));
        var x = Tensor.Randn(2, 3);
        CorpusCheck.AssertSame("output", model.Forward(x), traced.Forward(x));
    }

    [Theory]
    [InlineData("randn", "Tensor.Randn(")]
    [InlineData("rand_like", "Tensor.RandLike(")]
    [InlineData("randint", "Tensor.Randint(")]
    [InlineData("normal_", ".Normal_(")]
    [InlineData("bernoulli", ".Bernoulli(")]
    [InlineData("multinomial", ".Multinomial(")]
    [InlineData("attention_dropout", "dropoutP: 0.5")]
    public void A_random_tensor_created_in_traced_code_is_refused_at_its_line(string kind, string code)
    {
        var e = Assert.Throws<ScriptException>(() => Jit.Trace(new AddsNoise(kind), Tensor.Rand(3, 4)));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("KILN0103", d.Id);
        Assert.EndsWith(nameof(TraceDiagnosticTests) + ".cs", d.File, StringComparison.Ordinal);
        Assert.Contains(code, File.ReadAllLines(d.File!)[d.Line - 1], StringComparison.Ordinal);
        Assert.Contains("frozen into the graph", d.Message, StringComparison.Ordinal);
        Assert.Contains("Dropout", d.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forward_that_takes_other_inputs_is_named_in_the_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Jit.Trace(new Linear(3, 2), Tensor.Randn(2, 3), Tensor.Randn(2, 3)));
        Assert.Contains("Linear: no public Forward takes 2 tensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("Tensor Forward(Tensor input)", e.Message, StringComparison.Ordinal);
    }

    private sealed class AddsNoise(string kind) : Module
    {
        public Tensor Forward(Tensor x) => kind switch
        {
            "randn" => x + Tensor.Randn(x.Shape),
            "rand_like" => x + Tensor.RandLike(x),
            "randint" => x + Tensor.Randint(0, 3, x.Shape),
            "normal_" => x + Tensor.Empty(x.Shape).Normal_(),
            "bernoulli" => x * x.Bernoulli(),
            "multinomial" => x + x.Multinomial(4, replacement: true),
            _ => Kiln.NN.Functional.ScaledDotProductAttention(x, x, x, dropoutP: 0.5),
        };
    }

    private sealed class ZeroesInPlace : Module
    {
        public Tensor Forward(Tensor x)
        {
            var h = x * 2;
            h.Zero_();
            return h + x;
        }
    }

    private sealed class AccumulatesIntoZeros : Module
    {
        public Tensor Forward(Tensor x)
        {
            var total = Tensor.Zeros(2, 3);
            var first = x * total;
            total.Add_(1.0);
            return first + x * total;
        }
    }

    private sealed class ReadsValues : Module
    {
        public Tensor Forward(Tensor x)
        {
            var values = x.ToArray<float>();
            return x * values.Length;
        }
    }

    private sealed class ScalesByWeightSum : Module
    {
        private readonly Linear fc = new(3, 3);

        // The weights are not computed from the input, so reading them freezes nothing data-dependent.
        public Tensor Forward(Tensor x) => fc.Forward(x) * fc.Weight.Sum().Item<float>();
    }

    private sealed class ReturnsCount : Module
    {
        public (Tensor, long) Forward(Tensor x) => (x.Relu(), x.Shape[0]);
    }

    private sealed class WritesThroughView : Module
    {
        public Tensor Forward(Tensor x)
        {
            var h = x * 2;
            var top = h[0];
            top.Relu_();
            return h + top.Sum();
        }
    }

    [Theory]
    [InlineData(typeof(Detaches), "Detach()")]
    [InlineData(typeof(FillsBuffer), "fill_")]
    public void Work_the_tracer_cannot_record_is_refused_at_its_line(Type model, string what)
    {
        var e = Assert.Throws<ScriptException>(() => Jit.Trace((Module)Activator.CreateInstance(model)!, Tensor.Randn(2, 3)));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("KILN0101", d.Id);
        Assert.Contains($"tracing: {what} inside traced code is not recorded", d.Message, StringComparison.Ordinal);
        Assert.EndsWith(nameof(TraceDiagnosticTests) + ".cs", d.File, StringComparison.Ordinal);
        Assert.Contains("// refused", File.ReadAllLines(d.File!)[d.Line - 1], StringComparison.Ordinal);
    }

    [Fact]
    public void Library_code_may_still_use_no_grad_and_fill_inside_a_trace()
    {
        var model = new BatchNorm1d(3);
        var x = Tensor.Randn(4, 3);
        var traced = Jit.Trace(model, x);
        var twin = new BatchNorm1d(3);
        CorpusCheck.AssertSame("output", twin.Forward(x), traced.Forward(x));
    }

    private sealed class Detaches : Module
    {
        public Tensor Forward(Tensor x) => x.Relu().Detach() * x; // refused
    }

    private sealed class FillsBuffer : Module
    {
        [Buffer]
        private readonly Tensor count = Tensor.Ones(3);

        public Tensor Forward(Tensor x)
        {
            count.Fill_(2.0); // refused
            return x + count;
        }
    }
}
