#!/usr/bin/python3
"""Runs every Kiln op sample through PyTorch and writes the reference files the OpInfo tests compare with.

usage: /usr/bin/python3 torch_oracle.py <samples.json> <reference-dir>

<samples.json> is written by tests/RefGen (every OpDef sample with its input values). For each sample
this builds the inputs with their dtype and memory layout, calls the op's torch function (OPS below),
and writes <reference-dir>/<op>.json.gz holding the inputs, the attributes and every output (dtype,
shape, values at full precision; NaN and infinities as strings), or the error torch raised. Samples with
floating inputs and outputs also get torch's vector-Jacobian product: a deterministic cotangent per floating
output ("grad_outputs") and the gradient of each input ("grads"; null is zero), the inputs torch refuses to
differentiate ("not_differentiable"), or a "grad_error" where torch gives no gradients.
Run it through tests/reference/generate.sh; see tests/reference/README.md.
"""

import gzip
import json
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {
    name: getattr(torch, name)
    for name in ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
LOW_PRECISION = (torch.float16, torch.bfloat16)
SUFFIX = ".json.gz"
# torch 1.13's CPU float16/bfloat16 kernels of these ops lose precision (the matrix products accumulate
# in the low-precision dtype, bfloat16 gelu computes in bfloat16); torch 2 and Kiln compute in float32
# and round once, so these references are computed that way.
VIA_FLOAT32 = {
    "matmul": "torch 1.13 accumulates float16/bfloat16 products in low precision",
    "bmm": "torch 1.13 accumulates float16/bfloat16 products in low precision",
    "linear": "torch 1.13 accumulates float16/bfloat16 products in low precision",
    "dot": "torch 1.13 accumulates float16/bfloat16 products in low precision",
    "gelu": "torch 1.13 computes bfloat16 gelu in bfloat16",
}


# ---- attributes -------------------------------------------------------------------------------

def decode_attr(value):
    """The Python value of one attribute as RefGen encodes it (see SampleCodec.cs)."""
    if isinstance(value, dict) and "dtype" in value:
        return DTYPES[value["dtype"]]
    if isinstance(value, dict) and "float" in value:
        return float(value["float"])
    return value


def all_dims(x, a, key="dim"):
    """A reduction's dims: the attribute as a tuple, every dim when it is absent or empty."""
    d = a.get(key)
    if d is None or d == []:
        return tuple(range(x.dim()))
    return tuple(d) if isinstance(d, list) else (d,)


def keep(a):
    return a.get("keepdim", False)


def whole_or_dim(fn):
    """An op whose dim is one int or absent (all dims); keepdim with no dim keeps every dim as size 1."""
    def call(x, a):
        d = a.get("dim")
        if d is None:
            r = fn(x[0])
            return r.reshape([1] * x[0].dim()) if keep(a) else r
        return fn(x[0], d, keepdim=keep(a))
    return call


# ---- the op table: registry name -> torch call (inputs, attrs) ----------------------------------

def unary(fn):
    return lambda x, a: fn(x[0])


def binary(fn):
    return lambda x, a: fn(x[0], x[1])


UNARY = """neg abs sign exp exp2 log log2 log10 log1p expm1 sqrt rsqrt reciprocal square sin cos tan asin acos
atan sinh cosh tanh sigmoid erf erfc floor ceil round trunc relu isnan isinf isfinite logical_not""".split()
BINARY = "mul pow atan2 maximum minimum remainder fmod eq ne lt le gt ge logical_and logical_or logical_xor".split()

OPS = {name: unary(getattr(torch, name)) for name in UNARY}
OPS.update({name: binary(getattr(torch, name)) for name in BINARY})
OPS.update({
    "silu": unary(F.silu),
    "leaky_relu": lambda x, a: F.leaky_relu(x[0], a.get("negative_slope", 0.01)),
    "gelu": lambda x, a: F.gelu(x[0], approximate=a.get("approximate", "none")),
    "softplus": lambda x, a: F.softplus(x[0], a.get("beta", 1.0), a.get("threshold", 20.0)),
    "clamp": lambda x, a: torch.clamp(x[0], a.get("min"), a.get("max")),
    "add": lambda x, a: torch.add(x[0], x[1], alpha=a.get("alpha", 1)),
    "sub": lambda x, a: torch.sub(x[0], x[1], alpha=a.get("alpha", 1)),
    "div": lambda x, a: torch.div(x[0], x[1], rounding_mode=a.get("rounding_mode")),
    "where": lambda x, a: torch.where(x[0], x[1], x[2]),
    "lerp": lambda x, a: torch.lerp(x[0], x[1], x[2]),
    "to": lambda x, a: x[0].to(a["dtype"]),
    "sum": lambda x, a: torch.sum(x[0], all_dims(x[0], a), keepdim=keep(a)),
    "mean": lambda x, a: torch.mean(x[0], all_dims(x[0], a), keepdim=keep(a)),
    "amax": lambda x, a: torch.amax(x[0], all_dims(x[0], a), keepdim=keep(a)),
    "amin": lambda x, a: torch.amin(x[0], all_dims(x[0], a), keepdim=keep(a)),
    "prod": whole_or_dim(torch.prod),
    "all": whole_or_dim(torch.all),
    "any": whole_or_dim(torch.any),
    "max": lambda x, a: tuple(torch.max(x[0], a["dim"], keepdim=keep(a))),
    "min": lambda x, a: tuple(torch.min(x[0], a["dim"], keepdim=keep(a))),
    "argmax": lambda x, a: torch.argmax(x[0], dim=a.get("dim"), keepdim=keep(a)),
    "argmin": lambda x, a: torch.argmin(x[0], dim=a.get("dim"), keepdim=keep(a)),
    "var": lambda x, a: torch.var(x[0], all_dims(x[0], a), correction=a.get("correction", 1), keepdim=keep(a)),
    "std": lambda x, a: torch.std(x[0], all_dims(x[0], a), correction=a.get("correction", 1), keepdim=keep(a)),
    "logsumexp": lambda x, a: torch.logsumexp(x[0], all_dims(x[0], a), keepdim=keep(a)),
    "norm": lambda x, a: torch.linalg.vector_norm(x[0], ord=a.get("p", 2.0), dim=all_dims(x[0], a), keepdim=keep(a)),
    "softmax": lambda x, a: torch.softmax(x[0], a["dim"]),
    "log_softmax": lambda x, a: torch.log_softmax(x[0], a["dim"]),
    "cumsum": lambda x, a: torch.cumsum(x[0], a["dim"]),
    "cumprod": lambda x, a: torch.cumprod(x[0], a["dim"]),
    "matmul": binary(torch.matmul),
    "bmm": binary(torch.bmm),
    "linear": lambda x, a: F.linear(x[0], x[1], x[2]),
    "outer": binary(torch.outer),
    "dot": binary(torch.dot),
})


def load_family_tables():
    """Op families added later keep their torch calls beside this file, in oracle_<family>.py (each defines OPS)."""
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.startswith("oracle_") and name.endswith(".py"):
            spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(here, name))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            clash = set(module.OPS) & set(OPS)
            if clash:
                sys.exit(f"torch_oracle.py: {name} redefines op(s) {', '.join(sorted(clash))}")
            OPS.update(module.OPS)


