#!/bin/sh
# ThreadSanitizer: the concurrency suite (tests/reliability/test-threads.c:
# every op and a shared model from 8 threads, the thread count changing
# meanwhile) in a clang build with -fsanitize=thread. vnn's OpenMP is then
# LLVM's libomp, whose synchronisation TSan learns from LLVM's Archer tool
# (OMP_TOOL_LIBRARIES); tests/reliability/tsan.supp drops the reports of
# libomp's own uninstrumented internals. GCC's libgomp is not TSan-aware
# (Debian does not ship an instrumented one), hence clang here. Any report
# fails the run.
#
#   VNN_TSAN_BUILD_DIR   build folder (default build-tsan)
set -eu
cd "$(dirname "$0")/../.."
build=${VNN_TSAN_BUILD_DIR:-build-tsan}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
tools/ci/deps.sh
tools/ci/deps.sh clang-14 libclang-rt-14-dev libomp-14-dev
archer=/usr/lib/llvm-14/lib/libarcher.so
[ -f "$archer" ] || { echo "tsan: $archer missing (libomp-14-dev)"; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
    out=$(CC=clang-14 meson setup "$build" -Dwerror_strict=true -Db_sanitize=thread \
        -Db_lundef=false -Dbench=disabled -Dbuildtype=debugoptimized 2>&1) ||
        { echo "$out"; exit 1; }
fi
ninja -C "$build" tests/reliability/test-threads >"$build/build.log" 2>&1 ||
    { tail -n 60 "$build/build.log"; exit 1; }
logs=$build/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
export OMP_TOOL_LIBRARIES=$archer
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$(pwd)/tests/reliability/tsan.supp:log_path=$logs/tsan"
echo "tsan: meson test -C $build threads (ThreadSanitizer + Archer)"
status=0
meson test -C "$build" --no-rebuild --print-errorlogs threads || status=1
reports=$(find "$logs" -type f | wc -l)
if [ "$reports" -ne 0 ]; then
    echo "tsan: $reports report file(s):"
    for f in "$logs"/*; do
        echo "--- $f"
        head -n 80 "$f"
    done
    status=1
else
    echo "tsan: no ThreadSanitizer reports"
fi
exit $status
