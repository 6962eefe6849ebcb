#!/usr/bin/python3
"""The torch calls of the loss family (src/IR/Ops/Loss.cs), loaded by torch_oracle.py; see README.md.

float16 and bfloat16 samples are computed on float32 copies of their inputs and rounded once to the dtype
torch gives for the original inputs: torch 1.13 has no CPU float16 kernel for most losses (cross_entropy,
nll_loss, binary_cross_entropy, ctc_loss ...) and computes the others with a rounding after every step,
where Kiln (like torch 2's opmath) computes in float32 and rounds once.

Run as a script, it prints the torch results that tests/Kiln.Tests/LossTests.cs pastes (the cases the
sample domains cannot express: concatenated ctc targets of given lengths, exact targets).
"""

import warnings

import torch
import torch.nn.functional as F

# The samples broadcast input and target, and use kl_div's 'mean' and float16 mse_loss, on purpose.
for _message in ("Using a target size", "reduction: 'mean' divides", "Applying the CPU mse kernel on half"):
    warnings.filterwarnings("ignore", message=_message, category=UserWarning)

LOW_PRECISION = (torch.float16, torch.bfloat16)


def via_float32(fn):
    """fn computed on float32 copies of float16/bfloat16 inputs, rounded to the dtype torch gives natively."""
    def call(x, a):
        if not any(t.dtype in LOW_PRECISION for t in x):
            return fn(x, a)
        try:
            dtype = fn(x, a).dtype  # torch's own result dtype (and its own argument checks)
        except RuntimeError as e:
            if "not implemented for" not in str(e):
                raise
            dtype = None
        result = fn([t.float() if t.dtype in LOW_PRECISION else t for t in x], a)
        if dtype is None:
            low = next(t.dtype for t in x if t.dtype in LOW_PRECISION)
            dtype = low if result.dtype == torch.float32 else result.dtype
        return result.to(dtype)
    return call


def reduction(a):
    return a.get("reduction", "mean")


def optional(x, i):
    return x[i] if len(x) > i else None


def class_loss_backward(loss, x, a, **extra):
    """The input gradient of a class loss for grad_output x[0], by torch's autograd (aten's fused backward)."""
    grad, inputs = x[0], x[1:]
    data = inputs[0].detach().requires_grad_()
    result = loss(data, inputs[1], weight=optional(inputs, 2), ignore_index=a.get("ignore_index", -100), reduction=reduction(a), **extra)
    return torch.autograd.grad(result, data, grad)[0]


def blank_in_targets(inputs, blank):
    """Whether a target label within its length is the blank, where torch 1.13's ctc backward is wrong."""
    targets, lengths = inputs[1], inputs[3].reshape(-1).long()
    if targets.dim() == 2:
        return any((targets[b, :int(n)] == blank).any() for b, n in enumerate(lengths.tolist()))
    return bool((targets[:int(lengths.sum())] == blank).any())


def ctc_scale(grad, a, target_lengths, batch):
    """Each batch element's factor on its loss in the reduced result, times the incoming gradient."""
    if reduction(a) == "none":
        return grad.double().reshape(-1)
    if reduction(a) == "mean":
        return grad.double() / target_lengths.clamp(min=1) / max(batch, 1)
    return grad.double().expand(batch)


def ctc_finite_differences(x, a, step=1e-6):
    """ctc_loss's log_probs gradient by central differences in float64, one batch element at a time (an element
    without any alignment gets NaN within its length, or zeros with zero_infinity, as the kernel gives)."""
    inputs = x[1:]
    lp = inputs[0].detach().double().clone()
    lp3 = lp if lp.dim() == 3 else lp.unsqueeze(1)
    lengths = inputs[2].reshape(-1).long()
    scale = ctc_scale(x[0], a, inputs[3].reshape(-1).long(), lp3.shape[1])
    blank = a.get("blank", 0)

    def losses():
        return F.ctc_loss(lp3, inputs[1], inputs[2], inputs[3], blank=blank, reduction="none").reshape(-1)

    result = torch.zeros_like(lp3)
    for b, loss in enumerate(losses().tolist()):
        if loss == float("inf"):
            if not a.get("zero_infinity", False):
                result[:int(lengths[b]), b] = float("nan")
            continue
        for t in range(lp3.shape[0]):
            for c in range(lp3.shape[2]):
                original = float(lp3[t, b, c])
                lp3[t, b, c] = original + step
                plus = float(losses()[b])
                lp3[t, b, c] = original - step
                minus = float(losses()[b])
                lp3[t, b, c] = original
                result[t, b, c] = (plus - minus) / (2 * step) * scale[b]
    return (result if lp.dim() == 3 else result.squeeze(1)).to(inputs[0].dtype)


