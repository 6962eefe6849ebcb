namespace Kiln.Optim;

/// <summary>How <see cref="OneCycleLR"/> moves between its phases' end points (torch's <c>anneal_strategy</c>).</summary>
public enum AnnealStrategy
{
    /// <summary>Along a half cosine (<c>"cos"</c>).</summary>
    Cos,

    /// <summary>In a straight line (<c>"linear"</c>).</summary>
    Linear,
}
