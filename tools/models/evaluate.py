#!/usr/bin/python3
"""Batched inference (eval mode, no dropout, no grad) and accuracy, shared by
train.py and goldens.py."""

import numpy as np
import torch


def pad_batch(seqs):
    """(ids int64 [N][T] padded with 0, lengths int64 [N]) from id lists."""
    lengths = [len(s) for s in seqs]
    t = max(lengths)
    ids = np.zeros((len(seqs), t), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = s
    return torch.from_numpy(ids), torch.tensor(lengths, dtype=torch.int64)


def length_batches(lengths, batch_size, rng=None):
    """Index batches of similar lengths; order shuffled when rng is given."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    if rng is not None:
        # shuffle within equal lengths too, then cut, then shuffle batches
        keys = np.asarray(lengths) + rng.random(len(lengths)) * 0.5
        order = np.argsort(keys, kind="stable")
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


@torch.no_grad()
def image_logits(model, images, batch_size=500):
    model.eval()
    out = []
    for i in range(0, len(images), batch_size):
        out.append(model(torch.from_numpy(images[i:i + batch_size])))
    return torch.cat(out)


@torch.no_grad()
def text_logits(model, seqs, batch_size=64):
    """Logits [N][C] for id lists `seqs`, in their order (bucketed by length)."""
    model.eval()
    out = torch.zeros(len(seqs), len(model.labels))
    for idx in length_batches([len(s) for s in seqs], batch_size):
        ids, lengths = pad_batch([seqs[i] for i in idx])
        out[torch.from_numpy(idx)] = model(ids, lengths)
    return out


def accuracy(logits, labels):
    pred = logits.argmax(dim=1).numpy()
    correct = int((pred == np.asarray(labels)).sum())
    return correct, len(labels)
