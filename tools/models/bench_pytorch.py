#!/usr/bin/python3
"""vnn against PyTorch on the model benchmarks, same weights, same shapes.

    /usr/bin/python3 tools/models/bench_pytorch.py [--threads N] [--quick]
        [--isa avx2] [--json OUT] [--vnn-bench build/bench/vnn-bench]
        [--weights-dir DIR] [--reps R] [--min-time S] [--only REGEX]

For each benchmark of `vnn-bench --benchmark_filter=^model/` (cnn_b1,
cnn_b64, bilstm_b{1,64}_t128, transformer_b{1,64}_t128, transformer_b1_t512)
it runs, one after the other so both see the same machine:

  vnn      vnn-bench --benchmark_filter=^model/<name>/vnn/
           --benchmark_format=json --benchmark_repetitions=R, with
           VNN_NUM_THREADS=N (and VNN_ISA with --isa), before and again
           after PyTorch (the median over both sets: fair under drifting
           load);
  PyTorch  the same safetensors file (the seeded random weights vnn-bench
           wrote into <vnn-bench dir>/model-weights, or --weights-dir) in
           the twin modules of tools/models/nets.py, on random inputs of the
           same shapes (images in [0, 1); token ids in [2, vocab), every
           sequence at full length), tuned: eval(), torch.inference_mode(),
           torch.set_num_threads(N), and for each family the variants below,
           each timed (warm-up, then R timed runs of at least S seconds;
           median); the fastest is reported with its configuration.

PyTorch runs in child processes of this script, one per benchmark and ATen
CPU capability, because the capability (ATEN_CPU_CAPABILITY) is fixed when
torch is imported. Their environment drops OPENBLAS_CORETYPE (OpenBLAS then
picks its own kernels for this CPU) and sets OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS to N (torch.set_num_threads does not reach Debian's
OpenBLAS, which runs torch's GEMMs). Without --isa both capabilities this
x86 CPU offers are tried (PyTorch 1.13 defaults to AVX2 even on AVX-512
machines); an ATEN_CPU_CAPABILITY already set is passed through alone.
--isa avx2 compares AVX2 against AVX2: VNN_ISA=avx2 for vnn, and for
PyTorch ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2 (its convolutions)
and OPENBLAS_CORETYPE=Haswell (its GEMMs).

Variants:
  cnn          eager (NHWC input permuted, as nets.CNN), eager with
               channels_last weights, eager NCHW-contiguous, jit.trace +
               jit.freeze of these, torch.jit.optimize_for_inference
  bilstm       eager pack_padded_sequence (nets.BiLSTM), eager plain nn.LSTM
               on the padded batch (the same result when every sequence is
               full), jit.trace + jit.freeze of both
  transformer  nn.TransformerEncoderLayer's fast path (inference mode) with
               src_key_padding_mask=None, with the all-False mask
               (nets.Transformer), with nested tensors
               (enable_nested_tensor=True), jit.trace + jit.freeze (mask None)

Prints progress on stderr, a ratio table (vnn samples/s over PyTorch's) on
stdout, and with --json OUT writes, per benchmark name: vnn and PyTorch
samples/s (medians, and every run), the ratio, PyTorch's best
configuration, every variant's median, threads and ISAs; plus the context
(CPU, versions, load average at start and end).
"""

import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FAMILIES = ("cnn", "bilstm", "transformer")

# (name, family, batch, tokens); vnn-bench's set (bench/bench-model.c).
BENCHMARKS = [
    ("cnn_b1", "cnn", 1, 0),
    ("cnn_b64", "cnn", 64, 0),
    ("bilstm_b1_t128", "bilstm", 1, 128),
    ("bilstm_b64_t128", "bilstm", 64, 128),
    ("transformer_b1_t128", "transformer", 1, 128),
    ("transformer_b64_t128", "transformer", 64, 128),
    ("transformer_b1_t512", "transformer", 1, 512),
]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def weights_file(weights_dir, family):
    """The newest <family>-bench-v<K>.safetensors in weights_dir, or None."""
    best = None
    for p in glob.glob(os.path.join(weights_dir, "%s-bench-v*.safetensors" % family)):
        m = re.search(r"-bench-v(\d+)\.safetensors$", p)
        if m and (best is None or int(m.group(1)) > best[0]):
            best = (int(m.group(1)), p)
    return best[1] if best else None


