#!/bin/sh
# Scale-out behind HAProxy on loopback: two replicas, HAProxy health-checking
# /v2/health/ready, wrk driving the CNN's infer through HAProxy for 6 s. At
# 2 s one replica gets SIGTERM: it stops accepting, drains and exits;
# HAProxy's checks mark it DOWN and the other replica takes the load. No
# request may fail beyond those in flight on the stopped replica (at most
# wrk's connections); HAProxy retries refused connections and requests that
# got no answer (retry-on). Skipped without haproxy or wrk (TAP).
# usage: test-scaleout.sh VNN_BINARY WORK_DIR
. "$(dirname "$0")/lib.sh"
init "$@"
for p in haproxy wrk; do
    if ! command -v $p >/dev/null 2>&1; then
        skip "$p not installed (Debian packages haproxy, wrk)"
        finish
        exit 0
    fi
done
start_server r1 --threads 1
start_server r2 --threads 1

# HAProxy takes no port 0: try free ports from a pseudo-random start.
hport=$((20000 + ($$ * 7919 + $(date +%s)) % 40000))
tries=0
while :; do
    cat >"$WORK/haproxy.cfg" <<EOC
global
    maxconn 512
defaults
    mode http
    timeout connect 1s
    timeout client 20s
    timeout server 20s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
frontend fe
    bind 127.0.0.1:$hport
    default_backend replicas
    stats enable
    stats uri /haproxy-stats
backend replicas
    balance roundrobin
    option httpchk GET /v2/health/ready
    http-check expect status 200
    default-server check inter 200ms fall 2 rise 2
    server r1 127.0.0.1:$r1_port
    server r2 127.0.0.1:$r2_port
EOC
    haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
    hpid=$!
    pids="$pids $hpid"
    i=0
    up=no
    while [ $i -lt 50 ]; do
        kill -0 $hpid 2>/dev/null || break
        if curl -s -o /dev/null "http://127.0.0.1:$hport/v2/health/live"; then
            up=yes
            break
        fi
        sleep 0.1
        i=$((i + 1))
    done
    [ $up = yes ] && break
    kill $hpid 2>/dev/null
    wait $hpid 2>/dev/null
    tries=$((tries + 1))
    if [ $tries -ge 5 ]; then
        echo "Bail out! haproxy did not start: $(tail -3 "$WORK/haproxy.log")"
        exit 1
    fi
    hport=$((20000 + (hport - 20000 + 7919) % 40000))
done
ok "haproxy up on 127.0.0.1:$hport in front of replicas on $r1_port and $r2_port"

# Both replicas UP in HAProxy's stats (CSV: pxname,svname,...,status is field 18).
status() { curl -s "http://127.0.0.1:$hport/haproxy-stats;csv" | awk -F, -v s="$1" '$1 == "replicas" && $2 == s {print $18}'; }
i=0
while { [ "$(status r1)" != UP ] || [ "$(status r2)" != UP ]; } && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
check "both replicas UP" test "$(status r1)" = UP -a "$(status r2)" = UP

jq -nc '{inputs: [{name: "images", shape: [1, 28, 28, 1], datatype: "FP32",
         data: [range(784) | . % 255 / 255]}]}' >"$WORK/cnn.json"
{
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    printf 'wrk.body = [[%s]]\n' "$(cat "$WORK/cnn.json")"
} >"$WORK/post.lua"
C=8
wrk -t 2 -c $C -d 6s --timeout 5s -s "$WORK/post.lua" \
    "http://127.0.0.1:$hport/v2/models/cnn/infer" >"$WORK/wrk.out" 2>&1 &
wrk_pid=$!
sleep 2
r1_before=$(curl -s "http://127.0.0.1:$r1_port/metrics" |
    awk '$1 == "vnn_inference_requests_total{model=\"cnn\",code=\"200\"}" {print $2}')
kill -TERM "$r1_pid"
wait "$r1_pid"
r1_rc=$?
pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$r1_pid" | tr '\n' ' ')
check "the stopped replica drained and exited 0" test $r1_rc -eq 0
i=0
while [ "$(status r1 | cut -c1-4)" != DOWN ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
r1_status=$(status r1)
check "HAProxy's health checks took the stopped replica out (r1: $r1_status, $((i * 100)) ms after the replica exited)" \
    sh -c "case '$r1_status' in DOWN*) exit 0 ;; *) exit 1 ;; esac"
wait $wrk_pid
sed 's/^/# /' "$WORK/wrk.out"
total=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.out")
sockerr=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' "$WORK/wrk.out")
failed=$((${non2xx:-0} + ${sockerr:-0}))
r2_ok=$(curl -s "http://127.0.0.1:$r2_port/metrics" |
    awk '$1 == "vnn_inference_requests_total{model=\"cnn\",code=\"200\"}" {print $2}')
echo "# $total requests through HAProxy, $failed failed (non-2xx ${non2xx:-0}, socket errors ${sockerr:-0}); r1 had answered $r1_before by the stop, r2 answered $r2_ok"
check "load ran through HAProxy ($total requests)" test "${total:-0}" -gt 100
check "failed requests ($failed) at most those in flight on the stopped replica ($C connections)" \
    test $failed -le $C
check "the surviving replica served on (r2: $r2_ok answers)" test "${r2_ok:-0}" -gt 0
check "HAProxy still answers after the stop" \
    sh -c "curl -sf -o /dev/null -d @'$WORK/cnn.json' http://127.0.0.1:$hport/v2/models/cnn/infer"
echo "$total $failed ${non2xx:-0} ${sockerr:-0} $r1_before $r2_ok" >"$WORK/counts"
check "replica r2 exits 0 on SIGTERM" stop_server "$r2_pid"
finish
