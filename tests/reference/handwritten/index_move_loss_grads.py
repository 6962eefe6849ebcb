"""Prints the torch gradients pasted into tests/Kiln.Tests/Autograd/IndexMoveLossGradTests.cs (run with /usr/bin/python3)."""

import torch
import torch.nn.functional as F


def floats(t):
    return "[" + ", ".join(f"{v!r}" for v in t.detach().double().reshape(-1).tolist()) + "]"


x = torch.tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.0, -0.5, 3.0], [-2.0, 1.0, 0.75, -0.25]], dtype=torch.float64)
target = torch.tensor([2, -100, 1])
weight = torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=torch.float64)

cases = {
    "mean": dict(),
    "sum_weight_ignore": dict(weight=weight, ignore_index=-100, reduction="sum"),
    "mean_weight_smoothing": dict(weight=weight, label_smoothing=0.2),
}
for name, kwargs in cases.items():
    data = x.clone().requires_grad_()
    t = target.clone()
    if name == "mean":
        t[1] = 3
    F.cross_entropy(data, t, **kwargs).backward()
    print(f"{name}: target {t.tolist()} grad {floats(data.grad)}")

probs = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0]], dtype=torch.float64)
data = x.clone().requires_grad_()
soft = probs.clone().requires_grad_()
F.cross_entropy(data, soft, label_smoothing=0.1).backward()
print(f"probabilities: input grad {floats(data.grad)} target grad {floats(soft.grad)}")