# --------------------------------------------------------------------------
# The PyTorch side (child process: --worker NAME).

def worker(args):
    # The environment was set by the parent (ATEN_CPU_CAPABILITY,
    # OPENBLAS_CORETYPE dropped or set) before this import.
    import warnings

    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    sys.path.insert(0, HERE)
    import nets
    import safetensors_io

    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    name, family, N, T = next(b for b in BENCHMARKS if b[0] == args.worker)
    path = weights_file(args.weights_dir, family)
    arrays, md = safetensors_io.read(path)
    model = nets.load_arrays(nets.from_metadata(md), arrays).eval()
    for p in model.parameters():
        p.requires_grad_(False)

    gen = torch.Generator().manual_seed(1234 + N * 1009 + T)
    if family == "cnn":
        x = torch.rand(N, model.height, model.width, model.channels, generator=gen)
        inputs = (x,)
    else:
        vocab = int(md["%s.vocab" % family])
        ids = torch.randint(2, vocab, (N, T), generator=gen, dtype=torch.int64)
        lengths = torch.full((N,), T, dtype=torch.int64)
        inputs = (ids, lengths)

    variants = []  # (label, module taking *inputs)

    if family == "cnn":
        class NCHW(nn.Module):
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, x):
                m = self.m
                x = x.permute(0, 3, 1, 2).contiguous()
                x = F.max_pool2d(F.relu(m.conv1(x)), 2)
                x = F.max_pool2d(F.relu(m.conv2(x)), 2)
                x = F.relu(m.conv3(x))
                x = x.permute(0, 2, 3, 1).flatten(1)
                return m.fc2(F.relu(m.fc1(x)))

        import copy
        cl = copy.deepcopy(model).to(memory_format=torch.channels_last)
        eager = [("eager NHWC-permuted (nets.CNN)", model),
                 ("eager channels_last weights", cl),
                 ("eager NCHW contiguous", NCHW(model).eval())]
        variants += eager
        for label, m in eager:
            variants.append(("jit.trace+freeze, " + label.replace("eager ", ""),
                             ("freeze", m)))
        variants.append(("jit optimize_for_inference, channels_last weights",
                         ("optimize", cl)))
    elif family == "bilstm":
        class Padded(nn.Module):
            """nn.LSTM on the padded batch: every sequence is full, so the
            final states are those of pack_padded_sequence."""

            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, ids, lengths):
                m = self.m
                _, (h_n, _) = m.lstm(m.embedding(ids))
                features = torch.cat([h_n[0], h_n[1]], dim=1)
                return m.fc2(F.relu(m.fc1(features)))

        padded = Padded(model).eval()
        variants += [("eager pack_padded_sequence (nets.BiLSTM)", model),
                     ("eager plain nn.LSTM on the padded batch", padded),
                     ("jit.trace+freeze, pack_padded_sequence", ("freeze", model)),
                     ("jit.trace+freeze, plain nn.LSTM", ("freeze", padded))]
    else:
        class NoMask(nn.Module):
            """src_key_padding_mask=None: every sequence is full."""

            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, ids, lengths):
                m = self.m
                t = ids.shape[1]
                x = m.tok_emb(ids) + m.pos_emb.weight[:t][None]
                x = m.encoder(x)
                return m.classifier(x.mean(dim=1))

        import copy
        nested = copy.deepcopy(model)
        nested.encoder.enable_nested_tensor = True
        nomask = NoMask(model).eval()
        variants += [("fast path, src_key_padding_mask=None", nomask),
                     ("fast path, all-False padding mask (nets.Transformer)", model),
                     ("fast path, nested tensor (enable_nested_tensor=True)", nested),
                     ("jit.trace+freeze, fast path, mask None", ("freeze", nomask))]

    def build(spec):
        if not isinstance(spec, tuple):
            return spec
        how, m = spec
        with torch.no_grad():
            traced = torch.jit.trace(m, inputs, check_trace=False)
        if how == "freeze":
            return torch.jit.freeze(traced.eval())
        return torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))

    def timed(fn):
        with torch.inference_mode():
            t0 = time.perf_counter()
            calls = 0
            while calls < args.warmup_calls or time.perf_counter() - t0 < args.warmup:
                fn(*inputs)
                calls += 1
            runs = []
            for _ in range(args.reps):
                calls = 0
                t0 = time.perf_counter()
                while True:
                    fn(*inputs)
                    calls += 1
                    dt = time.perf_counter() - t0
                    if dt >= args.min_time:
                        break
                runs.append(N * calls / dt)
        return runs

    with torch.inference_mode():
        reference = model(*inputs)
    out = {"capability": re.search(r"CPU capability usage: (\S+)",
                                   torch.__config__.show()).group(1),
           "torch": torch.__version__, "threads": torch.get_num_threads(),
           "openblas_core": openblas_core(), "variants": {}}
    for label, spec in variants:
        log("    %s: %s ..." % (out["capability"], label))
        try:
            fn = build(spec)
            with torch.inference_mode():
                got = fn(*inputs)
            err = float((got - reference).abs().max())
            if not err <= 1e-3 * (1 + float(reference.abs().max())):
                raise RuntimeError("differs from nets.py's forward by %g" % err)
            runs = timed(fn)
            out["variants"][label] = {"runs": runs, "median": statistics.median(runs)}
            log("      %.1f samples/s" % statistics.median(runs))
        except Exception as e:  # a variant this torch cannot build: note it, go on
            out["variants"][label] = {"error": "%s: %s" % (type(e).__name__, str(e)[:300])}
            log("      failed: %s" % out["variants"][label]["error"])
    json.dump(out, sys.stdout)


