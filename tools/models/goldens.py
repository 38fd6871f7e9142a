#!/usr/bin/python3
"""Write the goldens of tests/models from the committed weights files.

    /usr/bin/python3 tools/models/goldens.py {cnn|bilstm|transformer|tokens|all}
        [--weights models/weights] [--golden tests/models/golden]
        [--corpus build/data/spam-assassin/data]

Each model is loaded from its (F16) weights file into float32, so PyTorch
computes with exactly the weights the C side loads. Writes, with F32/I64
tensors:
  cnn.safetensors          input [16][28][28][1] (the first 16 test images,
                           NHWC, pixel/255), logits [16][10], probs [16][10]
  bilstm.safetensors,      ids [12][T] (0 past each length), lengths [12],
  transformer.safetensors  logits [12][2], probs [12][2]
  tokens-test.tsv          per test document: id, token count, FNV-1a 64 of
                           the ids
and metadata pytorch.test_correct / test_count / test_accuracy (percent,
PyTorch on the full test set or split), torch.version, split.
Every golden row is also checked against reference.py (the documented graph
in float64) and, for the text models, against running the row alone.
"""

import argparse
import hashlib
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import data                      # noqa: E402
import evaluate                  # noqa: E402
import nets                      # noqa: E402
import reference                 # noqa: E402
import safetensors_io            # noqa: E402
import tokenizer as tk           # noqa: E402

CNN_ROWS = 16
TEXT_ROWS = 12
REFERENCE_TOL = 1e-4    # float32 PyTorch vs float64 reference, absolute on logits
ALONE_TOL = 1e-5        # padded batch vs the row alone, absolute on logits


def load_model(path):
    tensors, md = safetensors_io.read(path)
    model = nets.from_metadata(md)
    nets.load_arrays(model, tensors)
    model.eval()
    return model, tensors, md


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _common_md(correct, count, weights_path):
    return {
        "pytorch.test_correct": str(correct),
        "pytorch.test_count": str(count),
        "pytorch.test_accuracy": repr(100.0 * correct / count),
        "torch.version": torch.__version__,
        "weights.file": os.path.basename(weights_path),
        "weights.sha256": _sha256(weights_path),
    }


def cnn(weights_dir, golden_dir, log=print):
    path = os.path.join(weights_dir, "cnn.safetensors")
    model, tensors, md = load_model(path)
    images, labels = data.fashion_mnist("test")
    logits = evaluate.image_logits(model, images)
    correct, count = evaluate.accuracy(logits, labels)
    x = images[:CNN_ROWS]
    gl = logits[:CNN_ROWS]
    with torch.no_grad():
        again = model(torch.from_numpy(x))
    ref = np.stack([reference.cnn(tensors, md, im) for im in x])
    ref_diff = float(np.abs(ref - gl.numpy()).max())
    log("cnn golden: test %d/%d = %.2f%%; batch-of-16 vs batch-of-500 max |diff| %.3g; "
        "vs float64 reference %.3g" % (correct, count, 100.0 * correct / count,
                                       float((again - gl).abs().max()), ref_diff))
    assert ref_diff < REFERENCE_TOL, ref_diff
    meta = _common_md(correct, count, path)
    meta.update({
        "split": "Fashion-MNIST t10k (10000 images); input = its first %d, pixel/255, NHWC"
                 % CNN_ROWS,
        "golden.labels": " ".join(str(int(v)) for v in labels[:CNN_ROWS]),
    })
    out = os.path.join(golden_dir, "cnn.safetensors")
    safetensors_io.write(out, {
        "input": x,
        "logits": gl.numpy(),
        "probs": torch.softmax(gl, dim=1).numpy(),
    }, meta, dtype="F32")
    return correct, count


