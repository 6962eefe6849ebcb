namespace Kiln.NN;

/// <summary>
/// Weight initialisation (<c>torch.nn.init</c>): each function fills a tensor in place without recording
/// gradients, from <see cref="Kiln.Random"/>'s default generator or the one given, and returns it.
/// </summary>
public static class Init
{
    /// <summary>Fills with values drawn uniformly from [<paramref name="a"/>, <paramref name="b"/>).</summary>
    public static Tensor Uniform_(Tensor tensor, double a = 0, double b = 1, Generator? generator = null)
    {
        using (Autograd.NoGrad()) return tensor.Uniform_(a, b, generator);
    }

    /// <summary>Fills with values drawn from N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static Tensor Normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        using (Autograd.NoGrad()) return tensor.Normal_(mean, std, generator);
    }

    /// <summary>Fills with <paramref name="value"/>.</summary>
    public static Tensor Constant_(Tensor tensor, double value)
    {
        using (Autograd.NoGrad()) return tensor.Fill_(value);
    }

    /// <summary>Fills with zeros.</summary>
    public static Tensor Zeros_(Tensor tensor) => Constant_(tensor, 0);

    /// <summary>Fills with ones.</summary>
    public static Tensor Ones_(Tensor tensor) => Constant_(tensor, 1);

    /// <summary>The recommended gain for a nonlinearity (<c>calculate_gain</c>): relu √2, tanh 5/3, selu 3/4, leaky_relu √(2/(1+slope²)), linear-like 1.</summary>
    /// <exception cref="ArgumentException">The nonlinearity is unknown.</exception>
    public static double CalculateGain(string nonlinearity, double? param = null) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid" => 1,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2),
        "leaky_relu" => Math.Sqrt(2 / (1 + Math.Pow(param ?? 0.01, 2))),
        "selu" => 0.75,
        _ => throw new ArgumentException($"CalculateGain: unknown nonlinearity '{nonlinearity}'", nameof(nonlinearity)),
    };

    /// <summary>
    /// The fan-in and fan-out of a weight (<c>_calculate_fan_in_and_fan_out</c>): dims 1 and 0 times the
    /// product of the remaining (receptive-field) dims.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dims.</exception>
    public static (long FanIn, long FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Dim < 2)
            throw new ArgumentException($"Init: fan in and fan out cannot be computed for a tensor with fewer than 2 dims (shape {Shapes.Format(tensor.shape)})");
        long receptive = 1;
        for (int i = 2; i < tensor.Dim; i++) receptive *= tensor.shape[i];
        return (tensor.shape[1] * receptive, tensor.shape[0] * receptive);
    }

    /// <summary>Xavier/Glorot uniform: U(-a, a) with a = gain·√(6/(fan_in+fan_out)).</summary>
    public static Tensor XavierUniform_(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        double a = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform_(tensor, -a, a, generator);
    }

    /// <summary>Xavier/Glorot normal: N(0, std²) with std = gain·√(2/(fan_in+fan_out)).</summary>
    public static Tensor XavierNormal_(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return Normal_(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>Kaiming/He uniform: U(-b, b) with b = gain·√(3/fan), fan by <paramref name="mode"/> ("fan_in" or "fan_out").</summary>
    public static Tensor KaimingUniform_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        double bound = Math.Sqrt(3.0) * KaimingStd(tensor, a, mode, nonlinearity);
        return Uniform_(tensor, -bound, bound, generator);
    }

    /// <summary>Kaiming/He normal: N(0, std²) with std = gain/√fan.</summary>
    public static Tensor KaimingNormal_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null) =>
        Normal_(tensor, 0, KaimingStd(tensor, a, mode, nonlinearity), generator);

    private static double KaimingStd(Tensor tensor, double a, string mode, string nonlinearity)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        long fan = mode switch
        {
            "fan_in" => fanIn,
            "fan_out" => fanOut,
            _ => throw new ArgumentException($"Init: mode must be 'fan_in' or 'fan_out', got '{mode}'", nameof(mode)),
        };
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    /// <summary>
    /// A (semi-)orthogonal matrix (<c>orthogonal_</c>): the Q of a QR decomposition of a normal random matrix,
    /// with signs fixed by R's diagonal, times <paramref name="gain"/>; dims after the first are flattened.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dims.</exception>
    public static Tensor Orthogonal_(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Dim < 2)
            throw new ArgumentException($"Orthogonal_: only tensors with 2 or more dims are supported, got shape {Shapes.Format(tensor.shape)}");
        if (tensor.numel == 0) return tensor;
        int rows = (int)tensor.shape[0], cols = (int)(tensor.numel / rows);
        var flat = Tensor.Randn([rows, cols], DType.Float64, null, generator).ToArray<double>();
        var q = Orthogonalize(flat, rows, cols);
        for (int i = 0; i < q.Length; i++) q[i] *= gain;
        using (Autograd.NoGrad())
            tensor.Copy_(Tensor.FromArray(q, tensor.shape));
        return tensor;
    }

    /// <summary>Q of the QR decomposition of the row-major rows×cols matrix (of its transpose when rows &lt; cols), by Householder reflections.</summary>
    private static double[] Orthogonalize(double[] a, int rows, int cols)
    {
        bool transpose = rows < cols;
        int m = transpose ? cols : rows, n = transpose ? rows : cols;
        var work = new double[m * n];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                work[transpose ? j * n + i : i * n + j] = a[i * cols + j];
        var q = HouseholderQ(work, m, n);
        var result = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                result[i * cols + j] = transpose ? q[j * n + i] : q[i * n + j];
        return result;
    }

    /// <summary>The m×n (m ≥ n) thin Q of <paramref name="a"/>, with each column's sign set so R's diagonal is positive.</summary>
    private static double[] HouseholderQ(double[] a, int m, int n)
    {
        var vs = new double[n][];
        var diagSign = new double[n];
        for (int k = 0; k < n; k++)
        {
            double norm = 0;
            for (int i = k; i < m; i++) norm += a[i * n + k] * a[i * n + k];
            norm = Math.Sqrt(norm);
            double alpha = a[k * n + k] > 0 ? -norm : norm;
            var v = new double[m];
            for (int i = k; i < m; i++) v[i] = a[i * n + k];
            v[k] -= alpha;
            double vnorm = 0;
            for (int i = k; i < m; i++) vnorm += v[i] * v[i];
            vs[k] = v;
            diagSign[k] = alpha >= 0 ? 1 : -1;
            if (vnorm == 0) continue;
            for (int j = k; j < n; j++)
            {
                double dot = 0;
                for (int i = k; i < m; i++) dot += v[i] * a[i * n + j];
                double f = 2 * dot / vnorm;
                for (int i = k; i < m; i++) a[i * n + j] -= f * v[i];
            }
        }
        var q = new double[m * n];
        for (int j = 0; j < n; j++) q[j * n + j] = 1;
        for (int k = n - 1; k >= 0; k--)
        {
            var v = vs[k];
            double vnorm = 0;
            for (int i = k; i < m; i++) vnorm += v[i] * v[i];
            if (vnorm == 0) continue;
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int i = k; i < m; i++) dot += v[i] * q[i * n + j];
                double f = 2 * dot / vnorm;
                for (int i = k; i < m; i++) q[i * n + j] -= f * v[i];
            }
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                q[i * n + j] *= diagSign[j];
        return q;
    }
}
