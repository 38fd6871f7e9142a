#!/usr/bin/env python3
"""The closing table of the convolution/pooling issue from vnn-bench JSON.

  VNN_NUM_THREADS=1 OMP_NUM_THREADS=1 build/bench/vnn-bench \
      --benchmark_filter='peak|conv|pool' --benchmark_repetitions=5 \
      --benchmark_report_aggregates_only=true \
      --benchmark_enable_random_interleaving=true \
      --benchmark_format=json > t1.json
  VNN_NUM_THREADS=2 OMP_NUM_THREADS=2 build/bench/vnn-bench \
      --benchmark_filter='conv/r50_.*_3x3' ... --benchmark_format=json > t2.json
  tools/conv-pool-table.py [--t2 t2.json] [--pool-shapes FILE] t1.json [t1b.json ...]

Medians of the repetitions. Rates of single-thread runs are divided by CPU
time, not wall-clock time (the benchmarks' own counters): on a machine
shared with other jobs the wall clock also counts the time the thread was
descheduled, which differs from one benchmark to the next; the wall-clock
ratio is shown beside it. % of peak divides by peak/fma/avx512 of the same
run, measured the same way. Pool bandwidth: cold shapes (label "cold") are
compared with the bandwidth a read+copy mix of the same bytes reaches: the
input's excess over the output read at peak/membw/read, the rest at
peak/membw/copy. The 2-thread table (second file) uses wall-clock rates.
Without --benchmark_report_aggregates_only the files also hold each
repetition: then the medians are taken over the repetitions of all the
single-thread files given, and a column gives the ratio of the best
repetitions (CPU time): other jobs can only slow a repetition down."""
import statistics
import json
import re
import sys

TARGETS = [("seed", 1.2), ("r50_", 0.95), ("mbv1_dw", 1.0), ("", 1.0)]  # first prefix wins


def target_of(label):
    return next(t for prefix, t in TARGETS if label.startswith(prefix))


def file_labels(path):
    with open(path) as f:
        return [line.split()[0] for line in f if line.split("#")[0].split()]


def medians(paths):
    out, reps = {}, {}
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data["benchmarks"]:
            name = re.sub(r"/real_time$", "", b["run_name"])
            rate = b.get("GFLOPS", b.get("GBps"))
            cpu_rate = rate * b["real_time"] / b["cpu_time"]
            if b.get("run_type") == "iteration":
                reps.setdefault(name, []).append((rate, cpu_rate, b.get("label", "")))
            elif b.get("aggregate_name") == "median":
                out[name] = {"rate": rate, "cpu_rate": cpu_rate, "label": b.get("label", ""),
                             "best": None, "n": None}
    for name, r in reps.items():
        out[name] = {"rate": statistics.median(x[0] for x in r),
                     "cpu_rate": statistics.median(x[1] for x in r), "label": r[0][2],
                     "best": max(x[1] for x in r), "best_wall": max(x[0] for x in r),
                     "n": len(r)}
    return out


def pool_bytes(path):
    sizes = {}
    with open(path) as f:
        for line in f:
            fields = line.split("#")[0].split()
            if not fields:
                continue
            label, op, nums = fields[0], fields[1], [int(v) for v in fields[2:]]
            n, h, w, c = nums[:4]
            if op == "gap":
                oh = ow = 1
            else:
                k, s, p = nums[4:7]
                oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            sizes[label] = (4 * n * h * w * c, 4 * n * oh * ow * c)
    return sizes


