"""Reference results for Kiln's NN layers from Debian's PyTorch 1.13 (run with /usr/bin/python3).

For each case: build the torch layer from a fixed seed, export its state dict, inputs, outputs and the gradients
of sum(output * cotangent) with respect to every parameter and floating input. Kiln's LayerReferenceTests load the
same state into the Kiln layer and compare. Writes tests/Kiln.Tests/NN/Reference/layers.json.gz.

Usage: /usr/bin/python3 tests/reference/layers/layers_reference.py
"""
import gzip
import json
import os
import zlib

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Kiln.Tests", "NN", "Reference", "layers.json.gz")


def tensor_json(t):
    t = t.detach()
    if t.dtype == torch.bool:
        values = [int(v) for v in t.flatten().tolist()]
    else:
        values = t.flatten().tolist()
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": values}


class RMSNormRef(nn.Module):
    """torch 1.13 has no RMSNorm: the formula of torch.nn.RMSNorm (2.4)."""

    def __init__(self, shape, eps=None):
        super().__init__()
        self.shape = tuple(shape)
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.shape))

    def forward(self, x):
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        dims = tuple(range(-len(self.shape), 0))
        return x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps) * self.weight


CASES = []


def case(name, make, inputs, call=None, train=False, perturb=True):
    CASES.append((name, make, inputs, call, train, perturb))


def randn(*shape):
    return torch.randn(*shape)


