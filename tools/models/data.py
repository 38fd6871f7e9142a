#!/usr/bin/python3
"""Data sets for the bundled models.

Fashion-MNIST: the IDX files (gzip) of Debian's copy in
/usr/share/datasets/fashion-mnist: 60,000 training and 10,000 test images,
28x28 grey, 10 classes. Pixels become float32 pixel / 255 in NHWC layout,
[N][28][28][1] (vnn's layout; the PyTorch net permutes to NCHW itself).

SpamAssassin: the e-mails that tools/fetch-corpus.sh puts at
build/data/spam-assassin/data/<group>/*.json (keys id, group,
checksum {type, value}, text); only the *.json files are read.
  ham  (label 0): easy-ham-1, easy-ham-2, hard-ham-1
  spam (label 1): spam-1, spam-2
A document's id is "<group>/<id>" (e.g. "spam-2/00001").
Split, fixed and independent of any seed: a document is in the TEST split
iff int(checksum.value[:8], 16) % 5 == 0, else in the TRAIN split.
Within TRAIN, documents with int(checksum.value[8:16], 16) % 10 == 0 form
a validation subset used only to print progress while training (the
vocabulary is built from the whole TRAIN split).
"""

import gzip
import json
import os
import struct

import numpy as np

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

CORPUS_DIR = "build/data/spam-assassin/data"
HAM_GROUPS = ("easy-ham-1", "easy-ham-2", "hard-ham-1")
SPAM_GROUPS = ("spam-1", "spam-2")
TEXT_LABELS = ["ham", "spam"]
SPLIT_RULE = "int(checksum[:8],16) % 5 == 0 is test"


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError("%s: not an unsigned-byte IDX file" % path)
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    a = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if a.size != int(np.prod(dims)):
        raise ValueError("%s: %d bytes for dims %s" % (path, a.size, dims))
    return a.reshape(dims)


def fashion_mnist(split, root=FASHION_DIR):
    """(images float32 [N][28][28][1] = pixel / 255, labels int64 [N])."""
    prefix = {"train": "train", "test": "t10k"}[split]
    images = _read_idx(os.path.join(root, prefix + "-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(root, prefix + "-labels-idx1-ubyte.gz"))
    x = (images.astype(np.float32) / np.float32(255.0))[..., None]
    return x, labels.astype(np.int64)


class Document:
    __slots__ = ("doc_id", "group", "label", "checksum", "text")

    def __init__(self, doc_id, group, label, checksum, text):
        self.doc_id, self.group, self.label = doc_id, group, label
        self.checksum, self.text = checksum, text

    @property
    def is_test(self):
        return int(self.checksum[:8], 16) % 5 == 0

    @property
    def is_validation(self):
        return not self.is_test and int(self.checksum[8:16], 16) % 10 == 0


def spam_assassin(root=CORPUS_DIR):
    """All documents, sorted by document id ("<group>/<id>")."""
    docs = []
    for label, groups in ((0, HAM_GROUPS), (1, SPAM_GROUPS)):
        for group in groups:
            folder = os.path.join(root, group)
            if not os.path.isdir(folder):
                raise FileNotFoundError(
                    "%s missing: run tools/fetch-corpus.sh first" % folder)
            for name in sorted(os.listdir(folder)):
                if not name.endswith(".json"):
                    continue
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    d = json.load(f)
                if d["group"] != group:
                    raise ValueError("%s/%s: group %r" % (group, name, d["group"]))
                docs.append(Document("%s/%s" % (group, d["id"]), group, label,
                                     d["checksum"]["value"], d["text"]))
    docs.sort(key=lambda d: d.doc_id)
    ids = [d.doc_id for d in docs]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate document ids")
    return docs


def text_split(docs, split):
    """split: "test", "train" (the whole TRAIN split), "fit" (TRAIN less
    validation) or "validation"."""
    if split == "test":
        return [d for d in docs if d.is_test]
    if split == "train":
        return [d for d in docs if not d.is_test]
    if split == "fit":
        return [d for d in docs if not d.is_test and not d.is_validation]
    if split == "validation":
        return [d for d in docs if d.is_validation]
    raise ValueError(split)
