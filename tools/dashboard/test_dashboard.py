#!/usr/bin/python3
"""Unit tests of the dashboard generator on the fixed results in fixtures/
(see fixtures/make-fixtures.py for what each holds). Prints TAP.

    /usr/bin/python3 tools/dashboard/test_dashboard.py [-v]
"""
import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dashboard  # noqa: E402

FIX = os.path.join(HERE, "fixtures")


def fixture(name):
    return os.path.join(FIX, name)


def row(data, key):
    rows = [r for r in data["rows"] if r["key"] == key]
    assert len(rows) == 1, "%s: %d rows" % (key, len(rows))
    return rows[0]


class Helpers(unittest.TestCase):
    def test_names(self):
        self.assertEqual(dashboard.strip_suffixes("gemm/1x2x3/vnn/real_time"), "gemm/1x2x3/vnn")
        self.assertEqual(dashboard.strip_suffixes("model/cnn_b1/vnn/repeats:3/real_time"),
                         "model/cnn_b1/vnn")
        self.assertEqual(dashboard.split_name("gemm/1x2x3/vnn"), ("gemm", "1x2x3", "vnn"))
        self.assertEqual(dashboard.split_name("peak/membw/copy"), ("peak", "membw", "copy"))
        self.assertEqual(dashboard.split_name("a/b/c/d"), ("a", "b/c", "d"))
        self.assertTrue(dashboard.is_vnn("vnn_packed"))
        self.assertFalse(dashboard.is_vnn("onednn"))
        self.assertEqual(dashboard.forced_isa("vnn_avx2"), "avx2")
        self.assertIsNone(dashboard.forced_isa("vnn_packed"))

    def test_parse_iterations_and_aggregates(self):
        doc = {"benchmarks": [
            {"name": "x/1/vnn/real_time", "run_name": "x/1/vnn/real_time", "run_type": "iteration",
             "real_time": 2.0, "time_unit": "us", "GFLOPS": v, "label": "L"} for v in (1.0, 3.0, 2.0)]}
        r = dashboard.parse_gbench(doc)["x/1/vnn"]
        self.assertEqual((r["metric"], r["value"], r["reps"], r["label"]), ("GFLOPS", 2.0, 3, "L"))
        self.assertAlmostEqual(r["cv"], 0.5)
        self.assertEqual(r["time_ns"], 2000.0)
        doc["benchmarks"].append({"name": "x/1/vnn/real_time_median", "run_name": "x/1/vnn/real_time",
                                  "run_type": "aggregate", "aggregate_name": "median",
                                  "real_time": 1.0, "time_unit": "ms", "GFLOPS": 2.5})
        r = dashboard.parse_gbench(doc)["x/1/vnn"]
        self.assertEqual((r["value"], r["time_ns"]), (2.5, 1e6))

    def test_parse_error(self):
        doc = {"benchmarks": [{"name": "x/1/vnn/real_time", "run_type": "iteration",
                               "error_occurred": True, "error_message": "boom",
                               "real_time": 0, "iterations": 0}]}
        r = dashboard.parse_gbench(doc)["x/1/vnn"]
        self.assertEqual(r["error"], "boom")
        self.assertIsNone(r["value"])

    def test_work_formulas(self):
        shapes = {"conv": {"c": {"N": 64, "H": 13, "W": 13, "Cin": 32, "Cout": 64, "KH": 3, "KW": 3,
                                 "stride": 1, "pad": 0, "groups": 1}},
                  "pool": {"p": {"kind": "max", "N": 64, "H": 26, "W": 26, "C": 32, "K": 2,
                                 "stride": 2, "pad": 0}},
                  "lstm": {"l": {"N": 64, "T": 100, "I": 64, "H": 64, "D": 2}},
                  "attention": {"a": {"N": 1, "Sq": 2048, "Sk": 2048, "H": 8, "Hkv": 8, "D": 64,
                                      "causal": 1}}}
        f, b = dashboard.work("gemm", "512x512x512", {}, shapes)
        self.assertEqual((f, b), (2.0 * 512 ** 3, 4.0 * 3 * 512 ** 2))
        f, b = dashboard.work("conv", "c", {}, shapes)
        self.assertEqual(f, 2.0 * 64 * 11 * 11 * 3 * 3 * 32 * 64)
        self.assertEqual(b, 4.0 * (64 * 13 * 13 * 32 + 3 * 3 * 32 * 64 + 64 + 64 * 11 * 11 * 64))
        f, b = dashboard.work("pool", "p", {}, shapes)
        self.assertEqual((f, b), (64.0 * 13 * 13 * 32 * 4, 4.0 * 64 * 32 * (26 * 26 + 13 * 13)))
        f, _ = dashboard.work("lstm", "l", {}, shapes)
        self.assertEqual(f, 2.0 * 100 * 64 * 256 * 128 * 2)  # bench-lstm.c's count
        f, b = dashboard.work("attention", "a", {}, shapes)
        self.assertEqual(f, 4.0 * 2048 * 2048 * 64 * 8 / 2)
        self.assertEqual(b, 4.0 * 4 * 2048 * 8 * 64)
        f, b = dashboard.work("ops", "add_512x768", {}, shapes)
        self.assertEqual((f, b), (512.0 * 768, 12.0 * 512 * 768))
        # Unknown shape: what the benchmark counted (rate x time per call).
        f, b = dashboard.work("conv", "unknown", {"metric": "GFLOPS", "value": 2.0,
                                                  "time_ns": 1e6}, shapes)
        self.assertEqual((f, b), (2e6, None))

    def test_script_json_escapes(self):
        s = dashboard.script_json({"label": "</script><b>&"})
        self.assertNotIn("<", s)
        self.assertEqual(json.loads(s)["label"], "</script><b>&")

    def test_finite(self):
        self.assertEqual(dashboard.finite({"a": [float("inf"), 1.0, float("nan")]}),
                         {"a": [None, 1.0, None]})

    def test_record(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "info.txt"), "w") as f:
                f.write("vnn 0.1.0\ncpu:       Test CPU 9000      (AuthenticAMD), 2 logical cores\n"
                        "features:  avx2 avx512f\nusable:    scalar avx2 avx512\n"
                        "isa:       avx512 (best available)\nthreads:   2\n")
            meta = dashboard.record(d, "quick", "build", ["tools/bench-all.sh"])
            self.assertEqual(meta["machine"]["cpu"], "Test CPU 9000")
            self.assertEqual((meta["threads"], meta["isas_usable"], meta["versions"]["vnn"]),
                             (2, "scalar avx2 avx512", "0.1.0"))
            self.assertEqual(json.load(open(os.path.join(d, "run.json")))["preset"], "quick")