# name, layer factory, input factory, optional call(layer, *inputs) -> output(s)
case("linear", lambda: nn.Linear(5, 3), lambda: [randn(4, 5)])
case("linear_nobias_3d", lambda: nn.Linear(5, 3, bias=False), lambda: [randn(2, 4, 5)])
case("bilinear", lambda: nn.Bilinear(3, 4, 2), lambda: [randn(5, 3), randn(5, 4)])
case("conv1d", lambda: nn.Conv1d(2, 4, 3, stride=2, padding=1), lambda: [randn(2, 2, 9)])
case("conv1d_same_dilated", lambda: nn.Conv1d(2, 2, 3, padding="same", dilation=2), lambda: [randn(1, 2, 8)])
case("conv2d", lambda: nn.Conv2d(3, 4, 3, padding=1), lambda: [randn(2, 3, 6, 6)])
case("conv2d_strided_groups", lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), groups=2), lambda: [randn(2, 4, 7, 5)])
case("conv2d_reflect", lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), lambda: [randn(1, 2, 5, 5)])
case("conv2d_circular_nobias", lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode="circular", bias=False), lambda: [randn(1, 2, 4, 4)])
case("conv_transpose2d", lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), lambda: [randn(2, 3, 4, 4)])
case("max_pool1d", lambda: nn.MaxPool1d(3, stride=2, padding=1), lambda: [randn(2, 3, 9)])
case("max_pool2d", lambda: nn.MaxPool2d(2), lambda: [randn(2, 3, 6, 6)])
case("max_pool2d_ceil", lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True), lambda: [randn(1, 2, 6, 6)])
case("avg_pool1d", lambda: nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), lambda: [randn(2, 3, 8)])
case("avg_pool2d", lambda: nn.AvgPool2d(2, stride=1), lambda: [randn(2, 3, 5, 5)])
case("adaptive_avg_pool2d", lambda: nn.AdaptiveAvgPool2d((3, 2)), lambda: [randn(2, 3, 7, 5)])
case("batch_norm1d_train", lambda: nn.BatchNorm1d(3), lambda: [randn(6, 3)], train=True)
case("batch_norm1d_3d_train_cumulative", lambda: nn.BatchNorm1d(3, momentum=None), lambda: [randn(4, 3, 5)], train=True)
case("batch_norm2d_train", lambda: nn.BatchNorm2d(3), lambda: [randn(4, 3, 4, 4)], train=True)
case("batch_norm2d_eval", lambda: nn.BatchNorm2d(3), lambda: [randn(4, 3, 4, 4)])
case("batch_norm2d_no_affine_train", lambda: nn.BatchNorm2d(2, affine=False), lambda: [randn(3, 2, 3, 3)], train=True)
case("layer_norm", lambda: nn.LayerNorm(6), lambda: [randn(3, 4, 6)])
case("layer_norm_2d_shape", lambda: nn.LayerNorm((4, 6), eps=1e-3), lambda: [randn(3, 4, 6)])
case("group_norm", lambda: nn.GroupNorm(2, 6), lambda: [randn(3, 6, 4)])
case("rms_norm", lambda: RMSNormRef([5]), lambda: [randn(3, 5)])
case("rms_norm_eps", lambda: RMSNormRef([2, 5], eps=1e-2), lambda: [randn(3, 2, 5)])
case("embedding", lambda: nn.Embedding(7, 4), lambda: [torch.tensor([[1, 3, 3], [0, 6, 2]])])
case("embedding_padding", lambda: nn.Embedding(7, 4, padding_idx=2), lambda: [torch.tensor([[1, 2, 3], [2, 6, 2]])])
case("flatten", lambda: nn.Flatten(), lambda: [randn(2, 3, 4)])
case("unflatten", lambda: nn.Unflatten(1, (2, 3)), lambda: [randn(2, 6, 2)])
case("identity", lambda: nn.Identity(), lambda: [randn(2, 3)])
case("dropout_eval", lambda: nn.Dropout(0.5), lambda: [randn(4, 5)])
case("relu", lambda: nn.ReLU(), lambda: [randn(3, 4)])
case("leaky_relu", lambda: nn.LeakyReLU(0.2), lambda: [randn(3, 4)])
case("gelu", lambda: nn.GELU(), lambda: [randn(3, 4)])
case("gelu_tanh", lambda: nn.GELU(approximate="tanh"), lambda: [randn(3, 4)])
case("silu", lambda: nn.SiLU(), lambda: [randn(3, 4)])
case("sigmoid", lambda: nn.Sigmoid(), lambda: [randn(3, 4)])
case("tanh", lambda: nn.Tanh(), lambda: [randn(3, 4)])
case("softplus", lambda: nn.Softplus(beta=2, threshold=1), lambda: [randn(3, 4)])
case("softmax", lambda: nn.Softmax(dim=1), lambda: [randn(3, 4)])
case("log_softmax", lambda: nn.LogSoftmax(dim=0), lambda: [randn(3, 4)])
case("cross_entropy_loss", lambda: nn.CrossEntropyLoss(label_smoothing=0.1), lambda: [randn(5, 4), torch.tensor([0, 3, 1, 1, 2])])
case("nll_loss_weighted", lambda: nn.NLLLoss(weight=torch.tensor([1.0, 2.0, 0.5]), reduction="sum"), lambda: [torch.log_softmax(randn(4, 3), 1), torch.tensor([0, 2, 1, 2])])
case("mse_loss", lambda: nn.MSELoss(), lambda: [randn(3, 4), randn(3, 4)])
case("l1_loss", lambda: nn.L1Loss(reduction="sum"), lambda: [randn(3, 4), randn(3, 4)])
case("smooth_l1_loss", lambda: nn.SmoothL1Loss(beta=0.5), lambda: [randn(3, 4), randn(3, 4)])
case("huber_loss", lambda: nn.HuberLoss(delta=0.7), lambda: [randn(3, 4), randn(3, 4)])
case("bce_loss", lambda: nn.BCELoss(), lambda: [torch.rand(3, 4) * 0.9 + 0.05, torch.rand(3, 4)])
case("bce_with_logits_loss", lambda: nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 0.5, 3.0])), lambda: [randn(3, 4), torch.rand(3, 4)])
case("kl_div_loss", lambda: nn.KLDivLoss(reduction="batchmean"), lambda: [torch.log_softmax(randn(3, 4), 1), torch.softmax(randn(3, 4), 1)])
case("rnn_tanh", lambda: nn.RNN(3, 4), lambda: [randn(5, 2, 3)], call=lambda m, x: m(x))
case("rnn_relu_2layer_batch_first_h0", lambda: nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True), lambda: [randn(2, 5, 3), randn(2, 2, 4)], call=lambda m, x, h: m(x, h))
case("lstm", lambda: nn.LSTM(3, 4), lambda: [randn(5, 2, 3)], call=lambda m, x: m(x))
case("lstm_2layer_bidirectional_states", lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True), lambda: [randn(5, 2, 3), randn(4, 2, 4), randn(4, 2, 4)], call=lambda m, x, h, c: m(x, (h, c)))
case("lstm_unbatched_batch_first_nobias", lambda: nn.LSTM(3, 2, bias=False, batch_first=True), lambda: [randn(6, 3)], call=lambda m, x: m(x))
case("gru", lambda: nn.GRU(3, 4), lambda: [randn(5, 2, 3)], call=lambda m, x: m(x))
case("gru_bidirectional_batch_first_h0", lambda: nn.GRU(3, 4, bidirectional=True, batch_first=True), lambda: [randn(2, 5, 3), randn(2, 2, 4)], call=lambda m, x, h: m(x, h))
case("multihead_attention", lambda: nn.MultiheadAttention(8, 2), lambda: [randn(4, 2, 8), randn(5, 2, 8), randn(5, 2, 8)], call=lambda m, q, k, v: m(q, k, v))
case("multihead_attention_masks_batch_first_kvdim", lambda: nn.MultiheadAttention(8, 4, kdim=6, vdim=5, batch_first=True),
     lambda: [randn(2, 3, 8), randn(2, 4, 6), randn(2, 4, 5), torch.tensor([[False, False, True, False], [False, False, False, False]]), torch.tensor([[False, True, False, False], [False, False, False, True], [False, False, False, False]])],
     call=lambda m, q, k, v, kpm, am: m(q, k, v, key_padding_mask=kpm, attn_mask=am, average_attn_weights=False))
