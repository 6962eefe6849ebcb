"""torch calls of the conv op family (conv1d, conv2d, conv_transpose2d, unfold, fold); loaded by torch_oracle.py.

float16 and bfloat16 samples are computed in float32 and rounded once, as Kiln computes them: torch 1.13 has no
CPU float16 convolution, computes bfloat16 convolutions in bfloat16 (and rejects bfloat16 conv_transpose2d with
a wrong channel-count error), and sums fold's overlapping windows in the low-precision dtype.
"""

import torch
import torch.nn.functional as F

LOW_PRECISION = (torch.float16, torch.bfloat16)


def in_float32(fn):
    """fn(x, a), run on float32 copies when every input has the same low-precision dtype, rounded back to it."""
    def call(x, a):
        dtypes = {t.dtype for t in x}
        if len(dtypes) == 1 and next(iter(dtypes)) in LOW_PRECISION:
            return fn([t.float() for t in x], a).to(x[0].dtype)
        return fn(x, a)
    return call


def bias(x):
    return x[2] if len(x) > 2 else None


def arg(a, name, default):
    """An int-list attribute as torch takes it: Kiln's one-element list means "this value for every dim", torch's int."""
    v = a.get(name, default)
    return v[0] if isinstance(v, list) and len(v) == 1 else v


def weight_backward(x, a):
    """conv_weight_backward through aten.convolution_backward (only the weight gradient); padding is the padding
    before each dim, which for these samples is the symmetric padding torch takes."""
    grad, inp = x
    size = a["weight_size"]
    rank = len(size) - 2
    if inp.dim() == rank + 1:
        grad, inp = grad.unsqueeze(0), inp.unsqueeze(0)

    def per_dim(name, default):
        v = a.get(name, [default])
        return v * rank if len(v) == 1 else v
    weight = torch.empty(size, dtype=inp.dtype)
    return torch.ops.aten.convolution_backward(grad, inp, weight, None, per_dim("stride", 1), per_dim("padding", 0), per_dim("dilation", 1),
                                               False, [0] * rank, a.get("groups", 1), [False, True, False])[1]


OPS = {
    "conv1d": in_float32(lambda x, a: F.conv1d(x[0], x[1], bias(x), arg(a, "stride", 1), arg(a, "padding", 0), arg(a, "dilation", 1), arg(a, "groups", 1))),
    "conv2d": in_float32(lambda x, a: F.conv2d(x[0], x[1], bias(x), arg(a, "stride", 1), arg(a, "padding", 0), arg(a, "dilation", 1), arg(a, "groups", 1))),
    "conv_transpose2d": in_float32(lambda x, a: F.conv_transpose2d(x[0], x[1], bias(x), arg(a, "stride", 1), arg(a, "padding", 0),
                                                                   arg(a, "output_padding", 0), arg(a, "groups", 1), arg(a, "dilation", 1))),
    "unfold": in_float32(lambda x, a: F.unfold(x[0], arg(a, "kernel_size", None), arg(a, "dilation", 1), arg(a, "padding", 0), arg(a, "stride", 1))),
    "fold": in_float32(lambda x, a: F.fold(x[0], arg(a, "output_size", None), arg(a, "kernel_size", None), arg(a, "dilation", 1), arg(a, "padding", 0), arg(a, "stride", 1))),
    "conv_weight_backward": in_float32(weight_backward),
}
