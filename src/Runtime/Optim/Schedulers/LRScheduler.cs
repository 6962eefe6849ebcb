using System.Text.Json.Nodes;

namespace Kiln.Optim;

/// <summary>
/// The base of the epoch-driven learning-rate schedulers (torch's <c>torch.optim.lr_scheduler.LRScheduler</c>):
/// each <see cref="Step"/> advances <see cref="LastEpoch"/> and writes a new <see cref="ParamGroup.Lr"/> into every
/// param group. Call it after <see cref="Optimizer.Step()"/>, once per epoch (or per batch for <see cref="OneCycleLR"/>).
/// </summary>
/// <remarks>
/// As in torch, constructing a scheduler records each group's <c>"initial_lr"</c> (when <c>lastEpoch</c> is −1) and
/// takes a first step to epoch 0, which already sets the starting learning rate. A sealed subclass sets its fields,
/// then calls <see cref="InitialStep"/> at the end of its constructor.
/// </remarks>
public abstract class LRScheduler
{
    private double[] lastLr = [];

    /// <summary>Attaches a scheduler to <paramref name="optimizer"/>.</summary>
    /// <param name="optimizer">The optimiser whose learning rates are scheduled.</param>
    /// <param name="lastEpoch">The index of the last epoch when resuming; −1 to start afresh.</param>
    /// <exception cref="ArgumentException">Resuming (<paramref name="lastEpoch"/> ≠ −1) and a group has no <c>"initial_lr"</c>.</exception>
    protected LRScheduler(Optimizer optimizer, int lastEpoch = -1)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        var groups = optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++)
        {
            if (lastEpoch == -1) groups[i].SetDefault("initial_lr", groups[i].Lr);
            else if (!groups[i].HasOption("initial_lr"))
                throw new ArgumentException($"{GetType().Name}: option 'initial_lr' is not set in param group {i} when resuming (lastEpoch {lastEpoch}); set it or pass lastEpoch -1");
        }
        BaseLrs = groups.Select(g => g.InitialLr).ToArray();
        LastEpoch = lastEpoch;
    }

    /// <summary>The optimiser whose learning rates are scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Each group's learning rate when the schedule started (its <c>"initial_lr"</c>).</summary>
    public IReadOnlyList<double> BaseLrs { get; private set; }

    /// <summary>The index of the current epoch: 0 after construction, +1 per <see cref="Step"/>.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>How many times <see cref="Step"/> ran, the initial step included.</summary>
    protected int StepCount { get; private set; }

    /// <summary>The learning rates the last step set, one per param group (torch's <c>get_last_lr()</c>).</summary>
    public IReadOnlyList<double> GetLastLr() => lastLr;

    /// <summary>Advances one epoch and sets each param group's learning rate for it.</summary>
    /// <exception cref="InvalidOperationException">The schedule has no more steps (<see cref="OneCycleLR"/>).</exception>
    public void Step()
    {
        StepCount++;
        LastEpoch++;
        var lrs = ComputeLr();
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++) groups[i].Lr = lrs[i];
        lastLr = groups.Select(g => g.Lr).ToArray();
    }

    /// <summary>Takes the first step, to epoch 0; sealed subclasses call it last in their constructor.</summary>
    protected void InitialStep() => Step();

    /// <summary>
    /// The learning rate of each param group at <see cref="LastEpoch"/> (torch's <c>get_lr()</c>); chainable schedules
    /// derive it from the groups' current <see cref="ParamGroup.Lr"/>.
    /// </summary>
    protected abstract double[] ComputeLr();

    /// <summary>The scheduler's progress (epoch, step count, base and last learning rates), as JSON.</summary>
    public JsonObject StateDict() => new()
    {
        ["last_epoch"] = LastEpoch,
        ["step_count"] = StepCount,
        ["base_lrs"] = new JsonArray(BaseLrs.Select(x => (JsonNode?)x).ToArray()),
        ["last_lr"] = new JsonArray(lastLr.Select(x => (JsonNode?)x).ToArray()),
    };

    /// <summary>Restores the progress saved by <see cref="StateDict"/>; the learning rates themselves live in the optimiser's state dict.</summary>
    /// <exception cref="ArgumentException">An entry is missing, or the number of learning rates differs from the number of param groups.</exception>
    public void LoadStateDict(JsonObject stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        string name = GetType().Name;
        double[] Lrs(string key)
        {
            var values = (stateDict[key] as JsonArray ?? throw new ArgumentException($"{name}.LoadStateDict: missing '{key}'"))
                .Select(x => x!.GetValue<double>()).ToArray();
            return values.Length == Optimizer.ParamGroups.Count ? values
                : throw new ArgumentException($"{name}.LoadStateDict: '{key}' has {values.Length} entries, the optimiser has {Optimizer.ParamGroups.Count} param groups");
        }
        int Int(string key) => stateDict[key]?.GetValue<int>() ?? throw new ArgumentException($"{name}.LoadStateDict: missing '{key}'");
        BaseLrs = Lrs("base_lrs");
        lastLr = Lrs("last_lr");
        LastEpoch = Int("last_epoch");
        StepCount = Int("step_count");
    }

    /// <summary>The current learning rate of every param group.</summary>
    protected double[] CurrentLrs() => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();
}
