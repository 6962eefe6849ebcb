"""Torch calls of the attention op family (loaded by torch_oracle.py; see README.md).

torch 1.13 has no F.scaled_dot_product_attention (it arrived in torch 2.0, its `scale` keyword in 2.1), so
the reference is PyTorch 2's math backend (aten/src/ATen/native/transformers/attention.cpp,
_scaled_dot_product_attention_math) written out in torch 1.13 ops, in float64 and rounded to the input dtype:

- the checks of validate_sdpa_input: q, k, v of one dtype, at least 2-d; the mask bool, float32 or q's dtype;
- an explicit mask together with is_causal is refused; dropout_p above 1 fails in at::dropout;
- scores = (q * sqrt(scale)) @ (k * sqrt(scale))^T (the sign of a negative scale goes on q), scale defaulting
  to 1/sqrt(E); a bool mask becomes 0 / -inf; is_causal is the mask ones(L, S).tril(); the mask is added in
  place, so it must broadcast to the scores;
- softmax as torch 2.5+'s _safe_softmax: rows whose scores are all -inf give zeros, not NaN;
- then @ v, whose batch dims broadcast with the scores'.

Samples only use dropout_p = 0 (dropout is random; it is tested statistically in AttentionTests.cs).
"""

import math

import torch

FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def scaled_dot_product_attention(x, a):
    q, k, v = x[0], x[1], x[2]
    mask = x[3] if len(x) > 3 else None
    dropout_p, is_causal, scale = a.get("dropout_p", 0.0), a.get("is_causal", False), a.get("scale")
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got {q.dtype}, {k.dtype}, {v.dtype}")
    if q.dtype not in FLOATS:
        raise RuntimeError(f"scaled_dot_product_attention: not implemented for {q.dtype}")
    if min(q.dim(), k.dim(), v.dim()) < 2:
        raise RuntimeError("Expected query, key, and value to all be at least 2 dimensional")
    if mask is not None and mask.dtype not in (torch.bool, torch.float32, q.dtype):
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got {mask.dtype}")
    if is_causal and mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if dropout_p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")

    q64, k64, v64 = q.double(), k.double(), v.double()
    # torch divides in C++: E = 0 gives an infinite default scale, harmless on empty q and k.
    factor = (1 / math.sqrt(q.size(-1)) if q.size(-1) else math.inf) if scale is None else scale
    root = math.sqrt(abs(factor))
    scores = (q64 * (-root if factor < 0 else root)) @ (k64 * root).transpose(-2, -1)
    if is_causal:
        mask = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).tril()
    if mask is not None:
        additive = torch.zeros(mask.shape, dtype=torch.float64).masked_fill(~mask, -math.inf) if mask.dtype == torch.bool else mask.double()
        scores.add_(additive)
    weights = torch.softmax(scores, -1)
    weights = weights.masked_fill((scores == -math.inf).all(-1, keepdim=True), 0.0)
    return (weights @ v64).to(q.dtype)


OPS = {
    "scaled_dot_product_attention": scaled_dot_product_attention,
}
