#!/bin/sh
# SIGTERM: the server stops accepting connections at once, answers the
# requests in flight (one running, the others queued) and exits 0 (TAP).
# usage: test-drain.sh VNN_BINARY WORK_DIR
. "$(dirname "$0")/lib.sh"
init "$@"
start_server s --threads 1 --max-batch 1
P=$PORT
jq -nc '{inputs: [{name: "input_ids", shape: [128, 256], datatype: "INT64",
         data: [range(128 * 256) | . % 9000 + 2]}], outputs: [{name: "probabilities"}]}' \
    >"$WORK/slow.json"
url="http://127.0.0.1:$P/v2/models/transformer/infer"
metric() { # metric SERIES: its value now
    curl -s "http://127.0.0.1:$P/metrics" | awk -v s="$1" '$1 == s {print $2}'
}
# Four slow requests at once: one runs, three queue. SIGTERM once one is
# seen queued.
reqs=""
for k in 1 2 3 4; do
    curl -s -m 60 -o "$WORK/r$k" -w '%{http_code}' -d @"$WORK/slow.json" "$url" >"$WORK/r$k.code" &
    reqs="$reqs $!"
done
i=0
while [ "$(metric 'vnn_queue_depth{model="transformer"}')" = 0 ] && [ $i -lt 500 ]; do
    sleep 0.01
    i=$((i + 1))
done
kill -TERM "$s_pid"
# New connections are refused within a second while requests still run.
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
running=0
for k in $reqs; do kill -0 "$k" 2>/dev/null && running=$((running + 1)); done
check "after SIGTERM: new connections refused ($refused; requests still running: $running)" \
    test $refused = yes
for k in $reqs; do wait "$k"; done
answered=0
for k in 1 2 3 4; do [ "$(cat "$WORK/r$k.code")" = 200 ] && answered=$((answered + 1)); done
check "every request in flight is answered ($answered of 4 with 200)" test $answered -eq 4
check "the server exits 0" stop_server "$s_pid"
drained=$(sed -n 's/.*draining \([0-9]*\) requests in flight.*/\1/p' "$WORK/s.log")
check "it drained the requests in flight at SIGTERM (${drained:-?}, at least 2)" \
    test "${drained:-0}" -ge 2
finish