case("transformer_encoder_layer", lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16), lambda: [randn(5, 2, 8)], call=lambda m, x: m(x))
case("transformer_encoder_layer_norm_first_gelu_batch_first", lambda: nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, activation="gelu", batch_first=True, norm_first=True),
     lambda: [randn(2, 5, 8)], call=lambda m, x: m(x))
case("transformer_decoder_layer", lambda: nn.TransformerDecoderLayer(8, 2, dim_feedforward=16), lambda: [randn(4, 2, 8), randn(5, 2, 8)],
     call=lambda m, t, mem: m(t, mem, tgt_mask=torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)))
case("transformer_encoder", lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, dim_feedforward=16), 2, norm=nn.LayerNorm(8)),
     lambda: [randn(5, 2, 8)], call=lambda m, x: m(x, mask=torch.triu(torch.full((5, 5), float("-inf")), 1)))


def flatten_outputs(out):
    if isinstance(out, torch.Tensor):
        return [out]
    result = []
    for o in out:
        if o is not None:
            result.extend(flatten_outputs(o))
    return result


def run(name, make, inputs_fn, call, train, perturb):
    torch.manual_seed(zlib.crc32(name.encode()))
    layer = make()
    if perturb:
        with torch.no_grad():
            for p in layer.parameters():
                p.add_(torch.randn_like(p) * 0.1)
            for bname, b in layer.named_buffers():
                if b.is_floating_point() and "running_var" in bname:
                    b.copy_(torch.rand_like(b) + 0.5)
                elif b.is_floating_point() and "running_mean" in bname:
                    b.copy_(torch.randn_like(b) * 0.1)
    layer.train(train)
    state = {k: tensor_json(v) for k, v in layer.state_dict().items()}
    inputs = inputs_fn()
    for x in inputs:
        if x.is_floating_point():
            x.requires_grad_(True)
    out = call(layer, *inputs) if call else layer(*inputs)
    outputs = flatten_outputs(out)
    cotangents = [torch.randn_like(o) for o in outputs]
    loss = sum((o * c).sum() for o, c in zip(outputs, cotangents))
    params = dict(layer.named_parameters())
    wrt = list(params.values()) + [x for x in inputs if x.requires_grad]
    grads = torch.autograd.grad(loss, wrt, allow_unused=True)
    names = list(params.keys()) + [f"input{i}" for i, x in enumerate(inputs) if x.requires_grad]
    return {
        "name": name,
        "train": train,
        "state": state,
        "inputs": [tensor_json(x) for x in inputs],
        "outputs": [tensor_json(o) for o in outputs],
        "cotangents": [tensor_json(c) for c in cotangents],
        "grads": {n: tensor_json(g) for n, g in zip(names, grads) if g is not None},
        "state_after": {k: tensor_json(v) for k, v in layer.state_dict().items()},
    }


def main():
    cases = [run(name, make, inputs, call, train, perturb) for name, make, inputs, call, train, perturb in CASES]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    text = json.dumps({"torch": torch.__version__, "cases": cases}, separators=(",", ":"))
    with gzip.GzipFile(OUT, "wb", mtime=0) as f:
        f.write(text.encode())
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
