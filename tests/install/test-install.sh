#!/bin/sh
# `meson install` into a staging folder, then use the result as a user would:
# headers + pkg-config (shared and static), only vnn_ symbols exported, and
# vnn as a meson subproject. Usage: test-install.sh <source root> <build root>
set -eu
src=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "1..5"

meson install -C "$build" --destdir "$work/stage" --no-rebuild >"$work/install.log" 2>&1 ||
    { cat "$work/install.log"; echo "not ok 1 - meson install"; exit 1; }
pc=$(find "$work/stage" -name vnn.pc | head -n 1)
so=$(find "$work/stage" -name 'libvnn.so.*.*' | head -n 1)
a=$(find "$work/stage" -name libvnn.a | head -n 1)
inc=$(find "$work/stage" -path '*/include/vnn/vnn.h' | head -n 1)
if [ -n "$pc" ] && [ -n "$so" ] && [ -n "$a" ] && [ -n "$inc" ]; then
    echo "ok 1 - install gives headers, shared and static libs and vnn.pc"
else
    echo "not ok 1 - missing: pc='$pc' so='$so' a='$a' header='$inc'"; exit 1
fi

leaked=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^vnn_' || true)
if [ -z "$leaked" ]; then
    echo "ok 2 - only vnn_ symbols exported ($(nm -D --defined-only "$so" | wc -l) symbols)"
else
    echo "not ok 2 - exported non-vnn symbols:"; echo "$leaked" | sed 's/^/# /'
fi

export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$work/stage"
cflags=$(pkg-config --cflags vnn)
libs=$(pkg-config --libs vnn)
static_libs=$(pkg-config --static --libs vnn | sed 's/-lvnn//')
libdir=$(dirname "$so")
if cc $cflags "$src/tests/install/consumer.c" -o "$work/shared" $libs &&
    LD_LIBRARY_PATH="$libdir" "$work/shared" >&2 &&
    cc $cflags "$src/tests/install/consumer.c" -o "$work/static" "$a" $static_libs &&
    "$work/static" >&2; then
    echo "ok 3 - consumer builds with pkg-config, shared and static"
else
    echo "not ok 3 - consumer build or run failed"
fi

mkdir -p "$work/sub/subprojects"
ln -s "$(cd "$src" && pwd)" "$work/sub/subprojects/vnn"
cp "$src/tests/install/consumer.c" "$work/sub/"
cat >"$work/sub/meson.build" <<'MESON'
project('consumer', 'c', default_options : ['c_std=c17'])
vnn_dep = dependency('vnn', fallback : ['vnn', 'vnn_dep'])
executable('consumer', 'consumer.c', dependencies : vnn_dep)
MESON
if (cd "$work/sub" && unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH && meson setup b --force-fallback-for=vnn -Dvnn:tests=false \
        -Dvnn:bench=disabled >"$work/sub.log" 2>&1 && ninja -C b >>"$work/sub.log" 2>&1 &&
        ./b/consumer >&2); then
    echo "ok 4 - usable as a meson subproject (vnn_dep)"
else
    tail -n 20 "$work/sub.log" | sed 's/^/# /'
    echo "not ok 4 - subproject build failed"
fi

# The bundled weights go to <datadir>/vnn/models, where the installed `vnn run`
# finds them; run the installed CLI on a few test images with the staged file.
weights=$(find "$work/stage" -path '*/vnn/models/cnn.safetensors' | head -n 1)
cli=$(find "$work/stage" -path '*/bin/vnn' | head -n 1)
if [ -n "$weights" ] && [ -n "$cli" ] &&
    [ "$(find "$(dirname "$weights")" -name '*.safetensors' | wc -l)" -eq 3 ] &&
    LD_LIBRARY_PATH="$libdir" "$cli" run cnn --weights "$weights" --limit 64 >&2; then
    echo "ok 5 - the three bundled weight files installed; installed vnn run uses them"
else
    echo "not ok 5 - weights '$weights' or CLI '$cli' missing, or vnn run failed"
fi

