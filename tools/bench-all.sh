#!/bin/sh
# tools/bench-all.sh: measure every kernel and model beside its baselines on
# every SIMD ISA this machine has, store the run, and write the dashboard.
#
# usage: tools/bench-all.sh [--quick | --full] [--results DIR] [--out FILE]
#                           [--threshold PCT] [--no-pytorch] [--no-accuracy]
#                           [--isa LIST] [-- vnn-bench arguments]
#
#   --quick          (default) every op and model, 3 repetitions of 0.05 s;
#                    leaves out the vnn_<isa> variants forced inside a
#                    process and attention/s8192; PyTorch at 1 thread on
#                    vnn's best ISA, without transformer_b64_t128
#   --full           every benchmark and shape, 5 repetitions of 0.2 s
#                    interleaved at random across benchmarks; PyTorch at 1
#                    and all threads, both ATen capabilities, its defaults
#   --results DIR    where runs accumulate (default $VNN_BUILD_DIR/results);
#                    each run is a folder <YYYYmmdd-HHMMSS> in it
#   --out FILE       the page (default $VNN_BUILD_DIR/dashboard/index.html)
#   --threshold PCT  flag vnn benchmarks this much slower than in the previous
#                    run of the same machine (default 5)
#   --no-pytorch     skip the PyTorch comparison (tools/models/bench_pytorch.py)
#   --no-accuracy    skip `vnn run <model>` on the test data
#   --isa LIST       the ISA runs, e.g. "avx512 avx2" (default: every SIMD ISA
#                    `vnn info` calls usable, the best one first)
#
# One vnn-bench process per ISA: the best with the defaults, each other with
# VNN_ISA=<isa> and oneDNN held to it (ONEDNN_MAX_CPU_ISA) and OpenBLAS on
# the matching core, so that vnn and its baselines share the ISA. Threads:
# VNN_NUM_THREADS (default all cores) for vnn, oneDNN and OpenBLAS alike.
# Needs the build in $VNN_BUILD_DIR (default build; tools/quickstart.sh run
# makes it), Debian's python3 and npm (Chart.js is installed with `npm ci`
# in tools/dashboard and inlined into the page).
set -eu
cd "$(dirname "$0")/.."
BUILD=${VNN_BUILD_DIR:-build}
PY=/usr/bin/python3
DASH=tools/dashboard

preset=quick results="" out="" threshold=5 pytorch=1 accuracy=1 isas=""
argv="$*"
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) preset=quick ;;
    --full) preset=full ;;
    --results) results=$2; shift ;;
    --results=*) results=${1#*=} ;;
    --out) out=$2; shift ;;
    --out=*) out=${1#*=} ;;
    --threshold) threshold=$2; shift ;;
    --threshold=*) threshold=${1#*=} ;;
    --no-pytorch) pytorch=0 ;;
    --no-accuracy) accuracy=0 ;;
    --isa) isas=$2; shift ;;
    --isa=*) isas=${1#*=} ;;
    -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    *) echo "bench-all: unknown argument $1 (--help)" >&2; exit 2 ;;
    esac
    shift
done
results=${results:-$BUILD/results}
out=${out:-$BUILD/dashboard/index.html}

bench=$BUILD/bench/vnn-bench
vnn=$BUILD/tools/vnn
if [ -f "$BUILD/build.ninja" ]; then
    ninja -C "$BUILD" >/dev/null
fi
for f in "$bench" "$vnn"; do
    [ -x "$f" ] || { echo "bench-all: no $f; build first (tools/quickstart.sh run, or meson setup $BUILD && ninja -C $BUILD)" >&2; exit 1; }
done

# Chart.js for the page, pinned by package-lock.json.
"$DASH/install.sh"

