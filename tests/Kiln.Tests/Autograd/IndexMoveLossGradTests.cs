using static Kiln.Tests.Gradients.GradAssert;
using Kiln.NN;
using F = Kiln.NN.Functional;

namespace Kiln.Tests.Gradients;

/// <summary>
/// The public indexing, movement, loss and dropout methods record their registry ops: cross_entropy's gradients
/// equal torch 1.13's (tests/reference/handwritten/index_move_loss_grads.py), dropout's gradient reuses the
/// forward's mask, cat and split undo each other, embedding leaves padding_idx's row alone, and in-place
/// variants go through the in-place rules.
/// </summary>
public sealed class IndexMoveLossGradTests
{
    private static readonly double[] Logits = [0.5, -1.0, 2.0, 0.25, 1.5, 0.0, -0.5, 3.0, -2.0, 1.0, 0.75, -0.25];
    private static readonly double[] ClassWeights = [1.0, 2.0, 0.5, 1.5];


    private static Tensor Longs(params long[] values) => Tensor.FromArray(values, [values.Length]);


    [Fact]
    public void Cross_entropy_gradient_matches_torch_for_the_mean()
    {
        var x = Leaf(Logits, 3, 4);
        F.CrossEntropy(x, Longs(2, 3, 1)).Backward();
        AssertClose([0.05141160842805407, 0.011471480422040069, -0.10292248975282306, 0.04003940090272894, 0.05707611546065634, 0.012735402783386522,
            0.007724412251913535, -0.07753593049595638, 0.007846317970656103, -0.17573582402264926, 0.12273706366126376, 0.04515244239072945], x.Grad);
    }

    [Fact]
    public void Cross_entropy_gradient_matches_torch_with_weights_ignore_index_and_label_smoothing()
    {
        var target = Longs(2, -100, 1);
        var weight = Tensor.FromArray(ClassWeights, 4);
        var summed = Leaf(Logits, 3, 4);
        F.CrossEntropy(summed, target, weight, reduction: "sum").Backward();
        AssertClose([0.0771174126420811, 0.017207220633060103, -0.1543837346292346, 0.06005910135409342, 0, 0, 0, 0,
            0.047077907823936616, -1.0544149441358956, 0.7364223819675826, 0.2709146543443767], summed.Grad);
        var smoothed = Leaf(Logits, 3, 4);
        F.CrossEntropy(smoothed, target, weight, labelSmoothing: 0.2).Backward();
        AssertClose([0.020101054573882178, -0.031052245270808746, 0.009720457992798, 0.0012307327041285795, 0, 0, 0, 0,
            -0.0025811741051434503, -0.3301335293302814, 0.2624762813280056, 0.0702384221074194], smoothed.Grad);
    }

    [Fact]
    public void Cross_entropy_with_probabilities_differentiates_input_and_target_as_torch_does()
    {
        var x = Leaf(Logits, 3, 4);
        var probs = Leaf([0.1, 0.2, 0.3, 0.4, 0.25, 0.25, 0.25, 0.25, 1.0, 0.0, 0.0, 0.0], 3, 4);
        F.CrossEntropy(x, probs, labelSmoothing: 0.1).Backward();
        AssertClose([0.01307827509472074, -0.05686185291129326, 0.13207751024717695, -0.0882939324306044, -0.026257217872676986, -0.07059793054994681,
            -0.0756089210814198, 0.1724640695040436, -0.30048701536267725, 0.14926417597735078, 0.11440373032793047, 0.03681910905739613], x.Grad);
        AssertClose([0.560783699534476, 1.0107836995344759, 0.110783699534476, 0.635783699534476, 0.5294271762958297, 0.9794271762958298,
            1.12942717629583, 0.07942717629582977, 1.1247295850644046, 0.22472958506440469, 0.29972958506440467, 0.5997295850644047], probs.Grad);
    }

    [Fact]
    public void Dropout_gradient_is_the_forward_mask_and_the_values_match_the_no_grad_path()
    {
        var data = Enumerable.Range(1, 200).Select(i => i * 0.01).ToArray();
        var x = Leaf(data, 10, 20);
        var y = F.Dropout(x, 0.3, generator: new Generator(11));
        var plain = F.Dropout(Tensor.FromArray(data, 10, 20), 0.3, generator: new Generator(11));
        AssertClose(plain.ToArray<double>(), y);
        y.Sum().Backward();
        var kept = y.ToArray<double>().Select(v => v != 0 ? 1 / 0.7 : 0).ToArray();
        Assert.Contains(0.0, kept);
        AssertClose(kept, x.Grad);
    }

    [Fact]
    public void Dropout2d_gradient_drops_whole_channels_like_the_forward()
    {
        var x = Leaf(Enumerable.Range(1, 48).Select(i => (double)i).ToArray(), 4, 3, 2, 2);
        var y = F.Dropout2d(x, 0.5, generator: new Generator(5));
        y.Sum().Backward();
        var values = y.ToArray<double>();
        AssertClose(values.Select(v => v != 0 ? 2.0 : 0).ToArray(), x.Grad);
        Assert.NotNull(y.GradFn);
        Assert.Equal("Dropout2dBackward", y.GradFn!.Name);
    }

