using Kiln.Frontend.Tests.Corpus;
using Kiln.IR;
using Kiln.NN;
using Kiln.Scripting;

namespace Kiln.Frontend.Tests.Tracing;

/// <summary>What the tracer records: masks, in-place ops, frozen layers, grad mode, and its own activation rules.</summary>
public sealed class TracerTests
{
    [Fact]
    public void A_mask_computed_from_the_input_is_recomputed_by_the_graph()
    {
        var model = new ClampsNegatives();
        var traced = Jit.Trace(model, Tensor.FromArray([1f, -1f, 2f, -2f], 2, 2));
        Assert.Contains(traced.Graph.Body.Nodes, n => n.Name == "lt");
        var flipped = Tensor.FromArray([-1f, 1f, -2f, 2f], 2, 2);
        CorpusCheck.AssertSame("output", model.Forward(flipped), traced.Forward(flipped));
    }

    [Fact]
    public void An_in_place_op_is_recorded_as_a_new_value()
    {
        Kiln.Random.ManualSeed(12);
        var model = new ReluInPlace();
        var traced = Jit.Trace(model, Tensor.Randn(3, 4));
        Assert.Contains(traced.Graph.Body.Nodes, n => n.Name == "relu");
        CorpusCheck.OutputsAndGradientsMatch(model, inputs => traced.Run(inputs), [Tensor.Randn(3, 4)]);
    }

    [Fact]
    public void A_gru_with_frozen_weights_is_still_recorded_op_by_op()
    {
        Kiln.Random.ManualSeed(13);
        var model = new GruEncoder();
        model.RequiresGrad_(false);
        var x = Tensor.Randn(5, 2, 6);
        var traced = Jit.Trace(model, x);
        var other = Tensor.Randn(5, 2, 6);
        CorpusCheck.AssertSame("output", model.Forward(other), traced.Forward(other));
    }

    [Fact]
    public void Tracing_under_no_grad_records_the_same_graph()
    {
        var model = new Mlp();
        var x = Tensor.Randn(2, 8);
        string expected = Jit.Trace(model, x).Graph.ToString();
        using (Autograd.NoGrad())
            Assert.Equal(expected, Jit.Trace(model, x).Graph.ToString());
    }

    [Fact]
    public void The_same_tensor_given_twice_becomes_two_inputs()
    {
        var model = new Bilinear(3, 3, 2);
        var x = Tensor.Randn(2, 3);
        var traced = Jit.Trace(model, x, x);
        Assert.Equal(["input1", "input2"], traced.Graph.Inputs.Select(i => i.Name));
        var y = Tensor.Randn(2, 3);
        CorpusCheck.AssertSame("output", model.Forward(x, y), traced.Forward(x, y));
    }

    [Fact]
    public void A_tracer_maps_declared_tensors_and_binds_the_rest()
    {
        var model = new Linear(3, 2);
        var capture = new GraphCapture(model);
        var x = Tensor.Randn(4, 3);
        var input = capture.Graph.AddInput("x", TensorValueType.Of(DType.Float32, 4, 3));
        Tensor y;
        using (var tracer = new Tracer(capture, new GraphBuilder(capture.Graph)))
        {
            tracer.Map(x, input);
            y = model.Forward(x);
            Assert.True(tracer.IsTraced(y));
            Assert.Same(input, tracer.ValueOf(x));
            Assert.True(capture.Graph.IsParameter(tracer.ValueOf(model.Weight)));
            capture.Graph.SetOutputs([tracer.ValueOf(y)]);
        }
        Assert.Equal(["weight", "bias"], capture.Parameters.Keys.Order(StringComparer.Ordinal).Reverse());
        Assert.Null(Record.Exception(() => y.Relu()));
        Assert.Single(capture.Graph.Body.Nodes);
    }

    [Fact]
    public void Tracers_must_be_disposed_innermost_first()
    {
        var model = new Linear(3, 2);
        var outer = new Tracer(new GraphCapture(model), new GraphBuilder(new GraphCapture(model).Graph));
        var inner = new Tracer(new GraphCapture(model), new GraphBuilder(new GraphCapture(model).Graph));
        Assert.Throws<InvalidOperationException>(outer.Dispose);
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void A_returned_array_of_tensors_becomes_a_list_output()
    {
        var model = new SplitsInTwo();
        var x = Tensor.Randn(2, 4);
        var traced = Jit.Trace(model, x);
        Assert.Equal("list<f32[2, 2]>", traced.Graph.Outputs.Single().Type.ToString());
        var output = Assert.IsAssignableFrom<IReadOnlyList<object?>>(Assert.Single(traced.Run(x)));
        CorpusCheck.AssertSame("second half", model.Forward(x)[1], (Tensor)output[1]!);
    }

    private sealed class SplitsInTwo : Module
    {
        public Tensor[] Forward(Tensor x) => (x * 3).Chunk(2, 1);
    }

    private sealed class ClampsNegatives : Module
    {
        public Tensor Forward(Tensor x) => Tensor.Where(x < 0, x * 0.5, x);
    }

    private sealed class ReluInPlace : Module
    {
        private readonly Linear fc = new(4, 4);

        public Tensor Forward(Tensor x)
        {
            var h = fc.Forward(x);
            h.Relu_();
            return h * 2;
        }
    }
}
