#!/bin/sh
# Dynamic batching: requests sent at once to a server that batches (up to 64
# samples, waiting up to 200 ms for them) get the answers a server that does
# not batch gives them one at a time, and they did run in fewer, larger
# batches (TAP). Bit for bit for the CNN and the Transformer; the BiLSTM
# within 1e-6 relative: its LSTM driver picks a fused or a split GEMM by the
# batch's row count (kernels/lstm/lstm-driver.c, FUSED_MAX_ROWS), which sums
# in another order (the models suite allows 1e-5 for that).
# usage: test-batching.sh VNN_BINARY WORK_DIR
. "$(dirname "$0")/lib.sh"
init "$@"
start_server single --threads 1 --max-batch 1
start_server batched --threads 1 --max-batch 64 --max-delay-us 200000

# 8 requests per model of 1-3 samples each; text rows of different lengths
# (so batches pad them) and each request a different T.
R=8
i=1
while [ $i -le $R ]; do
    jq -nc --argjson i $i '($i % 3 + 1) as $n
        | {inputs: [{name: "images", shape: [$n, 28, 28, 1], datatype: "FP32",
                     data: [range($n * 784) | ((. * 7 + $i * 13) % 256) / 255]}]}' \
        >"$WORK/cnn-$i.json"
    for m in bilstm transformer; do
        jq -nc --argjson i $i '($i % 3 + 1) as $n | (3 + $i * 5) as $t
            | {inputs: [{name: "input_ids", shape: [$n, $t], datatype: "INT64",
                         data: [range($n * $t) | (. * 31 + $i * 17) % 9990 + 2]},
                        {name: "lengths", shape: [$n], datatype: "INT64",
                         data: [range($n) | [$t - . * 2, 1] | max]}]}' >"$WORK/$m-$i.json"
    done
    i=$((i + 1))
done

post() { # post PORT MODEL I OUT
    curl -s -m 30 -o "$4" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d @"$WORK/$2-$3.json" "http://127.0.0.1:$1/v2/models/$2/infer" >"$4.code"
}

post_all_at_once() { # post_all_at_once PORT MODEL SUFFIX: the R requests, concurrently
    curls=""
    j=1
    while [ $j -le $R ]; do
        post "$1" "$2" $j "$WORK/$2-$j.$3" &
        curls="$curls $!"
        j=$((j + 1))
    done
    for c in $curls; do wait "$c"; done
}

same_outputs() { # same_outputs MODEL A B
    if [ "$1" != bilstm ]; then
        [ "$(jq -c .outputs "$2")" = "$(jq -c .outputs "$3")" ]
        return
    fi
    jq -en --slurpfile a "$2" --slurpfile b "$3" '[$a[0].outputs[].data[]] as $x
        | [$b[0].outputs[].data[]] as $y | ($x | length) == ($y | length)
        and all(range($x | length); (($x[.] - $y[.]) | fabs) <= 1e-6 * (1 + ($x[.] | fabs)))' \
        >/dev/null
}

for m in cnn bilstm transformer; do
    i=1
    while [ $i -le $R ]; do
        post "$single_port" $m $i "$WORK/$m-$i.single"
        i=$((i + 1))
    done
    post_all_at_once "$batched_port" $m batched
    same=0
    i=1
    while [ $i -le $R ]; do
        if [ "$(cat "$WORK/$m-$i.single.code")" = 200 ] && [ "$(cat "$WORK/$m-$i.batched.code")" = 200 ] &&
            same_outputs $m "$WORK/$m-$i.single" "$WORK/$m-$i.batched"; then
            same=$((same + 1))
        else
            echo "# $m request $i: $(head -c 200 "$WORK/$m-$i.single") vs $(head -c 200 "$WORK/$m-$i.batched")"
        fi
        i=$((i + 1))
    done
    [ $m = bilstm ] && how="within 1e-6" || how="bit for bit"
    check "$m: $R concurrent requests batched give the unbatched answers $how ($same same)" \
        test $same -eq $R
done

curl -s "http://127.0.0.1:$single_port/metrics" >"$WORK/single.metrics"
curl -s "http://127.0.0.1:$batched_port/metrics" >"$WORK/batched.metrics"
value() { # value FILE SERIES
    awk -v s="$2" '$1 == s {print $2}' "$1"
}
samples=0
i=1
while [ $i -le $R ]; do
    samples=$((samples + i % 3 + 1))
    i=$((i + 1))
done
for m in cnn bilstm transformer; do
    runs=$(value "$WORK/batched.metrics" "vnn_batch_size_count{model=\"$m\"}")
    sum=$(value "$WORK/batched.metrics" "vnn_batch_size_sum{model=\"$m\"}")
    one=$(value "$WORK/single.metrics" "vnn_batch_size_count{model=\"$m\"}")
    echo "# $m: $R requests, $samples samples: $runs runs batched, $one unbatched"
    check "$m: batching ran $R requests in fewer runs ($runs), unbatched in $R ($one)" \
        test "$runs" -lt $R -a "$one" -eq $R -a "$sum" = $samples
done

# Per-model options: batching for all but the bilstm (--max-batch bilstm=1).
start_server mixed --threads 1 --max-batch 64 --max-delay-us 200000 --max-batch bilstm=1
for m in cnn bilstm; do
    post_all_at_once "$mixed_port" $m mixed
done
curl -s "http://127.0.0.1:$mixed_port/metrics" >"$WORK/mixed.metrics"
runs_cnn=$(value "$WORK/mixed.metrics" 'vnn_batch_size_count{model="cnn"}')
runs_bilstm=$(value "$WORK/mixed.metrics" 'vnn_batch_size_count{model="bilstm"}')
check "--max-batch bilstm=1: the bilstm ran unbatched ($runs_bilstm runs), the cnn batched ($runs_cnn)" \
    test "$runs_bilstm" -eq $R -a "$runs_cnn" -lt $R
check "mixed server exits 0 on SIGTERM" stop_server "$mixed_pid"
check "batched server exits 0 on SIGTERM" stop_server "$batched_pid"
check "unbatched server exits 0 on SIGTERM" stop_server "$single_pid"
finish