started=$(date +%s)
stamp=$(date +%Y%m%d-%H%M%S)
run=$results/$stamp
mkdir -p "$run/shapes"
cp bench/shapes/*.txt "$run/shapes/"
"$vnn" info >"$run/info.txt"
cat "$run/info.txt"
# The machine context first, so a run stopped halfway still says where it ran.
$PY "$DASH/dashboard.py" record "$run" --preset "$preset" --build "$BUILD" --argv "$argv"
echo

best=$(sed -n 's/^isa: *\([a-z0-9]*\).*/\1/p' "$run/info.txt")
if [ -z "$isas" ]; then
    isas=$best
    # shellcheck disable=SC2013
    for i in $(sed -n 's/^usable: *//p' "$run/info.txt"); do
        [ "$i" = scalar ] || [ "$i" = "$best" ] || isas="$isas $i"
    done
fi

case $preset in
quick)
    # Repetitions in order: interleaving them at random repeats each
    # benchmark's setup and iteration-count search per repetition (4x the
    # time of the pooling family, whose cold shapes fill 1 GiB each call).
    gb="--benchmark_repetitions=3 --benchmark_min_time=0.05"
    skip='/vnn_(scalar|avx2|avx512|neon)/|^attention/s8192/'
    torch_args="--threads 1 --reps 2 --min-time 0.05 --warmup 0.05 --isa $best"
    torch_only='^(?!transformer_b64)'
    torch_threads=1
    ;;
full)
    gb="--benchmark_repetitions=5 --benchmark_min_time=0.2 --benchmark_enable_random_interleaving=true"
    skip=''
    torch_args=""
    torch_only=''
    torch_threads="1 $(nproc)"
    [ "$torch_threads" = "1 1" ] && torch_threads=1
    ;;
esac
gb="$gb --benchmark_display_aggregates_only=true"

have_torch=0
if [ $pytorch = 1 ]; then
    if $PY -c 'import torch' 2>/dev/null; then
        have_torch=1
    else
        echo "bench-all: no PyTorch for $PY (apt-get install python3-torch, or --no-pytorch): its column stays empty"
    fi
fi
steps=0
for i in $isas; do steps=$((steps + 1)); done
[ $accuracy = 1 ] && steps=$((steps + 1))
[ $have_torch = 1 ] && for t in $torch_threads; do steps=$((steps + 1)); done
step=0

elapsed() { echo "$(($(date +%s) - started))s"; }

# The environment of one ISA's process (printed as KEY=VALUE lines).
isa_env() {
    if [ "$1" = "$best" ]; then
        # Debian's OpenBLAS falls back to generic kernels on CPUs it does not
        # know: name the core (as tools/quickstart.sh does).
        if [ -n "${OPENBLAS_CORETYPE:-}" ]; then echo "OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
        elif grep -qw avx512f /proc/cpuinfo; then echo "OPENBLAS_CORETYPE=SkylakeX"
        elif grep -qw avx2 /proc/cpuinfo; then echo "OPENBLAS_CORETYPE=Haswell"
        fi
        return
    fi
    echo "VNN_ISA=$1"
    case $1 in
    avx2) echo "ONEDNN_MAX_CPU_ISA=AVX2"; echo "OPENBLAS_CORETYPE=Haswell" ;;
    avx512) echo "ONEDNN_MAX_CPU_ISA=AVX512_CORE"; echo "OPENBLAS_CORETYPE=SkylakeX" ;;
    esac
}

