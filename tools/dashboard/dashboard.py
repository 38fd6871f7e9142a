#!/usr/bin/python3
"""vnn's benchmark dashboard: results folder -> one self-contained HTML page.

    /usr/bin/python3 tools/dashboard/dashboard.py generate --results DIR
        [--out build/dashboard/index.html] [--threshold 5] [--summary]
    /usr/bin/python3 tools/dashboard/dashboard.py summary --results DIR
    /usr/bin/python3 tools/dashboard/dashboard.py record RUN_DIR [--preset P]
        [--build DIR] [--argv ...]

A results folder holds one folder per run (tools/bench-all.sh makes them):

    <results>/<YYYYmmdd-HHMMSS>/
        run.json          machine context: CPU, features, ISAs, versions,
                          threads, git commit, date, preset (`record` writes it)
        bench-<isa>.json  Google Benchmark JSON of one vnn-bench process per ISA
        bench-<isa>.env   the environment that process ran with (KEY=VALUE lines)
        pytorch-t<N>.json tools/models/bench_pytorch.py --json at N threads
        models.json       a list of `vnn run <model> --json` outputs (accuracy)
        shapes/*.txt      the shape files the benchmarks ran (FLOPs and bytes)

`generate` reads every run, keeps the history of the latest run's machine
(same CPU model, logical CPUs and thread count), computes ratios against the
baselines, % of the measured peaks, arithmetic intensities, and regressions
against the previous run, and writes the page: page.html with page.js, the
data as JSON, and Chart.js from node_modules (npm ci in tools/dashboard)
inlined, so it opens from file:// with no network.

Standard library only (Debian's /usr/bin/python3).
"""

import argparse
import datetime
import glob
import json
import math
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CHARTJS = os.path.join(HERE, "node_modules", "chart.js", "dist", "chart.umd.min.js")

# Rate counters, the first present is a benchmark's metric; higher is better.
METRICS = ("GFLOPS", "GBps", "samples_per_s")
UNITS = {"GFLOPS": "GFLOP/s", "GBps": "GB/s", "samples_per_s": "samples/s"}
ISAS = ("scalar", "avx2", "avx512", "neon")
BASELINES = ("onednn", "openblas")
BASELINE_NAMES = {"onednn": "oneDNN", "openblas": "OpenBLAS", "pytorch": "PyTorch"}
OP_ORDER = ("gemm", "conv", "pool", "lstm", "attention", "ops", "model")
OP_TITLES = {
    "gemm": "GEMM", "conv": "Convolution", "pool": "Pooling", "lstm": "LSTM",
    "attention": "Attention", "ops": "Transformer ops", "model": "Models",
}
# FLOPs per element of the row ops (estimates: what the math needs, not what
# a given kernel executes; exp and erf as their polynomial evaluations).
OPS_FLOPS_PER_ELEMENT = {
    "relu": 1, "add": 1, "layernorm": 8, "softmax": 14, "gelu_erf": 22, "gelu_tanh": 18,
}
NOTES = [
    "Every number is the median of the repetitions of one run; ratios are "
    "vnn's throughput over the baseline's (above 1: vnn is faster), both measured "
    "in the same vnn-bench process with the same thread count.",
    "Ratio and '% of peak' of a GFLOP/s benchmark use the FMA peak measured for "
    "its ISA (peak/fma/<isa>); those of a GB/s benchmark use the measured "
    "main-memory copy bandwidth (peak/membw/copy, read + written bytes, counted "
    "as the kernels count theirs). Data that stays in cache can exceed it.",
    "Arithmetic intensity = FLOPs / bytes per call, the bytes being each "
    "tensor read or written once in fp32 (compulsory traffic, no cache misses "
    "modelled): GEMM 4(MK+KN+MN); convolution input + weights + bias + output; "
    "LSTM weights + inputs + outputs of all time steps; attention Q, K, V and "
    "the output. Pooling and the row ops report GB/s: their bytes are the "
    "benchmark's own (input + output), their FLOPs estimates: one per window "
    "element for pooling; per element relu 1, add 1, layernorm 8, softmax 14, "
    "gelu_tanh 18, gelu_erf 22.",
    "The roofline is min(FMA peak, copy bandwidth x intensity) per ISA; vnn_<isa> "
    "variants forced to another ISA inside a run are left out of it (the run "
    "of that ISA has them), as are the models (no byte count).",
    "A regression is a vnn benchmark whose median dropped by more than the "
    "threshold against the previous run of the same machine (same CPU model, "
    "logical CPUs and thread count) that has it. On a shared machine a drop of "
    "the machine's own peaks in the same run points to outside load.",
]


# ---------------------------------------------------------------------------
# Reading Google Benchmark JSON


def strip_suffixes(name):
    """gemm/1/vnn/real_time -> gemm/1/vnn (Google Benchmark's appended parts)."""
    parts = name.split("/")
    while len(parts) > 1 and (parts[-1] in ("real_time", "process_time", "manual_time")
                              or re.fullmatch(r"(repeats|threads|iterations|min_time):.*",
                                              parts[-1])):
        parts.pop()
    return "/".join(parts)