def ctc_loss_backward(x, a):
    """The true derivative of ctc_loss with respect to log_probs (by finite differences where a target holds the
    blank, which torch 1.13's backward gets wrong): torch's autograd gradient (aten's
    _ctc_loss_backward, which adds softmax(log_probs) for the steps within each input length, as if the
    gradient went on through log_softmax) minus that softmax term."""
    grad, inputs = x[0], x[1:]
    if blank_in_targets(inputs, a.get("blank", 0)):
        return ctc_finite_differences(x, a)
    lp = inputs[0].detach().double().requires_grad_()
    loss = F.ctc_loss(lp, inputs[1], inputs[2], inputs[3], blank=a.get("blank", 0), reduction=reduction(a),
                      zero_infinity=a.get("zero_infinity", False))
    result = torch.autograd.grad(loss, lp, grad.double())[0]
    batched = lp.dim() == 3
    lengths = inputs[2].reshape(-1).long()
    target_lengths = inputs[3].reshape(-1).long()
    lp3 = lp.detach() if batched else lp.detach().unsqueeze(1)
    steps = torch.arange(lp3.shape[0]).unsqueeze(1) < lengths.unsqueeze(0)
    scale = ctc_scale(grad, a, target_lengths, lp3.shape[1])
    losses = F.ctc_loss(lp3, inputs[1], inputs[2], inputs[3], blank=a.get("blank", 0), reduction="none")
    live = ~(a.get("zero_infinity", False) & torch.isinf(losses))
    softmax = lp3.exp() * (steps & live.unsqueeze(0)).unsqueeze(2) * scale.reshape(1, -1, 1)
    return (result - (softmax if batched else softmax.squeeze(1))).to(inputs[0].dtype)


OPS = {name: via_float32(fn) for name, fn in {
    "cross_entropy": lambda x, a: F.cross_entropy(
        x[0], x[1], weight=optional(x, 2), ignore_index=a.get("ignore_index", -100), reduction=reduction(a),
        label_smoothing=a.get("label_smoothing", 0.0)),
    "nll_loss": lambda x, a: F.nll_loss(x[0], x[1], weight=optional(x, 2), ignore_index=a.get("ignore_index", -100), reduction=reduction(a)),
    "mse_loss": lambda x, a: F.mse_loss(x[0], x[1], reduction=reduction(a)),
    "l1_loss": lambda x, a: F.l1_loss(x[0], x[1], reduction=reduction(a)),
    "smooth_l1_loss": lambda x, a: F.smooth_l1_loss(x[0], x[1], reduction=reduction(a), beta=a.get("beta", 1.0)),
    "huber_loss": lambda x, a: F.huber_loss(x[0], x[1], reduction=reduction(a), delta=a.get("delta", 1.0)),
    "binary_cross_entropy": lambda x, a: F.binary_cross_entropy(x[0], x[1], weight=optional(x, 2), reduction=reduction(a)),
    "binary_cross_entropy_with_logits": lambda x, a: F.binary_cross_entropy_with_logits(
        x[0], x[1], weight=optional(x, 2), reduction=reduction(a), pos_weight=optional(x, 3)),
    "kl_div": lambda x, a: F.kl_div(x[0], x[1], reduction=reduction(a), log_target=a.get("log_target", False)),
    "cosine_embedding_loss": lambda x, a: F.cosine_embedding_loss(x[0], x[1], x[2], margin=a.get("margin", 0.0), reduction=reduction(a)),
    "margin_ranking_loss": lambda x, a: F.margin_ranking_loss(x[0], x[1], x[2], margin=a.get("margin", 0.0), reduction=reduction(a)),
    "ctc_loss": lambda x, a: F.ctc_loss(
        x[0], x[1], x[2], x[3], blank=a.get("blank", 0), reduction=reduction(a), zero_infinity=a.get("zero_infinity", False)),
    "cross_entropy_backward": lambda x, a: class_loss_backward(F.cross_entropy, x, a, label_smoothing=a.get("label_smoothing", 0.0)),
    "nll_loss_backward": lambda x, a: class_loss_backward(F.nll_loss, x, a),
    "ctc_loss_backward": lambda x, a: ctc_loss_backward(x, a),
}.items()}


# ---- expectations pasted into tests/Kiln.Tests/LossTests.cs ------------------------------------

def _floats(t):
    """A float32 tensor as a C# float[] literal (each value the shortest decimal that reads back the same)."""
    import numpy as np
    def literal(v):
        return "float.PositiveInfinity" if v == float("inf") else f"{float(str(np.float32(v)))!r}f"
    return "[" + ", ".join(literal(v) for v in t.detach().reshape(-1).tolist()) + "]"


def _print_expectations():
    torch.manual_seed(3)
    log_probs = torch.randn(5, 2, 4).log_softmax(2)
    print("log_probs [5, 2, 4] =", _floats(log_probs))
    # Concatenated targets: batch element 0 has labels [1, 2], element 1 has [3]; inputs 5 and 4 steps long.
    for reduction in ("none", "mean", "sum"):
        result = F.ctc_loss(log_probs, torch.tensor([1, 2, 3]), torch.tensor([5, 4]), torch.tensor([2, 1]), reduction=reduction)
        print(f"ctc concatenated {reduction} =", _floats(result))
    # A repeated label needs a blank between its copies: 3 steps suffice for [1, 1], 2 do not.
    print("ctc repeated [1, 1] over 5, 2 =", _floats(F.ctc_loss(
        log_probs, torch.tensor([[1, 1], [1, 1]]), torch.tensor([5, 2]), torch.tensor([2, 2]), reduction="none")))
    # Unbatched: log_probs [T, C], 1-d targets of exactly the target length.
    print("ctc unbatched [2, 3] over 5 =", _floats(F.ctc_loss(
        log_probs[:, 0], torch.tensor([2, 3]), torch.tensor(5), torch.tensor(2), reduction="none")))


if __name__ == "__main__":
    _print_expectations()
