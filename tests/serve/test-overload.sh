#!/bin/sh
# Overload and deadlines: with a queue of 4 and one slow worker, a burst of
# 40 requests gets a few answers and, at once, 503s naming the full queue;
# repeated bursts do not grow the server's memory; a request whose deadline
# passes in the queue gets 504, and the server keeps serving (TAP).
# usage: test-overload.sh VNN_BINARY WORK_DIR
. "$(dirname "$0")/lib.sh"
init "$@"
start_server s --threads 1 --max-batch 1 --queue 4
P=$PORT
# A slow request: the Transformer on 32 sequences of 192 tokens.
jq -nc '{inputs: [{name: "input_ids", shape: [32, 192], datatype: "INT64",
         data: [range(32 * 192) | . % 9000 + 2]}], outputs: [{name: "probabilities"}]}' \
    >"$WORK/slow.json"
url="http://127.0.0.1:$P/v2/models/transformer/infer"
t0=$(date +%s%N)
curl -s -o /dev/null -d @"$WORK/slow.json" "$url"
slow_ms=$((($(date +%s%N) - t0) / 1000000))
echo "# one slow request: $slow_ms ms"

burst() { # burst OUT: 40 requests at once; "code seconds" a line
    seq 40 | xargs -P 40 -I{} curl -s -m 60 -o "$WORK/b{}" -w '%{http_code} %{time_total}\n' \
        -d @"$WORK/slow.json" "$url" >"$1"
}
burst "$WORK/burst1"
rss1=$(rss_kib "$PID")
ok200=$(grep -c '^200 ' "$WORK/burst1")
n503=$(grep -c '^503 ' "$WORK/burst1")
echo "# burst: $ok200 answered, $n503 refused; RSS $rss1 KiB"
check "burst of 40: 200 or 503 only" test $((ok200 + n503)) -eq 40
# 1 running + 4 queued at a time; the burst's arrival spans a few runs.
check "burst of 40: at most 1 running + 4 queued answered at a time, the rest 503 ($n503)" \
    test "$n503" -ge 10
# A 503 does not wait for the queue: the slowest 503 came before the
# slowest answer (which waited for the 4 queued before it).
max503=$(awk '$1 == 503 {if ($2 > m) m = $2} END {printf "%d", m * 1000}' "$WORK/burst1")
med503=$(awk '$1 == 503 {print $2 * 1000}' "$WORK/burst1" | sort -n | awk '{a[NR] = $1} END {printf "%d", a[int((NR + 1) / 2)]}')
max200=$(awk '$1 == 200 {if ($2 > m) m = $2} END {printf "%d", m * 1000}' "$WORK/burst1")
echo "# 503s: median $med503 ms, slowest $max503 ms; slowest 200: $max200 ms"
check "503s come at once (median $med503 ms, slowest $max503 ms; slowest answer $max200 ms)" \
    test "$med503" -lt $((max200 / 2)) -a "$max503" -lt "$max200"
grep -l 'queue full' "$WORK"/b* >/dev/null 2>&1 && r=yes || r=no
check "503 body names the reason (queue full)" test $r = yes
for i in 2 3; do burst "$WORK/burst$i"; done
rss2=$(rss_kib "$PID")
echo "# RSS after 2 more bursts: $rss2 KiB (after the first: $rss1 KiB)"
if ldd "$VNN" 2>/dev/null | grep -q libasan; then
    # ASan's quarantine holds freed memory back: RSS says nothing there.
    skip "memory growth under AddressSanitizer (RSS +$((rss2 - rss1)) KiB)"
else
    check "memory does not grow with refused requests (RSS +$((rss2 - rss1)) KiB over 2 bursts)" \
        test $((rss2 - rss1)) -lt 8192
fi

# Deadline: a request allowed 1 ms (parameters.timeout, us) behind a slow one.
# Deadline: three slow requests at once (one runs, two queue); once one is
# seen queued, a request allowed 1 ms (parameters.timeout, us) waits behind
# at least one whole run.
depth() {
    curl -s "http://127.0.0.1:$P/metrics" |
        awk '$1 == "vnn_queue_depth{model=\"transformer\"}" {print $2}'
}
jq -nc '{inputs: [{name: "input_ids", shape: [128, 256], datatype: "INT64",
         data: [range(128 * 256) | . % 9000 + 2]}], outputs: [{name: "probabilities"}]}' \
    >"$WORK/slower.json"
slows=""
for k in 1 2 3; do
    curl -s -o "$WORK/slower$k" -d @"$WORK/slower.json" "$url" &
    slows="$slows $!"
done
i=0
while [ "$(depth)" = 0 ] && [ $i -lt 500 ]; do
    sleep 0.01
    i=$((i + 1))
done
req POST $P /v2/models/transformer/infer -d '{"inputs":[{"name":"input_ids","shape":[1,3],"datatype":"INT64","data":[2,3,4]}],"parameters":{"timeout":1000}}'
expect 504 'deadline exceeded' "a request past its deadline in the queue: 504"
for k in $slows; do wait "$k"; done
req POST $P /v2/models/transformer/infer -d '{"inputs":[{"name":"input_ids","shape":[1,3],"datatype":"INT64","data":[2,3,4]}]}'
expect 200 '"probabilities"' "still serving after the overload"
req GET $P /metrics
check "metrics count the 503s and the 504" \
    sh -c "grep -q '^vnn_inference_requests_total{model=\"transformer\",code=\"504\"} 1$' '$WORK/body' &&
           ! grep -q '^vnn_inference_requests_total{model=\"transformer\",code=\"503\"} 0$' '$WORK/body'"
check "server exits 0 on SIGTERM" stop_server "$s_pid"
finish