def split_name(name):
    """<op>/<shape>/<impl> -> (op, shape, impl); the shape may hold slashes."""
    parts = name.split("/")
    if len(parts) == 1:
        return parts[0], "", ""
    if len(parts) == 2:
        return parts[0], parts[1], ""
    return parts[0], "/".join(parts[1:-1]), parts[-1]


def time_ns(entry):
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}.get(entry.get("time_unit", "ns"), 1.0)
    return float(entry.get("real_time", 0.0)) * scale


def parse_gbench(doc):
    """{name: result} from one Google Benchmark JSON document, in file order.

    A result has the median of the repetitions (or the 'median' aggregate),
    its coefficient of variation, the label and an error if one occurred."""
    groups = {}
    for b in doc.get("benchmarks") or []:
        run_name = b.get("run_name") or b.get("name", "")
        g = groups.setdefault(strip_suffixes(run_name), {"iter": [], "agg": {}})
        if b.get("run_type") == "aggregate":
            g["agg"][b.get("aggregate_name", "")] = b
        else:
            g["iter"].append(b)
    out = {}
    for name, g in groups.items():
        entries = g["iter"] or list(g["agg"].values())
        first = entries[0] if entries else {}
        res = {"name": name, "label": first.get("label", ""), "metric": None,
               "value": None, "cv": None, "reps": len(g["iter"]), "time_ns": None}
        errors = [e.get("error_message", "error") for e in g["iter"] + list(g["agg"].values())
                  if e.get("error_occurred")]
        if errors:
            res["error"] = errors[0]
        metric = next((m for m in METRICS if any(m in e for e in entries)), None)
        res["metric"] = metric
        if metric and not errors:
            values = [float(e[metric]) for e in g["iter"] if metric in e]
            med = g["agg"].get("median")
            if med is not None and metric in med:
                res["value"] = float(med[metric])
            elif values:
                res["value"] = statistics.median(values)
            cv = g["agg"].get("cv")
            if cv is not None and metric in cv:
                res["cv"] = float(cv[metric])
            elif len(values) > 1 and statistics.mean(values) > 0:
                res["cv"] = statistics.stdev(values) / statistics.mean(values)
            res["runs"] = values
            times = [time_ns(e) for e in g["iter"]]
            if med is not None:
                res["time_ns"] = time_ns(med)
            elif times:
                res["time_ns"] = statistics.median(times)
        out[name] = res
    return out


# ---------------------------------------------------------------------------
# Shapes: FLOPs and bytes per call


def read_shapes(path, fields):
    """label -> dict of the named integer fields (extra tokens ignored)."""
    table = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].split()
                if not line:
                    continue
                label, rest = line[0], line[1:]
                row = {}
                for k, tok in zip(fields, rest):
                    row[k] = tok if k == "kind" else int(tok)
                table[label] = row
    except (OSError, ValueError):
        pass
    return table


SHAPE_FIELDS = {
    "conv": ("N", "H", "W", "Cin", "Cout", "KH", "KW", "stride", "pad", "groups"),
    "pool": ("kind", "N", "H", "W", "C", "K", "stride", "pad"),
    "lstm": ("N", "T", "I", "H", "D"),
    "attention": ("N", "Sq", "Sk", "H", "Hkv", "D", "causal"),
}


def load_shapes(run_dir, contexts):
    """The shape tables a run's benchmarks ran: the run's copy, else the file
    the benchmark context names, else the repository's bench/shapes."""
    shapes = {}
    for op, fields in SHAPE_FIELDS.items():
        candidates = [os.path.join(run_dir, "shapes", op + ".txt")]
        candidates += [c.get(op + "_shapes") for c in contexts if c.get(op + "_shapes")]
        candidates.append(os.path.join(REPO, "bench", "shapes", op + ".txt"))
        shapes[op] = {}
        for path in candidates:
            if path and os.path.isfile(path):
                shapes[op] = read_shapes(path, fields)
                break
    return shapes


