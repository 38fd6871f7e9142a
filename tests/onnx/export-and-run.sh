#!/bin/sh
# export-and-run.sh SOURCE_ROOT OUT VNN: exports the CNN and the BiLSTM to
# ONNX (opset 13 and 17) with tools/models/export_onnx.py into OUT and runs
# them with `vnn onnx-test --tap`. TAP skip without Debian's python3-torch.
set -eu
root=$1 out=$2 vnn=$3
if ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
    echo "1..0 # SKIP /usr/bin/python3 has no torch (Debian python3-torch)"
    exit 0
fi
rm -rf "$out"
/usr/bin/python3 "$root/tools/models/export_onnx.py" all --out "$out" >"$out.log" 2>&1 ||
    { sed 's/^/# /' "$out.log"; echo "1..1"; echo "not ok 1 - export_onnx.py failed"; exit 0; }
grep 'bytes' "$out.log" | sed 's/^/# /'
exec "$vnn" onnx-test --tap "$out"
