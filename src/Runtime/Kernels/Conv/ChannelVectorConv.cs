using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// Direct float32 convolution with the output channels across the lanes of a vector register, for up to 32 output
/// channels per group (<see cref="ConvKernel"/> sends it 13–16, as in LeNet's second layer): the GEMM
/// C_outᵀ = im2colᵀ · Wᵀ read straight from the image, in the zmm form (16 channels a register) or the ymm form
/// (8; AVX2 with FMA, as on Zen 1) of <see cref="ChannelVectorConv{TLanes, TVec}"/>.
/// </summary>
internal static class ChannelVectorConv
{
    /// <summary>
    /// Whether the zmm form is the one to run: wherever AVX-512F runs, even where .NET keeps its own vectors to 256 bits
    /// (Skylake-SP): there it measured 1.5× faster than the ymm form on LeNet's second layer (half the instructions;
    /// the ymm form needs one broadcast per FMA and so waits on loads).
    /// </summary>
    internal static bool PrefersWide => Avx512F.IsSupported;

    /// <summary>Whether the zmm (<paramref name="wide"/>) or ymm form runs here and suits <paramref name="outPerGroup"/> output channels per group and window <paramref name="w"/>.</summary>
    internal static bool IsSupported(int outPerGroup, in SlidingWindow w, bool wide) =>
        (wide ? Lanes512.IsSupported : Lanes256.IsSupported) && w.StrideWidth == 1 && outPerGroup <= 32;

    /// <summary>Runs the zmm (<paramref name="wide"/>) or ymm form; see <see cref="ChannelVectorConv{TLanes, TVec}.Run"/>.</summary>
    internal static void Run(ConvOperands<float> x, int batch, int groups, int outPerGroup, in SlidingWindow w, bool wide)
    {
        if (wide)
            ChannelVectorConv<Lanes512, Vector512<float>>.Run(x, batch, groups, outPerGroup, w);
        else
            ChannelVectorConv<Lanes256, Vector256<float>>.Run(x, batch, groups, outPerGroup, w);
    }
}

