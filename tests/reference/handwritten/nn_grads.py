"""Prints the torch gradients pasted into tests/Kiln.Tests/Autograd/NnGradTests.cs (run with /usr/bin/python3).

Inputs are sin/cos ramps the test rebuilds: wave(n, a, b)[i] = sin(a*i + b), cosine(n, a, b)[i] = cos(a*i + b).
"""

import torch
import torch.nn.functional as F


def wave(shape, a, b):
    n = 1
    for s in shape:
        n *= s
    return torch.sin(torch.arange(n, dtype=torch.float64) * a + b).reshape(shape)


def cosine(shape, a, b):
    n = 1
    for s in shape:
        n *= s
    return torch.cos(torch.arange(n, dtype=torch.float64) * a + b).reshape(shape)


def floats(t):
    return "[" + ", ".join(f"{v!r}" for v in t.detach().double().reshape(-1).tolist()) + "]"


def leaf(t):
    return t.clone().requires_grad_()


# conv2d -> relu -> max_pool2d -> sum
x, w, b = leaf(wave([2, 2, 6, 6], 0.37, 0.1)), leaf(wave([3, 2, 3, 3], 0.91, 0.3) * 0.5), leaf(wave([3], 1.3, 0.2) * 0.1)
F.max_pool2d(F.relu(F.conv2d(x, w, b, padding=1)), 2).sum().backward()
print("conv_pool x", floats(x.grad))
print("conv_pool w", floats(w.grad))
print("conv_pool b", floats(b.grad))

# batch_norm in training mode, loss = sum(out * cos ramp)
x, w, b = leaf(wave([4, 3, 2], 0.53, 0.4)), leaf(wave([3], 0.7, 1.0) + 1.5), leaf(wave([3], 0.9, 0.2))
rm, rv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
(F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5) * cosine([4, 3, 2], 0.41, 0.3)).sum().backward()
print("batch_norm x", floats(x.grad))
print("batch_norm w", floats(w.grad))
print("batch_norm b", floats(b.grad))
print("batch_norm running_mean", floats(rm), "running_var", floats(rv))

# layer_norm over the last two dims
x, w, b = leaf(wave([2, 3, 4], 0.47, 0.6)), leaf(wave([3, 4], 0.3, 0.9) + 1.0), leaf(wave([3, 4], 0.8, 0.1))
(F.layer_norm(x, [3, 4], w, b, eps=1e-5) * cosine([2, 3, 4], 0.29, 0.7)).sum().backward()
print("layer_norm x", floats(x.grad))
print("layer_norm w", floats(w.grad))
print("layer_norm b", floats(b.grad))

# scaled_dot_product_attention, causal (torch 1.13's F._scaled_dot_product_attention lacks scale; written out here)
q, k, v = leaf(wave([2, 3, 4], 0.31, 0.2)), leaf(wave([2, 3, 4], 0.43, 0.5)), leaf(wave([2, 3, 4], 0.59, 0.8))
scores = q @ k.transpose(-2, -1) / 2.0
scores = scores.masked_fill(~torch.ones(3, 3, dtype=torch.bool).tril(), float("-inf"))
(torch.softmax(scores, -1) @ v * cosine([2, 3, 4], 0.23, 0.4)).sum().backward()
print("attention q", floats(q.grad))
print("attention k", floats(k.grad))
print("attention v", floats(v.grad))