def main():
    args, t1_files, t2_files = sys.argv[1:], [], []
    pool_txt = "bench/shapes/pool.txt"
    while args:
        a = args.pop(0)
        if a == "--t2":
            t2_files.append(args.pop(0))
        elif a == "--pool-shapes":
            pool_txt = args.pop(0)
        else:
            t1_files.append(a)
    t1 = medians(t1_files)
    t2 = medians(t2_files) if t2_files else {}
    n = {v["n"] for v in t1.values()}
    print(f"Single thread: medians of {'/'.join(str(x) for x in sorted(n, key=str))} "
          f"repetitions per benchmark ({len(t1_files)} run(s)).")
    sizes = pool_bytes(pool_txt)
    peak = t1.get("peak/fma/avx512", {}).get("cpu_rate")
    rd = t1.get("peak/membw/read", {}).get("cpu_rate")
    cp = t1.get("peak/membw/copy", {}).get("cpu_rate")
    fmt = lambda v: f"{v:.1f}" if v else "(not run)"
    print(f"FMA peak (peak/fma/avx512, 1 thread): {fmt(peak)} GFLOP/s; memory: read "
          f"{fmt(rd)} GB/s, copy {fmt(cp)} GB/s (1 thread)\n")
    has_best = all(v.get("best") for v in t1.values())
    print("| label | vnn | oneDNN | ratio | ratio (wall clock) |"
          + (" ratio (best reps) |" if has_best else "")
          + " % of peak (vnn / oneDNN) | target | met? |")
    print("|---|---|---|---|---|" + ("---|" if has_best else "") + "---|---|---|")
    shapes_dir = pool_txt.rsplit("/", 1)[0] if "/" in pool_txt else "."
    labels = [("conv", l) for l in file_labels(shapes_dir + "/conv.txt")]
    labels += [("pool", l) for l in file_labels(pool_txt)]
    for op, label in labels:
        v, d = t1.get(f"{op}/{label}/vnn"), t1.get(f"{op}/{label}/onednn")
        if not v or not d or not peak or not rd or not cp:
            continue
        ratio, wratio = v["cpu_rate"] / d["cpu_rate"], v["rate"] / d["rate"]
        target = target_of(label)
        unit = "GB/s" if op == "pool" else "GFLOP/s"
        met = ratio >= target
        if op == "conv":
            pct = f"{100 * v['cpu_rate'] / peak:.0f}% / {100 * d['cpu_rate'] / peak:.0f}%"
        elif "cold" in v["label"] and label in sizes:
            r, w = sizes[label]
            mix = (r + w) / ((r - w) / rd + 2 * w / cp)
            pct = (f"{100 * v['cpu_rate'] / mix:.0f}% / {100 * d['cpu_rate'] / mix:.0f}% of "
                   f"{mix:.1f} GB/s (cold)")
            met = met and v["cpu_rate"] >= 0.7 * mix
            target = f"{target}x, >= 70% BW"
        else:
            pct = "warm (fits LLC)"
        bcol = f" {v['best'] / d['best']:.2f}x |" if has_best else ""
        print(f"| {label} | {v['cpu_rate']:.1f} {unit} | {d['cpu_rate']:.1f} | {ratio:.2f}x "
              f"| {wratio:.2f}x |{bcol} {pct} | {target if isinstance(target, str) else f'{target}x'} "
              f"| {'yes' if met else 'NO'} |")
    if t2:
        print("\n| label (2 threads, wall clock) | vnn 1T | vnn 2T | speed-up "
              "| speed-up (best reps) | oneDNN 2T | oneDNN speed-up | target | met? |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, v2 in sorted(t2.items()):
            m = re.match(r"conv/(.+)/vnn$", name)
            if not m or name not in t1:
                continue
            s = v2["rate"] / t1[name]["rate"]
            sb = (f"{v2['best_wall'] / t1[name]['best_wall']:.2f}x"
                  if v2.get("best_wall") and t1[name].get("best_wall") else "-")
            d1, d2 = t1.get(f"conv/{m.group(1)}/onednn"), t2.get(f"conv/{m.group(1)}/onednn")
            ds = f"{d2['rate'] / d1['rate']:.2f}x" if d1 and d2 else "-"
            dr = f"{d2['rate']:.1f}" if d2 else "-"
            print(f"| {m.group(1)} | {t1[name]['rate']:.1f} | {v2['rate']:.1f} | {s:.2f}x "
                  f"| {sb} | {dr} | {ds} | 1.8x | {'yes' if s >= 1.8 else 'NO'} |")


if __name__ == "__main__":
    main()
