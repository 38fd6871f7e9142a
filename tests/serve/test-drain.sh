#!/bin/sh
# SIGTERM: the server stops accepting connections at once, answers the
# requests in flight (one running, one queued) and exits 0 (TAP).
# usage: test-drain.sh VNN_BINARY WORK_DIR
. "$(dirname "$0")/lib.sh"
init "$@"
start_server s --threads 1 --max-batch 1
P=$PORT
jq -nc '{inputs: [{name: "input_ids", shape: [192, 256], datatype: "INT64",
         data: [range(192 * 256) | . % 9000 + 2]}], outputs: [{name: "probabilities"}]}' \
    >"$WORK/slow.json"
url="http://127.0.0.1:$P/v2/models/transformer/infer"
metric() { # metric SERIES: its value now
    curl -s "http://127.0.0.1:$P/metrics" | awk -v s="$1" '$1 == s {print $2}'
}
wait_for() { # wait_for SERIES VALUE: up to 10 s
    i=0
    while [ "$(metric "$1")" != "$2" ] && [ $i -lt 500 ]; do
        sleep 0.02
        i=$((i + 1))
    done
}
curl -s -m 60 -o "$WORK/a" -w '%{http_code}' -d @"$WORK/slow.json" "$url" >"$WORK/a.code" &
a=$!
wait_for 'vnn_queue_duration_seconds_count{model="transformer"}' 1 # a is running
curl -s -m 60 -o "$WORK/b" -w '%{http_code}' -d @"$WORK/slow.json" "$url" >"$WORK/b.code" &
b=$!
wait_for 'vnn_queue_depth{model="transformer"}' 1 # b is queued
kill -TERM "$s_pid"
# New connections are refused within a second while a and b still run.
i=0
refused=no
while [ $i -lt 50 ]; do
    if ! curl -s -m 1 -o /dev/null "http://127.0.0.1:$P/v2/health/live"; then
        refused=yes
        break
    fi
    sleep 0.02
    i=$((i + 1))
done
kill -0 "$a" 2>/dev/null && a_running=yes || a_running=no
check "after SIGTERM: new connections refused ($refused; request a still running: $a_running)" \
    test $refused = yes
wait "$a"
wait "$b"
check "the running request is answered (200)" test "$(cat "$WORK/a.code")" = 200
check "the queued request is answered (200)" test "$(cat "$WORK/b.code")" = 200
check "the server exits 0" stop_server "$s_pid"
check "the log says it drained 2 requests" grep -q 'draining 2 requests in flight' "$WORK/s.log"
finish
