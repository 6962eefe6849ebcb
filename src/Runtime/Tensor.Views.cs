using Kiln.Kernels;

namespace Kiln;

public sealed partial class Tensor
{
    /// <summary>A view of the same storage with another shape, strides and offset.</summary>
    internal Tensor AsStrided(long[] newShape, long[] newStrides, long newOffset) => new(storage, DType, newShape, newStrides, newOffset);

    /// <summary>
    /// A view with shape <paramref name="newShape"/> (one dim may be -1, inferred). Fails when the
    /// strides do not allow a view; <see cref="Reshape"/> copies instead.
    /// </summary>
    /// <exception cref="ArgumentException">The shape does not match the element count.</exception>
    /// <exception cref="InvalidOperationException">The layout does not allow this view.</exception>
    public Tensor View(params long[] newShape)
    {
        var target = InferShape("view", newShape);
        var newStrides = ViewStrides(target) ?? throw new InvalidOperationException(
            $"view: a tensor of shape {Shapes.Format(shape)} with strides {Shapes.Format(strides)} cannot be viewed as {Shapes.Format(target)}: its elements are not laid out compatibly; use Reshape (which copies) or Contiguous() first");
        return AsStrided(target, newStrides, offset);
    }

    /// <summary>This tensor with shape <paramref name="newShape"/>: a view when the layout allows, else a copy.</summary>
    /// <exception cref="ArgumentException">The shape does not match the element count.</exception>
    public Tensor Reshape(params long[] newShape)
    {
        var target = InferShape("reshape", newShape);
        var newStrides = ViewStrides(target);
        return newStrides is null ? Contiguous().AsStrided(target, Shapes.ContiguousStrides(target), 0) : AsStrided(target, newStrides, offset);
    }

    /// <summary>This tensor with dims <paramref name="startDim"/>..<paramref name="endDim"/> merged into one (a view when possible).</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1)
    {
        if (Dim == 0) return Reshape(1);
        int s = Shapes.WrapDim("flatten", startDim, Dim), e = Shapes.WrapDim("flatten", endDim, Dim);
        if (s > e) throw new ArgumentException($"flatten: startDim {startDim} comes after endDim {endDim} for a tensor of rank {Dim}");
        var target = new List<long>(shape[..s]) { Shapes.Numel(shape.AsSpan(s, e - s + 1)) };
        target.AddRange(shape[(e + 1)..]);
        return Reshape([.. target]);
    }

    /// <summary>Dim <paramref name="dim"/> split into <paramref name="sizes"/> (a view when possible).</summary>
    public Tensor Unflatten(long dim, params long[] sizes)
    {
        int d = Shapes.WrapDim("unflatten", dim, Dim);
        var inner = InferShape("unflatten", sizes, shape[d]);
        return Reshape([.. shape[..d], .. inner, .. shape[(d + 1)..]]);
    }

    /// <summary>A view with dims <paramref name="dim0"/> and <paramref name="dim1"/> swapped.</summary>
    public Tensor Transpose(long dim0, long dim1)
    {
        if (Dim == 0) { Shapes.WrapDim("transpose", dim0, 0); Shapes.WrapDim("transpose", dim1, 0); return this; }
        int a = Shapes.WrapDim("transpose", dim0, Dim), b = Shapes.WrapDim("transpose", dim1, Dim);
        var s = (long[])shape.Clone();
        var st = (long[])strides.Clone();
        (s[a], s[b]) = (s[b], s[a]);
        (st[a], st[b]) = (st[b], st[a]);
        return AsStrided(s, st, offset);
    }

    /// <summary>The transpose of a tensor of rank ≤ 2 (<c>tensor.T</c>; PyTorch reverses the dims of higher ranks, use <see cref="Permute"/> there).</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than 2 dims.</exception>
    public Tensor T => Dim <= 2 ? (Dim < 2 ? this : Transpose(0, 1))
        : throw new InvalidOperationException($"T: expects a tensor of rank ≤ 2, got rank {Dim}; use Permute or Transpose(-2, -1) (mT)");

