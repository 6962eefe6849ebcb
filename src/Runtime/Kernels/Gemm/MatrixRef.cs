namespace Kiln.Kernels.Gemm;

/// <summary>
/// A matrix in pinned memory, addressed through element strides, so row-major, column-major
/// (transposed) and any other strided view reach the GEMM without a copy.
/// </summary>
internal readonly unsafe struct MatrixRef<T>(T* data, nint rowStride, nint colStride)
    where T : unmanaged
{
    /// <summary>The address of element [0, 0].</summary>
    internal readonly T* Data = data;

    /// <summary>Elements between rows.</summary>
    internal readonly nint RowStride = rowStride;

    /// <summary>Elements between columns.</summary>
    internal readonly nint ColStride = colStride;

    /// <summary>The address of element [<paramref name="row"/>, <paramref name="col"/>].</summary>
    internal T* At(nint row, nint col) => Data + row * RowStride + col * ColStride;

    /// <summary>The sub-matrix whose element [0, 0] is this one's [<paramref name="row"/>, <paramref name="col"/>].</summary>
    internal MatrixRef<T> Offset(nint row, nint col) => new(At(row, col), RowStride, ColStride);

    /// <summary>The same matrix moved by <paramref name="elements"/> elements (to another entry of a batch).</summary>
    internal MatrixRef<T> Shift(long elements) => new(Data + (nint)elements, RowStride, ColStride);

    /// <summary>The transpose, as a view.</summary>
    internal MatrixRef<T> Transposed => new(Data, ColStride, RowStride);
}
