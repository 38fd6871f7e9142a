#!/bin/sh
# GET /metrics after some traffic: Prometheus' promtool accepts it, and the
# series count what was sent (TAP).
# usage: test-metrics.sh VNN_BINARY WORK_DIR
. "$(dirname "$0")/lib.sh"
init "$@"
start_server s --threads 1 --max-batch 8 --max-delay-us 1000
P=$PORT
jq -nc '{inputs: [{name: "images", shape: [3, 28, 28, 1], datatype: "FP32",
         data: [range(3 * 784) | . % 255 / 255]}]}' >"$WORK/cnn.json"
for i in 1 2 3 4 5; do req POST $P /v2/models/cnn/infer -d @"$WORK/cnn.json"; done
for i in 1 2; do req POST $P /v2/models/cnn/infer -d '{"inputs":[]}'; done
for i in 1 2 3; do req POST $P /v2/models/bilstm/classify --data-binary "free money $i"; done
req GET $P /v2/models/nosuch
sleep 1.1 # the inferences/s window counts whole seconds
req GET $P /metrics
cp "$WORK/body" "$WORK/metrics.txt"
check "GET /metrics: 200, text format 0.0.4" test "$CODE" = 200
if command -v promtool >/dev/null 2>&1; then
    if promtool check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1; then
        ok "promtool check metrics passes"
    else
        not_ok "promtool check metrics: $(head -c 400 "$WORK/promtool.out")"
    fi
else
    skip "promtool not installed (Debian package prometheus)"
fi
v() { awk -v s="$1" '$1 == s {print $2}' "$WORK/metrics.txt"; }
check "requests by model and code: cnn 200 = 5, 400 = 2; bilstm 200 = 3" \
    test "$(v 'vnn_inference_requests_total{model="cnn",code="200"}')" = 5 -a \
    "$(v 'vnn_inference_requests_total{model="cnn",code="400"}')" = 2 -a \
    "$(v 'vnn_inference_requests_total{model="bilstm",code="200"}')" = 3
check "errors by model and code: cnn 400 = 2" \
    test "$(v 'vnn_inference_errors_total{model="cnn",code="400"}')" = 2
check "HTTP requests by code: one 404" test "$(v 'vnn_http_requests_total{code="404"}')" = 1
check "latency histogram: cnn count 7, +Inf bucket 7" \
    test "$(v 'vnn_request_duration_seconds_count{model="cnn"}')" = 7 -a \
    "$(v 'vnn_request_duration_seconds_bucket{model="cnn",le="+Inf"}')" = 7
check "queue-time histogram: cnn count 5 (the valid requests)" \
    test "$(v 'vnn_queue_duration_seconds_count{model="cnn"}')" = 5
check "batch-size histogram: cnn sum 15 samples" \
    test "$(v 'vnn_batch_size_sum{model="cnn"}')" = 15
check "inferences: cnn 15, bilstm 3" \
    test "$(v 'vnn_inferences_total{model="cnn"}')" = 15 -a \
    "$(v 'vnn_inferences_total{model="bilstm"}')" = 3
check "inferences per second: positive for cnn" \
    awk -v x="$(v 'vnn_inferences_per_second{model="cnn"}')" 'BEGIN {exit !(x > 0)}'
check "queue depth gauge: 0 when idle" test "$(v 'vnn_queue_depth{model="transformer"}')" = 0
check "server exits 0 on SIGTERM" stop_server "$s_pid"
finish
