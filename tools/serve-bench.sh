#!/bin/sh
# Load benchmark of `vnn serve` on loopback (wrk), beside the same models run
# in process (`vnn run`). Bounded: every wrk run lasts SECONDS; the whole
# script about 3 x 2 x 3 x SECONDS plus the in-process runs.
#   tools/serve-bench.sh [BUILD_DIR] [SECONDS] [REPS]   (default build, 2, 3)
# The server runs and the in-process runs alternate, REPS times; the tables
# give medians over the repetitions (the machine may be shared and noisy).
# For each model (cnn: one image per request, in JSON and with the binary
# tensor data extension; bilstm, transformer: one raw text per request on
# /classify), batching off (--max-batch 1) and on (--max-batch 64,
# --max-delay-us 1000), at 1, 8 and 64 connections: requests/s, p50 and p99
# latency, the mean batch the server ran, and its CPU time per request.
# In process: `vnn run` at batch 1, 8 and 64. The server and `vnn run` get
# the same --threads (VNN_BENCH_THREADS, default 1: on a small shared
# machine OpenMP teams of 2 stall each other and wrk); wrk runs beside them
# with 1 thread (2 from 8 connections up).
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SECS=${2:-2}
REPS=${3:-3}
VNN=$BUILD/tools/vnn
OUT=$BUILD/serve-bench
THREADS=${VNN_BENCH_THREADS:-1}
mkdir -p "$OUT"
rm -f "$OUT/results.txt" "$OUT/inproc.txt"
for p in wrk jq curl; do
    command -v $p >/dev/null || { echo "serve-bench: needs $p (tools/ci/deps.sh $p)"; exit 1; }
done

# Request bodies.
jq -nc '{inputs: [{name: "images", shape: [1, 28, 28, 1], datatype: "FP32",
         data: [range(784) | . % 255 / 255]}], outputs: [{name: "probabilities"}]}' >"$OUT/cnn.json"
hdr='{"inputs":[{"name":"images","shape":[1,28,28,1],"datatype":"FP32","parameters":{"binary_data_size":3136}}],"outputs":[{"name":"probabilities","parameters":{"binary_data":true}}]}'
{
    printf '%s' "$hdr"
    i=0
    while [ $i -lt 784 ]; do printf '\000\000\000\077'; i=$((i + 1)); done
} >"$OUT/cnn.bin"
TEXT="Dear friend, I am writing to let you know about an exclusive offer for our valued customers. For a limited time you can get 50% off your next order of premium products, with free shipping on every purchase over 20 dollars. Click the link below to claim your discount before it expires at the end of the week. Thank you for being a loyal customer; we look forward to serving you again."
printf '%s' "$TEXT" >"$OUT/text.txt"
# The in-process input: the same text, 4096 times.
awk -v t="$TEXT" 'BEGIN {for (i = 0; i < 4096; i++) print t}' >"$OUT/texts.txt"

lua() { # lua BODY_FILE [HEADER VALUE]
    {
        echo 'wrk.method = "POST"'
        echo "local f = io.open(\"$1\", \"rb\"); wrk.body = f:read(\"*a\"); f:close()"
        [ $# -gt 1 ] && echo "wrk.headers[\"$2\"] = \"$3\""
        true
    } >"$OUT/post.lua"
}
ms() { # a wrk latency (12.3us, 4.5ms, 1.2s) in ms
    echo "$1" | awk '{v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000; printf "%.3f", v}'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v s="$1" '$1 == s {print $2}'; }

start() { # start [serve options]
    rm -f "$OUT/port"
    "$VNN" serve --host 127.0.0.1 --port 0 --port-file "$OUT/port" --threads "$THREADS" \
        --queue 1024 "$@" 2>"$OUT/serve.log" &
    SPID=$!
    i=0
    while [ ! -s "$OUT/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    PORT=$(cat "$OUT/port")
}
stop() { kill -TERM "$SPID"; wait "$SPID" || true; }

rep=1
while [ $rep -le "$REPS" ]; do
    echo "serve-bench: repetition $rep of $REPS" >&2
    for model in cnn cnn-binary bilstm transformer; do
        case $model in
        cnn) m=cnn; path=infer; lua "$PWD/$OUT/cnn.json" Content-Type application/json; body=JSON ;;
        cnn-binary) m=cnn; path=infer; lua "$PWD/$OUT/cnn.bin" Inference-Header-Content-Length ${#hdr}; body=binary ;;
        *) m=$model; path=classify; lua "$PWD/$OUT/text.txt" Content-Type text/plain; body=text ;;
        esac
        for batching in off on; do
            if [ $batching = off ]; then start --max-batch 1; else start --max-batch 64 --max-delay-us 1000; fi
            for c in 1 8 64; do
                t=1
                [ $c -gt 1 ] && t=2
                n0=$(metric "vnn_batch_size_count{model=\"$m\"}")
                s0=$(metric "vnn_batch_size_sum{model=\"$m\"}")
                cpu0=$(cpu_ticks "$SPID")
                wrk -t $t -c $c -d "${SECS}s" --timeout 10s --latency -s "$OUT/post.lua" \
                    "http://127.0.0.1:$PORT/v2/models/$m/$path" >"$OUT/wrk-$model-$batching-$c.txt"
                cpu1=$(cpu_ticks "$SPID")
                n1=$(metric "vnn_batch_size_count{model=\"$m\"}")
                s1=$(metric "vnn_batch_size_sum{model=\"$m\"}")
                f=$OUT/wrk-$model-$batching-$c.txt
                rps=$(awk '/Requests\/sec/ {print $2}' "$f")
                reqs=$(awk '/requests in/ {print $1}' "$f")
                p50=$(ms "$(awk '$1 == "50%" {print $2}' "$f")")
                p99=$(ms "$(awk '$1 == "99%" {print $2}' "$f")")
                errs=$(awk '/Non-2xx/ {e += $NF} /Socket errors/ {gsub(",", ""); e += $4 + $6 + $8 + $10} END {print e + 0}' "$f")
                batch=$(awk -v a="$s0" -v b="$s1" -v x="$n0" -v y="$n1" 'BEGIN {printf "%.1f", (y > x) ? (b - a) / (y - x) : 0}')
                cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v r="$reqs" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", r ? (b - a) / hz / r * 1e6 : 0}')
                echo "$model $batching $c $rps $p50 $p99 $batch $cpu $errs $rep" >>"$OUT/results.txt"
            done
            stop
        done
    done

    for m in cnn bilstm transformer; do
        for b in 1 8 64; do
            if [ $m = cnn ]; then
                "$VNN" run cnn --batch $b --limit 10000 --threads "$THREADS" --json >"$OUT/inproc.json"
            else
                "$VNN" run $m --input "$OUT/texts.txt" --batch $b --threads "$THREADS" --json >"$OUT/inproc.json"
            fi
            sps=$(jq .samples_per_s "$OUT/inproc.json")
            p50=$(jq .latency_p50_ms "$OUT/inproc.json")
            echo "$m $b $sps $p50 $rep" >>"$OUT/inproc.txt"
        done
    done

    rep=$((rep + 1))
