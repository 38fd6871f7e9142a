#!/usr/bin/python3
"""Export the bundled models to ONNX with torch.onnx.export, as ONNX backend
test cases that `vnn onnx-test` runs:

    /usr/bin/python3 tools/models/export_onnx.py {cnn|bilstm|all}
        [--weights models/weights] [--golden tests/models/golden]
        [--out tests/models/onnx] [--opsets 13,17]

Each model is loaded from its weights file (as goldens.py does), exported
once per opset into <out>/<name>-opset<N>/model.onnx, with
test_data_set_0/input_<k>.pb (the golden's inputs) and output_0.pb
(PyTorch's logits for them, which are the golden's logits; checked). The
batch dimension is dynamic. TensorProto files are written here with a few
lines of protobuf (no onnx package in Debian's Python).
"""

import argparse
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nets                      # noqa: E402
import safetensors_io            # noqa: E402

GOLDEN_TOL = 1e-5  # the exported model's PyTorch logits vs the golden's


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tensor_proto(array, name=""):
    """A TensorProto: dims (1), data_type (2), name (8), raw_data (9)."""
    array = np.ascontiguousarray(array)
    dtype = {np.dtype(np.float32): 1, np.dtype(np.int64): 7}[array.dtype]
    out = bytearray()
    for d in array.shape:
        out += _varint((1 << 3) | 0) + _varint(int(d))
    out += _varint((2 << 3) | 0) + _varint(dtype)
    if name:
        b = name.encode()
        out += _varint((8 << 3) | 2) + _varint(len(b)) + b
    raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
    out += _varint((9 << 3) | 2) + _varint(len(raw)) + raw
    return bytes(out)


def load_model(path):
    tensors, md = safetensors_io.read(path)
    model = nets.from_metadata(md)
    nets.load_arrays(model, tensors)
    model.eval()
    return model


class BiLSTMExport(torch.nn.Module):
    """nets.BiLSTM's function in the ops ONNX's LSTM has: the ids' rows
    gathered from the embedding table, one bidirectional LSTM with
    sequence_lens (each direction at its own length, as packed sequences),
    the final h of both directions, fc1 + ReLU, fc2."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, ids, lengths):
        x = self.net.embedding(ids)
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=True)
        _, (h_n, _) = self.net.lstm(packed)
        features = torch.cat([h_n[0], h_n[1]], dim=1)
        return self.net.fc2(F.relu(self.net.fc1(features)))


def write_case(folder, model, inputs, names, want, opset, log):
    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    dynamic = {n: {0: "batch"} for n in names + ["logits"]}
    torch.onnx.export(model, tuple(torch.from_numpy(a) for a in inputs), path,
                      input_names=names, output_names=["logits"], opset_version=opset,
                      dynamic_axes=dynamic, do_constant_folding=True)
    with torch.no_grad():
        got = model(*(torch.from_numpy(a) for a in inputs)).numpy()
    diff = float(np.abs(got - want).max())
    assert diff < GOLDEN_TOL, diff
    for k, a in enumerate(inputs):
        with open(os.path.join(folder, "test_data_set_0", "input_%d.pb" % k), "wb") as f:
            f.write(tensor_proto(a, names[k]))
    with open(os.path.join(folder, "test_data_set_0", "output_0.pb"), "wb") as f:
        f.write(tensor_proto(got.astype(np.float32), "logits"))
    log("%s: %d bytes, PyTorch vs golden max |diff| %.3g"
        % (path, os.path.getsize(path), diff))


def export(name, weights_dir, golden_dir, out_dir, opsets, log=print):
    model = load_model(os.path.join(weights_dir, name + ".safetensors"))
    golden, _ = safetensors_io.read(os.path.join(golden_dir, name + ".safetensors"))
    if name == "cnn":
        inputs, names = [golden["input"].astype(np.float32)], ["input"]
        net = model
    else:
        # enforce_sorted: the rows sorted by decreasing length (the export
        # of the unsorted form adds index shuffles outside vnn's op list)
        order = np.argsort(-golden["lengths"], kind="stable")
        inputs = [golden["ids"][order].astype(np.int64),
                  golden["lengths"][order].astype(np.int64)]
        names = ["ids", "lengths"]
        net = BiLSTMExport(model).eval()
        golden = {"logits": golden["logits"][order]}
    for opset in opsets:
        write_case(os.path.join(out_dir, "%s-opset%d" % (name, opset)), net, inputs, names,
                   golden["logits"], opset, log)


def main(argv=None):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("which", choices=["cnn", "bilstm", "all"])
    ap.add_argument("--weights", default=os.path.join(root, "models", "weights"))
    ap.add_argument("--golden", default=os.path.join(root, "tests", "models", "golden"))
    ap.add_argument("--out", default=os.path.join(root, "tests", "models", "onnx"))
    ap.add_argument("--opsets", default="13,17")
    args = ap.parse_args(argv)
    opsets = [int(v) for v in args.opsets.split(",")]
    torch.set_num_threads(2)
    for name in (["cnn", "bilstm"] if args.which == "all" else [args.which]):
        export(name, args.weights, args.golden, args.out, opsets)


if __name__ == "__main__":
    main()
