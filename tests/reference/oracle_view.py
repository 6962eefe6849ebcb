"""Torch calls of the view ops (reshape, expand, permute, transpose, squeeze, unsqueeze, slice, select, clone,
slice_scatter, select_scatter, diagonal, diagonal_scatter) for torch_oracle.py.

slice_scatter goes through torch.ops.aten.slice_scatter: torch 1.13's Python torch.slice_scatter gets the slice size wrong.
torch 1.13's squeeze takes one dim; Kiln's squeeze takes a list (torch 2's form): the reference squeezes the listed
dims one at a time from the last, after the checks torch 2 makes (dims in range, none repeated).
"""

import torch


def squeeze(x, a):
    t, dims = x[0], a.get("dim", [])
    if not dims:
        return t.squeeze()
    rank = max(t.dim(), 1)
    wrapped = []
    for d in dims:
        if not -rank <= d < rank:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {d})")
        w = d % rank
        if w in wrapped:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        wrapped.append(w)
    for d in sorted(wrapped, reverse=True):
        t = t.squeeze(d)
    return t


OPS = {
    "reshape": lambda x, a: torch.reshape(x[0], a["shape"]),
    "expand": lambda x, a: x[0].expand(a["size"]),
    "permute": lambda x, a: x[0].permute(a["dims"]),
    "transpose": lambda x, a: torch.transpose(x[0], a["dim0"], a["dim1"]),
    "squeeze": squeeze,
    "unsqueeze": lambda x, a: torch.unsqueeze(x[0], a["dim"]),
    "slice": lambda x, a: torch.ops.aten.slice.Tensor(x[0], a.get("dim", 0), a.get("start"), a.get("end"), a.get("step", 1)),
    "select": lambda x, a: torch.select(x[0], a["dim"], a["index"]),
    "diagonal": lambda x, a: torch.diagonal(x[0], a.get("offset", 0), a.get("dim1", 0), a.get("dim2", 1)),
    "clone": lambda x, a: x[0].clone(),
    # torch 1.13's Python binding of slice_scatter computes a wrong slice size from keyword bounds; the aten op is right.
    "slice_scatter": lambda x, a: torch.ops.aten.slice_scatter(x[0], x[1], a.get("dim", 0), a.get("start"), a.get("end"), a.get("step", 1)),
    "select_scatter": lambda x, a: torch.select_scatter(x[0], x[1], a["dim"], a["index"]),
    "diagonal_scatter": lambda x, a: torch.diagonal_scatter(x[0], x[1], a.get("offset", 0), a.get("dim1", 0), a.get("dim2", 1)),
}