def work(op, shape, res, shapes):
    """(FLOPs, bytes) per call, either None where unknown."""
    flops = nbytes = None
    # What the benchmark itself counted: rate x time per call.
    counted = None
    if res.get("value") is not None and res.get("time_ns"):
        counted = res["value"] * res["time_ns"]  # (1e9 units/s) * (1e-9 s)
    if op == "gemm":
        m = re.fullmatch(r"(\d+)x(\d+)x(\d+)", shape)
        if m:
            M, N, K = map(int, m.groups())
            flops, nbytes = 2.0 * M * N * K, 4.0 * (M * K + K * N + M * N)
    elif op == "conv" and shape in shapes.get("conv", {}):
        s = shapes["conv"][shape]
        OH = (s["H"] + 2 * s["pad"] - s["KH"]) // s["stride"] + 1
        OW = (s["W"] + 2 * s["pad"] - s["KW"]) // s["stride"] + 1
        w = s["KH"] * s["KW"] * (s["Cin"] // s["groups"]) * s["Cout"]
        flops = 2.0 * s["N"] * OH * OW * w
        nbytes = 4.0 * (s["N"] * s["H"] * s["W"] * s["Cin"] + w + s["Cout"]
                        + s["N"] * OH * OW * s["Cout"])
    elif op == "pool" and shape in shapes.get("pool", {}):
        s = shapes["pool"][shape]
        if s["kind"] == "gap":
            flops = float(s["N"] * s["H"] * s["W"] * s["C"])
            nbytes = 4.0 * (s["N"] * s["H"] * s["W"] * s["C"] + s["N"] * s["C"])
        else:
            OH = (s["H"] + 2 * s["pad"] - s["K"]) // s["stride"] + 1
            OW = (s["W"] + 2 * s["pad"] - s["K"]) // s["stride"] + 1
            flops = float(s["N"] * OH * OW * s["C"] * s["K"] * s["K"])
            nbytes = 4.0 * s["N"] * s["C"] * (s["H"] * s["W"] + OH * OW)
    elif op == "lstm" and shape in shapes.get("lstm", {}):
        s = shapes["lstm"][shape]
        G = 4 * s["H"]
        flops = 2.0 * s["T"] * s["N"] * G * (s["I"] + s["H"]) * s["D"]
        nbytes = 4.0 * (s["D"] * (G * (s["I"] + s["H"]) + G)
                        + s["T"] * s["N"] * s["I"] + s["T"] * s["N"] * s["H"] * s["D"])
    elif op == "attention" and shape in shapes.get("attention", {}):
        s = shapes["attention"][shape]
        flops = 4.0 * s["Sq"] * s["Sk"] * s["D"] * s["H"] * s["N"]
        if s["causal"]:
            flops /= 2
        nbytes = 4.0 * s["N"] * (2 * s["Sq"] * s["H"] * s["D"] + 2 * s["Sk"] * s["Hkv"] * s["D"])
    elif op == "ops":
        m = re.fullmatch(r"([a-z_]+)_(\d+)x(\d+)", shape)
        if m and m.group(1) in OPS_FLOPS_PER_ELEMENT:
            n = int(m.group(2)) * int(m.group(3))
            flops = float(OPS_FLOPS_PER_ELEMENT[m.group(1)] * n)
            nbytes = 4.0 * n * (3 if m.group(1) == "add" else 2)
    # Where the shape is not known, what the benchmark counted.
    if counted is not None:
        if flops is None and res.get("metric") == "GFLOPS":
            flops = counted
        if nbytes is None and res.get("metric") == "GBps":
            nbytes = counted
    return flops, nbytes


# ---------------------------------------------------------------------------
# Runs


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read_env(path):
    env = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if "=" in line and not line.startswith("#"):
                    k, v = line.split("=", 1)
                    env[k] = v
    except OSError:
        pass
    return env


def first_int(text):
    m = re.search(r"\d+", str(text or ""))
    return int(m.group()) if m else None


def load_run(run_dir):
    """One run folder -> dict, or None if it holds no results."""
    meta = read_json(os.path.join(run_dir, "run.json"), {}) or {}
    bench_files = sorted(glob.glob(os.path.join(run_dir, "bench-*.json")))
    pytorch_files = sorted(glob.glob(os.path.join(run_dir, "pytorch*.json")))
    if not bench_files and not pytorch_files:
        return None  # nothing measured (a run stopped early)
    run = {"id": os.path.basename(os.path.normpath(run_dir)), "dir": run_dir, "meta": meta,
           "isa_runs": [], "pytorch": [], "models": []}
    contexts = []
    for path in bench_files:
        doc = read_json(path)
        if not isinstance(doc, dict):
            run.setdefault("warnings", []).append("%s: not JSON" % os.path.basename(path))
            continue
        ctx = doc.get("context") or {}
        contexts.append(ctx)
        isa = (ctx.get("vnn_isa") or "").split(" ")[0]
        if not isa:
            isa = os.path.basename(path)[len("bench-"):-len(".json")]
        run["isa_runs"].append({
            "isa": isa, "file": os.path.basename(path), "context": ctx,
            "env": read_env(path[:-len(".json")] + ".env"), "results": parse_gbench(doc)})
    for path in pytorch_files:
        doc = read_json(path)
        if isinstance(doc, dict) and isinstance(doc.get("benchmarks"), dict):
            run["pytorch"].append(doc)
    models = read_json(os.path.join(run_dir, "models.json"), [])
    run["models"] = models if isinstance(models, list) else []
    # The best ISA (the default process) first: avx512, avx2, neon, scalar.
    rank = {"avx512": 0, "avx2": 1, "neon": 2, "scalar": 3}
    run["isa_runs"].sort(key=lambda ir: (rank.get(ir["isa"], 9), ir["isa"]))
    run["shapes"] = load_shapes(run_dir, contexts)
    ctx0 = contexts[0] if contexts else {}
    machine = meta.get("machine") or {}
    run["cpu"] = machine.get("cpu") or ctx0.get("cpu") or "unknown CPU"
    # vnn's CPU line ends with "(vendor), N logical CPUs": keep the model.
    m = re.match(r"(.*?)\s+\((\w+)\),", run["cpu"])
    if m:
        run["cpu"] = m.group(1)
    run["cpu"] = re.sub(r"\s+", " ", run["cpu"]).strip()
    run["logical_cpus"] = machine.get("logical_cpus") or ctx0.get("num_cpus")
    run["threads"] = meta.get("threads") or first_int(ctx0.get("threads"))
    if run["threads"] is None and run["pytorch"]:
        run["threads"] = run["pytorch"][0].get("context", {}).get("threads")
    run["date"] = meta.get("date") or ctx0.get("date") or ""
    run["machine_key"] = "%s | %s CPUs | %s threads" % (
        run["cpu"], run["logical_cpus"], run["threads"])
    return run


def load_runs(results_dir):
    """Every run in results_dir, oldest first (by date, then folder name)."""
    runs = []
    if os.path.isdir(results_dir):
        for name in sorted(os.listdir(results_dir)):
            path = os.path.join(results_dir, name)
            if os.path.isdir(path):
                run = load_run(path)
                if run:
                    runs.append(run)
    runs.sort(key=lambda r: (r["date"], r["id"]))
    return runs


def is_vnn(impl):
    return impl == "vnn" or impl.startswith("vnn_")


def forced_isa(impl):
    return impl[4:] if impl.startswith("vnn_") and impl[4:] in ISAS else None


def peaks(run):
    """({isa: FMA GFLOP/s}, {'read': GB/s, 'copy': GB/s}) measured in the run."""
    fma, membw = {}, {}
    for ir in run["isa_runs"]:
        for name, r in ir["results"].items():
            op, shape, impl = split_name(name)
            if op != "peak" or r.get("value") is None:
                continue
            if shape == "fma":
                fma[impl] = max(fma.get(impl, 0.0), r["value"])
            elif shape == "membw":
                membw[impl] = max(membw.get(impl, 0.0), r["value"])
    return fma, membw


def run_rows(run):
    """One row per benchmark of the run's vnn-bench processes."""
    fma, membw = peaks(run)
    bw = membw.get("copy") or membw.get("read")
    rows = []
    for ir in run["isa_runs"]:
        res = ir["results"]
        for name, r in res.items():
            op, shape, impl = split_name(name)
            row = {
                "key": "%s|%s" % (ir["isa"], name), "isa_run": ir["isa"], "name": name,
                "op": op, "shape": shape, "impl": impl, "metric": r["metric"],
                "unit": UNITS.get(r["metric"], r["metric"] or ""), "value": r["value"],
                "cv": r["cv"], "reps": r["reps"], "label": r["label"],
                "error": r.get("error"), "baselines": {}, "ratio": None,
                "best_baseline": None, "pct_peak": None, "ai": None, "gflops": None,
            }
            if is_vnn(impl) and op != "peak":
                for base in BASELINES:
                    b = res.get("%s/%s/%s" % (op, shape, base))
                    if b and b.get("value") is not None:
                        row["baselines"][base] = b["value"]
                if row["baselines"] and row["value"] is not None:
                    best = max(row["baselines"], key=row["baselines"].get)
                    row["best_baseline"] = best
                    row["ratio"] = row["value"] / row["baselines"][best]
            isa = forced_isa(impl) or ir["isa"]
            if row["value"] is not None and op != "peak":
                if r["metric"] == "GFLOPS" and fma.get(isa):
                    row["pct_peak"] = 100.0 * row["value"] / fma[isa]
                elif r["metric"] == "GBps" and bw:
                    row["pct_peak"] = 100.0 * row["value"] / bw
            flops, nbytes = work(op, shape, r, run["shapes"])
            if flops and nbytes and row["value"] is not None:
                row["ai"] = flops / nbytes
                if r["metric"] == "GFLOPS":
                    row["gflops"] = row["value"]
                elif r["metric"] == "GBps":
                    row["gflops"] = row["value"] * flops / nbytes
            rows.append(row)
    return rows


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


# ---------------------------------------------------------------------------
# The page's data


def ratio_charts(rows):
    """Per op: shapes x (ISA run, baseline) -> vnn / baseline."""
    charts = []
    isa_order = []
    for r in rows:
        if r["isa_run"] not in isa_order:
            isa_order.append(r["isa_run"])
    for op in OP_ORDER:
        vnn_rows = [r for r in rows if r["op"] == op and r["impl"] == "vnn"]
        if not vnn_rows or op == "model":
            continue
        labels = []
        for r in vnn_rows:
            if r["shape"] not in labels:
                labels.append(r["shape"])
        datasets = []
        for isa in isa_order:
            for base in BASELINES:
                data, values = [], []
                for shape in labels:
                    r = next((x for x in vnn_rows if x["isa_run"] == isa and x["shape"] == shape),
                             None)
                    b = r["baselines"].get(base) if r else None
                    ok = r is not None and r["value"] is not None and b
                    data.append(r["value"] / b if ok else None)
                    values.append([r["value"], b] if ok else None)
                if any(d is not None for d in data):
                    datasets.append({"label": "%s: vnn / %s" % (isa, BASELINE_NAMES[base]),
                                     "isa_run": isa, "baseline": base, "data": data,
                                     "values": values})
        unit = vnn_rows[0]["unit"]
        charts.append({"op": op, "title": OP_TITLES.get(op, op), "unit": unit,
                       "labels": labels, "datasets": datasets})
    return charts


def rooflines(run, rows):
    fma, membw = peaks(run)
    bw = membw.get("copy") or membw.get("read")
    out = []
    for ir in run["isa_runs"]:
        isa = ir["isa"]
        series = {}
        for r in rows:
            if (r["isa_run"] != isa or r["ai"] is None or r["gflops"] is None
                    or forced_isa(r["impl"]) or r["op"] in ("peak", "model")):
                continue
            series.setdefault(r["impl"], []).append(
                {"x": r["ai"], "y": r["gflops"], "name": "%s/%s" % (r["op"], r["shape"])})
        if not series:
            continue
        peak = fma.get(isa)
        xs = [p["x"] for pts in series.values() for p in pts]
        lo, hi = min(xs) / 2, max(xs) * 2
        roof = []
        if peak and bw:
            ridge = peak / bw
            lo, hi = min(lo, ridge / 2), max(hi, ridge * 2)
            roof = [{"x": lo, "y": bw * lo}, {"x": ridge, "y": peak}, {"x": hi, "y": peak}]
        elif peak:
            roof = [{"x": lo, "y": peak}, {"x": hi, "y": peak}]
        order = ["vnn", "vnn_packed", "onednn", "openblas"]
        impls = sorted(series, key=lambda i: (order.index(i) if i in order else 99, i))
        out.append({"isa_run": isa, "peak_gflops": peak, "bw_gbps": bw, "roof": roof,
                    "onednn_env": ir["env"].get("ONEDNN_MAX_CPU_ISA"),
                    "series": [{"impl": i, "label": BASELINE_NAMES.get(i, i),
                                "points": series[i]} for i in impls]})
    return out


def models_data(run, rows):
    """Models: samples/s of vnn (vnn-bench per ISA run, and beside PyTorch in
    each comparison) and PyTorch, per benchmark and thread count."""
    labels = []
    for r in rows:
        if r["op"] == "model" and r["shape"] not in labels:
            labels.append(r["shape"])
    for doc in run["pytorch"]:
        for name in doc["benchmarks"]:
            shape = split_name(name)[1] or name
            if shape not in labels:
                labels.append(shape)
    datasets, table, notes = [], [], []
    for doc in run["pytorch"]:
        ctx = doc.get("context") or {}
        t = ctx.get("threads")
        vnn_d, pt_d = [], []
        for shape in labels:
            b = doc["benchmarks"].get("model/" + shape)
            vnn_d.append(b.get("vnn_samples_per_s") if b else None)
            pt_d.append(b.get("pytorch_samples_per_s") if b else None)
            if b:
                table.append({
                    "benchmark": shape, "threads": b.get("threads", t),
                    "vnn": b.get("vnn_samples_per_s"), "vnn_isa": b.get("vnn_isa"),
                    "pytorch": b.get("pytorch_samples_per_s"), "ratio": b.get("ratio"),
                    "pytorch_config": b.get("pytorch_best_config"),
                    "pytorch_isa": b.get("pytorch_isa"), "torch": ctx.get("torch")})
        notes.append("PyTorch %s at %s thread%s: the best of its tuned variants, median of %s "
                     "runs of %s s%s; vnn measured in the same script run (vnn-bench, median)." % (
                         ctx.get("torch") or "?", t, "" if t == 1 else "s", ctx.get("reps", "?"),
                         ctx.get("min_time_s", "?"),
                         (", both sides held to %s (vnn VNN_ISA, PyTorch ATEN_CPU_CAPABILITY)"
                          % ctx["isa_flag"]) if ctx.get("isa_flag") else
                         ", every ATen CPU capability tried"))
        suffix = ", %s thread%s" % (t, "" if t == 1 else "s") if t else ""
        datasets.append({"label": "vnn" + suffix, "kind": "vnn", "data": vnn_d})
        datasets.append({"label": "PyTorch" + suffix, "kind": "pytorch", "data": pt_d})
    threads = run["threads"]
    for isa in [ir["isa"] for ir in run["isa_runs"]]:
        data = []
        for shape in labels:
            r = next((x for x in rows if x["op"] == "model" and x["isa_run"] == isa
                      and x["shape"] == shape and x["impl"] == "vnn"), None)
            data.append(r["value"] if r else None)
        if any(d is not None for d in data):
            datasets.append({"label": "vnn %s (vnn-bench, %s threads)" % (isa, threads),
                             "kind": "vnn-bench", "data": data})
    return {"labels": labels, "datasets": datasets, "comparison": table, "notes": notes}


def accuracy_rows(run):
    out = []
    for m in run["models"]:
        if not isinstance(m, dict):
            continue
        out.append({k: m.get(k) for k in ("model", "accuracy", "correct", "labelled",
                                          "samples_per_s", "batch", "threads", "isa",
                                          "latency_p50_ms", "latency_p99_ms", "error")})
    return out


def history(runs, per_run_rows, latest_rows, threshold):
    """Adds history, previous value, delta and status to latest_rows; returns
    the overview chart (geometric mean of vnn / best baseline per op family
    over the runs) and the regressions."""
    index = [{r["key"]: r for r in rows} for rows in per_run_rows]
    regressions = []
    for row in latest_rows:
        row["history"] = [idx[row["key"]]["value"] if row["key"] in idx else None
                          for idx in index]
        prev = next((v for v in reversed(row["history"][:-1]) if v is not None), None)
        row["prev"] = prev
        row["delta"] = None
        row["status"] = "new" if prev is None else "same"
        if prev and row["value"] is not None:
            row["delta"] = row["value"] / prev - 1.0
            if row["delta"] < -threshold:
                row["status"] = "slower"
            elif row["delta"] > threshold:
                row["status"] = "faster"
        row["regression"] = (row["status"] == "slower" and is_vnn(row["impl"])
                             and row["op"] != "peak")
        if row["regression"]:
            regressions.append(row["key"])
    datasets = []
    for op in OP_ORDER:
        data = []
        for rows in per_run_rows:
            data.append(geomean([r["ratio"] for r in rows
                                 if r["op"] == op and r["impl"] == "vnn" and r["ratio"]]))
        if any(d is not None for d in data):
            datasets.append({"label": OP_TITLES[op], "op": op, "data": data})
    return {"datasets": datasets}, regressions


def run_summary(run):
    meta = run["meta"]
    return {"id": run["id"], "date": run["date"], "commit": meta.get("git_commit"),
            "dirty": meta.get("git_dirty"), "preset": meta.get("preset")}


def machine_context(run):
    meta = run["meta"]
    fma, membw = peaks(run)
    ctx = {
        "cpu": run["cpu"], "logical_cpus": run["logical_cpus"], "threads": run["threads"],
        "features": (meta.get("machine") or {}).get("features"),
        "isas_usable": meta.get("isas_usable"),
        "isa_runs": [{"isa": ir["isa"], "env": ir["env"],
                      "vnn_isa": ir["context"].get("vnn_isa"),
                      "gemm_ukernel": ir["context"].get("vnn_gemm_ukernel"),
                      "openblas_core": ir["context"].get("openblas_core"),
                      "load_avg": ir["context"].get("load_avg")} for ir in run["isa_runs"]],
        "fma_peak_gflops": fma, "membw_gbps": membw,
        "versions": dict(meta.get("versions") or {}),
        "hostname": meta.get("hostname"), "date": run["date"],
        "git_commit": meta.get("git_commit"), "git_dirty": meta.get("git_dirty"),
        "preset": meta.get("preset"), "command": meta.get("command"),
    }
    v = ctx["versions"]
    for ir in run["isa_runs"]:
        c = ir["context"]
        v.setdefault("oneDNN", c.get("onednn_version"))
        v.setdefault("OpenBLAS", c.get("openblas_config"))
    for doc in run["pytorch"]:
        v.setdefault("PyTorch", (doc.get("context") or {}).get("torch"))
    ctx["versions"] = {k: x for k, x in v.items() if x}
    return ctx


def build(results_dir, threshold=0.05):
    """The page's data from a results folder (see the module doc)."""
    runs = load_runs(results_dir)
    data = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "results_dir": os.path.abspath(results_dir), "threshold": threshold,
        "machine": None, "run": None, "runs": [], "other_runs": 0, "rows": [],
        "ratio_charts": [], "rooflines": [], "models": {"labels": [], "datasets": [],
                                                       "comparison": [], "notes": []},
        "accuracy": [], "history": {"datasets": []}, "regressions": [], "warnings": [],
        "notes": NOTES,
    }
    if not runs:
        data["warnings"].append("no results in %s yet: run tools/bench-all.sh" % results_dir)
        return data
    latest = runs[-1]
    same = [r for r in runs if r["machine_key"] == latest["machine_key"]]
    data["other_runs"] = len(runs) - len(same)
    per_run_rows = [run_rows(r) for r in same]
    rows = per_run_rows[-1]
    overview, regressions = history(same, per_run_rows, rows, threshold)
    data.update({
        "machine": machine_context(latest), "run": run_summary(latest),
        "runs": [run_summary(r) for r in same], "rows": rows,
        "ratio_charts": ratio_charts(rows), "rooflines": rooflines(latest, rows),
        "models": models_data(latest, rows), "accuracy": accuracy_rows(latest),
        "history": overview, "regressions": regressions,
    })
    data["history"]["labels"] = [r["id"] for r in same]
    for w in latest.get("warnings", []):
        data["warnings"].append(w)
    for r in rows:
        if r["error"]:
            data["warnings"].append("%s %s failed: %s" % (r["isa_run"], r["name"], r["error"]))
    # Other work on the machine: the load average when the first vnn-bench
    # process started (the 1-minute average also holds whatever ran just
    # before, a build for instance).
    cpus = latest["logical_cpus"] or 1
    load = ((latest["isa_runs"][0]["context"].get("load_avg") or [None])[0]
            if latest["isa_runs"] else None)
    if isinstance(load, (int, float)) and load > 1.5 * cpus:
        data["warnings"].append(
            "the machine was busy: load average %.1f on %d CPUs when the benchmarks started; "
            "other work competed for the cores, so the numbers (and any regression) are "
            "unreliable" % (load, cpus))
    # A kernel faster than the FMA peak measured beside it: that measurement
    # was disturbed (or the peak benchmark misses a trick).
    above = [r for r in rows if r["metric"] == "GFLOPS" and (r["pct_peak"] or 0) > 110]
    if above:
        top = max(above, key=lambda r: r["pct_peak"])
        data["warnings"].append(
            "%d benchmark(s) ran above the FMA peak measured in the same run (up to %.0f%%, %s %s): "
            "that peak measurement was low, so '%% of peak' and the roofs are too"
            % (len(above), top["pct_peak"], top["isa_run"], top["name"]))
    # A drop of the machine's own peaks in the same run: outside load.
    peak_drops = [r for r in rows if r["op"] == "peak" and r["status"] == "slower"]
    if peak_drops:
        data["warnings"].append(
            "the machine's own peaks dropped too (%s): regressions may be outside load"
            % ", ".join("%s %+.0f%%" % (r["name"], 100 * r["delta"]) for r in peak_drops))
    for m in data["accuracy"]:
        if m.get("error"):
            data["warnings"].append("vnn run %s: %s" % (m.get("model"), m["error"]))
    return data


