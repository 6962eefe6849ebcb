"""torch calls of the activation ops' backward primitives (src/IR/Ops/Activations.cs), loaded by torch_oracle.py.

Both inputs are promoted as torch.result_type does; float16/bfloat16 are computed in float32 and converted back,
which is exact here (the op only selects grad_output or 0).
"""

import torch

LOW_PRECISION = (torch.float16, torch.bfloat16)


def threshold_backward(x, a):
    grad, self = x
    dtype = torch.result_type(grad, self)
    compute = torch.float32 if dtype in LOW_PRECISION else dtype
    return torch.ops.aten.threshold_backward(grad.to(compute), self.to(compute), a["threshold"]).to(dtype)


OPS = {
    "threshold_backward": threshold_backward,
}
