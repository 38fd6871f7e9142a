#!/bin/sh
# The test suite again in an AddressSanitizer + UndefinedBehaviorSanitizer
# build (gcc's libasan and libubsan, LeakSanitizer included) in its own
# folder. A report fails the test that made it (UBSan halts on the first
# error) and, written to <build>/sanitizer-logs, fails this script too, so
# the run passes only with zero reports. Not run here: the install test (a
# consumer built without ASan cannot load an ASan libvnn) and the dashboard
# suite (Python and a browser, no vnn code).
#
#   tools/ci/sanitize.sh [NATIVE_BUILD]   NATIVE_BUILD (default build): its
#                                         data/ holds the fetched corpus
#   VNN_ASAN_BUILD_DIR   build folder (default build-asan)
#   VNN_ASAN_SCALE       VT_SCALE of this run (default 0.25: the randomized
#                        cases, ~6x slower under the sanitizers, scaled to
#                        keep the whole CI run under 40 minutes on 2 cores)
# The test buffers' guard page goes before their start in this run
# (VT_GUARD=before): the native run guards their end.
set -eu
cd "$(dirname "$0")/../.."
build=${VNN_ASAN_BUILD_DIR:-build-asan}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
native=${1:-build}
tools/ci/deps.sh
if [ ! -f "$build/build.ninja" ]; then
    out=$(meson setup "$build" -Dwerror_strict=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbench=disabled -Dbuildtype=debugoptimized 2>&1) ||
        { echo "$out"; exit 1; }
fi
ninja -C "$build" >"$build/build.log" 2>&1 || { tail -n 60 "$build/build.log"; exit 1; }

logs=$build/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
export VT_SCALE="${VNN_ASAN_SCALE:-0.25}"
export VT_GUARD=before
export ASAN_OPTIONS="detect_leaks=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
if [ -z "${VNN_CORPUS_DIR:-}" ] && [ -d "$native/data/spam-assassin/data" ]; then
    VNN_CORPUS_DIR="$(cd "$native/data/spam-assassin/data" && pwd)"
    export VNN_CORPUS_DIR
fi
echo "sanitize: meson test -C $build (ASan + UBSan, VT_SCALE=$VT_SCALE)"
start=$(date +%s)
status=0
meson test -C "$build" --no-rebuild --print-errorlogs -t 4 --no-suite install \
    --no-suite dashboard || status=1
echo "sanitize: $(($(date +%s) - start)) s"
reports=$(find "$logs" -type f | wc -l)
if [ "$reports" -ne 0 ]; then
    echo "sanitize: $reports sanitizer report file(s):"
    for f in "$logs"/*; do
        echo "--- $f"
        head -n 80 "$f"
    done
    status=1
else
    echo "sanitize: no sanitizer reports"
fi
exit $status