# ---------------------------------------------------------------------------
# Output


def fmt(x, digits=3):
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return "%.0f" % x
    return "%.*g" % (digits, x)


def summary_text(data, page=None):
    """A short text summary: per benchmark vnn, baseline, ratio, % of peak."""
    out = []
    if not data["run"]:
        out.append("no results yet (%s)" % data["results_dir"])
        if page:
            out.append("page: %s" % page)
        return "\n".join(out) + "\n"
    m, run = data["machine"], data["run"]
    commit = (run.get("commit") or "?")[:10] + (" (modified)" if run.get("dirty") else "")
    out.append("vnn benchmarks, run %s (%s preset, commit %s), %d run(s) of this machine"
               % (run["id"], run.get("preset") or "?", commit, len(data["runs"])))
    out.append("%s, %s threads" % (m["cpu"], m["threads"]))
    fma = ", ".join("%s %s" % (k, fmt(v)) for k, v in sorted(m["fma_peak_gflops"].items()))
    bw = ", ".join("%s %s" % (k, fmt(v)) for k, v in sorted(m["membw_gbps"].items()))
    out.append("FMA peak GFLOP/s: %s; memory GB/s: %s" % (fma or "-", bw or "-"))
    for isa in [x["isa"] for x in m["isa_runs"]]:
        env = next(x["env"] for x in m["isa_runs"] if x["isa"] == isa)
        out.append("")
        out.append("ISA %s%s" % (isa, " (" + " ".join("%s=%s" % kv for kv in env.items()) + ")"
                                 if env else ""))
        out.append("  %-36s %12s %-10s %12s %7s %7s" % ("benchmark", "vnn", "unit", "baseline",
                                                       "ratio", "% peak"))
        for r in data["rows"]:
            if r["isa_run"] != isa or r["impl"] != "vnn":
                continue
            base = ("%s %s" % (BASELINE_NAMES[r["best_baseline"]], fmt(r["baselines"][r["best_baseline"]]))
                    if r["best_baseline"] else "-")
            flag = "  REGRESSION %+.1f%%" % (100 * r["delta"]) if r.get("regression") else ""
            out.append("  %-36s %12s %-10s %12s %7s %7s%s" % (
                "%s/%s" % (r["op"], r["shape"]), fmt(r["value"]), r["unit"], base,
                "%.2fx" % r["ratio"] if r["ratio"] else "-",
                "%.0f%%" % r["pct_peak"] if r["pct_peak"] is not None else "-", flag))
    if data["models"]["comparison"]:
        out.append("")
        out.append("models vs PyTorch (samples/s)")
        for c in data["models"]["comparison"]:
            out.append("  %-24s %2s thr  vnn %10s  PyTorch %10s  %s" % (
                c["benchmark"], c["threads"], fmt(c["vnn"]), fmt(c["pytorch"]),
                "%.2fx" % c["ratio"] if c["ratio"] else "-"))
    if data["accuracy"]:
        out.append("")
        out.append("models on their test data")
        for a in data["accuracy"]:
            if a.get("error"):
                out.append("  %-12s %s" % (a["model"], a["error"]))
            else:
                out.append("  %-12s accuracy %s%%  %s samples/s" % (
                    a["model"], fmt(a.get("accuracy"), 4), fmt(a.get("samples_per_s"))))
    regs = [r for r in data["rows"] if r.get("regression")]
    out.append("")
    if len(data["runs"]) < 2:
        out.append("no earlier run of this machine: nothing to compare yet")
    else:
        prev = data["runs"][-2]["id"]
        out.append("%d regression(s) beyond %g%% against the previous run (%s)"
                   % (len(regs), 100 * data["threshold"], prev))
        for r in regs:
            out.append("  %s %s: %s -> %s %s (%+.1f%%)" % (
                r["isa_run"], r["name"], fmt(r["prev"]), fmt(r["value"]), r["unit"],
                100 * r["delta"]))
    for w in data["warnings"]:
        out.append("warning: %s" % w)
    if page:
        out.append("page: %s" % page)
    return "\n".join(out) + "\n"


