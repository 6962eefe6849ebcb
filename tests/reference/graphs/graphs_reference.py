"""Reference forward passes for the graph executor's model checks, from Debian's PyTorch 1.13 (run with /usr/bin/python3).

Four models, each the computation of a graph in tests/kir/models/ (the C# tests build the same graphs with GraphBuilder):
an MLP, a LeNet CNN, an LSTM cell run over a list of per-step inputs, and a transformer encoder layer. Each model gets
weights from a fixed seed, rounded to multiples of 2^-12 (exact in float32, and the file compresses), and inputs at two
batch sizes. For each model this writes tests/Kiln.Tests/GraphExecution/Reference/<model>.safetensors.gz (float32; gzip
with a zero timestamp, so a rerun gives the same bytes) holding:
  <parameter name>        the state dict, under the names the graphs' parameters have;
  in<B>.<input>           the input <input> at batch size B (a list input: in<B>.<input>.<i> for element i);
  out<B>.<k>              output k at batch size B.
The metadata gives the torch version and the batch sizes ("batches": "3,5").

Usage: /usr/bin/python3 tests/reference/graphs/graphs_reference.py
"""
import gzip
import json
import os
import struct
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "Kiln.Tests", "GraphExecution", "Reference")
SCALE = 4096.0


def exact(t):
    """Rounds to a multiple of 2^-12: exact in float32 and as a decimal."""
    return torch.round(t * SCALE) / SCALE


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))),


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.reshape(-1, 400)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))),


class LstmLoop(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(10, 20)

    def forward(self, xs, h, c):
        for x in xs:
            h, c = self.cell(x, (h, c))
        return h, c


class Encoder(nn.Module):
    """Post-norm self-attention and GELU feed-forward, batch first: d_model 32, 4 heads, feed-forward 64."""

    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, dropout=0.0, activation="gelu", batch_first=True)

    def forward(self, x):
        return self.layer(x),


def pixels(*shape):
    return torch.randint(0, 256, shape).float() / 256


def normal(*shape):
    return exact(torch.randn(*shape))


STEPS, SEQ = 4, 8

# name, model factory, batch sizes, inputs at a batch size (name -> tensor or list of tensors)
MODELS = [
    ("mlp", Mlp, (3, 5), lambda b: {"x": pixels(b, 784)}),
    ("lenet", LeNet, (2, 3), lambda b: {"x": pixels(b, 1, 28, 28)}),
    ("lstm", LstmLoop, (2, 3), lambda b: {"xs": [normal(b, 10) for _ in range(STEPS)], "h": normal(b, 20), "c": normal(b, 20)}),
    ("transformer", Encoder, (2, 3), lambda b: {"x": normal(b, SEQ, 32)}),
]


def safetensors_bytes(tensors, metadata):
    """The safetensors format: an 8-byte little-endian header length, a JSON header, then each tensor's raw data."""
    header, data, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        data.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(data)


def run(name, make, batches, inputs_at):
    torch.manual_seed(zlib.crc32(name.encode()))
    model = make()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(exact(p))
    model.eval()
    prefix = "layer." if name == "transformer" else ""
    tensors = {k[len(prefix):]: v for k, v in model.state_dict().items()}
    for b in batches:
        inputs = inputs_at(b)
        with torch.no_grad():
            outputs = model(*inputs.values())
        for key, value in inputs.items():
            if isinstance(value, list):
                tensors.update({f"in{b}.{key}.{i}": v for i, v in enumerate(value)})
            else:
                tensors[f"in{b}.{key}"] = value
        tensors.update({f"out{b}.{k}": o for k, o in enumerate(outputs)})
    metadata = {"torch": torch.__version__, "batches": ",".join(map(str, batches))}
    path = os.path.join(OUT_DIR, name + ".safetensors.gz")
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(safetensors_bytes(tensors, metadata))
    print(f"{name}: {len(tensors)} tensors, {os.path.getsize(path)} bytes -> {os.path.normpath(path)}")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for model in MODELS:
        run(*model)


if __name__ == "__main__":
    main()
