namespace Kiln.Optim;

/// <summary>Whether <see cref="ReduceLROnPlateau"/>'s metric should go down or up (torch's <c>mode</c>).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better, e.g. a loss (<c>"min"</c>).</summary>
    Min,

    /// <summary>Higher is better, e.g. an accuracy (<c>"max"</c>).</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> decides that a metric improved (torch's <c>threshold_mode</c>).</summary>
public enum ThresholdMode
{
    /// <summary>By more than a fraction <c>threshold</c> of the best value (<c>"rel"</c>).</summary>
    Rel,

    /// <summary>By more than <c>threshold</c> (<c>"abs"</c>).</summary>
    Abs,
}