load_family_tables()


# ---- inputs: values and memory layout ---------------------------------------------------------

def decode_value(v):
    return float(v) if isinstance(v, str) else v


def build_input(spec):
    """The input tensor of a spec, with the spec's dtype and memory layout (see SampleLayout in OpSample.cs)."""
    dtype, shape, layout = DTYPES[spec["dtype"]], spec["shape"], spec["layout"]
    values = [decode_value(v) for v in spec["values"]]
    dense = torch.tensor(values, dtype=torch.float64 if dtype.is_floating_point else torch.int64).to(dtype).reshape(shape)
    if layout == "contiguous":
        t = dense
    elif layout == "transposed":
        t = dense.transpose(-1, -2).contiguous().transpose(-1, -2)
    elif layout == "strided":
        buffer = torch.zeros(shape[:-1] + [2 * shape[-1]], dtype=dtype)
        buffer[..., ::2] = dense
        t = buffer[..., ::2]
    elif layout == "expanded":
        row = dense[:1].clone() if shape[0] > 0 else torch.zeros([1] + shape[1:], dtype=dtype)
        t = row.expand(shape)
    else:
        raise ValueError(f"unknown layout {layout}")
    assert not (strided_layout(shape, layout) and t.is_contiguous()), f"{spec['dtype']}{shape}/{layout} was built contiguous"
    return t


def strided_layout(shape, layout):
    """Whether a tensor of this shape and layout cannot be contiguous (sizes of 0 and 1 make any strides contiguous)."""
    if 0 in shape:
        return False
    return (layout == "transposed" and shape[-1] > 1 and shape[-2] > 1
            or layout == "strided" and shape[-1] > 1
            or layout == "expanded" and shape[0] > 1)


# ---- running one sample -----------------------------------------------------------------------

