using System.Text.Json.Nodes;

namespace Kiln.Optim;

/// <summary>
/// Reduces each group's learning rate by <c>factor</c> when a metric has stopped improving for more than
/// <c>patience</c> epochs (torch's <c>ReduceLROnPlateau</c>). Call <see cref="Step"/> with the metric once per epoch.
/// </summary>
public sealed class ReduceLROnPlateau
{
    private readonly PlateauMode mode;
    private readonly ThresholdMode thresholdMode;
    private readonly double factor, threshold, eps;
    private readonly int patience, cooldown;
    private readonly double[] minLrs;
    private double[] lastLr;

    /// <summary>A plateau-driven decay of <paramref name="optimizer"/>'s learning rates, with one minimum learning rate for all groups.</summary>
    /// <inheritdoc cref="ReduceLROnPlateau(Optimizer, IReadOnlyList{double}, PlateauMode, double, int, double, ThresholdMode, int, double)"/>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double minLr = 0, double eps = 1e-8)
        : this(optimizer, Enumerable.Repeat(minLr, optimizer?.ParamGroups.Count ?? 0).ToArray(), mode, factor, patience, threshold, thresholdMode, cooldown, eps)
    {
    }

    /// <summary>A plateau-driven decay of <paramref name="optimizer"/>'s learning rates, with a minimum learning rate per group.</summary>
    /// <param name="optimizer">The optimiser whose learning rates are reduced.</param>
    /// <param name="minLrs">The lowest learning rate of each param group.</param>
    /// <param name="mode">Whether the metric should decrease or increase.</param>
    /// <param name="factor">The factor applied at each reduction (&lt; 1).</param>
    /// <param name="patience">The number of epochs without improvement tolerated before reducing.</param>
    /// <param name="threshold">The least change that counts as an improvement (see <paramref name="thresholdMode"/>).</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative to the best value or absolute.</param>
    /// <param name="cooldown">The number of epochs after a reduction during which bad epochs are not counted.</param>
    /// <param name="eps">Reductions smaller than this are skipped.</param>
    /// <exception cref="ArgumentException"><paramref name="factor"/> is not below 1, or <paramref name="minLrs"/> has the wrong length.</exception>
    public ReduceLROnPlateau(Optimizer optimizer, IReadOnlyList<double> minLrs, PlateauMode mode = PlateauMode.Min, double factor = 0.1,
        int patience = 10, double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(minLrs);
        if (!(factor < 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"ReduceLROnPlateau: factor must be < 1, got {factor}");
        if (minLrs.Count != optimizer.ParamGroups.Count)
            throw new ArgumentException($"ReduceLROnPlateau: expected {optimizer.ParamGroups.Count} values for minLr (one per param group), got {minLrs.Count}");
        Optimizer = optimizer;
        this.minLrs = minLrs.ToArray();
        this.mode = mode;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;
        this.cooldown = cooldown;
        this.eps = eps;
        Best = WorstValue;
        lastLr = CurrentLrs();
    }

    /// <summary>The optimiser whose learning rates are reduced.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The best metric seen so far (+∞ for <see cref="PlateauMode.Min"/>, −∞ for <see cref="PlateauMode.Max"/> before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>The number of consecutive epochs without improvement.</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>The number of epochs of cooldown left.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>The number of epochs stepped.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rates after the last step, one per param group.</summary>
    public IReadOnlyList<double> GetLastLr() => lastLr;

    private double WorstValue => mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>Records this epoch's <paramref name="metric"/> and reduces the learning rates if it has plateaued.</summary>
    public void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }
        if (NumBadEpochs > patience)
        {
            ReduceLr();
            CooldownCounter = cooldown;
            NumBadEpochs = 0;
        }
        lastLr = CurrentLrs();
    }

    private bool IsBetter(double metric) => (mode, thresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => metric < Best * (1 - threshold),
        (PlateauMode.Min, _) => metric < Best - threshold,
        (_, ThresholdMode.Rel) => metric > Best * (threshold + 1),
        _ => metric > Best + threshold,
    };

    private void ReduceLr()
    {
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++)
        {
            double old = groups[i].Lr, reduced = Math.Max(old * factor, minLrs[i]);
            if (old - reduced > eps) groups[i].Lr = reduced;
        }
    }

    private double[] CurrentLrs() => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();

    /// <summary>The scheduler's progress (best metric, counters, last learning rates), as JSON.</summary>
    public JsonObject StateDict() => new()
    {
        // JSON has no infinities: the best value before any step is written as null.
        ["best"] = double.IsFinite(Best) ? Best : null,
        ["num_bad_epochs"] = NumBadEpochs,
        ["cooldown_counter"] = CooldownCounter,
        ["last_epoch"] = LastEpoch,
        ["last_lr"] = new JsonArray(lastLr.Select(x => (JsonNode?)x).ToArray()),
    };

    /// <summary>Restores the progress saved by <see cref="StateDict"/>.</summary>
    /// <exception cref="ArgumentException">An entry is missing or malformed.</exception>
    public void LoadStateDict(JsonObject stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        int Int(string key) => stateDict[key]?.GetValue<int>() ?? throw new ArgumentException($"ReduceLROnPlateau.LoadStateDict: missing '{key}'");
        Best = stateDict["best"]?.GetValue<double>() ?? WorstValue;
        NumBadEpochs = Int("num_bad_epochs");
        CooldownCounter = Int("cooldown_counter");
        LastEpoch = Int("last_epoch");
        lastLr = (stateDict["last_lr"] as JsonArray ?? throw new ArgumentException("ReduceLROnPlateau.LoadStateDict: missing 'last_lr'"))
            .Select(x => x!.GetValue<double>()).ToArray();
    }
}