done

# Medians over the repetitions.
median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "Served (wrk on loopback; medians of $REPS runs of ${SECS} s; server --threads $THREADS):"
echo
echo "| model | body | batching | conns | req/s | p50 ms | p99 ms | mean batch | server CPU us/req | errors (all runs) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
: >"$OUT/results-median.txt"
for model in cnn cnn-binary bilstm transformer; do
    for batching in off on; do
        for c in 1 8 64; do
            sel() { awk -v k="$model $batching $c" -v f="$1" '$1 " " $2 " " $3 == k {print $f}' "$OUT/results.txt"; }
            rps=$(sel 4 | median); p50=$(sel 5 | median); p99=$(sel 6 | median)
            batch=$(sel 7 | median); cpu=$(sel 8 | median)
            errs=$(sel 9 | awk '{e += $1} END {print e + 0}')
            case $model in cnn) m=cnn; body=JSON ;; cnn-binary) m=cnn; body=binary ;; *) m=$model; body=text ;; esac
            printf '| %s | %s | %s | %s | %.0f | %.3f | %.3f | %.1f | %.0f | %s |\n' $m $body $batching $c "$rps" "$p50" "$p99" "$batch" "$cpu" "$errs"
            echo "$model $batching $c $rps $p50 $p99 $batch $cpu $errs" >>"$OUT/results-median.txt"
        done
    done
done
echo
echo "In process (vnn run, $THREADS threads; medians of $REPS runs):"
echo
echo "| model | batch | samples/s | p50 ms per batch |"
echo "|---|---|---|---|"
: >"$OUT/inproc-median.txt"
for m in cnn bilstm transformer; do
    for b in 1 8 64; do
        sps=$(awk -v k="$m $b" '$1 " " $2 == k {print $3}' "$OUT/inproc.txt" | median)
        p50=$(awk -v k="$m $b" '$1 " " $2 == k {print $4}' "$OUT/inproc.txt" | median)
        printf '| %s | %s | %.0f | %.3f |\n' $m $b "$sps" "$p50"
        echo "$m $b $sps $p50" >>"$OUT/inproc-median.txt"
    done
done

# The issue's targets, from the two tables.
echo
awk 'NR == FNR {sps[$1 " " $2] = $3; p50[$1 " " $2] = $4; next}
     {rps[$1 " " $2 " " $3] = $4; lat[$1 " " $2 " " $3] = $5; batch[$1 " " $2 " " $3] = $7; cpu[$1 " " $2 " " $3] = $8}
     END {
       for (i = 1; i <= 2; i++) {
         m = i == 1 ? "bilstm" : "transformer"
         b = batch[m " on 64"]; ref = b >= 32 ? 64 : (b >= 4 ? 8 : 1)
         printf "- %s: served %.0f req/s at 64 connections (mean batch %.1f) = %.0f%% of in-process %.0f samples/s at batch %d (target >= 85%%)\n", m, rps[m " on 64"], b, 100 * rps[m " on 64"] / sps[m " " ref], sps[m " " ref], ref
       }
       us = 1e3 * p50["cnn 1"]
       printf "- cnn: in-process compute %.1f us per image (p50 at batch 1); server CPU per request at 64 connections, batching off: JSON %d us, binary %d us, so parse+queue+respond about %.0f us (JSON) and %.0f us (binary) (target <= 25 us)\n", us, cpu["cnn off 64"], cpu["cnn-binary off 64"], cpu["cnn off 64"] - us, cpu["cnn-binary off 64"] - us
       for (i = 1; i <= 4; i++) {
         m = i == 1 ? "cnn" : i == 2 ? "cnn-binary" : i == 3 ? "bilstm" : "transformer"
         r = i <= 2 ? "cnn" : m
         printf "- %s at 1 connection, batching off: p50 %.3f ms vs in-process %.3f ms: +%.3f ms (target <= +0.2 ms)\n", m, lat[m " off 1"], p50[r " 1"], lat[m " off 1"] - p50[r " 1"]
       }
     }' "$OUT/inproc-median.txt" "$OUT/results-median.txt"
