"""torch calls of the norm op family (batch_norm, instance_norm, layer_norm, group_norm, rms_norm).

torch_oracle.py loads OPS from this file; see tests/reference/README.md. The registry ops are functional:
batch_norm and instance_norm return (out, new_running_mean, new_running_var) when running statistics are
given, so the lambdas update clones of them in place, as torch does, and return the clones.

float16 and bfloat16 samples are computed in float32 and rounded once, as Kiln does: torch 1.13 has no
CPU float16 kernel for these ops, and its bfloat16 kernels round some intermediate results.

Run as a script (/usr/bin/python3 tests/reference/oracle_norm.py), it prints the running-statistics
cases pasted into tests/Kiln.Tests/NormTests.cs.
"""

import torch
import torch.nn.functional as F

LOW_PRECISION = (torch.float16, torch.bfloat16)


def compute_dtype(dtype):
    return torch.float32 if dtype in LOW_PRECISION else dtype


def via_float32(fn):
    """Runs fn on float32 copies of float16/bfloat16 inputs and rounds every result to the input's dtype."""
    def call(x, a):
        dtype = x[0].dtype
        if dtype not in LOW_PRECISION:
            return fn(x, a)
        result = fn([t.float() if t.dtype in LOW_PRECISION else t for t in x], a)
        if isinstance(result, tuple):
            return tuple(r.to(dtype) for r in result)
        return result.to(dtype)
    return call


def arg(x, i):
    return x[i] if i < len(x) else None


def running_stats(x):
    """Clones of the running statistics (torch updates them in place), or (None, None)."""
    return (x[1].clone(), x[2].clone()) if len(x) > 2 else (None, None)


def batch_norm(x, a):
    mean, var = running_stats(x)
    out = F.batch_norm(x[0], mean, var, arg(x, 3), arg(x, 4), training=a.get("training", False),
                       momentum=a.get("momentum", 0.1), eps=a.get("eps", 1e-5))
    return out if mean is None else (out, mean, var)


def instance_norm(x, a):
    mean, var = running_stats(x)
    out = F.instance_norm(x[0], mean, var, arg(x, 3), arg(x, 4), use_input_stats=a.get("use_input_stats", True),
                          momentum=a.get("momentum", 0.1), eps=a.get("eps", 1e-5))
    return out if mean is None else (out, mean, var)


def rms_norm(x, a):
    """torch 2.4's rms_norm (torch 1.13 has none): x * rsqrt(mean(x², normalized dims) + eps) * weight, in
    float32 for float16/bfloat16, eps defaulting to torch.finfo(input dtype).eps."""
    inp, weight, shape = x[0], arg(x, 1), a["normalized_shape"]
    compute = compute_dtype(inp.dtype)
    # torch 2.4 checks rms_norm's normalized_shape and weight exactly as layer_norm's.
    F.layer_norm(inp.to(compute), shape, None if weight is None else weight.to(compute))
    eps = a.get("eps")
    if eps is None:
        eps = torch.finfo(inp.dtype).eps
    xf = inp.to(compute)
    dims = tuple(range(-len(shape), 0))
    out = xf * torch.rsqrt(xf.pow(2).mean(dims, keepdim=True) + eps)
    if weight is not None:
        out = out * weight.to(compute)
    return out.to(inp.dtype)


OPS = {
    "batch_norm": via_float32(batch_norm),
    "instance_norm": via_float32(instance_norm),
    "layer_norm": via_float32(lambda x, a: F.layer_norm(x[0], a["normalized_shape"], arg(x, 1), arg(x, 2), eps=a.get("eps", 1e-5))),
    "group_norm": via_float32(lambda x, a: F.group_norm(x[0], a["num_groups"], arg(x, 1), arg(x, 2), eps=a.get("eps", 1e-5))),
    "rms_norm": rms_norm,
}


# ---- the running-statistics cases pasted into tests/Kiln.Tests/NormTests.cs ---------------------

def _sequence(*shape):
    """The test input: ((7·i) mod 11 - 5) / 4, exact in every float dtype (NormTests.Sequence builds the same)."""
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([((7 * i) % 11 - 5) / 4 for i in range(n)], dtype=torch.float32).reshape(shape)


def _cs(t):
    return "[" + ", ".join(repr(v) for v in t.flatten().tolist()) + "]"


def _print_cases():
    mean, var = [0.5, -1.0, 2.0], [1.0, 0.25, 4.0]
    weight, bias = torch.tensor([1.5, -0.5, 2.0]), torch.tensor([0.1, 0.2, -0.3])
    print("// batch_norm training on Sequence(4, 3, 5): momentum, new running mean, new running var")
    for momentum in (0.1, 0.0, 1.0, 0.35):
        rm, rv = torch.tensor(mean), torch.tensor(var)
        F.batch_norm(_sequence(4, 3, 5), rm, rv, weight, bias, training=True, momentum=momentum)
        print(f"{{ {momentum}, {_cs(rm)}, {_cs(rv)} }},")
    print("// batch_norm training on Sequence(4, 3, 5) with weight and bias, no running statistics: out")
    print(_cs(F.batch_norm(_sequence(4, 3, 5), None, None, weight, bias, training=True)))
    print("// instance_norm on Sequence(2, 3, 4), momentum 0.2: new running mean, new running var")
    rm, rv = torch.tensor(mean), torch.tensor(var)
    F.instance_norm(_sequence(2, 3, 4), rm, rv, weight, bias, use_input_stats=True, momentum=0.2)
    print(_cs(rm))
    print(_cs(rv))
    print("// instance_norm on Sequence(2, 3, 4) with weight and bias, no running statistics: out")
    print(_cs(F.instance_norm(_sequence(2, 3, 4), None, None, weight, bias)))


if __name__ == "__main__":
    _print_cases()