def openblas_core():
    """"<core>, <k> threads" of the OpenBLAS torch loaded, or None."""
    import ctypes
    try:
        for line in open("/proc/self/maps"):
            path = line.split()[-1]
            if "libopenblas" in path:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return "%s, %d threads" % (lib.openblas_get_corename().decode(),
                                           lib.openblas_get_num_threads())
    except Exception:
        pass
    return None


# --------------------------------------------------------------------------
# The parent: vnn-bench, the workers, the table.

def vnn_env(args):
    env = dict(os.environ)
    env["VNN_NUM_THREADS"] = str(args.threads)
    if args.isa:
        env["VNN_ISA"] = args.isa
    return env


def torch_envs(args):
    """(capability label, environment) for each PyTorch configuration."""
    base = dict(os.environ)
    base.pop("OPENBLAS_CORETYPE", None)
    base["OMP_NUM_THREADS"] = str(args.threads)
    # torch.set_num_threads does not reach Debian's OpenBLAS (its GEMMs).
    base["OPENBLAS_NUM_THREADS"] = str(args.threads)
    if args.isa == "avx2":
        env = dict(base, ATEN_CPU_CAPABILITY="avx2", ONEDNN_MAX_CPU_ISA="AVX2",
                   OPENBLAS_CORETYPE="Haswell")
        return [("avx2", env)]
    if args.isa:
        return [(args.isa, dict(base, ATEN_CPU_CAPABILITY=args.isa))]
    if os.environ.get("ATEN_CPU_CAPABILITY"):
        return [(os.environ["ATEN_CPU_CAPABILITY"], base)]
    caps = ["default"]
    try:
        flags = open("/proc/cpuinfo").read()
        if all(f in flags for f in ("avx512f", "avx512bw", "avx512vl", "avx512dq")):
            caps.append("avx512")
    except OSError:
        pass
    return [(c, base if c == "default" else dict(base, ATEN_CPU_CAPABILITY=c)) for c in caps]


