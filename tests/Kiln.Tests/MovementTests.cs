using F = Kiln.NN.Functional;

namespace Kiln.Tests;

// The OpInfo tests check every movement op against PyTorch on small samples. These check what they cannot:
// views, stability and selection on rows long enough to take the fast paths, the multi-threaded paths on
// large tensors (against naive loops), data-dependent errors, and the messages of bad calls.
public class MovementTests
{
    private static Tensor Ramp(params long[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, (int)Shapes.Numel(shape)).Select(i => (float)i).ToArray(), shape);

    private static Tensor RandomInts(int seed, int count, int max, params long[] shape)
    {
        var rng = new System.Random(seed);
        return Tensor.FromArray(Enumerable.Range(0, count).Select(_ => (long)rng.Next(max)).ToArray(), shape);
    }

    [Fact]
    public void Split_chunk_and_unbind_return_views_of_the_input()
    {
        var x = Ramp(5, 4);
        var pieces = x.Split(2);
        Assert.Equal([[2, 4], [2, 4], [1, 4]], pieces.Select(p => p.Shape));
        Assert.All(pieces, p => Assert.True(p.SharesStorageWith(x)));
        Assert.Equal([16f, 17, 18, 19], pieces[2].ToArray<float>());
        Assert.Equal([[5, 1], [5, 3]], x.Split([1, 3], dim: 1).Select(p => p.Shape));
        Assert.Equal([[5, 2], [5, 2]], x.Chunk(2, dim: -1).Select(p => p.Shape));
        var columns = x.Unbind(1);
        Assert.Equal(4, columns.Length);
        Assert.True(columns[3].SharesStorageWith(x));
        Assert.Equal([3f, 7, 11, 15, 19], columns[3].ToArray<float>());
    }