def pick_rows(test_docs, seqs):
    """12 golden rows: (doc, ids, note). Four full-length documents (two ham,
    two spam); the shortest test document; six more nearest to lengths 16,
    32, 64, 100, 150 and 200, spam and ham in turn; and, since no test
    document has a single token, the first token alone of one more (spam)
    test document. All ids are the documents' real tokenized ids. Rows are
    in document-id order with the one-token row in the middle."""
    picked = []
    used = set()
    longest = max(len(s) for s in seqs)
    for label in (0, 1):
        for i in [j for j in range(len(seqs))
                  if len(seqs[j]) == longest and test_docs[j].label == label][:2]:
            picked.append(i)
            used.add(i)
    wanted = [(1, None), (16, 1), (32, 0), (64, 1), (100, 0), (150, 1), (200, 0)]
    for target, label in wanted:
        best = min((i for i in range(len(seqs))
                    if i not in used and label in (None, test_docs[i].label)),
                   key=lambda i: (abs(len(seqs[i]) - target), test_docs[i].doc_id))
        picked.append(best)
        used.add(best)
    picked.sort(key=lambda i: test_docs[i].doc_id)
    rows = [(test_docs[i], seqs[i], "") for i in picked]
    one = next(i for i in range(len(seqs))
               if i not in used and len(seqs[i]) > 1 and test_docs[i].label == 1)
    rows.insert(len(rows) // 2, (test_docs[one], seqs[one][:1], " (first token only)"))
    return rows


def text(name, weights_dir, golden_dir, corpus, log=print):
    path = os.path.join(weights_dir, name + ".safetensors")
    model, tensors, md = load_model(path)
    docs = data.spam_assassin(corpus)
    test_docs = data.text_split(docs, "test")
    seqs = [model.tokenizer.encode(d.text) for d in test_docs]
    logits = evaluate.text_logits(model, seqs)
    correct, count = evaluate.accuracy(logits, [d.label for d in test_docs])

    rows = pick_rows(test_docs, seqs)
    ids, lengths = evaluate.pad_batch([r[1] for r in rows])
    with torch.no_grad():
        gl = model(ids, lengths)
        alone = torch.cat([model(ids[i:i + 1, :lengths[i]], lengths[i:i + 1])
                           for i in range(len(rows))])
    alone_diff = float((alone - gl).abs().max())
    same_argmax = bool((alone.argmax(1) == gl.argmax(1)).all())
    fam = reference.FAMILIES[md["vnn.family"]]
    ref = np.stack([fam(tensors, md, r[1]) for r in rows])
    ref_diff = float(np.abs(ref - gl.numpy()).max())
    log("%s golden: test %d/%d = %.2f%%; rows alone vs padded batch max |diff| %.3g "
        "(same argmax: %s); vs float64 reference %.3g"
        % (name, correct, count, 100.0 * correct / count, alone_diff, same_argmax, ref_diff))
    for i, (doc, s, note) in enumerate(rows):
        log("  row %2d  %-28s len %3d  label %-4s  logits %s%s"
            % (i, doc.doc_id, len(s), data.TEXT_LABELS[doc.label],
               np.array2string(gl[i].numpy(), precision=4), note))
    assert same_argmax and alone_diff < ALONE_TOL, alone_diff
    assert ref_diff < REFERENCE_TOL, ref_diff

    meta = _common_md(correct, count, path)
    meta.update({
        "split": data.SPLIT_RULE,
        "golden.doc_ids": "\n".join(r[0].doc_id + r[2] for r in rows),
        "golden.labels": " ".join(str(r[0].label) for r in rows),
        "golden.max_abs_diff_alone": repr(alone_diff),
    })
    out = os.path.join(golden_dir, name + ".safetensors")
    safetensors_io.write(out, {
        "ids": ids.numpy(),
        "lengths": lengths.numpy(),
        "logits": gl.numpy(),
        "probs": torch.softmax(gl, dim=1).numpy(),
    }, meta, dtype="F32")
    return correct, count


def tokens(weights_dir, golden_dir, corpus, log=print):
    """tokens-test.tsv from bilstm.safetensors' tokenizer (the transformer's
    must be the same)."""
    _, md = safetensors_io.read(os.path.join(weights_dir, "bilstm.safetensors"))
    tok = tk.Tokenizer.from_metadata(md)
    other = os.path.join(weights_dir, "transformer.safetensors")
    if os.path.exists(other):
        _, md2 = safetensors_io.read(other)
        for k in ("tokenizer.kind", "tokenizer.max_tokens", "tokenizer.vocab"):
            if md[k] != md2[k]:
                raise ValueError("bilstm and transformer differ in %s" % k)
    docs = data.text_split(data.spam_assassin(corpus), "test")
    lines = ["# doc_id <TAB> count <TAB> fnv1a64: words-v1 ids of each SpamAssassin test "
             "document (%s; sorted by doc_id = <group>/<id>), tokenizer of "
             "models/weights/bilstm.safetensors (vocab %d, max_tokens %d), text bytes = "
             "UTF-8 of the JSON \"text\"; count = number of ids; fnv1a64 = FNV-1a 64 "
             "(offset 0xcbf29ce484222325, prime 0x100000001b3) over the ids as 8-byte "
             "little-endian int64, 16 lowercase hex digits"
             % (data.SPLIT_RULE, tok.vocab_size, tok.max_tokens)]
    for d in sorted(docs, key=lambda d: d.doc_id):
        ids = tok.encode(d.text)
        lines.append("%s\t%d\t%s" % (d.doc_id, len(ids), tk.fnv1a64_ids(ids)))
    out = os.path.join(golden_dir, "tokens-test.tsv")
    with open(out, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    log("tokens-test.tsv: %d test documents" % len(docs))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("which", choices=["cnn", "bilstm", "transformer", "tokens", "all"])
    ap.add_argument("--weights", default="models/weights")
    ap.add_argument("--golden", default="tests/models/golden")
    ap.add_argument("--corpus", default=data.CORPUS_DIR)
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    os.makedirs(args.golden, exist_ok=True)
    if args.which in ("cnn", "all"):
        cnn(args.weights, args.golden)
    for name in ("bilstm", "transformer"):
        if args.which in (name, "all"):
            text(name, args.weights, args.golden, args.corpus)
    if args.which in ("tokens", "all"):
        tokens(args.weights, args.golden, args.corpus)


if __name__ == "__main__":
    main()