    /// <summary>The transpose of the last two dims (<c>tensor.mT</c>).</summary>
    public Tensor MT => Dim >= 2 ? Transpose(-2, -1) : throw new InvalidOperationException($"mT: expects a tensor of rank ≥ 2, got rank {Dim}");

    /// <summary>A view with the dims reordered: dim i of the result is dim <c>dims[i]</c> of this tensor.</summary>
    /// <exception cref="ArgumentException">The dims are not a permutation of this tensor's dims.</exception>
    public Tensor Permute(params long[] dims)
    {
        if (dims.Length != Dim)
            throw new ArgumentException($"permute: expected {Dim} dims for a tensor of shape {Shapes.Format(shape)}, got [{string.Join(", ", dims)}]");
        Shapes.DimMask("permute", dims, Dim, emptyMeansAll: false); // rejects repeated dims
        var s = new long[Dim];
        var st = new long[Dim];
        for (int i = 0; i < Dim; i++)
        {
            int d = Shapes.WrapDim("permute", dims[i], Dim);
            s[i] = shape[d];
            st[i] = strides[d];
        }
        return AsStrided(s, st, offset);
    }

    /// <summary>A view without the size-1 dims (all of them, or those among <paramref name="dims"/>).</summary>
    public Tensor Squeeze(params long[] dims)
    {
        var mask = Shapes.DimMask("squeeze", dims, Dim);
        var s = new List<long>();
        var st = new List<long>();
        for (int i = 0; i < Dim; i++)
        {
            if (mask[i] && shape[i] == 1) continue;
            s.Add(shape[i]);
            st.Add(strides[i]);
        }
        return AsStrided([.. s], [.. st], offset);
    }

    /// <summary>A view with a size-1 dim inserted at <paramref name="dim"/> (which may be -1 to append).</summary>
    public Tensor Unsqueeze(long dim)
    {
        int d = Shapes.WrapDim("unsqueeze", dim, Dim + 1);
        long stride = d < Dim ? shape[d] * strides[d] : 1;
        return AsStrided([.. shape[..d], 1, .. shape[d..]], [.. strides[..d], stride, .. strides[d..]], offset);
    }

    /// <summary>
    /// A view broadcast to <paramref name="sizes"/> without copying (size-1 dims get stride 0; -1 keeps a size).
    /// Writing to an expanded view writes one element many times, as in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">The shape cannot be reached by broadcasting.</exception>
    public Tensor Expand(params long[] sizes)
    {
        if (sizes.Length < Dim)
            throw new ArgumentException($"expand: the target shape {Shapes.Format(sizes)} has fewer dims than the tensor's {Shapes.Format(shape)}");
        int shift = sizes.Length - Dim;
        var s = new long[sizes.Length];
        var st = new long[sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            int src = i - shift;
            long target = sizes[i];
            if (src < 0)
            {
                if (target < 0) throw new ArgumentException($"expand: -1 is not allowed for the new leading dim {i} in {Shapes.Format(sizes)}");
                s[i] = target;
                st[i] = 0;
                continue;
            }
            if (target == -1 || target == shape[src])
            {
                s[i] = shape[src];
                st[i] = strides[src];
            }
            else if (shape[src] == 1 && target >= 0)
            {
                s[i] = target;
                st[i] = 0;
            }
            else
            {
                throw new ArgumentException($"expand: the tensor of shape {Shapes.Format(shape)} cannot be expanded to {Shapes.Format(sizes)}: dim {src} has size {shape[src]}, which is not 1");
            }
        }
        return AsStrided(s, st, offset);
    }

    /// <summary>A view broadcast to the shape of <paramref name="other"/>.</summary>
    public Tensor ExpandAs(Tensor other) => Expand(other.shape);