class Empty(unittest.TestCase):
    def test_build(self):
        data = dashboard.build(fixture("empty"))
        self.assertIsNone(data["run"])
        self.assertEqual((data["rows"], data["runs"], data["regressions"]), ([], [], []))
        self.assertTrue(any("no results" in w for w in data["warnings"]))

    def test_run_without_results_is_ignored(self):
        with tempfile.TemporaryDirectory() as d:
            shutil.copytree(os.path.join(fixture("single"), "20260101-120000"),
                            os.path.join(d, "20260101-120000"))
            os.makedirs(os.path.join(d, "20260102-120000"))   # stopped before any result
            with open(os.path.join(d, "20260102-120000", "run.json"), "w") as f:
                json.dump({"date": "2026-01-02T12:00:00+00:00"}, f)
            data = dashboard.build(d)
            self.assertEqual([r["id"] for r in data["runs"]], ["20260101-120000"])

    def test_cpu_name_from_the_benchmark_context(self):
        with tempfile.TemporaryDirectory() as d:
            run = os.path.join(d, "20260101-120000")
            shutil.copytree(os.path.join(fixture("single"), "20260101-120000"), run)
            os.remove(os.path.join(run, "run.json"))
            data = dashboard.build(d)
            self.assertEqual(data["machine"]["cpu"], "Test CPU 9000")

    def test_missing_folder(self):
        data = dashboard.build(fixture("no-such-folder"))
        self.assertIsNone(data["run"])

    def test_summary_and_page(self):
        data = dashboard.build(fixture("empty"))
        self.assertIn("no results yet", dashboard.summary_text(data))
        with tempfile.TemporaryDirectory() as d:
            page = self.generate(d)
            self.assertIn('"run":null', page)

    def generate(self, d):
        out = os.path.join(d, "index.html")
        chartjs = os.path.join(d, "chart.js")
        with open(chartjs, "w") as f:
            f.write("/* stand-in for Chart.js */")
        dashboard.generate(fixture("empty"), out, chartjs_path=chartjs)
        return open(out).read()


