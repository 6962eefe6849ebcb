namespace Kiln.Kernels.Attention;

/// <summary>
/// One attention call as pinned pointers and element strides: query [B, L, E], key [B, S, E], value
/// [B, S, Ev], an optional additive mask [B, L, S] and the contiguous output [B, L, Ev], where B runs over
/// the broadcast batch dims (<see cref="Batch"/>) and each operand reads batch entry b at its own
/// <see cref="Offset"/> (stride 0 along the dims it is broadcast over).
/// </summary>
internal readonly unsafe struct AttentionOperands<T>
    where T : unmanaged
{
    /// <summary>The batch dims of the output.</summary>
    internal required long[] Batch { get; init; }

    /// <summary>Query, key, value and mask batch strides over <see cref="Batch"/>, in that order (the mask's unused when absent).</summary>
    internal required long[][] BatchStrides { get; init; }

    /// <summary>Element [0, 0, 0] of each operand.</summary>
    internal required T* Query { get; init; }

    /// <inheritdoc cref="Query"/>
    internal required T* Key { get; init; }

    /// <inheritdoc cref="Query"/>
    internal required T* Value { get; init; }

    /// <summary>Element [0, 0, 0] of the additive mask, or null.</summary>
    internal required T* Mask { get; init; }

    /// <summary>Element [0, 0, 0] of the contiguous output.</summary>
    internal required T* Output { get; init; }

    /// <summary>(row, column) element strides of the query's [L, E] matrices.</summary>
    internal required (nint Row, nint Col) QueryStrides { get; init; }

    /// <summary>(row, column) element strides of the key's [S, E] matrices.</summary>
    internal required (nint Row, nint Col) KeyStrides { get; init; }

    /// <summary>(row, column) element strides of the value's [S, Ev] matrices.</summary>
    internal required (nint Row, nint Col) ValueStrides { get; init; }

    /// <summary>(row, column) element strides of the mask's [L, S] matrices (0 where it is broadcast).</summary>
    internal required (nint Row, nint Col) MaskStrides { get; init; }

    /// <summary>Queries per batch entry.</summary>
    internal required int L { get; init; }

    /// <summary>Keys (and values) per batch entry.</summary>
    internal required int S { get; init; }

    /// <summary>The query and key embedding size.</summary>
    internal required int E { get; init; }

    /// <summary>The value embedding size.</summary>
    internal required int Ev { get; init; }

    /// <summary>The factor the scores are multiplied by.</summary>
    internal required T Scale { get; init; }

    /// <summary>Whether query i attends only to keys j ≤ i.</summary>
    internal required bool Causal { get; init; }

    /// <summary>The probability of dropping an attention weight (0 for none).</summary>
    internal required double DropoutP { get; init; }

    /// <summary>The random words of the dropout: word (b·L + i)·S + j decides weight (i, j) of batch entry b.</summary>
    internal required PhiloxStream Stream { get; init; }

    /// <summary>The element offset of batch entry <paramref name="index"/> in operand <paramref name="operand"/> (0 query, 1 key, 2 value, 3 mask).</summary>
    internal long Offset(int operand, long index)
    {
        long offset = 0;
        var strides = BatchStrides[operand];
        for (int d = Batch.Length - 1; d >= 0; d--)
        {
            offset += index % Batch[d] * strides[d];
            index /= Batch[d];
        }
        return offset;
    }
}
