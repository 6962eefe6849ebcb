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
