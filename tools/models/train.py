#!/usr/bin/python3
"""Train the bundled models and write their weights and goldens.

    /usr/bin/python3 tools/models/train.py {cnn|bilstm|transformer|all}
        [--corpus build/data/spam-assassin/data] [--out models/weights]
        [--golden tests/models/golden] [--epochs N] [--lr X] [--seed S]

cnn: Fashion-MNIST, trained on training images 0..54999, the last 5,000
held out to print progress. bilstm, transformer: SpamAssassin, trained on
the TRAIN split less its validation subset (see data.py), the vocabulary
built once from the whole TRAIN split and shared by both. Adam, seeded
(torch, numpy, random), two threads. Progress goes to stdout and to
<out>/<name>.train.log.

The weights are written as F16 (<out>/<name>.safetensors); the goldens
(goldens.py) are then made from that file read back into float32, so the
reported accuracies are those of the rounded weights the C side loads.
"""

import argparse
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import data                      # noqa: E402
import evaluate                  # noqa: E402
import goldens                   # noqa: E402
import nets                      # noqa: E402
import safetensors_io            # noqa: E402
import tokenizer as tk           # noqa: E402

VOCAB_SIZE = 10000
MAX_TOKENS = 256

# per model: epochs, batch size, learning rate, gradient clip (None = off)
CONFIG = {
    "cnn": dict(epochs=10, batch=64, lr=1e-3, clip=None, schedule="cosine"),
    "bilstm": dict(epochs=5, batch=32, lr=2e-3, clip=1.0, dropout=0.3),
    "transformer": dict(epochs=3, batch=32, lr=1e-3, clip=1.0, dropout=0.1),
}


class Log:
    def __init__(self, path):
        self.f = open(path, "w", encoding="utf-8")

    def __call__(self, msg):
        print(msg, flush=True)
        self.f.write(msg + "\n")
        self.f.flush()

    def close(self):
        self.f.close()


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def header(log, name, cfg, seed):
    log("# %s: torch %s, numpy %s, %d threads, seed %d, Adam, %s"
        % (name, torch.__version__, np.__version__, torch.get_num_threads(), seed,
           ", ".join("%s=%s" % kv for kv in cfg.items())))


def write_weights(model, out_dir, name, log):
    path = os.path.join(out_dir, name + ".safetensors")
    safetensors_io.write(path, nets.state_arrays(model), model.metadata(), dtype="F16")
    log("wrote %s (%d bytes, F16)" % (path, os.path.getsize(path)))
    return path


def train_cnn(args, cfg, log):
    x, y = data.fashion_mnist("train")
    fit_x, fit_y, val_x, val_y = x[:55000], y[:55000], x[55000:], y[55000:]
    model = nets.CNN()
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    # cosine: the learning rate falls from lr towards 0 over the epochs
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg["epochs"])
    rng = np.random.default_rng(args.seed)
    for epoch in range(1, cfg["epochs"] + 1):
        t0 = time.time()
        lr = opt.param_groups[0]["lr"]
        model.train()
        order = rng.permutation(len(fit_x))
        total_loss, correct = 0.0, 0
        for i in range(0, len(order), cfg["batch"]):
            idx = order[i:i + cfg["batch"]]
            xb, yb = torch.from_numpy(fit_x[idx]), torch.from_numpy(fit_y[idx])
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total_loss += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
        sched.step()
        vc, vn = evaluate.accuracy(evaluate.image_logits(model, val_x), val_y)
        log("epoch %d  lr %.2e  loss %.4f  train acc %.2f%%  val acc %.2f%% (%d/%d)  %.1fs"
            % (epoch, lr, total_loss / len(order), 100.0 * correct / len(order),
               100.0 * vc / vn, vc, vn, time.time() - t0))
    return model


_VOCAB = {}


