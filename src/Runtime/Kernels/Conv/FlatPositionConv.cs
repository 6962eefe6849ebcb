using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Kernels.Gemm;

namespace Kiln.Kernels.Conv;

/// <summary>
/// Direct convolution for few output channels with stride 1, on AVX-512 (float32 and float64): the output positions of
/// one padded image are taken as one flat run, q = oh·Wp + ow over the padded width Wp, so that every tap (channel, ki,
/// kj) reads the input at one fixed offset from q, and a tile of two zmm registers of positions (32 floats) runs on
/// across output rows. A tile is up to 12 output channels × those positions: per tap two loads of input feed two FMAs
/// per channel on a broadcast weight, the GEMM micro-kernel's shape. The Wp − OutWidth positions between rows are
/// computed and dropped. Against <see cref="DirectConv{T}"/> (ymm, tiles cut at each output row) it issues half the
/// FMAs and no partial tiles: on LeNet's first layer (6 channels, 28 columns) one tile per output row instead of two.
/// </summary>
internal static unsafe class FlatPositionConv<T> where T : unmanaged, INumberBase<T>
{
    /// <summary>Output channels a tile holds at most: 24 of the 32 zmm registers accumulate.</summary>
    private const int MaxRows = 12;

    private static int Positions => 2 * Vector512<T>.Count;

    /// <summary>Whether this kernel runs here and takes the window: AVX-512F, float or double, stride 1 both ways.</summary>
    internal static bool IsSupported(in SlidingWindow w) =>
        Avx512F.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && w.StrideWidth == 1 && w.StrideHeight == 1;

    /// <summary>
    /// output = conv(input, weight) + bias for <paramref name="batch"/> images of <paramref name="groups"/> groups of
    /// <paramref name="outPerGroup"/> output channels, in blocks of at most <see cref="MaxRows"/> channels. Requires
    /// w.Rows &gt; 0, a non-empty output and <see cref="IsSupported"/>.
    /// </summary>
    internal static void Run(ConvOperands<T> x, int batch, int groups, int outPerGroup, in SlidingWindow w)
    {
        int m = outPerGroup, k = w.Rows, blocks = (m + MaxRows - 1) / MaxRows;
        // Equal blocks of an even number of channels (the tile variants), e.g. 16 channels as 8 + 8, not 12 + 4.
        int rows = ((m + blocks - 1) / blocks + 1) / 2 * 2, mPad = blocks * rows;
        T* packedWeights = ThreadScratch.Get<T>(ThreadScratch.Slot.PackedWeights, (long)groups * mPad * k);
        for (int g = 0; g < groups; g++)
            GemmPacking.PackA(new MatrixRef<T>(x.Weight + (nint)g * m * k, k, 1), m, k, rows, packedWeights + (nint)g * mPad * k);
        // The last tile of an image reads up to one tile's positions past its last one.
        var geometry = new PaddedImage(w, Positions);
        var window = w;
        int[] offsets = TapOffsets(w, geometry);
        geometry.ForEach(x.Input, (long)batch * groups, w, (long)mPad * k * w.Columns, (padded, imageGroup, oh0, oh1) =>
        {
            int group = (int)(imageGroup % groups);
            T* bias = stackalloc T[MaxRows];
            nint ld = FlatLength(geometry.Width, window.OutWidth, oh0, oh1);
            T* flat = ThreadScratch.Get<T>(ThreadScratch.Slot.FlatOutput, rows * ld);
            fixed (int* taps = offsets)
            {
                for (int block = 0; block < blocks; block++)
                {
                    int ch0 = block * rows, channels = Math.Min(rows, m - ch0);
                    for (int r = 0; r < rows; r++)
                        bias[r] = x.Bias != null && r < channels ? x.Bias[(nint)group * m + ch0 + r] : T.Zero;
                    var image = new ImageBlock(padded, taps, k, packedWeights + (nint)group * mPad * k + (nint)ch0 * k, x.Bias == null ? null : bias,
                        x.Output + (imageGroup * m + ch0) * window.Columns, channels);
                    Rows(image, rows, geometry.Width, window, oh0, oh1, flat, ld);
                }
            }
        });
    }

    /// <summary>One block of output channels of one (image, group): its padded input, taps, weights, bias and output.</summary>
    private readonly struct ImageBlock(T* padded, int* taps, int k, T* weights, T* bias, T* output, int channels)
    {
        internal readonly T* Padded = padded, Weights = weights, Bias = bias, Output = output;
        internal readonly int* Taps = taps;
        internal readonly int K = k, Channels = channels;
    }

    /// <summary>Each tap's offset in the padded image from the position it contributes to, in the packed weights' order.</summary>
    private static int[] TapOffsets(in SlidingWindow w, in PaddedImage geometry)
    {
        var offsets = new int[w.Rows];
        int t = 0;
        for (int ch = 0; ch < w.Channels; ch++)
        {
            for (int ki = 0; ki < w.KernelHeight; ki++)
            {
                for (int kj = 0; kj < w.KernelWidth; kj++)
                    offsets[t++] = ch * geometry.PlaneSize + ki * w.DilationHeight * geometry.Width + kj * w.DilationWidth;
            }
        }
        return offsets;
    }

