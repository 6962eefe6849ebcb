"""Torch calls of the movement ops (cat, split, pad, flip, sort, topk, unique, searchsorted ...) for torch_oracle.py.

Where torch leaves an order open, the reference is the one choice Kiln makes, checked against torch's own call:
- sort/argsort without stable=True: torch may put equal elements in any order; Kiln always sorts stably, so the
  reference is torch's stable sort, after checking that torch's unstable sort gives the same values.
- topk: equal elements may come in any order; the reference takes the first k of torch's stable sort, after checking
  that torch.topk gives the same values. Kiln always returns them sorted (sorted=False leaves the order open).
- unique with sorted=False: torch 1.13 returns hash order; Kiln returns sorted values, so the reference is sorted=True.
torch 1.13 has no integer kernel for reflect/replicate padding (torch 2 has): those references move the values
through float64, which is exact.
"""

import torch
import torch.nn.functional as F


def same(a, b):
    """Equal shapes and values, NaN matching NaN."""
    if a.shape != b.shape:
        return False
    nan = (a != a) & (b != b)
    return bool(((a == b) | nan).all())


def stable_sort(x, a):
    t, dim, descending = x[0], a.get("dim", -1), a.get("descending", False)
    values, indices = torch.sort(t, dim=dim, descending=descending, stable=True)
    if not a.get("stable", False):
        assert same(torch.sort(t, dim=dim, descending=descending).values, values), "unstable sort gave other values"
    return values, indices


def topk(x, a):
    t, k, dim, largest = x[0], a["k"], a.get("dim", -1), a.get("largest", True)
    native = torch.topk(t, k, dim=dim, largest=largest, sorted=True)
    if t.dim() == 0:
        return tuple(native)
    values, indices = torch.sort(t, dim=dim, descending=largest, stable=True)
    values, indices = values.narrow(dim, 0, k), indices.narrow(dim, 0, k)
    assert same(values, native.values), "topk and the stable sort disagree on the values"
    return values, indices


def pad(x, a):
    t, mode, value = x[0], a.get("mode", "constant"), a.get("value")
    kwargs = {} if value is None else {"value": value}
    if mode in ("reflect", "replicate") and t.dtype not in (torch.bool, torch.float32, torch.float64, torch.float16, torch.bfloat16):
        return F.pad(t.double(), a["pad"], mode=mode, **kwargs).to(t.dtype)
    try:
        return F.pad(t, a["pad"], mode=mode, **kwargs)
    except NotImplementedError as e:  # torch_oracle.py records RuntimeErrors; an unknown mode is a plain error here
        raise RuntimeError(str(e)) from e


def unique(x, a):
    return torch.unique(x[0], sorted=True, return_inverse=a.get("return_inverse", False), return_counts=a.get("return_counts", False))


OPS = {
    "cat": lambda x, a: torch.cat(x, dim=a.get("dim", 0)),
    "stack": lambda x, a: torch.stack(x, dim=a.get("dim", 0)),
    "split": lambda x, a: torch.split(x[0], a["split_size_or_sections"], dim=a.get("dim", 0)),
    "chunk": lambda x, a: torch.chunk(x[0], a["chunks"], dim=a.get("dim", 0)),
    "unbind": lambda x, a: torch.unbind(x[0], dim=a.get("dim", 0)),
    "pad": pad,
    "flip": lambda x, a: torch.flip(x[0], a["dims"]),
    "roll": lambda x, a: torch.roll(x[0], a["shifts"], a.get("dims") or None),
    "repeat": lambda x, a: x[0].repeat(a["repeats"]),
    "tile": lambda x, a: torch.tile(x[0], a["dims"]),
    "repeat_interleave": lambda x, a: torch.repeat_interleave(x[0], x[1] if len(x) > 1 else a["repeats"], dim=a.get("dim")),
    "tril": lambda x, a: torch.tril(x[0], a.get("diagonal", 0)),
    "triu": lambda x, a: torch.triu(x[0], a.get("diagonal", 0)),
    "diag": lambda x, a: torch.diag(x[0], a.get("diagonal", 0)),
    "sort": stable_sort,
    "argsort": lambda x, a: stable_sort(x, a)[1],
    "topk": topk,
    "unique": unique,
    "searchsorted": lambda x, a: torch.searchsorted(x[0], x[1], out_int32=a.get("out_int32", False), right=a.get("right", False)),
}
