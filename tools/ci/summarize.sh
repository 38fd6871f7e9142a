#!/bin/sh
# Count test cases from meson's results (meson-logs/testlog.json of each build
# folder given): every TAP line is a case; a test binary that failed without
# reporting a failing case (crash, timeout) counts as one failure.
# Prints "N skipped", then last the line "N passed, N failed".
set -eu
passed=0 failed=0 skipped=0
for dir in "$@"; do
    log="$dir/meson-logs/testlog.json"
    [ -f "$log" ] || { echo "summarize: no $log" >&2; failed=$((failed + 1)); continue; }
    counts=$(jq -rs '
      map(
        (.stdout // "" | split("\n")) as $lines
        | ($lines | map(select(test("^ok ") and (test("# SKIP") | not))) | length) as $ok
        | ($lines | map(select(test("^ok .*# SKIP"))) | length) as $skip
        | ($lines | map(select(test("^not ok"))) | length) as $bad
        | if ($ok + $skip + $bad) == 0 then
            (if .result == "OK" then [1,0,0] elif .result == "SKIP" then [0,0,1] else [0,1,0] end)
          elif (.result != "OK" and .result != "SKIP" and $bad == 0) then [$ok, 1, $skip]
          else [$ok, $bad, $skip] end)
      | transpose | map(add) | map(tostring) | join(" ")' "$log")
    set -- $counts # the loop's list was expanded already
    passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + $3))
done
echo "$skipped skipped (ISAs the machine lacks, or a missing dependency)"
echo "$passed passed, $failed failed"
