namespace Kiln.Kernels.Conv;

/// <summary>The tensors of one convolution, as pointers to their first elements (all contiguous).</summary>
internal readonly unsafe struct ConvOperands<T>(T* input, T* weight, T* bias, T* output) where T : unmanaged
{
    /// <summary>[N, C_in, *spatial].</summary>
    internal readonly T* Input = input;

    /// <summary>[C_out, C_in/groups, *kernel]: per group, a C_out/groups × (C_in/groups · taps) matrix.</summary>
    internal readonly T* Weight = weight;

    /// <summary>[C_out], or null.</summary>
    internal readonly T* Bias = bias;

    /// <summary>[N, C_out, *out_spatial].</summary>
    internal readonly T* Output = output;
}
