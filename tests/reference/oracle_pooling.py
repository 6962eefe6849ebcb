"""torch calls of the pooling op family (src/IR/Ops/Pooling.cs), loaded by torch_oracle.py.

float16 and bfloat16 inputs are computed in float32 and the values rounded back once, as Kiln computes
them: torch 1.13 has no CPU float16 kernel for these ops, and its bfloat16 kernels round intermediate
results. Integer inputs of the max pools are computed in float64 (exact for the sample values) and
converted back: torch 2 has integer max pooling on the CPU, torch 1.13 does not.
"""

import torch
import torch.nn.functional as F

LOW_PRECISION = (torch.float16, torch.bfloat16)


def widened(fn, integers=False):
    """fn on a float32 copy of a float16/bfloat16 input (a float64 copy of an integer one when `integers`),
    with the values (not the int64 indices) converted back to the input's dtype."""
    def call(x, a):
        t = x[0]
        if t.dtype in LOW_PRECISION:
            wide = torch.float32
        elif integers and not t.dtype.is_floating_point and t.dtype != torch.bool:
            wide = torch.float64
        else:
            return fn(t, a)
        result = fn(t.to(wide), a)
        if isinstance(result, tuple):
            return (result[0].to(t.dtype),) + tuple(result[1:])
        return result.to(t.dtype)
    return call


def window(a):
    """The keyword arguments of max_pool and avg_pool from the attributes (an empty stride means the kernel size)."""
    return dict(kernel_size=a["kernel_size"], stride=a.get("stride") or None, padding=a.get("padding", 0), ceil_mode=a.get("ceil_mode", False))


def max_window(a):
    return dict(window(a), dilation=a.get("dilation", 1))


def avg2d_window(a):
    return dict(window(a), count_include_pad=a.get("count_include_pad", True), divisor_override=a.get("divisor_override"))


def avg1d_window(a):
    return dict(window(a), count_include_pad=a.get("count_include_pad", True))


def interpolate(t, a):
    return F.interpolate(t, size=a.get("size"), scale_factor=a.get("scale_factor"), mode=a.get("mode", "nearest"),
                         align_corners=a.get("align_corners"), recompute_scale_factor=a.get("recompute_scale_factor"))


def pair(v):
    """A window option as aten's int[2] arguments take it."""
    return v * 2 if len(v) == 1 else v


def interpolate_backward(x, a):
    """interpolate_backward: torch's own gradient of interpolate (aten's upsample_*_backward ops)."""
    grad, inp = x
    inp = inp.detach().requires_grad_()
    return torch.autograd.grad(interpolate(inp, a), inp, grad)[0]


def max_pool2d_backward(x, a):
    grad, inp, indices = x
    kernel = pair(a["kernel_size"])
    return torch.ops.aten.max_pool2d_with_indices_backward(grad, inp, kernel, pair(a.get("stride") or kernel), pair(a.get("padding", [0])),
                                                           pair(a.get("dilation", [1])), a.get("ceil_mode", False), indices)


def check_adaptive(grad, inp, a, indices=None):
    """torch 1.13's adaptive backward kernels do not check grad_output against output_size (a wrong shape crashes
    adaptive_max_pool2d_backward), so the check is made here."""
    expected = F.adaptive_avg_pool2d(inp, a["output_size"]).shape
    if grad.shape != expected or (indices is not None and indices.shape != expected):
        raise RuntimeError(f"expected grad_output of shape {list(expected)}, got {list(grad.shape)}")


def adaptive_max_pool2d_backward(x, a):
    grad, inp, indices = x
    check_adaptive(grad, inp, a, indices)
    return torch.ops.aten.adaptive_max_pool2d_backward(grad, inp, indices)


def adaptive_avg_pool2d_backward(x, a):
    grad, inp = x
    check_adaptive(grad, inp, a)
    return torch.ops.aten._adaptive_avg_pool2d_backward(grad, inp)


def avg_pool2d_backward(x, a):
    grad, inp = x
    kernel = pair(a["kernel_size"])
    return torch.ops.aten.avg_pool2d_backward(grad, inp, kernel, pair(a.get("stride") or kernel), pair(a.get("padding", [0])),
                                              a.get("ceil_mode", False), a.get("count_include_pad", True), a.get("divisor_override"))


OPS = {
    "max_pool1d": widened(lambda t, a: F.max_pool1d(t, **max_window(a)), integers=True),
    "max_pool1d_with_indices": widened(lambda t, a: F.max_pool1d(t, **max_window(a), return_indices=True), integers=True),
    "max_pool2d": widened(lambda t, a: F.max_pool2d(t, **max_window(a)), integers=True),
    "max_pool2d_with_indices": widened(lambda t, a: F.max_pool2d(t, **max_window(a), return_indices=True), integers=True),
    "avg_pool1d": widened(lambda t, a: F.avg_pool1d(t, **avg1d_window(a))),
    "avg_pool2d": widened(lambda t, a: F.avg_pool2d(t, **avg2d_window(a))),
    "adaptive_avg_pool1d": widened(lambda t, a: F.adaptive_avg_pool1d(t, a["output_size"])),
    "adaptive_avg_pool2d": widened(lambda t, a: F.adaptive_avg_pool2d(t, a["output_size"])),
    "adaptive_max_pool1d": widened(lambda t, a: F.adaptive_max_pool1d(t, a["output_size"])),
    "adaptive_max_pool1d_with_indices": widened(lambda t, a: F.adaptive_max_pool1d(t, a["output_size"], return_indices=True)),
    "adaptive_max_pool2d": widened(lambda t, a: F.adaptive_max_pool2d(t, a["output_size"])),
    "adaptive_max_pool2d_with_indices": widened(lambda t, a: F.adaptive_max_pool2d(t, a["output_size"], return_indices=True)),
    "interpolate": widened(interpolate),
    "pixel_shuffle": lambda x, a: F.pixel_shuffle(x[0], a["upscale_factor"]),
    "pixel_unshuffle": lambda x, a: F.pixel_unshuffle(x[0], a["downscale_factor"]),
    "max_pool2d_backward": max_pool2d_backward,
    "adaptive_max_pool2d_backward": adaptive_max_pool2d_backward,
    "avg_pool2d_backward": avg_pool2d_backward,
    "adaptive_avg_pool2d_backward": adaptive_avg_pool2d_backward,
    "interpolate_backward": interpolate_backward,
}
