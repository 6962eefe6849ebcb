using Kiln.IR;
using Kiln.Kernels.Elementwise;

namespace Kiln;

// Autograd plumbing of the elementwise methods. The checks look at the autograd fields first, so a call
// on tensors that never required grad pays a null test and allocates nothing.
public partial class Tensor
{
    /// <summary>Whether any of these tensors (nulls allowed) has autograd state at all: the cheap pre-check before recording.</summary>
    internal static bool AnyAutograd(Tensor? a, Tensor? b = null, Tensor? c = null) =>
        a?.autograd is not null || b?.autograd is not null || c?.autograd is not null;

    /// <summary>Whether an in-place op on this tensor with these operands must go through <see cref="InPlaceWithGrad"/>.</summary>
    internal bool InPlaceNeedsGrad(Tensor? a = null, Tensor? b = null) =>
        AnyAutograd(this, a, b) && InPlaceGrad.IsNeeded(this, [a, b]);

    /// <summary>
    /// Runs in-place op <paramref name="op"/> under autograd: its out-of-place form on a copy of this tensor (so
    /// the recorded node keeps the old values its gradient may need), converted back to this tensor's dtype and
    /// written into it; this tensor then takes the recorded node as its grad_fn.
    /// </summary>
    /// <exception cref="InvalidOperationException">This tensor is a leaf that requires grad, or the result's dtype cannot be stored in it.</exception>
    /// <exception cref="ArgumentException">The result's broadcast shape differs from this tensor's.</exception>
    internal Tensor InPlaceWithGrad<TState>(string op, TState state, Func<Tensor, TState, Tensor> outOfPlace) =>
        InPlaceGrad.Run(this, op, () =>
        {
            var result = outOfPlace(Clone(), state);
            Operands.CheckCanCast(op, result.DType, DType);
            if (!result.shape.AsSpan().SequenceEqual(shape))
                throw new ArgumentException($"{op}: output with shape {Shapes.Format(shape)} doesn't match the broadcast shape {Shapes.Format(result.shape)}");
            return result.To(DType);
        });

    /// <summary><see cref="InPlaceWithGrad{TState}"/> for an op whose out-of-place form takes no other operand.</summary>
    internal Tensor InPlaceWithGrad(string op, Func<Tensor, Tensor> outOfPlace) => InPlaceWithGrad(op, outOfPlace, static (t, f) => f(t));

    /// <summary>Records <paramref name="op"/> with an <c>alpha</c> attribute (left out when 1, the default).</summary>
    private Tensor TrackScaled(Tensor result, string op, Tensor other, double alpha) =>
        alpha == 1 || !GradRecorder.IsNeeded(this, other)
            ? GradRecorder.Track(result, op, this, other)
            : GradRecorder.Track(result, op, this, other, new Attrs { { "alpha", alpha } });
}
