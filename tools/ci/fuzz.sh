#!/bin/sh
# libFuzzer: a clang build with ASan + UBSan and the fuzz targets
# (tests/fuzz: safetensors reader, model loader, tokenizer, the ops'
# validation against the scalar path), each run for a bounded time from its
# seed corpus in tests/fuzz/corpus/<target> (new inputs stay in the build
# folder). Fails on any crash, leak, timeout or sanitizer report; the crash
# input is left in <build>/tests/fuzz/work-<target>/.
#
#   VNN_FUZZ_BUILD_DIR   build folder (default build-fuzz)
#   VNN_FUZZ_SECONDS     seconds per target (default 60; two run at once)
set -eu
cd "$(dirname "$0")/../.."
build=${VNN_FUZZ_BUILD_DIR:-build-fuzz}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
seconds=${VNN_FUZZ_SECONDS:-60}
tools/ci/deps.sh
tools/ci/deps.sh clang-14 libclang-rt-14-dev libomp-14-dev
if [ ! -f "$build/build.ninja" ]; then
    out=$(CC=clang-14 meson setup "$build" -Dfuzz=true -Dfuzz_seconds="$seconds" -Dtests=false \
        -Dbench=disabled -Dwerror_strict=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debugoptimized 2>&1) || { echo "$out"; exit 1; }
else
    meson configure "$build" -Dfuzz_seconds="$seconds" >/dev/null
fi
ninja -C "$build" >"$build/build.log" 2>&1 || { tail -n 60 "$build/build.log"; exit 1; }
echo "fuzz: meson test -C $build --suite fuzz ($seconds s per target)"
status=0
meson test -C "$build" --no-rebuild --print-errorlogs --suite fuzz --num-processes 2 || status=1
for log in "$build"/tests/fuzz/work-*/fuzz.log; do
    target=${log%/fuzz.log}
    target=${target##*/work-}
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $target: ${runs:-?} executions"
done
exit $status
