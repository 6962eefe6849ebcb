namespace Kiln.IR.Ops;

/// <summary>How a loss turns its per-element values into its result (the <c>reduction</c> attribute of every loss).</summary>
public enum LossReduction : byte
{
    /// <summary><c>"none"</c>: the per-element losses, unreduced.</summary>
    None,
    /// <summary><c>"mean"</c>: their mean (a weighted mean for the class losses with weights; NaN when there is nothing to average).</summary>
    Mean,
    /// <summary><c>"sum"</c>: their sum.</summary>
    Sum,
    /// <summary><c>"batchmean"</c> (kl_div only): the sum divided by the size of the batch dim.</summary>
    BatchMean,
}