def script_json(data):
    """JSON safe inside <script type=application/json>."""
    s = json.dumps(data, separators=(",", ":"), allow_nan=False, default=str)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(data, chartjs_path=CHARTJS):
    with open(os.path.join(HERE, "page.html")) as f:
        page = f.read()
    with open(os.path.join(HERE, "page.js")) as f:
        js = f.read()
    try:
        with open(chartjs_path) as f:
            chartjs = f.read()
    except OSError:
        raise SystemExit("dashboard: no %s; install it: (cd %s && npm ci)"
                         % (chartjs_path, os.path.relpath(HERE)))
    for name, text in (("CHARTJS", chartjs), ("PAGEJS", js)):
        if "</script" in text.lower():
            raise SystemExit("dashboard: %s holds '</script'" % name)
    title = "vnn benchmarks"
    if data["machine"]:
        title += " \u2014 " + re.sub(r"\s+", " ", data["machine"]["cpu"])
    parts = {"@TITLE@": title.replace("&", "&amp;").replace("<", "&lt;"),
             "/*@CHARTJS@*/": chartjs, "/*@PAGEJS@*/": js, "@DATA@": script_json(data)}
    # One pass, so no inserted text is searched for the next marker.
    pattern = re.compile("|".join(re.escape(k) for k in parts))
    return pattern.sub(lambda m: parts[m.group(0)], page)


