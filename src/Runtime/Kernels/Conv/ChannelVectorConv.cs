using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// Direct float32 convolution with the output channels across the lanes of a zmm register, for up to 32 output
/// channels per group in blocks of 16 (<see cref="ConvKernel"/> sends it 13–16, as in LeNet's second layer): the
/// GEMM C_outᵀ = im2colᵀ · Wᵀ read straight from the image. A tile is up to 12 consecutive output columns of one
/// output row × 16 output channels, one zmm accumulator per column; per (channel, tap) one load of the 16 weights
/// feeds one FMA per column on a broadcast input element. <see cref="DirectConv{T}"/> spreads output columns over
/// the lanes instead, which leaves most lanes idle when output rows are short (10 columns in LeNet's second layer),
/// and the GEMM path packs every input element for only 16 FMAs. Each (image, group) is first copied into a
/// zero-padded scratch image, so the inner loop has no edge cases; a row's last tile may compute one junk column past
/// its end, never stored. Stride 1 across columns, any stride down rows, dilation, padding.
/// </summary>
internal static unsafe class ChannelVectorConv
{
    /// <summary>Output columns per tile: 12 accumulators, leaving registers for the weights and broadcasts.</summary>
    private const int Positions = 12;

    /// <summary>Output channels per block: the lanes of one zmm register.</summary>
    private const int Lanes = 16;

    /// <summary>Whether the kernel runs here and suits <paramref name="outPerGroup"/> output channels per group and window <paramref name="w"/>.</summary>
    internal static bool IsSupported(int outPerGroup, in SlidingWindow w) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && w.StrideWidth == 1 && outPerGroup <= 2 * Lanes;

    /// <summary>
    /// output = conv(input, weight) + bias, like <see cref="ConvGemm{T, TKernel}.Run"/>: <paramref name="batch"/> images,
    /// <paramref name="groups"/> groups of <paramref name="outPerGroup"/> output channels. Requires w.Rows &gt; 0,
    /// a non-empty output and <see cref="IsSupported"/>.
    /// </summary>
    internal static void Run(ConvOperands<float> x, int batch, int groups, int outPerGroup, in SlidingWindow w)
    {
        int m = outPerGroup, k = w.Rows, blocks = (m + Lanes - 1) / Lanes;
        float* weights = PackWeights(x.Weight, groups, m, k, blocks);
        var geometry = new PaddedImage(w);
        var window = w;
        long images = (long)batch * groups;
        // Too few images for the threads: split each one's output rows as well (each part pads its own copy).
        int parts = images < Threading.NumThreads ? Math.Min(Threading.NumThreads, w.OutHeight) : 1;
        int rowsPerPart = (w.OutHeight + parts - 1) / parts;
        long work = Math.Max(1, (long)blocks * Lanes * k * w.Columns / parts);
        CpuParallel.For(images * parts, Math.Max(1, Gemm.Gemm.ParallelThreshold / work), (start, end) =>
        {
            float* padded = ThreadScratch.Get<float>(ThreadScratch.Slot.PaddedImage, geometry.Size);
            float* tile = stackalloc float[Positions * Lanes];
            for (long unit = start; unit < end; unit++)
            {
                long imageGroup = unit / parts;
                int part = (int)(unit % parts), group = (int)(imageGroup % groups);
                int oh0 = part * rowsPerPart, oh1 = Math.Min(window.OutHeight, oh0 + rowsPerPart);
                if (oh0 >= oh1) continue;
                geometry.Fill(padded, x.Input + imageGroup * window.ImageSize, window);
                for (int block = 0; block < blocks; block++)
                {
                    int ch0 = block * Lanes;
                    var image = new ImageBlock(padded, weights + ((nint)group * blocks + block) * k * Lanes,
                        x.Bias == null ? null : x.Bias + (nint)group * m + ch0,
                        x.Output + (imageGroup * m + ch0) * window.Columns, Math.Min(Lanes, m - ch0));
                    for (int oh = oh0; oh < oh1; oh++)
                        OutputRow(image, geometry, window, oh, tile);
                }
            }
        });
    }

    /// <summary>One block of output channels of one (image, group): where its inputs, weights, bias and outputs lie.</summary>
    private readonly struct ImageBlock(float* padded, float* weights, float* bias, float* output, int channels)
    {
        internal readonly float* Padded = padded, Weights = weights, Bias = bias, Output = output;
        internal readonly int Channels = channels;
    }

    /// <summary>
    /// Every group's weights as [block of 16 output channels][k][16], zero past the group's last channel, so a tile
    /// reads one aligned run of 16 per (channel, tap); in this thread's scratch, valid until its next convolution.
    /// </summary>
    private static float* PackWeights(float* weight, int groups, int m, int k, int blocks)
    {
        float* dst = ThreadScratch.Get<float>(ThreadScratch.Slot.PackedWeights, (long)groups * blocks * k * Lanes);
        for (int g = 0; g < groups; g++)
        {
            for (int block = 0; block < blocks; block++)
            {
                float* panel = dst + ((nint)g * blocks + block) * k * Lanes;
                for (int lane = 0; lane < Lanes; lane++)
                {
                    int row = block * Lanes + lane;
                    float* src = weight + ((nint)g * m + row) * k;
                    for (int p = 0; p < k; p++)
                        panel[(nint)p * Lanes + lane] = row < m ? src[p] : 0f;
                }
            }
        }
        return dst;
    }