    [Fact]
    public void Cat_and_split_undo_each_other_and_unused_pieces_get_zero_gradient()
    {
        var a = Leaf([1, 2, 3, 4], 2, 2);
        var b = Leaf([5, 6, 7, 8, 9, 10], 2, 3);
        var joined = Tensor.Cat([a, b], 1);
        var pieces = joined.Split([2, 3], 1);
        AssertClose([1, 2, 3, 4], pieces[0]);
        AssertClose([5, 6, 7, 8, 9, 10], pieces[1]);
        pieces[1].Mul(Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3)).Sum().Backward();
        AssertClose([0, 0, 0, 0], a.Grad);
        AssertClose([1, 2, 3, 4, 5, 6], b.Grad);
    }

    [Fact]
    public void Stack_unbind_and_chunk_route_each_gradient_back()
    {
        var a = Leaf([1, 2, 3], 3);
        var b = Leaf([4, 5, 6], 3);
        var rows = Tensor.Stack([a, b]).Unbind(0);
        rows[1].Mul(3.0).Sum().Backward();
        AssertClose([0, 0, 0], a.Grad);
        AssertClose([3, 3, 3], b.Grad);
        var c = Leaf([1, 2, 3, 4, 5], 5);
        var chunks = c.Chunk(2);
        (chunks[0].Sum().Mul(2.0) + chunks[1].Sum()).Backward();
        AssertClose([2, 2, 2, 1, 1], c.Grad);
    }

    [Fact]
    public void Embedding_gradient_adds_up_repeated_rows_and_skips_padding_idx()
    {
        var weight = Leaf(Enumerable.Range(0, 8).Select(i => (double)i).ToArray(), 4, 2);
        var rows = F.Embedding(Longs(0, 2, 0, 1, 2, 2), weight, paddingIdx: 0);
        rows.Mul(Tensor.FromArray(new double[] { 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1 }, 6, 2)).Sum().Backward();
        AssertClose([0, 0, 2, 2, 3, 3, 0, 0], weight.Grad);
        Assert.Equal("EmbeddingBackward", rows.GradFn!.Name);
    }

    [Fact]
    public void Gather_and_index_select_add_the_gradient_back_where_values_were_read()
    {
        var x = Leaf([1, 2, 3, 4, 5, 6], 2, 3);
        x.Gather(1, Tensor.FromArray(new long[] { 0, 0, 2, 1 }, 2, 2)).Sum().Backward();
        AssertClose([2, 0, 0, 0, 1, 1], x.Grad);
        var y = Leaf([1, 2, 3, 4, 5, 6], 3, 2);
        y.IndexSelect(0, Longs(2, 2, 0)).Sum().Backward();
        AssertClose([1, 1, 0, 0, 2, 2], y.Grad);
    }

    [Fact]
    public void In_place_masked_fill_and_index_put_follow_the_in_place_rules()
    {
        var x = Leaf([1, 2, 3, 4], 4);
        var mask = Tensor.FromArray(new[] { true, false, true, false }, 4);
        var y = x.Mul(2.0);
        y.MaskedFill_(mask, 0.0);
        Assert.Equal("MaskedFillBackward", y.GradFn!.Name);
        y.Sum().Backward();
        AssertClose([0, 2, 0, 2], x.Grad);
        Assert.Throws<InvalidOperationException>(() => x.MaskedFill_(mask, 0.0));

        var values = Leaf([10, 20], 2);
        var z = x.Detach().Clone();
        z[Longs(3, 1)] = values;
        AssertClose([1, 20, 3, 10], z);
        z.Mul(Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 4)).Sum().Backward();
        AssertClose([4, 2], values.Grad);
    }

    [Fact]
    public void In_place_writes_without_autograd_bump_the_version()
    {
        var t = Tensor.Zeros([3]);
        int before = t.Version;
        t.Scatter_(0, Longs(1), 5.0);
        t.IndexAdd_(0, Longs(2), Tensor.FromArray(new float[] { 1 }, 1));
        t.MaskedFill_(Tensor.FromArray(new[] { true, false, false }, 3), 7.0);
        Assert.Equal(before + 3, t.Version);
        Assert.Equal(new float[] { 7, 5, 1 }, t.ToArray<float>());
    }

    [Fact]
    public void Sort_and_topk_send_the_values_gradient_to_where_each_value_came_from()
    {
        var x = Leaf([3, 1, 2], 3);
        var (values, _) = x.Sort();
        values.Mul(Tensor.FromArray(new double[] { 1, 10, 100 }, 3)).Sum().Backward();
        AssertClose([100, 1, 10], x.Grad);
        var y = Leaf([3, 1, 2], 3);
        y.Topk(2).Values.Mul(Tensor.FromArray(new double[] { 1, 10 }, 2)).Sum().Backward();
        AssertClose([1, 0, 10], y.Grad);
    }

    [Fact]
    public void Reflect_pad_adds_the_mirrored_gradient_back()
    {
        var x = Leaf([1, 2, 3], 1, 3);
        F.Pad(x, [2, 1], "reflect").Sum().Backward();
        // reflect of [a b c] by (2, 1): [c b a b c b]: a once, b three times, c twice.
        AssertClose([1, 3, 2], x.Grad);
    }

    [Fact]
    public void Mse_loss_gradient_is_twice_the_difference_over_the_count()
    {
        var x = Leaf([1, 2, 4], 3);
        var t = Tensor.FromArray(new double[] { 0, 2, 1 }, 3);
        F.MseLoss(x, t).Backward();
        AssertClose([2.0 / 3, 0, 2.0], x.Grad);
    }
}