def as_list(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def expected_dtypes(fn, inputs, attrs, computed):
    """The dtypes torch gives for the original inputs, from a run on meta tensors (no kernel needed)."""
    try:
        metas = [torch.empty_strided(t.size(), t.stride(), dtype=t.dtype, device="meta") for t in inputs]
        return [r.dtype for r in as_list(fn(metas, attrs))]
    except Exception:  # noqa: BLE001 - meta support is patchy in torch 1.13; fall back to promotion
        floats = [t.dtype for t in inputs if t.dtype.is_floating_point]
        dimensioned = [t.dtype for t in inputs if t.dtype.is_floating_point and t.dim() > 0]
        deciding = set(dimensioned or floats)
        target = deciding.pop() if len(deciding) == 1 and next(iter(deciding)) in LOW_PRECISION else None
        return [target if target and r.dtype == torch.float32 else r.dtype for r in computed]


def run_sample(op, inputs, attrs):
    """(outputs, note): torch's results. float16/bfloat16 samples of ops that torch 1.13 has no CPU kernel
    for, or computes imprecisely (VIA_FLOAT32), run on float32 inputs and are rounded to torch's result dtype.
    They run on the original inputs first all the same, so torch's own checks still raise their errors."""
    fn = OPS[op]
    try:
        native = as_list(fn(inputs, attrs))
        if op not in VIA_FLOAT32 or not any(t.dtype in LOW_PRECISION for t in inputs):
            return native, None
        dtypes = [r.dtype for r in native]
        note = "computed in float32 and rounded: " + VIA_FLOAT32[op]
    except RuntimeError as e:
        missing = [name for name in ("'Half'", "'BFloat16'") if f"not implemented for {name}" in str(e)]
        if not missing:
            raise
        dtypes = None
        note = "computed in float32 and rounded: torch 1.13 has no CPU kernel for " + " or ".join(missing)
    computed = as_list(fn([t.float() if t.dtype in LOW_PRECISION else t for t in inputs], attrs))
    dtypes = dtypes or expected_dtypes(fn, inputs, attrs, computed)
    return [r.to(d) for r, d in zip(computed, dtypes)], note


def encode_value(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def encode_output(t):
    """dtype, shape and values (row-major) of one output; floats as the shortest decimal of their own dtype."""
    flat = t.detach().contiguous().reshape(-1)
    if flat.dtype == torch.bool:
        values = [bool(v) for v in flat.tolist()]
    elif not flat.dtype.is_floating_point:
        values = [int(v) for v in flat.tolist()]
    elif flat.dtype == torch.float64:
        values = [encode_value(v) for v in flat.tolist()]
    else:
        # numpy prints the shortest decimal that reads back as the same float16/float32; bfloat16 values are float32 values.
        array = flat.numpy() if flat.dtype == torch.float16 else flat.float().numpy()
        values = [encode_value(float(str(v))) if np.isfinite(v) else encode_value(float(v)) for v in array]
    return {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "values": values}


# ---- gradients: torch's vector-Jacobian product ----------------------------------------------

def cotangent(op, sample_id, index, output):
    """A reproducible cotangent for one floating output: uniform in [-1, 1), seeded by op, sample id and output
    index (zlib.crc32, stable across Python runs), rounded to the output's dtype."""
    generator = torch.Generator().manual_seed(zlib.crc32(f"{op}\n{sample_id}\n{index}".encode("utf-8")))
    return (torch.rand(output.shape, generator=generator, dtype=torch.float64) * 2 - 1).to(output.dtype)


REFUSED = "This input cannot have requires_grad True"
# torch 1.13 bugs in a backward that a change of layout avoids: the gradients are taken on these inputs instead.
GRAD_INPUTS = {
    # masked_select's backward (masked_scatter into zeros_like(input)) fills in memory order, not logical order.
    "masked_select": lambda x: [t.contiguous() for t in x],
}


def refused_inputs(op, inputs, attrs, floating):
    """The floating inputs torch refuses to differentiate (a loss's class weights, batch norm's running stats):
    those whose forward raises when they alone require grad."""
    refused = []
    for i, f in enumerate(floating):
        if not f:
            continue
        try:
            OPS[op]([t.detach().requires_grad_() if j == i else t for j, t in enumerate(inputs)], attrs)
        except RuntimeError as e:
            if REFUSED in str(e):
                refused.append(i)
    return refused


def vjp(op, sample_id, inputs, attrs, wanted):
    """(cotangents, grads): torch's gradient of each input in <wanted> for a deterministic cotangent per floating
    output torch can differentiate (None elsewhere); (None, None) when no output depends differentiably on them."""
    leaves = [t.detach().requires_grad_() if w else t for t, w in zip(inputs, wanted)]
    outputs = as_list(OPS[op](leaves, attrs))
    differentiable = [o.dtype.is_floating_point and o.requires_grad for o in outputs]
    if not any(differentiable):
        return None, None
    cotangents = [cotangent(op, sample_id, i, o) if d else None for i, (o, d) in enumerate(zip(outputs, differentiable))]
    found = iter(torch.autograd.grad([o for o, d in zip(outputs, differentiable) if d], [t for t, w in zip(leaves, wanted) if w],
                                     [c for c in cotangents if c is not None], allow_unused=True))
    return cotangents, [next(found) if w else None for w in wanted]


def reference_gradients(op, sample_id, inputs, attrs):
    """{"grad_outputs", "grads"}: torch's vector-Jacobian product (see vjp; a null gradient is zero), with
    "not_differentiable" listing the floating inputs torch refuses to differentiate (their grads are null and
    mean nothing); {"grad_error"} where torch cannot differentiate the sample; {} when there is nothing to
    differentiate."""
    floating = [t.dtype.is_floating_point for t in inputs]
    if not any(floating):
        return {}
    inputs = GRAD_INPUTS.get(op, list)(inputs)
    refused = []
    try:
        try:
            cotangents, grads = vjp(op, sample_id, inputs, attrs, floating)
        except RuntimeError as e:
            refused = refused_inputs(op, inputs, attrs, floating) if REFUSED in str(e) else []
            if not refused:
                raise
            cotangents, grads = vjp(op, sample_id, inputs, attrs, [f and i not in refused for i, f in enumerate(floating)])
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError) as e:
        return {"grad_error": f"{type(e).__name__}: {str(e).splitlines()[0]}"}
    if grads is None:
        return {}
    record = {"grad_outputs": [None if c is None else encode_output(c)["values"] for c in cotangents],
              "grads": [None if g is None else encode_output(g)["values"] for g in grads]}
    if refused:
        record["not_differentiable"] = refused
    return record


def reference_sample(op, sample):
    attrs = {k: decode_attr(v) for k, v in sample["attrs"].items()}
    record = {"id": sample["id"], "inputs": sample["inputs"], "attrs": sample["attrs"]}
    try:
        inputs = [build_input(spec) for spec in sample["inputs"]]
        outputs, note = run_sample(op, inputs, attrs)
        record["outputs"] = [encode_output(t) for t in outputs]
        if note:
            record["note"] = note
    except (RuntimeError, ValueError, TypeError, IndexError) as e:
        record["error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
        return record
    # Low-precision samples computed in float32 have no torch 1.13 kernels (or precise ones) to differentiate.
    if not note and any(o.dtype.is_floating_point for o in outputs):
        record.update(reference_gradients(op, sample["id"], inputs, attrs))
    return record


def write_reference(path, op, family, records):
    """Writes one op's file: gzip'd JSON, one sample per line, byte-for-byte the same for the same results."""
    text = ("{" + f'"op":{json.dumps(op)},"family":{json.dumps(family)},"torch":{json.dumps(torch.__version__)},"samples":[\n'
            + ",\n".join(json.dumps(r, separators=(",", ":"), allow_nan=False) for r in records)
            + "\n]}\n")
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as f:
        f.write(text.encode("utf-8"))


def summarize(op, records):
    """One line per op on stderr, then each distinct torch error, so a wrong OPS entry stands out."""
    errors = [r["error"] for r in records if "error" in r]
    computed = sum(1 for r in records if "note" in r)
    gradients = sum(1 for r in records if "grads" in r)
    grad_errors = [r["grad_error"] for r in records if "grad_error" in r]
    print(f"{op}: {len(records)} samples, {len(records) - len(errors)} ok, {len(errors)} expected errors, "
          f"{computed} computed in float32, {gradients} with gradients", file=sys.stderr)
    for message in sorted(set(errors)):
        gap = " (a torch 1.13 kernel gap, not a rule: consider dropping the dtype from the samples)" if "not implemented for" in message else ""
        print(f"    error: {message}{gap}", file=sys.stderr)
    for message in sorted(set(grad_errors)):
        print(f"    no gradient: {message}", file=sys.stderr)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    samples_path, out_dir = sys.argv[1], sys.argv[2]
    with open(samples_path, encoding="utf-8") as f:
        data = json.load(f)
    missing = [entry["op"] for entry in data["ops"] if entry["op"] not in OPS]
    if missing:
        sys.exit(f"torch_oracle.py: no torch call for op(s) {', '.join(missing)}: add them to OPS")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)  # one summation order, so reruns write byte-identical files
    written = set()
    for entry in data["ops"]:
        op = entry["op"]
        records = [reference_sample(op, s) for s in entry["samples"]]
        write_reference(os.path.join(out_dir, op + SUFFIX), op, entry["family"], records)
        written.add(op + SUFFIX)
        summarize(op, records)
    if data.get("complete"):
        for stale in sorted(set(n for n in os.listdir(out_dir) if n.endswith(SUFFIX)) - written):
            os.remove(os.path.join(out_dir, stale))
            print(f"removed {stale}: no such op any more", file=sys.stderr)


if __name__ == "__main__":
    main()