class Single(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = dashboard.build(fixture("single"))

    def test_one_run_no_history(self):
        d = self.data
        self.assertEqual(len(d["runs"]), 1)
        self.assertEqual(d["regressions"], [])
        self.assertTrue(all(r["status"] == "new" and r["prev"] is None and r["delta"] is None
                            for r in d["rows"]))
        self.assertIn("no earlier run", dashboard.summary_text(d))

    def test_ratios_and_peak(self):
        r = row(self.data, "avx512|gemm/512x512x512/vnn")
        self.assertEqual(r["baselines"], {"onednn": 140.0, "openblas": 120.0})
        self.assertEqual(r["best_baseline"], "onednn")
        self.assertAlmostEqual(r["ratio"], 150 / 140)
        self.assertAlmostEqual(r["pct_peak"], 75.0)             # of peak/fma/avx512 = 200
        self.assertAlmostEqual(r["ai"], 512 / 6)
        r = row(self.data, "avx512|gemm/512x512x512/vnn_avx2")
        self.assertAlmostEqual(r["pct_peak"], 80.0)             # of peak/fma/avx2 = 100
        r = row(self.data, "avx512|pool/max2x2_seed_b64/vnn")
        self.assertAlmostEqual(r["pct_peak"], 100 * 35 / 30)    # of peak/membw/copy
        self.assertAlmostEqual(r["ai"], 0.2)
        self.assertAlmostEqual(r["gflops"], 7.0)
        r = row(self.data, "avx512|ops/softmax_1024x512/vnn")
        self.assertAlmostEqual(r["ai"], 14 / 8)
        r = row(self.data, "avx512|peak/fma/avx512")
        self.assertIsNone(r["ratio"])
        self.assertIsNone(r["pct_peak"])

    def test_roofline(self):
        (rf,) = self.data["rooflines"]
        self.assertEqual((rf["isa_run"], rf["peak_gflops"], rf["bw_gbps"]), ("avx512", 200.0, 30.0))
        counts = {s["impl"]: len(s["points"]) for s in rf["series"]}
        self.assertEqual(counts, {"vnn": 11, "onednn": 11, "openblas": 2})
        self.assertEqual(len(rf["roof"]), 3)
        self.assertAlmostEqual(rf["roof"][1]["x"], 200 / 30)

    def test_ratio_charts(self):
        charts = {c["op"]: c for c in self.data["ratio_charts"]}
        self.assertEqual(list(charts), ["gemm", "conv", "pool", "lstm", "attention", "ops"])
        g = charts["gemm"]
        self.assertEqual(g["labels"], ["512x512x512", "1x1024x1024"])
        self.assertEqual([d["label"] for d in g["datasets"]],
                         ["avx512: vnn / oneDNN", "avx512: vnn / OpenBLAS"])
        self.assertAlmostEqual(g["datasets"][1]["data"][1], 2.0)

    def test_busy_machine_warning(self):
        self.assertFalse(any("machine was busy" in w for w in self.data["warnings"]))
        with tempfile.TemporaryDirectory() as d:
            run = os.path.join(d, "20260101-120000")
            shutil.copytree(os.path.join(fixture("single"), "20260101-120000"), run)
            path = os.path.join(run, "bench-avx512.json")
            doc = json.load(open(path))
            doc["context"]["load_avg"] = [3.5, 2.0, 1.0]
            json.dump(doc, open(path, "w"))
            warnings = dashboard.build(d)["warnings"]
            self.assertTrue(any("load average 3.5 on 2 CPUs" in w for w in warnings), warnings)
            for b in doc["benchmarks"]:
                if b["name"].startswith("peak/fma/avx512/"):
                    b["GFLOPS"] = 100.0
            json.dump(doc, open(path, "w"))
            warnings = dashboard.build(d)["warnings"]
            self.assertIn("5 benchmark(s) ran above the FMA peak measured in the same run (up to 150%, "
                          "avx512 gemm/512x512x512/vnn)", " ".join(warnings))

    def test_no_peak_warning(self):
        self.assertFalse(any("above the FMA peak" in w for w in self.data["warnings"]))

    def test_models_without_pytorch(self):
        m = self.data["models"]
        self.assertEqual(m["labels"], ["cnn_b1", "transformer_b1_t128"])
        self.assertEqual([d["label"] for d in m["datasets"]], ["vnn avx512 (vnn-bench, 2 threads)"])
        self.assertEqual(m["comparison"], [])


class MissingBaseline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = dashboard.build(fixture("missing-baseline"))

    def test_no_baseline(self):
        r = row(self.data, "avx512|conv/seed2_b64/vnn")
        self.assertEqual((r["baselines"], r["best_baseline"], r["ratio"]), ({}, None, None))
        self.assertIsNotNone(r["pct_peak"])

    def test_other_baseline_kept(self):
        r = row(self.data, "avx512|gemm/512x512x512/vnn")
        self.assertEqual((r["best_baseline"], r["ratio"]), ("openblas", 150 / 120))

    def test_failed_benchmark(self):
        r = row(self.data, "avx512|attention/s512/vnn")
        self.assertEqual((r["error"], r["value"], r["ratio"]), ("vnn_attention failed", None, None))
        self.assertTrue(any("attention/s512/vnn failed" in w for w in self.data["warnings"]))

    def test_charts_leave_gaps(self):
        conv = next(c for c in self.data["ratio_charts"] if c["op"] == "conv")
        (ds,) = conv["datasets"]
        self.assertIsNone(ds["data"][0])
        self.assertAlmostEqual(ds["data"][1], 110 / 130)
        gemm = next(c for c in self.data["ratio_charts"] if c["op"] == "gemm")
        onednn = next(d for d in gemm["datasets"] if d["baseline"] == "onednn")
        self.assertEqual(onednn["data"][0], None)

    def test_summary_and_page(self):
        text = dashboard.summary_text(self.data)
        line = next(x for x in text.splitlines() if "conv/seed2_b64" in x)
        self.assertRegex(line, r"GFLOP/s\s+-\s+-")
        with tempfile.TemporaryDirectory() as d:
            chartjs = os.path.join(d, "chart.js")
            open(chartjs, "w").write("/* stand-in */")
            dashboard.generate(fixture("missing-baseline"), os.path.join(d, "i.html"), 0.05, chartjs)


class History(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = dashboard.build(fixture("history"))

    def test_same_machine_only(self):
        d = self.data
        self.assertEqual([r["id"] for r in d["runs"]],
                         ["20260101-120000", "20260102-120000", "20260103-120000"])
        self.assertEqual(d["other_runs"], 1)
        self.assertEqual(row(d, "avx512|gemm/512x512x512/vnn")["history"], [150.0, 150.0, 120.0])

    def test_regressions(self):
        d = self.data
        self.assertEqual(d["regressions"], ["avx512|gemm/512x512x512/vnn", "avx2|conv/seed2_b64/vnn"])
        r = row(d, "avx512|gemm/512x512x512/vnn")
        self.assertEqual((r["status"], r["prev"]), ("slower", 150.0))
        self.assertAlmostEqual(r["delta"], -0.2)
        self.assertAlmostEqual(row(d, "avx2|conv/seed2_b64/vnn")["delta"], -0.1)

    def test_not_regressions(self):
        d = self.data
        self.assertEqual(row(d, "avx512|lstm/seed_bi_b64/vnn")["status"], "same")      # -3%
        r = row(d, "avx512|attention/s512/vnn")
        self.assertEqual((r["status"], r["regression"]), ("faster", False))
        r = row(d, "avx512|conv/r50_7_3x3_b1/onednn")  # a baseline slower: not ours
        self.assertEqual((r["status"], r["regression"]), ("slower", False))
        r = row(d, "avx512|ops/add_512x768/vnn")       # against the run before, not the first
        self.assertEqual(r["history"], [28.0, 26.0, 28.0])
        self.assertAlmostEqual(r["delta"], 28 / 26 - 1)

    def test_threshold(self):
        regs = lambda t: dashboard.build(fixture("history"), t)["regressions"]  # noqa: E731
        self.assertEqual(regs(0.25), [])
        self.assertEqual(regs(0.15), ["avx512|gemm/512x512x512/vnn"])
        self.assertEqual(len(regs(0.02)), 3)  # and lstm's -3%

    def test_aggregates_median_and_cv(self):
        r = row(self.data, "avx512|conv/seed2_b64/vnn")
        self.assertEqual((r["value"], r["reps"]), (90.0, 3))
        self.assertAlmostEqual(r["cv"], 0.02)

    def test_isa_runs(self):
        m = self.data["machine"]
        self.assertEqual([x["isa"] for x in m["isa_runs"]], ["avx512", "avx2"])
        self.assertEqual(m["isa_runs"][1]["env"]["ONEDNN_MAX_CPU_ISA"], "AVX2")
        self.assertEqual(m["fma_peak_gflops"], {"avx2": 100.0, "avx512": 200.0})
        self.assertEqual(m["membw_gbps"], {"read": 40.0, "copy": 30.0})
        self.assertEqual(m["versions"]["oneDNN"], "2.6.3 (OpenMP)")
        self.assertEqual(m["versions"]["PyTorch"], "1.13.1")
        self.assertEqual([r["isa_run"] for r in self.data["rooflines"]], ["avx512", "avx2"])
        avx2 = self.data["rooflines"][1]
        self.assertEqual((avx2["peak_gflops"], avx2["bw_gbps"], avx2["onednn_env"]), (100.0, 30.0, "AVX2"))

    def test_models(self):
        m = self.data["models"]
        self.assertEqual([d["label"] for d in m["datasets"]],
                         ["vnn, 1 thread", "PyTorch, 1 thread", "vnn avx512 (vnn-bench, 2 threads)",
                          "vnn avx2 (vnn-bench, 2 threads)"])
        c = m["comparison"][0]
        self.assertEqual((c["benchmark"], c["threads"], c["pytorch"]), ("cnn_b1", 1, 2000.0))
        self.assertAlmostEqual(c["ratio"], 8000 * 0.98 / 2000)
        self.assertEqual(m["notes"], ["PyTorch 1.13.1 at 1 thread: the best of its tuned variants, "
                                      "median of 3 runs of 0.1 s, every ATen CPU capability tried; vnn "
                                      "measured in the same script run (vnn-bench, median)."])
        acc = self.data["accuracy"]
        self.assertEqual([a["model"] for a in acc], ["cnn", "bilstm", "transformer"])
        self.assertTrue(any("vnn run transformer" in w for w in self.data["warnings"]))

    def test_history_overview(self):
        h = self.data["history"]
        self.assertEqual(h["labels"], [r["id"] for r in self.data["runs"]])
        self.assertEqual([d["op"] for d in h["datasets"]],
                         ["gemm", "conv", "pool", "lstm", "attention", "ops"])
        self.assertTrue(all(len(d["data"]) == 3 and None not in d["data"] for d in h["datasets"]))

    def test_summary(self):
        text = dashboard.summary_text(self.data, "/x/index.html")
        self.assertIn("2 regression(s) beyond 5% against the previous run (20260102-120000)", text)
        self.assertIn("avx512 gemm/512x512x512/vnn: 150 -> 120 GFLOP/s (-20.0%)", text)
        self.assertRegex(text, r"gemm/512x512x512\s+120 GFLOP/s\s+oneDNN 140\s+0.86x\s+60%\s+REGRESSION")
        self.assertTrue(text.rstrip().endswith("page: /x/index.html"))

    def test_page_embeds_the_data(self):
        with tempfile.TemporaryDirectory() as d:
            chartjs = os.path.join(d, "chart.js")
            open(chartjs, "w").write("/* stand-in */")
            out = os.path.join(d, "dash", "index.html")
            with contextlib.redirect_stdout(io.StringIO()) as so:
                dashboard.main(["generate", "--results", fixture("history"), "--out", out,
                                "--chartjs", chartjs, "--summary", "--threshold", "15"])
            self.assertIn("1 regression(s) beyond 15%", so.getvalue())
            page = open(out).read()
            m = re.search(r'<script id="vnn-data" type="application/json">(.*?)</script>', page, re.S)
            data = json.loads(m.group(1))
            self.assertEqual(data["regressions"], ["avx512|gemm/512x512x512/vnn"])
            self.assertIn("/* stand-in */", page)
            self.assertIn("window.vnnCharts", page)
            self.assertNotIn("@DATA@", page)
            self.assertNotIn("https://", page.replace("https://github.com", ""))


class Tap(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.n = 0

    def _line(self, test, ok, extra=""):
        self.n += 1
        name = "%s.%s" % (type(test).__name__, test._testMethodName)
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, name, extra), flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(test, True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, True, " # SKIP " + reason)

    def _fail(self, test, err, kind):
        self._line(test, False)
        for line in self._exc_info_to_string(err, test).rstrip().splitlines():
            print("# " + line)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err, "failure")

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err, "error")


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    print("TAP version 13")
    print("1..%d" % suite.countTestCases())
    result = Tap()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