    /// <summary>A view of <paramref name="length"/> elements of dim <paramref name="dim"/> starting at <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not fit in the dim.</exception>
    public Tensor Narrow(long dim, long start, long length)
    {
        int d = Shapes.WrapDim("narrow", dim, Dim);
        if (Dim == 0) throw new ArgumentException("narrow: cannot narrow a 0-d tensor");
        if (start < 0) start += shape[d];
        if (start < 0 || length < 0 || start + length > shape[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: start {start} with length {length} does not fit in dim {d} of size {shape[d]}");
        var s = (long[])shape.Clone();
        s[d] = length;
        return AsStrided(s, (long[])strides.Clone(), offset + (length == 0 ? 0 : start * strides[d]));
    }

    /// <summary>The slice <c>[start, end)</c> with <paramref name="step"/> along <paramref name="dim"/>, Python-style: negative bounds count from the end and are clamped.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is not positive.</exception>
    public Tensor Slice(long dim, long? start = null, long? end = null, long step = 1)
    {
        if (Dim == 0) throw new ArgumentException("slice: cannot slice a 0-d tensor");
        int d = Shapes.WrapDim("slice", dim, Dim);
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), step, "slice: step must be positive (PyTorch does not support negative steps; use Flip)");
        long size = shape[d];
        long s0 = Clamp(start ?? 0, size), e0 = Clamp(end ?? size, size);
        long len = e0 > s0 ? (e0 - s0 + step - 1) / step : 0;
        var s = (long[])shape.Clone();
        var st = (long[])strides.Clone();
        s[d] = len;
        st[d] = strides[d] * step;
        return AsStrided(s, st, offset + (len == 0 ? 0 : s0 * strides[d]));

        static long Clamp(long i, long size) => Math.Clamp(i < 0 ? i + size : i, 0, size);
    }

    /// <summary>The view at <paramref name="index"/> along <paramref name="dim"/>, with that dim removed (<c>tensor.select</c>).</summary>
    /// <exception cref="IndexOutOfRangeException">The index is outside the dim.</exception>
    public Tensor Select(long dim, long index)
    {
        if (Dim == 0) throw new ArgumentException("select: cannot index a 0-d tensor");
        int d = Shapes.WrapDim("select", dim, Dim);
        long i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d])
            throw new IndexOutOfRangeException($"select: index {index} is out of range for dim {d} of size {shape[d]} (shape {Shapes.Format(shape)})");
        return AsStrided([.. shape[..d], .. shape[(d + 1)..]], [.. strides[..d], .. strides[(d + 1)..]], offset + i * strides[d]);
    }

    /// <summary>This tensor if it is contiguous, else a contiguous copy.</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>A contiguous copy with its own storage.</summary>
    public Tensor Clone()
    {
        var result = Empty(DType, (long[])shape.Clone());
        CopyKernel.Copy(this, result);
        return result;
    }

    /// <summary>Resolves a -1 in a requested shape and checks the element count.</summary>
    private long[] InferShape(string op, long[] requested, long? count = null)
    {
        long n = count ?? numel;
        int infer = -1;
        long known = 1;
        for (int i = 0; i < requested.Length; i++)
        {
            if (requested[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dim can be -1 in {Shapes.Format(requested)}");
                infer = i;
            }
            else if (requested[i] < 0)
            {
                throw new ArgumentException($"{op}: invalid size {requested[i]} in {Shapes.Format(requested)}");
            }
            else
            {
                known *= requested[i];
            }
        }
        var result = (long[])requested.Clone();
        if (infer >= 0)
        {
            if (known == 0 || n % known != 0)
                throw new ArgumentException($"{op}: shape {Shapes.Format(requested)} is invalid for input of size {n}");
            result[infer] = n / known;
        }
        else if (known != n)
        {
            throw new ArgumentException($"{op}: shape {Shapes.Format(requested)} is invalid for input of size {n} (shape {Shapes.Format(shape)})");
        }
        return result;
    }

    /// <summary>Strides that view this tensor's storage as <paramref name="target"/>, or null if impossible (PyTorch's computeStride).</summary>
    private long[]? ViewStrides(long[] target)
    {
        if (numel == 0 || IsContiguous) return Shapes.ContiguousStrides(target);
        var result = new long[target.Length];
        int viewD = target.Length - 1;
        long chunkBase = strides.Length > 0 ? strides[^1] : 1;
        long tensorNumel = 1, viewNumel = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase))
            {
                while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] == 1))
                {
                    result[viewD] = viewNumel * chunkBase;
                    viewNumel *= target[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0)
                {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? result : null;
    }
}