first=${isas%% *}
for isa in $isas; do
    step=$((step + 1))
    envf=$run/bench-$isa.env
    isa_env "$isa" >"$envf"
    filter=$skip
    if [ "$isa" != "$first" ]; then
        # The peaks (every ISA's FMA peak, the memory bandwidth) and the forced
        # vnn_<isa> variants run in the first ISA's process only.
        filter="${filter:+$filter|}^peak/|/vnn_(scalar|avx2|avx512|neon)/"
    fi
    # shellcheck disable=SC2046
    total=$(env $(cat "$envf") "$bench" --benchmark_list_tests=true \
        ${filter:+"--benchmark_filter=-($filter)"} "$@" | wc -l)
    echo "[$step/$steps] vnn-bench, ISA $isa ($(tr '\n' ' ' <"$envf" | sed 's/ $//')): $total benchmarks ($preset preset, $(elapsed) so far)"
    # Progress: one line per benchmark as its last repetition ends. Extra
    # arguments come last, so a --benchmark_filter there wins.
    # shellcheck disable=SC2046,SC2086
    { env $(cat "$envf") stdbuf -oL "$bench" $gb ${filter:+"--benchmark_filter=-($filter)"} "$@" \
          --benchmark_color=false --benchmark_out="$run/bench-$isa.json" \
          --benchmark_out_format=json 2>&1
      echo $? >"$run/.rc"; } | tee "$run/bench-$isa.log" | awk -v total="$total" -v isa="$isa" '
        / ms | ns | us / && ($1 ~ /_median$/ || ($1 ~ /real_time$/ && !agg)) {
            n++; name = $1; sub(/\/real_time(_median)?$/, "", name)
            rate = ""
            for (i = 2; i <= NF; i++) if ($i ~ /^(GFLOPS|GBps|samples_per_s)=/) { rate = $i; break }
            printf "  [%s %d/%d] %-44s %s\n", isa, n, total, name, rate; fflush()
        }
        /_mean / { agg = 1 }'
    if [ "$(cat "$run/.rc")" != 0 ]; then
        echo "bench-all: vnn-bench ($isa) failed; see $run/bench-$isa.log" >&2
        grep -i error "$run/bench-$isa.log" | head -n 5 >&2
    fi
    rm -f "$run/.rc"
done

if [ $accuracy = 1 ]; then
    step=$((step + 1))
    echo "[$step/$steps] the models on their test data (vnn run, $(elapsed) so far)"
    [ -d "$BUILD/data/spam-assassin/data" ] || tools/fetch-corpus.sh "$BUILD/data" >/dev/null 2>&1 || true
    : >"$run/models.jsonl"
    for m in cnn bilstm transformer; do
        if "$vnn" run "$m" --json >"$run/run-$m.json" 2>"$run/run-$m.err"; then
            jq -c . "$run/run-$m.json" >>"$run/models.jsonl"
            jq -r '"  \(.model): accuracy \(if .accuracy then (.accuracy * 100 | round) / 100 else "-" end)%, \(.samples_per_s | floor) samples/s"' "$run/run-$m.json"
        else
            err=$(tail -n 1 "$run/run-$m.err")
            echo "  $m: $err"
            jq -nc --arg m "$m" --arg e "$err" '{model: $m, error: $e}' >>"$run/models.jsonl"
        fi
        rm -f "$run/run-$m.json" "$run/run-$m.err"
    done
    jq -s . "$run/models.jsonl" >"$run/models.json"
    rm -f "$run/models.jsonl"
fi

if [ $have_torch = 1 ]; then
    for t in $torch_threads; do
        step=$((step + 1))
        echo "[$step/$steps] vnn against PyTorch, $t thread(s) (tools/models/bench_pytorch.py, $(elapsed) so far)"
        # shellcheck disable=SC2086
        $PY tools/models/bench_pytorch.py --vnn-bench "$bench" --threads "$t" $torch_args \
            ${torch_only:+--only "$torch_only"} --json "$run/pytorch-t$t.json" \
            >"$run/pytorch-t$t.log" 2>&1 &
        pid=$!
        # Its progress lines ("[i/N] model/...: ...") as they come.
        tail -n +1 -f "$run/pytorch-t$t.log" --pid=$pid 2>/dev/null | grep --line-buffered '^\[' | sed 's/^/  /' || true
        wait $pid || echo "bench-all: the PyTorch comparison failed; see $run/pytorch-t$t.log" >&2
    done
fi

echo
echo "run $stamp stored in $run ($(elapsed))"
echo
$PY "$DASH/dashboard.py" generate --results "$results" --out "$out" --threshold "$threshold" --summary