def finite(data):
    """NaN and infinities (a zero baseline) as None, for strict JSON."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [finite(v) for v in data]
    return data


def generate(results_dir, out, threshold=0.05, chartjs_path=CHARTJS):
    data = finite(build(results_dir, threshold))
    html = render(data, chartjs_path)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(html)
    os.replace(tmp, out)
    return data


# ---------------------------------------------------------------------------
# record: the machine context of a run


def command_output(cmd, cwd=None):
    try:
        return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def parse_vnn_info(text):
    info = {}
    for line in text.splitlines():
        if line.startswith("vnn "):
            info["version"] = line.split()[1]
        m = re.match(r"(\w+):\s+(.*)", line)
        if m:
            info[m.group(1)] = m.group(2).strip()
    return info


def record(run_dir, preset=None, build_dir="build", argv=None):
    """Writes run_dir/run.json: the machine context next to the results."""
    info = parse_vnn_info(open(os.path.join(run_dir, "info.txt")).read()
                          if os.path.isfile(os.path.join(run_dir, "info.txt")) else "")
    cpuinfo = ""
    try:
        cpuinfo = open("/proc/cpuinfo").read()
    except OSError:
        pass
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    flags = re.search(r"^flags\s*:\s*(.*)$", cpuinfo, re.M)
    simd = sorted(f for f in (flags.group(1).split() if flags else [])
                  if re.match(r"(sse4_2|avx|avx2|fma|avx512\w*|amx\w*)$", f))
    versions = {"vnn": info.get("version")}
    for pkg, label in (("libdnnl2.6", "oneDNN (Debian)"), ("libopenblas0-pthread", "OpenBLAS (Debian)"),
                       ("libopenblas0", "OpenBLAS (Debian)"), ("python3-torch", "PyTorch (Debian)"),
                       ("libbenchmark1debian", "Google Benchmark (Debian)")):
        v = command_output(["dpkg-query", "-W", "-f=${Version}", pkg]).strip()
        if v and label not in versions:
            versions[label] = v
    commit = command_output(["git", "rev-parse", "HEAD"], cwd=REPO).strip()
    dirty = bool(command_output(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=REPO).strip())
    threads = first_int(info.get("threads"))
    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "hostname": os.uname().nodename, "preset": preset, "command": argv,
        "machine": {"cpu": info.get("cpu", (model.group(1) if model else "unknown")),
                    "cpu_model_name": model.group(1) if model else None,
                    "logical_cpus": os.cpu_count(), "features": info.get("features"),
                    "cpuinfo_simd_flags": " ".join(simd)},
        "isas_usable": info.get("usable"), "isa_selected": info.get("isa"),
        "threads": threads, "versions": {k: v for k, v in versions.items() if v},
        "git_commit": commit or None, "git_dirty": dirty, "build_dir": build_dir,
    }
    # vnn info's cpu line ends with the vendor and core count: keep the model.
    m = re.match(r"(.*?)\s+\((\w+)\),", meta["machine"]["cpu"] or "")
    if m:
        meta["machine"]["cpu"] = re.sub(r"\s+", " ", m.group(1)).strip()
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write the page (and print the summary)")
    g.add_argument("--results", default="build/results", help="results folder")
    g.add_argument("--out", default="build/dashboard/index.html", help="the page")
    g.add_argument("--threshold", type=float, default=5.0,
                   help="regression threshold in percent (default 5)")
    g.add_argument("--chartjs", default=CHARTJS, help="Chart.js UMD build to inline")
    g.add_argument("--summary", action="store_true", help="print the text summary")
    g.add_argument("--data", help="also write the page's data as JSON here")
    s = sub.add_parser("summary", help="print the text summary only")
    s.add_argument("--results", default="build/results")
    s.add_argument("--threshold", type=float, default=5.0)
    r = sub.add_parser("record", help="write RUN_DIR/run.json (machine context)")
    r.add_argument("run_dir")
    r.add_argument("--preset")
    r.add_argument("--build", default="build")
    r.add_argument("--argv", nargs=argparse.REMAINDER, default=None)
    a = ap.parse_args(argv)
    if a.cmd == "generate":
        data = generate(a.results, a.out, a.threshold / 100.0, a.chartjs)
        if a.data:
            with open(a.data, "w") as f:
                json.dump(data, f, indent=1)
        if a.summary:
            sys.stdout.write(summary_text(data, os.path.abspath(a.out)))
        else:
            print("page: %s" % os.path.abspath(a.out))
    elif a.cmd == "summary":
        sys.stdout.write(summary_text(finite(build(a.results, a.threshold / 100.0))))
    else:
        record(a.run_dir, a.preset, a.build, a.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