def run_vnn(args, name):
    cmd = [args.vnn_bench, "--benchmark_filter=^model/%s/vnn/" % name,
           "--benchmark_format=json", "--benchmark_repetitions=%d" % args.reps,
           "--benchmark_min_time=%g" % args.min_time,
           "--model_weights_dir=%s" % args.weights_dir]
    p = subprocess.run(cmd, env=vnn_env(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit("%s failed (%d):\n%s%s" % (" ".join(cmd), p.returncode,
                                                   p.stderr, p.stdout[-2000:]))
    report = json.loads(p.stdout)
    runs = [b for b in report["benchmarks"] if b.get("run_type") == "iteration"]
    if not runs:
        raise SystemExit("vnn-bench ran no benchmark for model/%s" % name)
    rates = [b["samples_per_s"] for b in runs]
    return {"runs": rates, "median": statistics.median(rates),
            "label": runs[0].get("label", ""), "context": report.get("context", {})}


def run_torch(args, name, cap, env):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", name,
           "--threads", str(args.threads), "--reps", str(args.reps),
           "--min-time", str(args.min_time), "--warmup", str(args.warmup),
           "--weights-dir", args.weights_dir]
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return {"error": "worker exited with %d" % p.returncode, "variants": {}}
    return json.loads(p.stdout)


def ensure_weights(args):
    missing = [f for f in FAMILIES if not weights_file(args.weights_dir, f)]
    if not missing:
        return
    log("writing the weight files (%s) with vnn-bench ..." % ", ".join(missing))
    cmd = [args.vnn_bench, "--benchmark_filter=^model/[a-z]+_b1(_t128)?/vnn/",
           "--benchmark_min_time=0.01", "--model_weights_dir=%s" % args.weights_dir]
    p = subprocess.run(cmd, env=vnn_env(args), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit("%s failed (%d):\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    missing = [f for f in FAMILIES if not weights_file(args.weights_dir, f)]
    if missing:
        raise SystemExit("vnn-bench wrote no weight file for %s in %s"
                         % (", ".join(missing), args.weights_dir))


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="threads for both (default 1)")
    ap.add_argument("--quick", action="store_true",
                    help="3 repetitions of 0.1 s (default: 7 of 0.5 s)")
    ap.add_argument("--reps", type=int, help="timed runs per benchmark and variant")
    ap.add_argument("--min-time", type=float, help="seconds per timed run")
    ap.add_argument("--warmup", type=float, help="warm-up seconds per variant")
    ap.add_argument("--isa", choices=("avx2", "avx512"),
                    help="both sides on this ISA (VNN_ISA, ATEN_CPU_CAPABILITY, ...)")
    ap.add_argument("--json", metavar="OUT", help="write the results here")
    ap.add_argument("--vnn-bench", default=os.path.join(REPO, "build", "bench", "vnn-bench"),
                    help="path of vnn-bench (default: build/bench/vnn-bench in the repo)")
    ap.add_argument("--weights-dir",
                    help="the weight files (default: model-weights beside vnn-bench)")
    ap.add_argument("--only", metavar="REGEX", help="benchmarks whose name matches")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.reps = args.reps or (3 if args.quick else 7)
    args.min_time = args.min_time or (0.1 if args.quick else 0.5)
    args.warmup = args.warmup if args.warmup is not None else (0.1 if args.quick else 0.5)
    args.warmup_calls = 3
    if args.worker:
        return worker(args)

    if not os.access(args.vnn_bench, os.X_OK):
        raise SystemExit("no vnn-bench at %s (build it, or pass --vnn-bench)" % args.vnn_bench)
    args.weights_dir = os.path.abspath(
        args.weights_dir or os.path.join(os.path.dirname(args.vnn_bench), "model-weights"))
    ensure_weights(args)
    benches = [b for b in BENCHMARKS if not args.only or re.search(args.only, b[0])]
    if not benches:
        raise SystemExit("no benchmark matches --only %r" % args.only)
    envs = torch_envs(args)
    load_start = loadavg()
    log("load average at start: %s (%d CPUs)" % (" ".join(load_start or ["?"]),
                                                 os.cpu_count()))
    results = {}
    context = {}
    for i, (name, family, N, T) in enumerate(benches):
        full = "model/%s" % name
        log("[%d/%d] %s: vnn (%d x %g s) ..." % (i + 1, len(benches), full, args.reps,
                                                args.min_time))
        v = run_vnn(args, name)
        context = v.pop("context")
        log("    vnn %s: %.1f samples/s" % (v["label"], v["median"]))
        configs = {}
        best = None
        for cap, env in envs:
            log("[%d/%d] %s: PyTorch, ATen capability %s ..." % (i + 1, len(benches), full, cap))
            w = run_torch(args, name, cap, env)
            configs[cap] = w
            for label, r in w.get("variants", {}).items():
                if "median" in r and (best is None or r["median"] > best[0]):
                    best = (r["median"], "%s; ATen %s" % (label, w["capability"]), r["runs"], w)
        # vnn again after PyTorch, its runs pooled with the first ones: on
        # a shared machine the load drifts, and PyTorch's variants take
        # minutes; bracketing them keeps the ratio fair to both sides.
        log("[%d/%d] %s: vnn again ..." % (i + 1, len(benches), full))
        again = run_vnn(args, name)
        v["runs"] += again["runs"]
        v["median"] = statistics.median(v["runs"])
        log("    vnn %s: %.1f samples/s (median of both sets)" % (v["label"], v["median"]))
        res = {
            "family": family, "batch": N, "tokens": T, "threads": args.threads,
            "vnn_samples_per_s": v["median"], "vnn_runs": v["runs"],
            "vnn_isa": v["label"],
        }
        if best:
            res.update({
                "pytorch_samples_per_s": best[0], "pytorch_runs": best[2],
                "ratio": v["median"] / best[0], "pytorch_best_config": best[1],
                "pytorch_isa": best[3]["capability"],
                "pytorch_openblas_core": best[3].get("openblas_core"),
            })
        res["pytorch_variants"] = {
            "%s; ATen %s" % (label, w.get("capability", cap)):
                (r["median"] if "median" in r else r.get("error"))
            for cap, w in configs.items() for label, r in w.get("variants", {}).items()}
        results[full] = res
        if best:
            log("    PyTorch best %.1f samples/s (%s); vnn/PyTorch %.2f"
                % (best[0], best[1], res["ratio"]))

    import platform
    torch_version = next((w.get("torch") for w in configs.values() if w.get("torch")), None)
    out = {
        "context": {
            "cpu": context.get("cpu"), "vnn_isa": context.get("vnn_isa"),
            "threads": args.threads, "reps": args.reps, "min_time_s": args.min_time,
            "isa_flag": args.isa, "torch": torch_version, "python": platform.python_version(),
            "weights_dir": args.weights_dir, "loadavg_start": load_start,
            "loadavg_end": loadavg(), "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "ratio": "vnn samples/s / PyTorch samples/s (best configuration); medians",
        },
        "benchmarks": results,
    }
    print_table(out)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
        log("wrote %s" % args.json)


def print_table(out):
    c = out["context"]
    print("vnn vs PyTorch %s, %d thread%s, medians of %d runs; CPU %s; vnn ISA %s"
          % (c["torch"], c["threads"], "" if c["threads"] == 1 else "s", c["reps"],
             c["cpu"], c["vnn_isa"]))
    rows = [("benchmark", "vnn/s", "pytorch/s", "vnn/pt", "PyTorch best configuration")]
    for name, r in out["benchmarks"].items():
        rows.append((name, "%.1f" % r["vnn_samples_per_s"],
                     "%.1f" % r["pytorch_samples_per_s"] if "ratio" in r else "-",
                     "%.2f" % r["ratio"] if "ratio" in r else "-",
                     r.get("pytorch_best_config", "no variant ran")))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for k, row in enumerate(rows):
        print("  ".join([row[0].ljust(widths[0])] +
                        [row[i].rjust(widths[i]) for i in (1, 2, 3)] + [row[4]]))
        if k == 0:
            print("  ".join("-" * w for w in widths) + "  " + "-" * 26)
    print("samples/s; vnn/pt > 1: vnn is faster. Load average %s at start, %s at end."
          % (" ".join(c["loadavg_start"] or ["?"]), " ".join(c["loadavg_end"] or ["?"])))


if __name__ == "__main__":
    main()