    [Fact]
    public void Cat_and_stack_messages_name_the_tensor_and_the_dim()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Cat([Ramp(2, 3), Ramp(2, 3), Ramp(2, 4)], 0));
        Assert.Contains("cat", error.Message, StringComparison.Ordinal);
        Assert.Contains("tensor 2 has shape [2, 4]", error.Message, StringComparison.Ordinal);
        Assert.Contains("at dim 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("0-d", Assert.Throws<ArgumentException>(() => Tensor.Cat([Ramp(2), Tensor.Scalar(1f)])).Message, StringComparison.Ordinal);
        Assert.Contains("non-empty", Assert.Throws<ArgumentException>(() => Tensor.Cat([])).Message, StringComparison.Ordinal);
        Assert.Contains("tensor 1 has shape [3]", Assert.Throws<ArgumentException>(() => Tensor.Stack([Ramp(2), Ramp(3)])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cat_of_large_mixed_dtype_tensors_matches_a_naive_copy()
    {
        var a = Ramp(300, 257);
        var b = Tensor.FromArray(Enumerable.Range(0, 300 * 130).Select(i => -i).ToArray(), 300, 130).Transpose(0, 1).Contiguous().Transpose(0, 1);
        var result = Tensor.Cat([a, b], dim: 1);
        Assert.Equal(DType.Float32, result.DType);
        Assert.Equal([300, 387], result.Shape);
        var values = result.ToArray<float>();
        for (int i = 0; i < 300; i += 37)
        {
            Assert.Equal(i * 257 + 5, values[i * 387 + 5]);
            Assert.Equal(-(i * 130 + 129), values[i * 387 + 386]);
        }
        // Contiguous inputs of one dtype take the block-copy path.
        var same = Tensor.Cat([a, a.Neg(), Tensor.Zeros(0), a.Narrow(1, 0, 100).Contiguous()], dim: 1).ToArray<float>();
        Assert.Equal(257 * 2 + 100, same.Length / 300);
        for (int i = 0; i < 300; i += 23)
        {
            Assert.Equal(i * 257 + 256, same[i * 614 + 256]);
            Assert.Equal(-(i * 257 + 3), same[i * 614 + 257 + 3]);
            Assert.Equal(i * 257 + 99, same[i * 614 + 514 + 99]);
        }
        var stacked = Tensor.Stack([a, a.Neg()], dim: -1);
        Assert.Equal([300, 257, 2], stacked.Shape);
        Assert.Equal(-(299f * 257 + 256), stacked.ToArray<float>()[^1]);
    }

    [Fact]
    public void Sort_is_stable_on_long_rows_with_ties_in_both_directions()
    {
        var x = RandomInts(1, 4 * 3000, 10, 4, 3000);
        var data = x.ToArray<long>();
        foreach (bool descending in new[] { false, true })
        {
            var (values, indices) = x.Sort(dim: 1, descending: descending);
            for (int row = 0; row < 4; row++)
            {
                var keys = data.AsSpan(row * 3000, 3000).ToArray();
                var expected = Enumerable.Range(0, 3000).ToArray();
                expected = descending ? [.. expected.OrderByDescending(i => keys[i])] : [.. expected.OrderBy(i => keys[i])];
                Assert.Equal(expected.Select(i => (long)i), indices.Select(0, row).ToArray<long>());
                Assert.Equal(expected.Select(i => keys[i]), values.Select(0, row).ToArray<long>());
            }
        }
    }

    [Fact]
    public void Sort_puts_nan_last_and_keeps_negative_zero_beside_zero_in_order()
    {
        var x = Tensor.FromArray([1f, float.NaN, -0f, 0f, float.NegativeInfinity, float.PositiveInfinity, -2f, float.NaN, -0f]);
        var (values, indices) = x.Sort();
        Assert.Equal([4L, 6, 2, 3, 8, 0, 5, 1, 7], indices.ToArray<long>());
        Assert.True(float.IsNegative(values.ToArray<float>()[2]));
        Assert.Equal([1L, 7, 5, 0, 2, 3, 8, 6, 4], x.Argsort(descending: true).ToArray<long>());
    }

    [Fact]
    public void Sort_of_many_rows_on_both_threads_matches_per_row_sorts()
    {
        var rng = new System.Random(7);
        var data = Enumerable.Range(0, 512 * 300).Select(_ => rng.NextDouble() * 100 - 50).ToArray();
        var x = Tensor.FromArray(data, 300, 512).Transpose(0, 1);
        var (values, indices) = x.Sort(dim: 1, descending: true);
        var v = values.ToArray<double>();
        var ix = indices.ToArray<long>();
        for (int row = 0; row < 512; row += 51)
        {
            var expected = Enumerable.Range(0, 300).OrderByDescending(i => data[i * 512 + row]).ToArray();
            for (int j = 0; j < 300; j++)
            {
                Assert.Equal(expected[j], ix[row * 300 + j]);
                Assert.Equal(data[expected[j] * 512 + row], v[row * 300 + j]);
            }
        }
    }

    [Fact]
    public void Topk_selects_the_same_elements_as_a_stable_sort()
    {
        var x = RandomInts(3, 3 * 2000, 50, 3, 2000);
        var data = x.ToArray<long>();
        foreach (bool largest in new[] { true, false })
        {
            var (values, indices) = x.Topk(25, largest: largest);
            Assert.Equal([3, 25], values.Shape);
            for (int row = 0; row < 3; row++)
            {
                var keys = data.AsSpan(row * 2000, 2000).ToArray();
                var order = Enumerable.Range(0, 2000);
                var expected = (largest ? order.OrderByDescending(i => keys[i]) : order.OrderBy(i => keys[i])).Take(25).ToArray();
                Assert.Equal(expected.Select(i => (long)i), indices.Select(0, row).ToArray<long>());
                Assert.Equal(expected.Select(i => keys[i]), values.Select(0, row).ToArray<long>());
            }
        }
        var floats = Tensor.FromArray([1f, float.NaN, 3f, 2f]);
        Assert.Equal([1L, 2], floats.Topk(2).Indices.ToArray<long>());
        Assert.Equal([0L, 3], floats.Topk(2, largest: false).Indices.ToArray<long>());
    }

    [Fact]
    public void Topk_and_sort_reject_bad_calls_with_the_values_at_fault()
    {
        var x = Ramp(3, 6);
        var error = Assert.Throws<ArgumentException>(() => x.Topk(7));
        Assert.Contains("topk: k (7) is out of range for dim 1 of size 6", error.Message, StringComparison.Ordinal);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => x.Gt(1).Topk(1)).Message, StringComparison.Ordinal);
        Assert.Contains("sort: dim 2", Assert.Throws<ArgumentOutOfRangeException>(() => x.Sort(2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unique_counts_and_inverse_rebuild_the_input()
    {
        var x = RandomInts(5, 20000, 300, 100, 200).To(DType.Int32);
        var (output, inverse, counts) = x.Unique(sorted: true, returnInverse: true, returnCounts: true);
        var distinct = output.ToArray<int>();
        Assert.Equal(x.ToArray<int>().Distinct().Order(), distinct);
        Assert.Equal([100, 200], inverse!.Shape);
        var positions = inverse.ToArray<long>();
        Assert.Equal(x.ToArray<int>(), positions.Select(p => distinct[p]));
        Assert.Equal(20000L, counts!.ToArray<long>().Sum());
        var nans = Tensor.FromArray([float.NaN, 1f, float.NaN, -0f, 0f]).Unique(true, true, true);
        Assert.Equal(4, nans.Output.Numel);
        Assert.Equal([2L, 1, 1, 1], nans.Counts!.ToArray<long>());
        Assert.Equal([2L, 1, 3, 0, 0], nans.InverseIndices!.ToArray<long>());
    }

    [Fact]
    public void Unique_of_many_floats_sorts_them_keeping_each_nan_apart()
    {
        var rng = new System.Random(11);
        float[] pool = [-2.5f, -0f, 0f, 1f, 3.25f, float.NaN, float.PositiveInfinity];
        var data = Enumerable.Range(0, 5000).Select(_ => pool[rng.Next(pool.Length)]).ToArray();
        var (output, inverse, counts) = Tensor.FromArray(data).Unique(true, true, true);
        int nans = data.Count(float.IsNaN);
        var values = output.ToArray<float>();
        Assert.Equal([-2.5f, 0f, 1f, 3.25f, float.PositiveInfinity], values[..5]);
        Assert.Equal(5 + nans, values.Length);
        Assert.All(values[5..], v => Assert.True(float.IsNaN(v)));
        Assert.Equal(data.Select(v => v == 0 ? 0f : v), inverse!.ToArray<long>().Select(p => values[p] == 0 ? 0f : values[p]));
        Assert.Equal(data.Count(v => v == 0), counts!.ToArray<long>()[1]);
    }

    [Fact]
    public void Sort_of_long_half_and_int8_rows_matches_a_stable_ordering()
    {
        var rng = new System.Random(13);
        var halves = Enumerable.Range(0, 1500).Select(_ => rng.Next(40) == 0 ? Half.NaN : (Half)(rng.Next(-50, 50) * 0.25)).ToArray();
        var (_, ascending) = Tensor.FromArray(halves).Sort(stable: true);
        // No infinities here, so NaN (sorting last) can stand in as +infinity; -0 and 0 compare equal.
        var expected = Enumerable.Range(0, halves.Length).OrderBy(i => Half.IsNaN(halves[i]) ? float.PositiveInfinity : (float)halves[i]);
        Assert.Equal(expected.Select(i => (long)i), ascending.ToArray<long>());
        var bytes = Enumerable.Range(0, 1200).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray();
        var (values, descending) = Tensor.FromArray(bytes).Sort(descending: true, stable: true);
        Assert.Equal(Enumerable.Range(0, bytes.Length).OrderByDescending(i => bytes[i]).Select(i => (long)i), descending.ToArray<long>());
        Assert.Equal(bytes.OrderDescending(), values.ToArray<sbyte>());
    }

    [Fact]
    public void Searchsorted_finds_insertion_points_left_and_right()
    {
        var sequence = Tensor.FromArray([1f, 3, 5, 7]);
        var values = Tensor.FromArray([0f, 1, 2, 7, 8, float.NaN]);
        Assert.Equal([0L, 0, 1, 3, 4, 4], Tensor.Searchsorted(sequence, values).ToArray<long>());
        Assert.Equal([0, 1, 1, 4, 4, 4], Tensor.Searchsorted(sequence, values, outInt32: true, right: true).ToArray<int>());
        var rows = Tensor.FromArray([1L, 2, 3, 10, 20, 30], 2, 3);
        Assert.Equal([1L, 3, 0, 2], Tensor.Searchsorted(rows, Tensor.FromArray([2.0, 9, 5, 25], 2, 2)).ToArray<long>());
        var error = Assert.Throws<ArgumentException>(() => Tensor.Searchsorted(rows, Tensor.FromArray([1L, 2, 3], 3, 1)));
        Assert.Contains("[2, 3] and [3, 1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pad_modes_on_a_ramp()
    {
        var x = Ramp(1, 6);
        Assert.Equal([2f, 1, 0, 1, 2, 3, 4, 5, 4, 3, 2], F.Pad(x, [2, 3], "reflect").ToArray<float>());
        Assert.Equal([0f, 0, 0, 1, 2, 3, 4, 5, 5, 5, 5], F.Pad(x, [2, 3], "replicate").ToArray<float>());
        Assert.Equal([4f, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2], F.Pad(x.Unsqueeze(0), [2, 3], "circular").ToArray<float>());
        Assert.Equal([9f, 0, 1, 2, 3, 4, 5, 9, 9], F.Pad(x, [1, 2], value: 9).ToArray<float>());
        Assert.Equal([1f, 2, 3, 4, 5, 4, 3], F.Pad(x, [-1, 2], "reflect").ToArray<float>());
        Assert.Equal([1f, 2, 3, 4, 5, 1, 2], F.Pad(x.Unsqueeze(0), [-1, 2], "circular").ToArray<float>());
        Assert.Equal([1f, 2, 3], F.Pad(x, [-1, -2]).ToArray<float>());
    }

    [Fact]
    public void Pad_rejects_what_torch_rejects()
    {
        var x = Ramp(2, 3);
        Assert.Contains("less than the dim's size 3", Assert.Throws<ArgumentException>(() => F.Pad(x, [3, 0], "reflect")).Message, StringComparison.Ordinal);
        Assert.Contains("does not take a value", Assert.Throws<ArgumentException>(() => F.Pad(x, [1, 1], "replicate", 0)).Message, StringComparison.Ordinal);
        Assert.Contains("shape [3]", Assert.Throws<ArgumentException>(() => F.Pad(Ramp(3), [1, 1], "reflect")).Message, StringComparison.Ordinal);
        Assert.Contains("even length", Assert.Throws<ArgumentException>(() => F.Pad(x, [1])).Message, StringComparison.Ordinal);
        Assert.Contains("unknown mode 'wrap'", Assert.Throws<ArgumentException>(() => F.Pad(x, [1, 1], "wrap")).Message, StringComparison.Ordinal);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => F.Pad(x.Gt(1), [1, 1], "reflect")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_pad_flip_roll_and_repeat_match_naive_index_arithmetic()
    {
        const int C = 8, H = 70, W = 90;
        var x = Ramp(C, W, H).Transpose(1, 2);
        var v = x.Contiguous().ToArray<float>();
        float At(int c, int h, int w) => v[(c * H + h) * W + w];

        var padded = F.Pad(x.Unsqueeze(0), [2, 3, 1, 4], "reflect").Squeeze(0).ToArray<float>();
        static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
        for (int c = 0; c < C; c++)
        {
            for (int h = 0; h < H + 5; h += 7)
            {
                for (int w = 0; w < W + 5; w += 3)
                    Assert.Equal(At(c, Reflect(h - 1, H), Reflect(w - 2, W)), padded[(c * (H + 5) + h) * (W + 5) + w]);
            }
        }

        var flipped = x.Flip(0, 2).ToArray<float>();
        var rolled = x.Roll([5, -7], [1, 2]).ToArray<float>();
        var repeated = x.Repeat(2, 1, 1, 2).ToArray<float>();
        for (int c = 0; c < C; c++)
        {
            for (int h = 0; h < H; h += 3)
            {
                for (int w = 0; w < W; w += 5)
                {
                    Assert.Equal(At(C - 1 - c, h, W - 1 - w), flipped[(c * H + h) * W + w]);
                    Assert.Equal(At(c, (h - 5 + H) % H, (w + 7) % W), rolled[(c * H + h) * W + w]);
                    Assert.Equal(At(c, h, w), repeated[((C + c) * H + h) * 2 * W + W + w]);
                }
            }
        }
    }

    [Fact]
    public void Repeat_interleave_with_counts_and_its_errors()
    {
        var x = Ramp(2, 3);
        Assert.Equal([0f, 2, 2, 3, 5, 5], x.RepeatInterleave(Tensor.FromArray([1L, 0, 2]), dim: 1).ToArray<float>());
        Assert.Equal([0f, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], x.RepeatInterleave(2).ToArray<float>());
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => x.RepeatInterleave(Tensor.FromArray([1L, -1, 2]), 1)).Message, StringComparison.Ordinal);
        Assert.Contains("int64 or int32", Assert.Throws<ArgumentException>(() => x.RepeatInterleave(Tensor.FromArray([1f, 1, 2]), 1)).Message, StringComparison.Ordinal);
        Assert.Contains("size 3", Assert.Throws<ArgumentException>(() => x.RepeatInterleave(Tensor.FromArray([1L, 2]), 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tril_triu_and_diag_on_batches_and_offsets()
    {
        var x = Tensor.Ones([64, 130, 120], DType.Int16);
        var lower = x.Tril(-3).ToArray<short>();
        var upper = x.Triu(5).ToArray<short>();
        for (int b = 0; b < 64; b += 9)
        {
            for (int i = 0; i < 130; i += 7)
            {
                for (int j = 0; j < 120; j += 3)
                {
                    Assert.Equal(j <= i - 3 ? 1 : 0, lower[(b * 130 + i) * 120 + j]);
                    Assert.Equal(j >= i + 5 ? 1 : 0, upper[(b * 130 + i) * 120 + j]);
                }
            }
        }
        Assert.Equal([0f, 1, 0, 0, 0, 2, 0, 0, 0], Tensor.FromArray([1f, 2]).Diag(1).ToArray<float>());
        Assert.Equal([4f, 9], Ramp(3, 4).Diag(-1).ToArray<float>());
        Assert.Equal([0], Ramp(3, 4).Diag(9).Shape);
    }
}