    /// <summary>
    /// Output rows [oh0, oh1) of one channel block: the flat positions from oh0·Wp up to the last row's last column, a
    /// tile at a time into <paramref name="flat"/> ([channel][position], whole tiles), then each row's output columns
    /// copied out (a tile's registers are stored whole, and no tile has to find the rows it spans).
    /// </summary>
    private static void Rows(in ImageBlock b, int rows, int paddedWidth, in SlidingWindow w, int oh0, int oh1, T* flat, nint ld)
    {
        int positions = Positions, start = oh0 * paddedWidth, end = (oh1 - 1) * paddedWidth + w.OutWidth;
        for (int q = start; q < end; q += positions)
        {
            T* src = b.Padded + q, dst = flat + (q - start);
            switch (rows)
            {
                case 2: Tile<TwoRows>(src, b, dst, ld); break;
                case 4: Tile<FourRows>(src, b, dst, ld); break;
                case 6: Tile<SixRows>(src, b, dst, ld); break;
                case 8: Tile<EightRows>(src, b, dst, ld); break;
                case 10: Tile<TenRows>(src, b, dst, ld); break;
                default: Tile<TwelveRows>(src, b, dst, ld); break;
            }
        }
        for (int r = 0; r < b.Channels; r++)
        {
            for (int oh = oh0; oh < oh1; oh++)
                Runs.Copy(b.Output + (nint)r * w.Columns + (nint)oh * w.OutWidth, flat + r * ld + (nint)(oh - oh0) * paddedWidth, 1, w.OutWidth);
        }
    }

    /// <summary>Elements a channel's flat positions take for output rows [oh0, oh1), in whole tiles.</summary>
    private static int FlatLength(int paddedWidth, int outWidth, int oh0, int oh1)
    {
        int count = (oh1 - 1 - oh0) * paddedWidth + outWidth;
        return (count + Positions - 1) / Positions * Positions;
    }

    /// <summary>
    /// <typeparamref name="TRows"/> output channels × two registers of flat positions from <paramref name="src"/> (the
    /// padded input at the tile's first position): Σ over taps of the tap's weight times the input at the tap's offset,
    /// then the bias, into <paramref name="dst"/>: channel r's positions from dst + r·<paramref name="ld"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(T* src, in ImageBlock b, T* dst, nint ld) where TRows : struct, ITileRows
    {
        int rows = TRows.Count, lanes = Vector512<T>.Count;
        T* bias = b.Bias, a = b.Weights;
        int* taps = b.Taps;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int t = 0, k = b.K; t < k; t++, a += rows)
        {
            T* p = src + taps[t];
            Vector512<T> b0 = Vector512.Load(p), b1 = Vector512.Load(p + lanes);
            FmaStep.Row(a[0], b0, b1, ref c00, ref c01);
            FmaStep.Row(a[1], b0, b1, ref c10, ref c11);
            if (rows > 2)
            {
                FmaStep.Row(a[2], b0, b1, ref c20, ref c21);
                FmaStep.Row(a[3], b0, b1, ref c30, ref c31);
            }
            if (rows > 4)
            {
                FmaStep.Row(a[4], b0, b1, ref c40, ref c41);
                FmaStep.Row(a[5], b0, b1, ref c50, ref c51);
            }
            if (rows > 6)
            {
                FmaStep.Row(a[6], b0, b1, ref c60, ref c61);
                FmaStep.Row(a[7], b0, b1, ref c70, ref c71);
            }
            if (rows > 8)
            {
                FmaStep.Row(a[8], b0, b1, ref c80, ref c81);
                FmaStep.Row(a[9], b0, b1, ref c90, ref c91);
            }
            if (rows > 10)
            {
                FmaStep.Row(a[10], b0, b1, ref ca0, ref ca1);
                FmaStep.Row(a[11], b0, b1, ref cb0, ref cb1);
            }
        }
        // The bias is added last, as DirectConv{T} adds it, so both give the same bits (a NativeAOT binary without
        // AVX-512 runs that one and must match the JIT).
        Store(dst, c00, c01, bias, 0);
        Store(dst + ld, c10, c11, bias, 1);
        if (rows > 2) { Store(dst + 2 * ld, c20, c21, bias, 2); Store(dst + 3 * ld, c30, c31, bias, 3); }
        if (rows > 4) { Store(dst + 4 * ld, c40, c41, bias, 4); Store(dst + 5 * ld, c50, c51, bias, 5); }
        if (rows > 6) { Store(dst + 6 * ld, c60, c61, bias, 6); Store(dst + 7 * ld, c70, c71, bias, 7); }
        if (rows > 8) { Store(dst + 8 * ld, c80, c81, bias, 8); Store(dst + 9 * ld, c90, c91, bias, 9); }
        if (rows > 10) { Store(dst + 10 * ld, ca0, ca1, bias, 10); Store(dst + 11 * ld, cb0, cb1, bias, 11); }
    }

    /// <summary>One channel's two registers of positions, plus its bias where the convolution has one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* dst, Vector512<T> lo, Vector512<T> hi, T* bias, int channel)
    {
        if (bias != null)
        {
            var b = Vector512.Create(bias[channel]);
            lo += b;
            hi += b;
        }
        lo.Store(dst);
        hi.Store(dst + Vector512<T>.Count);
    }
}