def shared_tokenizer(docs, log):
    """The words-v1 tokenizer of both text models, built once per run."""
    if "tok" not in _VOCAB:
        train = data.text_split(docs, "train")
        words = [tk.truncated_words(tk.text_bytes(d.text), MAX_TOKENS) for d in train]
        _VOCAB["tok"] = tk.Tokenizer(tk.build_vocab(words, VOCAB_SIZE), MAX_TOKENS)
        log("vocabulary: %d words from %d training documents"
            % (len(_VOCAB["tok"].vocab), len(train)))
    return _VOCAB["tok"]


def train_text(name, args, cfg, log):
    docs = data.spam_assassin(args.corpus)
    tok = shared_tokenizer(docs, log)
    fit = data.text_split(docs, "fit")
    val = data.text_split(docs, "validation")
    fit_seqs = [tok.encode(d.text) for d in fit]
    fit_y = torch.tensor([d.label for d in fit])
    val_seqs = [tok.encode(d.text) for d in val]
    val_y = [d.label for d in val]
    log("%d training documents (%d spam), %d validation documents"
        % (len(fit), int(fit_y.sum()), len(val)))
    if name == "bilstm":
        model = nets.BiLSTM(tok, dropout=cfg["dropout"])
    else:
        model = nets.Transformer(tok, dropout=cfg["dropout"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    rng = np.random.default_rng(args.seed)
    lengths = [len(s) for s in fit_seqs]
    for epoch in range(1, cfg["epochs"] + 1):
        t0 = time.time()
        model.train()
        total_loss, correct = 0.0, 0
        for idx in evaluate.length_batches(lengths, cfg["batch"], rng):
            ids, lens = evaluate.pad_batch([fit_seqs[i] for i in idx])
            yb = fit_y[torch.from_numpy(idx)]
            logits = model.forward_fast(ids, lens) if name == "bilstm" else model(ids, lens)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            if cfg["clip"]:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
            opt.step()
            total_loss += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
        vc, vn = evaluate.accuracy(evaluate.text_logits(model, val_seqs), val_y)
        log("epoch %d  loss %.4f  train acc %.2f%%  val acc %.2f%% (%d/%d)  %.1fs"
            % (epoch, total_loss / len(fit), 100.0 * correct / len(fit),
               100.0 * vc / vn, vc, vn, time.time() - t0))
    return model


def run(name, args):
    cfg = dict(CONFIG[name])
    if args.epochs:
        cfg["epochs"] = args.epochs
    if args.lr:
        cfg["lr"] = args.lr
    log = Log(os.path.join(args.out, name + ".train.log"))
    seed_all(args.seed)
    header(log, name, cfg, args.seed)
    t0 = time.time()
    model = train_cnn(args, cfg, log) if name == "cnn" else train_text(name, args, cfg, log)
    train_time = time.time() - t0
    log("training time %.1fs" % train_time)
    write_weights(model, args.out, name, log)
    # Everything from here on uses the F16 file read back into float32.
    if name == "cnn":
        correct, count = goldens.cnn(args.out, args.golden, log)
    else:
        correct, count = goldens.text(name, args.out, args.golden, args.corpus, log)
    log("test accuracy with the F16 weights: %d/%d = %.2f%%"
        % (correct, count, 100.0 * correct / count))
    log.close()
    return train_time


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("which", choices=["cnn", "bilstm", "transformer", "all"])
    ap.add_argument("--corpus", default=data.CORPUS_DIR)
    ap.add_argument("--out", default="models/weights")
    ap.add_argument("--golden", default="tests/models/golden")
    ap.add_argument("--epochs", type=int, default=0, help="override the per-model default")
    ap.add_argument("--lr", type=float, default=0.0, help="override the per-model default")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.golden, exist_ok=True)
    names = ["cnn", "bilstm", "transformer"] if args.which == "all" else [args.which]
    for name in names:
        run(name, args)
    if any(n in ("bilstm", "transformer") for n in names) and \
            os.path.exists(os.path.join(args.out, "bilstm.safetensors")):
        goldens.tokens(args.out, args.golden, args.corpus)


if __name__ == "__main__":
    main()