    /// <summary>Output row <paramref name="oh"/> of one channel block, <see cref="Positions"/> columns at a time.</summary>
    private static void OutputRow(in ImageBlock b, in PaddedImage geometry, in SlidingWindow w, int oh, float* tile)
    {
        var bias = Vector512<float>.Zero;
        if (b.Bias != null)
        {
            for (int lane = 0; lane < b.Channels; lane++)
                bias = bias.WithElement(lane, b.Bias[lane]);
        }
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
                    dst[t] = tile[t * Lanes + lane];
            }
        }
    }

    /// <summary>
    /// TWidth.Count (at most 12) output columns × 16 channels starting at <paramref name="src"/> (the padded input
    /// under the first column's window, channel 0): bias + Σ over (channel, tap) of the tap's 16 weights times each
    /// column's input element, into <paramref name="tile"/> as [column][channel].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TWidth>(float* src, float* weights, Vector512<float> bias, float* tile, in PaddedImage geometry, in SlidingWindow w)
        where TWidth : struct, ITileRows
    {
        int n = TWidth.Count;
        Vector512<float> c0 = bias, c1 = bias, c2 = bias, c3 = bias, c4 = bias, c5 = bias;
        Vector512<float> c6 = bias, c7 = bias, c8 = bias, c9 = bias, c10 = bias, c11 = bias;
        nint rowStep = (nint)w.DilationHeight * geometry.Width, planeSize = geometry.PlaneSize;
        int kernelHeight = w.KernelHeight, kernelWidth = w.KernelWidth, dilationWidth = w.DilationWidth;
        float* a = weights;
        for (int ch = 0; ch < w.Channels; ch++)
        {
            float* plane = src + ch * planeSize;
            for (int ki = 0; ki < kernelHeight; ki++)
            {
                float* row = plane + ki * rowStep;
                for (int kj = 0; kj < kernelWidth; kj++, a += Lanes)
                {
                    float* p = row + kj * dilationWidth;
                    var wv = Vector512.Load(a);
                    c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[0]), wv, c0);
                    c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[1]), wv, c1);
                    c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[2]), wv, c2);
                    c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[3]), wv, c3);
                    if (n > 4) c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[4]), wv, c4);
                    if (n > 5) c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[5]), wv, c5);
                    if (n > 6) c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[6]), wv, c6);
                    if (n > 7) c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[7]), wv, c7);
                    if (n > 8) c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[8]), wv, c8);
                    if (n > 9) c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[9]), wv, c9);
                    if (n > 10) c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[10]), wv, c10);
                    if (n > 11) c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(p[11]), wv, c11);
                }
            }
        }
        c0.Store(tile);
        c1.Store(tile + Lanes);
        c2.Store(tile + 2 * Lanes);
        c3.Store(tile + 3 * Lanes);
        if (n > 4) c4.Store(tile + 4 * Lanes);
        if (n > 5) c5.Store(tile + 5 * Lanes);
        if (n > 6) c6.Store(tile + 6 * Lanes);
        if (n > 7) c7.Store(tile + 7 * Lanes);
        if (n > 8) c8.Store(tile + 8 * Lanes);
        if (n > 9) c9.Store(tile + 9 * Lanes);
        if (n > 10) c10.Store(tile + 10 * Lanes);
        if (n > 11) c11.Store(tile + 11 * Lanes);
    }

    /// <summary>
    /// The zero-padded copy of one (image, group) that the tiles read: every input row any window reaches, each
    /// widened to hold every column any window reaches, plus slack for the junk columns of a row's last tile.
    /// </summary>
    private readonly struct PaddedImage
    {
        /// <summary>Padded row length: one output row's windows, stride 1.</summary>
        internal readonly int Width;

        /// <summary>Padded rows per channel.</summary>
        internal readonly int Height;

        /// <summary>Elements, with the slack a last tile's junk columns read past the last row.</summary>
        internal readonly long Size;

        internal PaddedImage(in SlidingWindow w)
        {
            Width = w.OutWidth + (w.KernelWidth - 1) * w.DilationWidth;
            Height = (w.OutHeight - 1) * w.StrideHeight + (w.KernelHeight - 1) * w.DilationHeight + 1;
            Size = checked((long)w.Channels * Width * Height + Positions);
        }

        internal int PlaneSize => Width * Height;

        /// <summary>Copies <paramref name="image"/> (w.Channels planes) into <paramref name="dst"/>, zero where the window reaches padding.</summary>
        internal void Fill(float* dst, float* image, in SlidingWindow w)
        {
            for (int ch = 0; ch < w.Channels; ch++)
            {
                float* plane = image + (nint)ch * w.PlaneSize;
                for (int r = 0; r < Height; r++)
                {
                    float* row = dst + ((nint)ch * Height + r) * Width;
                    int ih = r - w.PadTop;
                    if ((uint)ih >= (uint)w.InHeight)
                    {
                        Runs.Zero(row, Width);
                        continue;
                    }
                    // Padded column c holds input column c − PadLeft where that lies in the input row.
                    int first = Math.Clamp(w.PadLeft, 0, Width), last = Math.Clamp(w.PadLeft + w.InWidth, first, Width);
                    Runs.Zero(row, first);
                    new ReadOnlySpan<float>(plane + (nint)ih * w.InWidth + (first - w.PadLeft), last - first).CopyTo(new Span<float>(row + first, last - first));
                    Runs.Zero(row + last, Width - last);
                }
            }
            Runs.Zero(dst + (nint)w.Channels * PlaneSize, Positions);
        }
    }
}