/// <summary>
/// <see cref="ChannelVectorConv"/> on one register type. A tile is up to 12 consecutive output columns of one output
/// row × one register of output channels, one accumulator per column; per (channel, tap) one load of the tap's
/// weights feeds one FMA per column on a broadcast input element. <see cref="DirectConv{T}"/> spreads output columns
/// over the lanes instead, which leaves most lanes idle when output rows are short (10 columns in LeNet's second
/// layer), and the GEMM path packs every input element for only 16 FMAs. Each (image, group) is first copied into a
/// <see cref="PaddedImage"/>, so the inner loop has no edge cases; a row's last tile may compute one junk column past
/// its end, never stored. Stride 1 across columns, any stride down rows, dilation, padding.
/// </summary>
/// <typeparam name="TLanes">The register's operations.</typeparam>
/// <typeparam name="TVec">The register type.</typeparam>
internal static unsafe class ChannelVectorConv<TLanes, TVec>
    where TLanes : struct, IFloatLanes<TVec>
    where TVec : struct
{
    /// <summary>Output columns per tile: 12 accumulators, leaving registers for the weights and broadcasts (16 ymm on AVX2).</summary>
    private const int Positions = 12;

    /// <summary>The most lanes of any form, for stack buffers.</summary>
    private const int MaxLanes = 16;

    /// <summary>
    /// output = conv(input, weight) + bias, like <see cref="ConvGemm{T, TKernel}.Run"/>: <paramref name="batch"/> images,
    /// <paramref name="groups"/> groups of <paramref name="outPerGroup"/> output channels. Requires w.Rows &gt; 0,
    /// a non-empty output and <see cref="ChannelVectorConv.IsSupported"/>.
    /// </summary>
    internal static void Run(ConvOperands<float> x, int batch, int groups, int outPerGroup, in SlidingWindow w)
    {
        int lanes = TLanes.Count, m = outPerGroup, k = w.Rows, blocks = (m + lanes - 1) / lanes;
        float* weights = PackWeights(x.Weight, groups, m, k, blocks);
        var geometry = new PaddedImage(w, Positions);
        var window = w;
        geometry.ForEach(x.Input, (long)batch * groups, w, (long)blocks * lanes * k * w.Columns, (padded, imageGroup, oh0, oh1) =>
        {
            float* tile = stackalloc float[Positions * MaxLanes];
            float* biasLanes = stackalloc float[MaxLanes];
            int group = (int)(imageGroup % groups);
            for (int block = 0; block < blocks; block++)
            {
                int ch0 = block * lanes, channels = Math.Min(lanes, m - ch0);
                for (int lane = 0; lane < lanes; lane++)
                    biasLanes[lane] = x.Bias != null && lane < channels ? x.Bias[(nint)group * m + ch0 + lane] : 0f;
                var image = new ImageBlock(padded, weights + ((nint)group * blocks + block) * k * lanes,
                    x.Output + (imageGroup * m + ch0) * window.Columns, channels);
                var bias = TLanes.Load(biasLanes);
                for (int oh = oh0; oh < oh1; oh++)
                    OutputRow(image, bias, geometry, window, oh, tile);
            }
        });
    }

    /// <summary>One block of output channels of one (image, group): where its inputs, weights and outputs lie.</summary>
    private readonly struct ImageBlock(float* padded, float* weights, float* output, int channels)
    {
        internal readonly float* Padded = padded, Weights = weights, Output = output;
        internal readonly int Channels = channels;
    }

    /// <summary>
    /// Every group's weights as [block of one register's channels][k][lanes], zero past the group's last channel, so a
    /// tile reads one aligned run per (channel, tap); in this thread's scratch, valid until its next convolution.
    /// </summary>
    private static float* PackWeights(float* weight, int groups, int m, int k, int blocks)
    {
        int lanes = TLanes.Count;
        float* dst = ThreadScratch.Get<float>(ThreadScratch.Slot.PackedWeights, (long)groups * blocks * k * lanes);
        for (int g = 0; g < groups; g++)
        {
            for (int block = 0; block < blocks; block++)
            {
                float* panel = dst + ((nint)g * blocks + block) * k * lanes;
                for (int lane = 0; lane < lanes; lane++)
                {
                    int row = block * lanes + lane;
                    float* src = weight + ((nint)g * m + row) * k;
                    for (int p = 0; p < k; p++)
                        panel[(nint)p * lanes + lane] = row < m ? src[p] : 0f;
                }
            }
        }
        return dst;
    }

    /// <summary>Output row <paramref name="oh"/> of one channel block, <see cref="Positions"/> columns at a time.</summary>
    private static void OutputRow(in ImageBlock b, TVec bias, in PaddedImage geometry, in SlidingWindow w, int oh, float* tile)
    {
        int lanes = TLanes.Count;
        float* rowStart = b.Padded + (nint)oh * w.StrideHeight * geometry.Width;
        for (int ow = 0; ow < w.OutWidth; ow += Positions)
        {
            int count = Math.Min(Positions, w.OutWidth - ow);
            // A short last tile (or a short row) runs the narrowest variant that covers it, so at most one junk column.
            if (count > 10) Tile<TwelveRows>(rowStart + ow, b.Weights, bias, tile, geometry, w);
            else if (count > 8) Tile<TenRows>(rowStart + ow, b.Weights, bias, tile, geometry, w);
            else if (count > 6) Tile<EightRows>(rowStart + ow, b.Weights, bias, tile, geometry, w);
            else if (count > 4) Tile<SixRows>(rowStart + ow, b.Weights, bias, tile, geometry, w);
            else Tile<FourRows>(rowStart + ow, b.Weights, bias, tile, geometry, w);
            float* output = b.Output + (nint)oh * w.OutWidth + ow;
            // The tile is [column][channel]; the output is [channel][column].
            for (int lane = 0; lane < b.Channels; lane++)
            {
                float* dst = output + (nint)lane * w.Columns;
                for (int t = 0; t < count; t++)
                    dst[t] = tile[t * lanes + lane];
            }
        }
    }

    /// <summary>
    /// TWidth.Count (at most 12) output columns × one register of channels starting at <paramref name="src"/> (the
    /// padded input under the first column's window, channel 0): bias + Σ over (channel, tap) of the tap's weights
    /// times each column's input element, into <paramref name="tile"/> as [column][channel].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TWidth>(float* src, float* weights, TVec bias, float* tile, in PaddedImage geometry, in SlidingWindow w)
        where TWidth : struct, ITileRows
    {
        int n = TWidth.Count, lanes = TLanes.Count;
        TVec c0 = bias, c1 = bias, c2 = bias, c3 = bias, c4 = bias, c5 = bias;
        TVec c6 = bias, c7 = bias, c8 = bias, c9 = bias, c10 = bias, c11 = bias;
        nint rowStep = (nint)w.DilationHeight * geometry.Width, planeSize = geometry.PlaneSize;
        int kernelHeight = w.KernelHeight, kernelWidth = w.KernelWidth, dilationWidth = w.DilationWidth;
        float* a = weights;
        for (int ch = 0; ch < w.Channels; ch++)
        {
            float* plane = src + ch * planeSize;
            for (int ki = 0; ki < kernelHeight; ki++)
            {
                float* row = plane + ki * rowStep;
                for (int kj = 0; kj < kernelWidth; kj++, a += lanes)
                {
                    float* p = row + kj * dilationWidth;
                    var wv = TLanes.Load(a);
                    c0 = TLanes.MultiplyAdd(TLanes.Broadcast(p[0]), wv, c0);
                    c1 = TLanes.MultiplyAdd(TLanes.Broadcast(p[1]), wv, c1);
                    c2 = TLanes.MultiplyAdd(TLanes.Broadcast(p[2]), wv, c2);
                    c3 = TLanes.MultiplyAdd(TLanes.Broadcast(p[3]), wv, c3);
                    if (n > 4) c4 = TLanes.MultiplyAdd(TLanes.Broadcast(p[4]), wv, c4);
                    if (n > 5) c5 = TLanes.MultiplyAdd(TLanes.Broadcast(p[5]), wv, c5);
                    if (n > 6) c6 = TLanes.MultiplyAdd(TLanes.Broadcast(p[6]), wv, c6);
                    if (n > 7) c7 = TLanes.MultiplyAdd(TLanes.Broadcast(p[7]), wv, c7);
                    if (n > 8) c8 = TLanes.MultiplyAdd(TLanes.Broadcast(p[8]), wv, c8);
                    if (n > 9) c9 = TLanes.MultiplyAdd(TLanes.Broadcast(p[9]), wv, c9);
                    if (n > 10) c10 = TLanes.MultiplyAdd(TLanes.Broadcast(p[10]), wv, c10);
                    if (n > 11) c11 = TLanes.MultiplyAdd(TLanes.Broadcast(p[11]), wv, c11);
                }
            }
        }
        TLanes.Store(c0, tile);
        TLanes.Store(c1, tile + lanes);
        TLanes.Store(c2, tile + 2 * lanes);
        TLanes.Store(c3, tile + 3 * lanes);
        if (n > 4) TLanes.Store(c4, tile + 4 * lanes);
        if (n > 5) TLanes.Store(c5, tile + 5 * lanes);
        if (n > 6) TLanes.Store(c6, tile + 6 * lanes);
        if (n > 7) TLanes.Store(c7, tile + 7 * lanes);
        if (n > 8) TLanes.Store(c8, tile + 8 * lanes);
        if (n > 9) TLanes.Store(c9, tile + 9 * lanes);
        if (n > 10) TLanes.Store(c10, tile + 10 * lanes);
        if (n > 11) TLanes.Store(c11, tile + 11 * lanes);
    }
}
