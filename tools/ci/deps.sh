#!/bin/sh
# Install the Debian packages vnn needs that this machine lacks (run as root).
# Usage: tools/ci/deps.sh [package ...]   (default: the native build's set)
set -eu
pkgs="${*:-meson ninja-build pkg-config gcc g++ libcpuid-dev libdnnl-dev libcriterion-dev libbenchmark-dev libopenblas-dev libjansson-dev libmicrohttpd-dev zlib1g-dev dataset-fashion-mnist jq libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata}"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: need root to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
