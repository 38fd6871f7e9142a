#!/bin/sh
# The aarch64 cross build: NEON kernels built with Debian's cross gcc, every
# suite run under qemu-user (tools/cross/aarch64-linux-gnu.ini). Run as root
# from anywhere; idempotent, and works from a fresh clone: installs the
# packages it lacks, unpacks the arm64 jansson and zlib the build links
# (always) and an arm64 oneDNN (so the suites compare NEON with oneDNN) into
# build-aarch64/sysroot (cached there), configures, builds and runs
# `meson test`. Exits non-zero if anything fails.
#
#   VT_SCALE=0.5          share of the randomized cases to run (the default;
#                         1 = the native count: GEMM alone ~110 s under qemu)
#   VNN_CROSS_DNNL=0      skip oneDNN: the suites compare with vnn's scalar
#                         kernels, which the native run checks against oneDNN
#   VNN_CROSS_BUILD_DIR   build folder (default build-aarch64)
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${VNN_CROSS_BUILD_DIR:-build-aarch64}
case $build in /*) ;; *) build=$root/$build ;; esac
sysroot=$build/sysroot
cross=$root/tools/cross/aarch64-linux-gnu.ini
fragment=$build/cross-dnnl.ini
export VT_SCALE="${VT_SCALE:-0.5}"

tools/ci/deps.sh gcc-aarch64-linux-gnu libc6-dev-arm64-cross libgomp1-arm64-cross \
    libstdc++6-arm64-cross qemu-user meson ninja-build protobuf-c-compiler libonnx-dev \
    libonnx-testdata

# --- arm64 libraries -----------------------------------------------------------
# Debian's arm64 -dev packages conflict with the installed amd64 ones, so the
# debs are fetched with a private apt state for arm64 only (the machine's dpkg
# architectures and package lists stay untouched) and unpacked with dpkg -x.
# Headers come from the arm64 -dev debs too: dnnl_config.h and
# jansson_config.h may differ per arch.
arm64_lib=$sysroot/usr/lib/aarch64-linux-gnu
# fetch_arm64 PACKAGE...: download the debs missing from $sysroot/debs, then
# unpack the named ones.
fetch_arm64() {
    pkgs=$*
    apt_dir=$sysroot/apt
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$sysroot/debs"
    [ -e "$apt_dir/status" ] || : >"$apt_dir/status"
    set -- -q -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" \
        -o Dir::State::status="$apt_dir/status" -o APT::Architecture=arm64 \
        -o APT::Architectures::=arm64 -o APT::Sandbox::User=root
    missing=
    for p in $pkgs; do
        ls "$sysroot/debs/${p}_"*_arm64.deb >/dev/null 2>&1 || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086
        apt-get "$@" update >>"$sysroot/apt.log" 2>&1 &&
            (cd "$sysroot/debs" && apt-get "$@" download $missing) \
                >>"$sysroot/apt.log" 2>&1 || return 1
    fi
    for p in $pkgs; do
        for deb in "$sysroot/debs/${p}_"*_arm64.deb; do
            dpkg -x "$deb" "$sysroot" || return 1
        done
    done
}

# jansson (the library's JSON), zlib (the CLI's datasets) and protobuf-c (the
# ONNX reader; protoc-c and onnx.proto come from the host): needed by every
# cross build. meson finds them through pkg-config restricted to the sysroot
# (the fragment below), with each .pc's prefix pointed at the sysroot; the
# debs' absolute symlinks (libz.so -> /lib/...) are pointed into it too.
fetch_libs() {
    [ -e "$arm64_lib/pkgconfig/jansson.pc" ] && [ -e "$arm64_lib/pkgconfig/zlib.pc" ] &&
        [ -e "$arm64_lib/pkgconfig/libprotobuf-c.pc" ] ||
        fetch_arm64 libjansson4 libjansson-dev zlib1g zlib1g-dev libprotobuf-c1 \
            libprotobuf-c-dev || return 1
    sed -i "s|^prefix=.*|prefix=$sysroot/usr|" "$arm64_lib"/pkgconfig/*.pc || return 1
    find "$sysroot/usr" "$sysroot/lib" -type l 2>/dev/null | while read -r link; do
        target=$(readlink "$link")
        case $target in
        "$sysroot"/*) ;;
        /*) ln -sfn "$sysroot$target" "$link" ;;
        esac
    done
}
mkdir -p "$sysroot"
if ! fetch_libs; then
    echo "cross-test: cannot fetch the arm64 jansson, zlib and protobuf-c (log: $sysroot/apt.log)" >&2
    tail -n 20 "$sysroot/apt.log" >&2 || true
    exit 1
fi

# oneDNN: optional, for the suites' references.
fetch_dnnl() {
    [ -e "$arm64_lib/libdnnl.so.2" ] && [ -e "$sysroot/usr/include/oneapi/dnnl/dnnl.h" ] &&
        return 0
    fetch_arm64 libdnnl2 libdnnl-dev
}

# A tiny dnnl_sgemm must link and give the right answer under qemu.
check_dnnl() {
    probe=$sysroot/probe
    cat >"$probe.c" <<'EOC'
#include <oneapi/dnnl/dnnl.h>
int main(void)
{
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {0};
    if (dnnl_sgemm('N', 'N', 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2) != dnnl_success)
        return 1;
    return c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50 ? 0 : 1;
}
EOC
    aarch64-linux-gnu-gcc -isystem "$sysroot/usr/include" "$probe.c" -L"$arm64_lib" -ldnnl \
        -Wl,-rpath,"$arm64_lib" -o "$probe" >"$probe.log" 2>&1 &&
        timeout 120 qemu-aarch64 -L /usr/aarch64-linux-gnu "$probe" >>"$probe.log" 2>&1
}

dnnl=none
if [ "${VNN_CROSS_DNNL:-1}" = 0 ]; then
    echo "cross-test: VNN_CROSS_DNNL=0; comparing NEON with vnn's scalar kernels"
elif fetch_dnnl && check_dnnl; then
    dnnl=$sysroot
    echo "cross-test: comparing NEON with oneDNN (arm64 build unpacked in $sysroot)"
else
    echo "cross-test: no usable arm64 oneDNN (logs in $sysroot);" \
        "comparing NEON with vnn's scalar kernels"
fi

# The second cross file: pkg-config for the target, seeing only the
# sysroot's .pc files (the host's describe amd64 libraries); run paths to the
# sysroot's libraries, usr/lib and lib (zlib1g puts libz.so.1 there), so the
# binaries run under qemu-aarch64 -L ... (in meson test or by hand); and
# oneDNN's headers and library if there is one.
want="# Generated by tools/ci/cross-test.sh: the arm64 jansson, zlib and oneDNN ($dnnl) in $sysroot.
[binaries]
pkgconfig = 'pkg-config'

[properties]
pkg_config_libdir = ['$arm64_lib/pkgconfig']

[built-in options]"
rpath="'-Wl,-rpath,$arm64_lib', '-Wl,-rpath,$sysroot/lib/aarch64-linux-gnu'"
if [ "$dnnl" != none ]; then
    want="$want
c_args = ['-isystem', '$sysroot/usr/include']
c_link_args = ['-L$arm64_lib', $rpath]"
else
    want="$want
c_link_args = [$rpath]"
fi

# --- configure, build, test ---------------------------------------------------
# Options in cross files are read at setup only, so a changed fragment means a
# fresh setup (keeping the sysroot cache).
if [ ! -f "$build/meson-private/coredata.dat" ] || [ ! -f "$fragment" ] ||
    [ "$(cat "$fragment")" != "$want" ]; then
    if [ -d "$build" ]; then
        find "$build" -mindepth 1 -maxdepth 1 ! -name sysroot -exec rm -rf {} +
    fi
    mkdir -p "$build"
    printf '%s\n' "$want" >"$fragment"
    meson setup "$build" --cross-file "$cross" --cross-file "$fragment" \
        -Dwerror_strict=true >"$build/setup.log" 2>&1 ||
        { cat "$build/setup.log"; exit 1; }
    grep -E '^(Host machine cpu|Run-time dependency (jansson|zlib|libprotobuf-c)|Library dnnl)' "$build/setup.log"
    sed -n '/^vnn [0-9]/,$p' "$build/setup.log"
fi
ninja -C "$build" >"$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
if grep -q 'VT_HAVE_DNNL' "$build/compile_commands.json"; then
    echo "cross-test: suites built with VT_HAVE_DNNL"
fi

echo "cross-test: meson test -C $build (VT_SCALE=$VT_SCALE, under qemu-aarch64)"
start=$(date +%s)
status=0
meson test -C "$build" --no-rebuild --print-errorlogs || status=1
echo "cross-test: $(($(date +%s) - start)) s under qemu"
exit $status
