#!/usr/bin/python3
"""Exports the ONNX models that Kiln.Bench times with ONNX Runtime (issue 8's figures).

Each model has the shapes and layout of the Kiln bench workload of the same name (bench/Kiln.Bench/*Workloads.cs):

  eltwise.onnx  relu(a*b + c) * sigmoid(a), a/b/c fp32 [4194304]          (eltwise_4M*)
  mlp.onnx      Linear 784-512, ReLU, 512-512, ReLU, 512-10; x [64, 784]   (mlp_forward*)
  lenet.onnx    LeNet-5 as KilnTraining.Model(LeNet); x [64, 1, 28, 28]    (lenet_forward*)
  lstm.onnx     LSTM(64, 128), 1 layer, seq first, output sequence only;
                x [32, 16, 64]                                             (lstm_forward*)
  encoder.onnx  TransformerEncoderLayer(128, 4, 512), ReLU, post-norm,
                seq first; x [64, 8, 128]                                  (encoder_forward*)

Every graph has fixed shapes, inputs named a, b, c (eltwise) or x, and one output named y. Weights are PyTorch's
seeded random initialisation, not Kiln's: the ONNX Runtime column is for timing only.

usage: /usr/bin/python3 bench/onnx/export_models.py [OUT_DIR]   (default: bench/onnx/models next to this script)
Needs Debian's python3-torch and python3-onnx (apt-get install -y --no-install-recommends python3-onnx).
"""
import os
import sys

import onnx
import torch
from onnx import TensorProto, helper
from torch import nn

OPSET = 17
ELEMENTS = 4 * 1024 * 1024


class LeNet(nn.Module):
    """Conv(1->6, 5, pad 2), ReLU, MaxPool 2, Conv(6->16, 5), ReLU, MaxPool 2, Flatten, 400-120-84-10 with ReLUs."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        self.classifier = nn.Sequential(
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class LstmSequence(nn.Module):
    """A one-layer, seq-first LSTM returning only its output sequence, as the Kiln side does."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(64, 128, num_layers=1)

    def forward(self, x):
        return self.lstm(x)[0]


def torch_models():
    """(file name, module in eval mode, example input) for every model exported through torch.onnx."""
    mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    encoder = nn.TransformerEncoderLayer(128, 4, 512, dropout=0.1, activation="relu", batch_first=False, norm_first=False)
    return [
        ("mlp.onnx", mlp, torch.randn(64, 784)),
        ("lenet.onnx", LeNet(), torch.randn(64, 1, 28, 28)),
        ("lstm.onnx", LstmSequence(), torch.randn(32, 16, 64)),
        ("encoder.onnx", encoder, torch.randn(64, 8, 128)),
    ]


def eltwise_model():
    """relu(a*b + c) * sigmoid(a) written node by node, as the unfused graph a framework would be given."""
    vector = [ELEMENTS]
    nodes = [
        helper.make_node("Mul", ["a", "b"], ["ab"]),
        helper.make_node("Add", ["ab", "c"], ["abc"]),
        helper.make_node("Relu", ["abc"], ["r"]),
        helper.make_node("Sigmoid", ["a"], ["s"]),
        helper.make_node("Mul", ["r", "s"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "eltwise",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, vector) for name in ("a", "b", "c")],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, vector)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    return model


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
    os.makedirs(out, exist_ok=True)
    onnx.save(eltwise_model(), os.path.join(out, "eltwise.onnx"))
    torch.manual_seed(0)
    for name, module, example in torch_models():
        module.eval()
        path = os.path.join(out, name)
        # Not under torch.no_grad(): there, in eval mode, PyTorch 1.13's encoder layer would take its fused fast path
        # (torch._transformer_encoder_layer_fwd), which has no ONNX export.
        torch.onnx.export(module, (example,), path, opset_version=OPSET, input_names=["x"], output_names=["y"],
                          do_constant_folding=True)
        onnx.checker.check_model(onnx.load(path))
    for name in sorted(os.listdir(out)):
        print(f"wrote {os.path.join(out, name)}")


if __name__ == "__main__":
    main()
