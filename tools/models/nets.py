#!/usr/bin/python3
"""The three model families as PyTorch modules, mirroring the C graphs of
models/cnn.c, models/bilstm.c and models/transformer.c.

State-dict names and shapes are exactly the tensors of
models/weights-format.md, and `metadata()` returns exactly its
`__metadata__` keys, so `state_dict()` + `metadata()` is a vnn model file.
Each forward returns logits; the C side's probabilities are their softmax.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from data import FASHION_LABELS, TEXT_LABELS
from tokenizer import Tokenizer


def _labels(md):
    labels = md["vnn.labels"].split("\n")
    if len(labels) != int(md["vnn.classes"]):
        raise ValueError("vnn.labels has %d names for %s classes"
                         % (len(labels), md["vnn.classes"]))
    return labels


def _common(family, labels):
    return {"vnn.family": family, "vnn.classes": str(len(labels)),
            "vnn.labels": "\n".join(labels)}


class CNN(nn.Module):
    """conv1 3x3 + ReLU -> maxpool 2 -> conv2 3x3 + ReLU -> maxpool 2 ->
    conv3 3x3 + ReLU -> flatten (NHWC order) -> fc1 + ReLU -> fc2.
    VALID padding; input NHWC [N][H][W][C_in]."""

    family = "cnn"

    def __init__(self, height=28, width=28, channels=1, conv=(32, 64, 64),
                 dense=64, labels=FASHION_LABELS):
        super().__init__()
        self.height, self.width, self.channels = height, width, channels
        self.labels = list(labels)
        k1, k2, k3 = conv
        self.conv1 = nn.Conv2d(channels, k1, 3)
        self.conv2 = nn.Conv2d(k1, k2, 3)
        self.conv3 = nn.Conv2d(k2, k3, 3)
        h3, w3 = self.spatial(height), self.spatial(width)
        if h3 < 1 or w3 < 1:
            raise ValueError("input %dx%d too small" % (height, width))
        self.fc1 = nn.Linear(h3 * w3 * k3, dense)
        self.fc2 = nn.Linear(dense, len(self.labels))

    @staticmethod
    def spatial(n):
        """h3 from H (weights-format.md): 28 -> 26, 13, 11, 5, 3."""
        return (((n - 2) // 2) - 2) // 2 - 2

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)                     # NHWC -> NCHW
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        x = x.permute(0, 2, 3, 1).flatten(1)          # flatten in h, w, c order
        return self.fc2(F.relu(self.fc1(x)))

    def metadata(self):
        md = _common(self.family, self.labels)
        md.update({
            "cnn.height": str(self.height), "cnn.width": str(self.width),
            "cnn.channels": str(self.channels),
            "cnn.conv1": str(self.conv1.out_channels),
            "cnn.conv2": str(self.conv2.out_channels),
            "cnn.conv3": str(self.conv3.out_channels),
            "cnn.dense": str(self.fc1.out_features),
        })
        return md

    @classmethod
    def from_metadata(cls, md):
        return cls(int(md["cnn.height"]), int(md["cnn.width"]), int(md["cnn.channels"]),
                   (int(md["cnn.conv1"]), int(md["cnn.conv2"]), int(md["cnn.conv3"])),
                   int(md["cnn.dense"]), _labels(md))


class BiLSTM(nn.Module):
    """embedding -> bidirectional LSTM (each sequence at its own length) ->
    cat(final h forward, final h reverse) -> fc1 + ReLU -> fc2."""

    family = "bilstm"

    def __init__(self, tokenizer, embed=64, hidden=64, dense=64, labels=TEXT_LABELS,
                 dropout=0.0):
        super().__init__()
        self.tokenizer = tokenizer
        self.dropout = nn.Dropout(dropout)    # training only; no weights
        self.labels = list(labels)
        self.embedding = nn.Embedding(tokenizer.vocab_size, embed, padding_idx=0)
        self.lstm = nn.LSTM(embed, hidden, bidirectional=True, batch_first=True)
        self.fc1 = nn.Linear(2 * hidden, dense)
        self.fc2 = nn.Linear(dense, len(self.labels))

    def forward(self, ids, lengths):
        """ids int64 [N][T] (0 past each length), lengths int64 [N] >= 1."""
        x = self.embedding(ids)
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        features = torch.cat([h_n[0], h_n[1]], dim=1)
        return self.fc2(F.relu(self.fc1(features)))

    def forward_fast(self, ids, lengths):
        """The same function as forward(), for training: each direction runs
        as one unidirectional fused LSTM over the padded batch (the reverse
        one over each sequence reversed within its length), and its final h
        is the output at position length - 1. nn.LSTM's backward over a
        packed sequence costs O(T^2) on the CPU; this one O(T)."""
        t = ids.shape[1]
        pos = torch.arange(t, device=ids.device)[None, :]
        last = (lengths - 1).clamp(min=0)[:, None]
        rev = torch.where(pos <= last, last - pos, pos)   # reverse within length
        gather = last[:, :, None].expand(-1, 1, self.lstm.hidden_size)
        finals = []
        for x, suffix in ((self.dropout(self.embedding(ids)), ""),
                          (self.dropout(self.embedding(ids.gather(1, rev))), "_reverse")):
            weights = [getattr(self.lstm, n + "_l0" + suffix)
                       for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            zeros = x.new_zeros(1, x.shape[0], self.lstm.hidden_size)
            out, _, _ = torch._VF.lstm(x, (zeros, zeros), weights, True, 1, 0.0,
                                       self.training, False, True)
            finals.append(out.gather(1, gather)[:, 0])
        features = self.dropout(torch.cat(finals, dim=1))
        return self.fc2(F.relu(self.fc1(features)))

    def metadata(self):
        md = _common(self.family, self.labels)
        md.update({
            "bilstm.vocab": str(self.embedding.num_embeddings),
            "bilstm.embed": str(self.embedding.embedding_dim),
            "bilstm.hidden": str(self.lstm.hidden_size),
            "bilstm.dense": str(self.fc1.out_features),
        })
        md.update(self.tokenizer.metadata())
        return md

    @classmethod
    def from_metadata(cls, md):
        tok = Tokenizer.from_metadata(md)
        if tok.vocab_size != int(md["bilstm.vocab"]):
            raise ValueError("tokenizer.vocab has %d words, bilstm.vocab is %s"
                             % (len(tok.vocab), md["bilstm.vocab"]))
        return cls(tok, int(md["bilstm.embed"]), int(md["bilstm.hidden"]),
                   int(md["bilstm.dense"]), _labels(md))


class Transformer(nn.Module):
    """BERT-like post-LayerNorm encoder: tok_emb + pos_emb -> L x
    nn.TransformerEncoderLayer(gelu, batch_first, norm_first=False) with a
    key padding mask from the lengths -> mean over valid tokens ->
    classifier."""

    family = "transformer"

    def __init__(self, tokenizer, d_model=64, heads=2, ffn=256, layers=2,
                 max_positions=256, dropout=0.1, layernorm_eps=1e-5,
                 labels=TEXT_LABELS):
        super().__init__()
        self.tokenizer = tokenizer
        self.labels = list(labels)
        self.heads, self.ffn, self.layernorm_eps = heads, ffn, layernorm_eps
        self.tok_emb = nn.Embedding(tokenizer.vocab_size, d_model, padding_idx=0)
        self.pos_emb = nn.Embedding(max_positions, d_model)
        nn.init.normal_(self.tok_emb.weight, std=0.02)
        nn.init.normal_(self.pos_emb.weight, std=0.02)
        with torch.no_grad():
            self.tok_emb.weight[0].zero_()
        layer = nn.TransformerEncoderLayer(
            d_model, heads, ffn, dropout, activation="gelu",
            layer_norm_eps=layernorm_eps, batch_first=True, norm_first=False)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.classifier = nn.Linear(d_model, len(self.labels))

    def forward(self, ids, lengths):
        """ids int64 [N][T] (0 past each length), lengths int64 [N] >= 1."""
        n, t = ids.shape
        if t > self.pos_emb.num_embeddings:
            raise ValueError("sequence of %d tokens > max_positions" % t)
        positions = torch.arange(t, device=ids.device)
        pad = positions[None, :] >= lengths[:, None]          # True = padding
        x = self.tok_emb(ids) + self.pos_emb(positions)[None]
        x = self.encoder(x, src_key_padding_mask=pad)
        x = x.masked_fill(pad[..., None], 0.0)
        pooled = x.sum(dim=1) / lengths[:, None].to(x.dtype)
        return self.classifier(pooled)

    def metadata(self):
        md = _common(self.family, self.labels)
        md.update({
            "transformer.vocab": str(self.tok_emb.num_embeddings),
            "transformer.d_model": str(self.tok_emb.embedding_dim),
            "transformer.heads": str(self.heads),
            "transformer.ffn": str(self.ffn),
            "transformer.layers": str(len(self.encoder.layers)),
            "transformer.max_positions": str(self.pos_emb.num_embeddings),
            "transformer.layernorm_eps": repr(float(self.layernorm_eps)),
        })
        md.update(self.tokenizer.metadata())
        return md

    @classmethod
    def from_metadata(cls, md):
        tok = Tokenizer.from_metadata(md)
        if tok.vocab_size != int(md["transformer.vocab"]):
            raise ValueError("tokenizer.vocab has %d words, transformer.vocab is %s"
                             % (len(tok.vocab), md["transformer.vocab"]))
        return cls(tok, int(md["transformer.d_model"]), int(md["transformer.heads"]),
                   int(md["transformer.ffn"]), int(md["transformer.layers"]),
                   int(md["transformer.max_positions"]), 0.0,
                   float(md["transformer.layernorm_eps"]), _labels(md))


FAMILIES = {"cnn": CNN, "bilstm": BiLSTM, "transformer": Transformer}


def from_metadata(md):
    return FAMILIES[md["vnn.family"]].from_metadata(md)


def state_arrays(model):
    """The state dict as float32 numpy arrays, in state-dict order."""
    return {k: v.detach().cpu().float().numpy() for k, v in model.state_dict().items()}


def load_arrays(model, arrays):
    """Load float32 numpy arrays (e.g. read back from an F16 file) exactly."""
    expected = model.state_dict()
    missing = set(expected) - set(arrays)
    extra = set(arrays) - set(expected)
    if missing or extra:
        raise ValueError("tensors missing %s, unexpected %s" % (sorted(missing), sorted(extra)))
    state = {}
    for k, v in expected.items():
        a = torch.from_numpy(arrays[k].copy())
        if tuple(a.shape) != tuple(v.shape):
            raise ValueError("%s: shape %s, expected %s" % (k, tuple(a.shape), tuple(v.shape)))
        state[k] = a.to(v.dtype)
    model.load_state_dict(state, strict=True)
    return model
