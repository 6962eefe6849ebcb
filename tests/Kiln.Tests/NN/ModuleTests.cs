using Kiln.NN;

namespace Kiln.Tests.NN;

/// <summary>The Module base: members found in fields, names, state dicts, modes, conversion, containers, printing.</summary>
public sealed class ModuleTests
{
    private sealed class Block : Module<Tensor, Tensor>
    {
        private readonly Linear fc = new(4, 3);

        [Buffer]
        private readonly Tensor scale = Tensor.Ones(3);

        public Parameter Gain { get; } = new(Tensor.Ones(3));

        public override Tensor Forward(Tensor input) => fc.Forward(input) * Gain * scale;
    }

    private sealed class Net : Module
    {
        private readonly Block first = new();
        private readonly Block second = new();
        private readonly BatchNorm1d bn = new(3);
        private readonly Linear head;

        public Net(Linear shared) => head = shared;

        public Linear Shared => head;

        public Tensor Forward(Tensor x) => head.Forward(bn.Forward(second.Forward(first.Forward(x))).Sum(1, keepdim: true).Expand(-1, 3));
    }

    [Fact]
    public void Parameters_buffers_and_submodules_are_found_in_fields_own_members_before_submodules_as_in_PyTorch()
    {
        var net = new Net(new Linear(3, 2));
        Assert.Equal(
            ["first.gain", "first.fc.weight", "first.fc.bias", "second.gain", "second.fc.weight", "second.fc.bias", "bn.weight", "bn.bias", "head.weight", "head.bias"],
            net.NamedParameters().Select(p => p.Name));
        Assert.Equal(["first.scale", "second.scale", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], net.NamedBuffers().Select(b => b.Name));
        Assert.Equal(["first", "second", "bn", "head"], net.NamedChildren().Select(c => c.Name));
        Assert.Equal(["", "first", "first.fc", "second", "second.fc", "bn", "head"], net.NamedModules().Select(m => m.Name));
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void State_dict_lists_own_members_before_children_and_round_trips()
    {
        var a = new Net(new Linear(3, 2));
        var state = a.StateDict();
        Assert.Equal(["first.gain", "first.scale", "first.fc.weight", "first.fc.bias"], state.Keys.Take(4));
        Assert.Contains("bn.num_batches_tracked", state.Keys);
        Assert.All(state.Values, t => Assert.False(t.RequiresGrad));

        var b = new Net(new Linear(3, 2));
        var result = b.LoadStateDict(state);
        Assert.Empty(result.MissingKeys);
        Assert.Equal(a.Shared.Weight.ToArray<float>(), b.Shared.Weight.ToArray<float>());
        Assert.True(b.Shared.Weight.RequiresGrad);
    }

    [Fact]
    public void Load_state_dict_reports_missing_unexpected_and_mismatched_entries()
    {
        var net = new Linear(3, 2);
        var state = new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(2, 3), ["extra"] = Tensor.Zeros(1) };
        var strictError = Assert.Throws<ArgumentException>(() => net.LoadStateDict(state));
        Assert.Contains("missing keys: bias", strictError.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected keys: extra", strictError.Message, StringComparison.Ordinal);

        var loose = net.LoadStateDict(state, strict: false);
        Assert.Equal(["bias"], loose.MissingKeys);
        Assert.Equal(["extra"], loose.UnexpectedKeys);
        Assert.All(net.Weight.ToArray<float>(), v => Assert.Equal(0f, v));

        var shapeError = Assert.Throws<ArgumentException>(() => net.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(3, 3), ["bias"] = Tensor.Zeros(2) }));
        Assert.Contains("'weight' has shape [3, 3]", shapeError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_and_Eval_set_the_mode_everywhere()
    {
        var net = new Sequential(new Linear(2, 2), new Dropout(0.5));
        net.Eval();
        Assert.All(net.Modules(), m => Assert.False(m.Training));
        net.Train();
        Assert.All(net.Modules(), m => Assert.True(m.Training));
    }

    [Fact]
    public void To_dtype_converts_floating_parameters_and_buffers()
    {
        var bn = new BatchNorm1d(3);
        bn.To(DType.Float64);
        Assert.All(bn.Parameters(), p => Assert.Equal(DType.Float64, p.DType));
        Assert.Equal(DType.Float64, bn.RunningMean!.DType);
        Assert.Equal(DType.Int64, bn.NumBatchesTracked!.DType);
        Assert.Throws<ArgumentException>(() => bn.To(DType.Int32));
    }

    [Fact]
    public void Shared_submodules_and_parameters_are_listed_once()
    {
        var shared = new Linear(2, 2);
        var list = new ModuleList(shared, shared);
        Assert.Equal(2, list.Parameters().Count());
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], list.StateDict().Keys);
    }

    [Fact]
    public void Containers_name_their_members()
    {
        var seq = new Sequential(("conv", (Module<Tensor, Tensor>)new Conv2d(1, 2, 3)), ("act", new ReLU()));
        Assert.Equal(["conv.weight", "conv.bias"], seq.NamedParameters().Select(p => p.Name));
        var dict = new ModuleDict(("enc", new Linear(2, 2)), ("dec", new Linear(2, 2)));
        Assert.Equal(["enc", "dec"], dict.Keys);
        Assert.Throws<ArgumentException>(() => dict.Add("enc", new Linear(1, 1)));
        Assert.Throws<KeyNotFoundException>(() => dict["nope"]);
        Assert.Equal(2, seq.Count);
        Assert.IsType<ReLU>(seq[-1]);
    }

    [Fact]
    public void Modules_print_like_PyTorch()
    {
        var seq = new Sequential(new Linear(4, 2), new ReLU(), new Conv2d(1, 8, 3, padding: 1), new Dropout(0.1));
        Assert.Equal(
            "Sequential(\n  (0): Linear(in_features=4, out_features=2, bias=True)\n  (1): ReLU()\n" +
            "  (2): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n  (3): Dropout(p=0.1, inplace=False)\n)",
            seq.ToString());
    }

    [Fact]
    public void ZeroGrad_clears_gradients()
    {
        var fc = new Linear(2, 1);
        fc.Weight.Grad = Tensor.Ones(1, 2);
        fc.ZeroGrad(setToNone: false);
        Assert.Equal([0f, 0f], fc.Weight.Grad!.ToArray<float>());
        fc.ZeroGrad();
        Assert.Null(fc.Weight.Grad);
    }

    [Fact]
    public void State_names_are_snake_case()
    {
        Assert.Equal("running_mean", ModuleMembers.StateName("<RunningMean>k__BackingField"));
        Assert.Equal("conv1", ModuleMembers.StateName("conv1"));
        Assert.Equal("in_proj_weight", ModuleMembers.StateName("_inProjWeight"));
        Assert.Equal("weight", ModuleMembers.StateName("<Weight>k__BackingField"));
    }

    [Fact]
    public void Init_functions_follow_PyTorch_bounds()
    {
        var w = Tensor.Empty(200, 50);
        Init.KaimingUniform_(w, a: Math.Sqrt(5));
        double bound = 1 / Math.Sqrt(50);
        Assert.All(w.ToArray<float>(), v => Assert.InRange(v, -bound, bound));
        var q = Tensor.Empty(6, 4);
        Init.Orthogonal_(q);
        var qtq = q.T.Matmul(q).ToArray<float>();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(i == j ? 1f : 0f, qtq[i * 4 + j], 1e-5f);
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain("relu"), 12);
        Assert.Throws<ArgumentException>(() => Init.CalculateGain("nope"));
    }

    [Fact]
    public void Weights_round_trip_through_a_safetensors_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kiln-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            var a = new Net(new Linear(3, 2));
            a.SaveSafetensors(path);
            var b = new Net(new Linear(3, 2));
            b.LoadSafetensors(path);
            foreach (var ((name, ta), (_, tb)) in a.StateDict().Zip(b.StateDict()))
                Assert.True(ta.Eq(tb).All().Item<bool>(), $"{name} differs after loading");
            Assert.Throws<ArgumentException>(() => new Linear(3, 3).LoadSafetensors(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
