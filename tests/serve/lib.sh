# Shared by the serve tests (POSIX sh, sourced): TAP output, servers on
# loopback at ephemeral ports, curl helpers. Every server started here is
# stopped on exit by the pid this file recorded.
#   usage in a test: . lib.sh; init "$@"  (args: VNN_BINARY WORK_DIR)
set -u

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - # SKIP $*"; }
check() { # check DESCRIPTION COMMAND...: ok if the command succeeds
    _d=$1
    shift
    if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; }

pids=""
cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
}

init() {
    VNN=$1
    WORK=$2
    rm -rf "$WORK"
    mkdir -p "$WORK"
    trap cleanup EXIT
    trap 'exit 1' INT TERM
}

# start_server NAME [vnn serve options]: sets PORT and PID (also NAME_port,
# NAME_pid); the log is $WORK/NAME.log.
start_server() {
    _name=$1
    shift
    rm -f "$WORK/$_name.port"
    "$VNN" serve --host 127.0.0.1 --port 0 --port-file "$WORK/$_name.port" "$@" \
        2>"$WORK/$_name.log" &
    PID=$!
    pids="$pids $PID"
    i=0
    while [ ! -s "$WORK/$_name.port" ] && [ $i -lt 300 ]; do
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    if [ ! -s "$WORK/$_name.port" ]; then
        echo "# server $_name did not start:"
        sed 's/^/#   /' "$WORK/$_name.log"
        echo "Bail out! no server"
        exit 1
    fi
    PORT=$(cat "$WORK/$_name.port")
    eval "${_name}_port=$PORT ${_name}_pid=$PID"
}

# stop_server PID: SIGTERM, wait; returns the server's exit status.
stop_server() {
    kill -TERM "$1" 2>/dev/null
    wait "$1"
    rc=$?
    pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
    return $rc
}

# req METHOD PORT PATH [curl args]: body in $WORK/body, sets CODE.
req() {
    _m=$1
    _p=$2
    _path=$3
    shift 3
    CODE=$(curl -s -m 30 -o "$WORK/body" -w '%{http_code}' -X "$_m" "$@" "http://127.0.0.1:$_p$_path")
}

# expect CODE SUBSTRING DESCRIPTION: the last req answered CODE with a body
# containing SUBSTRING.
expect() {
    if [ "$CODE" = "$1" ] && grep -qF -- "$2" "$WORK/body"; then
        ok "$3"
    else
        not_ok "$3 (got $CODE: $(head -c 300 "$WORK/body"))"
    fi
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# jq_ok ARGS...: jq -e, quiet (for check; a redirect after check would
# swallow its TAP line too).
jq_ok() { jq -e "$@" >/dev/null; }
