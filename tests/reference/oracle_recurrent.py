"""Torch calls of the recurrent op family (loaded by torch_oracle.py; see README.md).

lstm_layer is one direction of one layer of aten::lstm (torch._VF.lstm with num_layers=1, not bidirectional,
sequence first), with h0 and c0 given as [N, H] (torch's [1, N, H] without the layer dim). The reverse direction is
the forward one over the flipped sequence, its output flipped back, as torch's bidirectional LSTM runs it.
"""

import torch


def lstm_layer(x, a):
    seq, h0, c0, weights = x[0], x[1], x[2], list(x[3:])
    if len(weights) not in (2, 4):
        raise RuntimeError("lstm_layer: expected both biases or neither")
    reverse = a.get("reverse", False)
    if reverse:
        seq = seq.flip(0)
    out, h_n, c_n = torch._VF.lstm(seq, (h0.unsqueeze(0), c0.unsqueeze(0)), weights, len(weights) == 4, 1, 0.0, False, False, False)
    if reverse:
        out = out.flip(0)
    return out, h_n.squeeze(0), c_n.squeeze(0)


OPS = {
    "lstm_layer": lstm_layer,
}
