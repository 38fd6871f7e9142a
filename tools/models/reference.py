#!/usr/bin/python3
"""Plain numpy (float64) forward passes written straight from
models/weights-format.md, one sequence at a time, from the tensors and
metadata of a model file. goldens.py checks the PyTorch modules of nets.py
against these, so the goldens follow the documented graph and not just
whatever nn.LSTM / nn.TransformerEncoderLayer happen to do."""

import math

import numpy as np


def _w(tensors, name):
    return tensors[name].astype(np.float64)


def _conv3x3_valid(x, w, b):
    """x [H][W][Cin], w OIHW [K][Cin][3][3] -> [H-2][W-2][K]."""
    h, wd, _ = x.shape
    out = np.zeros((h - 2, wd - 2, w.shape[0]))
    for dy in range(3):
        for dx in range(3):
            out += x[dy:dy + h - 2, dx:dx + wd - 2, :] @ w[:, :, dy, dx].T
    return out + b


def _maxpool2(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    x = x[:2 * h, :2 * w]
    return x.reshape(h, 2, w, 2, -1).max(axis=(1, 3))


def cnn(tensors, md, image):
    """image [H][W][C] -> logits [C]."""
    relu = lambda v: np.maximum(v, 0.0)
    x = image.astype(np.float64)
    x = _maxpool2(relu(_conv3x3_valid(x, _w(tensors, "conv1.weight"), _w(tensors, "conv1.bias"))))
    x = _maxpool2(relu(_conv3x3_valid(x, _w(tensors, "conv2.weight"), _w(tensors, "conv2.bias"))))
    x = relu(_conv3x3_valid(x, _w(tensors, "conv3.weight"), _w(tensors, "conv3.bias")))
    x = x.reshape(-1)                                # h, w, c order
    x = relu(_w(tensors, "fc1.weight") @ x + _w(tensors, "fc1.bias"))
    return _w(tensors, "fc2.weight") @ x + _w(tensors, "fc2.bias")


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _lstm_final_h(emb, w_ih, w_hh, b_ih, b_hh):
    hidden = w_hh.shape[1]
    h = np.zeros(hidden)
    c = np.zeros(hidden)
    for x in emb:
        g = w_ih @ x + b_ih + w_hh @ h + b_hh
        i, f, gg, o = (g[k * hidden:(k + 1) * hidden] for k in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(gg)
        h = _sigmoid(o) * np.tanh(c)
    return h


def bilstm(tensors, md, ids):
    """ids: the sequence's tokens (its own length) -> logits [C]."""
    emb = _w(tensors, "embedding.weight")[np.asarray(ids)]
    fwd = _lstm_final_h(emb, *(_w(tensors, "lstm.%s_l0" % n)
                               for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
    rev = _lstm_final_h(emb[::-1], *(_w(tensors, "lstm.%s_l0_reverse" % n)
                                     for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
    x = np.concatenate([fwd, rev])
    x = np.maximum(_w(tensors, "fc1.weight") @ x + _w(tensors, "fc1.bias"), 0.0)
    return _w(tensors, "fc2.weight") @ x + _w(tensors, "fc2.bias")


def _layernorm(x, g, b, eps):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


_erf = np.vectorize(math.erf)


def transformer(tensors, md, ids):
    """ids: the sequence's tokens (its own length) -> logits [C]."""
    heads = int(md["transformer.heads"])
    layers = int(md["transformer.layers"])
    eps = float(md["transformer.layernorm_eps"])
    t = len(ids)
    x = _w(tensors, "tok_emb.weight")[np.asarray(ids)] + _w(tensors, "pos_emb.weight")[:t]
    d = x.shape[1]
    dh = d // heads
    for i in range(layers):
        p = lambda n: _w(tensors, "encoder.layers.%d.%s" % (i, n))
        qkv = x @ p("self_attn.in_proj_weight").T + p("self_attn.in_proj_bias")
        q, k, v = qkv[:, :d], qkv[:, d:2 * d], qkv[:, 2 * d:]
        att = np.zeros((t, d))
        for hh in range(heads):
            s = slice(hh * dh, (hh + 1) * dh)
            scores = q[:, s] @ k[:, s].T / math.sqrt(dh)
            scores = np.exp(scores - scores.max(axis=1, keepdims=True))
            scores /= scores.sum(axis=1, keepdims=True)
            att[:, s] = scores @ v[:, s]
        att = att @ p("self_attn.out_proj.weight").T + p("self_attn.out_proj.bias")
        x = _layernorm(x + att, p("norm1.weight"), p("norm1.bias"), eps)
        hdn = x @ p("linear1.weight").T + p("linear1.bias")
        hdn = 0.5 * hdn * (1.0 + _erf(hdn / math.sqrt(2.0)))
        ffn = hdn @ p("linear2.weight").T + p("linear2.bias")
        x = _layernorm(x + ffn, p("norm2.weight"), p("norm2.bias"), eps)
    pooled = x.mean(axis=0)
    return _w(tensors, "classifier.weight") @ pooled + _w(tensors, "classifier.bias")


FAMILIES = {"cnn": cnn, "bilstm": bilstm, "transformer": transformer}
