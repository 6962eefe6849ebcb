"""Torch calls of the indexing ops (src/IR/Ops/Indexing.cs), loaded by torch_oracle.py."""

import torch
import torch.nn.functional as F

MASKS = (torch.bool, torch.uint8)


def index_list(x, a, first):
    """aten's list of optional index tensors: the tensors x[first:] placed at the dims the 'dims' attribute
    gives (absent: one after the other), with None for every dim skipped; a mask covers as many dims as it has."""
    dims = a.get("dims")
    result, following = [], 0
    for k, t in enumerate(x[first:]):
        start = following if dims is None else dims[k]
        result.extend([None] * (start - following))
        result.append(t)
        following = start + (t.dim() if t.dtype in MASKS else 1)
    return result


def scatter(x, a):
    if len(x) == 3:
        return torch.scatter(x[0], a["dim"], x[1], x[2])
    return torch.scatter(x[0], a["dim"], x[1], a["value"])


def embedding_backward(x, a):
    """aten's embedding_backward; float16/bfloat16 summed in float32 (as Kiln does), then rounded."""
    grad, n = x[0], a["num_weights"]
    padding = a.get("padding_idx")
    padding = -1 if padding is None else (padding + n if padding < 0 else padding)
    wide = grad.float() if grad.dtype in (torch.float16, torch.bfloat16) else grad
    return torch.ops.aten.embedding_backward(wide, x[1], n, padding, False, False).to(grad.dtype)


OPS = {
    "gather": lambda x, a: torch.gather(x[0], a["dim"], x[1]),
    "scatter": scatter,
    "scatter_add": lambda x, a: torch.scatter_add(x[0], a["dim"], x[1], x[2]),
    "scatter_reduce": lambda x, a: torch.scatter_reduce(x[0], a["dim"], x[1], x[2], a["reduce"], include_self=a.get("include_self", True)),
    "index_select": lambda x, a: torch.index_select(x[0], a["dim"], x[1]),
    "index_add": lambda x, a: torch.index_add(x[0], a["dim"], x[1], x[2], alpha=a.get("alpha", 1)),
    "index": lambda x, a: torch.ops.aten.index(x[0], index_list(x, a, 1)),
    "index_put": lambda x, a: torch.ops.aten.index_put(x[0], index_list(x, a, 2), x[1], a.get("accumulate", False)),
    "masked_fill": lambda x, a: torch.masked_fill(x[0], x[1], x[2] if len(x) == 3 else a["value"]),
    "masked_select": lambda x, a: torch.masked_select(x[0], x[1]),
    "nonzero": lambda x, a: torch.nonzero(x[0]),
    "one_hot": lambda x, a: F.one_hot(x[0], a.get("num_classes", -1)),
    "embedding": lambda x, a: F.embedding(x[0], x[1], padding_idx=a.get("padding_idx")),
    "embedding_backward": lambda x, a: embedding_backward(x, a),
}
