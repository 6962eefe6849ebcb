"""Writes tests/Kiln.Tests/Data/reference.safetensors by hand, following the safetensors format
(huggingface/safetensors) with struct and json only, since the `safetensors` package is not available here.

The layout is the reference writer's: tensors sorted by dtype alignment (the order of its `Dtype` enum,
largest first), then by name; the header is compact JSON with `__metadata__` first and each tensor's
dtype, shape and data_offsets in that order; spaces pad it to a multiple of 8 bytes; an 8-byte
little-endian length precedes it. Kiln's test reads this file and checks that Kiln writes the same bytes.

Run: /usr/bin/python3 tests/reference/handwritten/safetensors_reference.py
"""
import json
import pathlib
import struct

# The reference implementation's Dtype enum order (increasing alignment), for the dtypes Kiln has.
DTYPE_ORDER = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"]
FORMATS = {"BOOL": "?", "U8": "B", "I8": "b", "I16": "h", "F16": "e", "I32": "i", "F32": "f", "F64": "d", "I64": "q"}


def bf16(values):
    # bfloat16 is the high half of a float32; these values are exact in bfloat16.
    return b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:] for v in values)


def pack(dtype, values):
    if dtype == "BF16":
        return bf16(values)
    return struct.pack("<" + FORMATS[dtype] * len(values), *values)


# name -> (dtype, shape, values in row-major order); the same tensors are built in SafetensorsInteropTests.
TENSORS = {
    "weight": ("F32", [2, 3], [0.0, 0.5, 1.0, 1.5, -2.0, 3.25]),
    "bias": ("F64", [2], [1.5, -2.25]),
    "step": ("I64", [], [7]),
    "mask": ("BOOL", [4], [True, False, True, True]),
    "half": ("F16", [2], [1.0, -0.5]),
    "bf": ("BF16", [2], [1.0, 3.0]),
    "ids": ("I32", [2, 2], [1, -2, 3, 2147483647]),
    "small": ("I16", [3], [-32768, 0, 32767]),
    "bytes": ("U8", [3], [0, 128, 255]),
    "signed": ("I8", [2], [-128, 127]),
    "empty": ("F32", [0, 4], []),
}
METADATA = {"format": "pt"}

order = sorted(TENSORS, key=lambda name: (-DTYPE_ORDER.index(TENSORS[name][0]), name.encode("utf-8")))
header = {"__metadata__": METADATA}
data = b""
for name in order:
    dtype, shape, values = TENSORS[name]
    blob = pack(dtype, values)
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
    data += blob
header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
out = pathlib.Path(__file__).resolve().parents[2] / "Kiln.Tests" / "Data" / "reference.safetensors"
out.write_bytes(struct.pack("<Q", len(header_bytes)) + header_bytes + data)
print(f"wrote {out} ({out.stat().st_size} bytes)")
