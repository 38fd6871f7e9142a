#!/bin/sh
# Every endpoint of `vnn serve`, good and bad requests (TAP).
# usage: test-protocol.sh VNN_BINARY WORK_DIR
. "$(dirname "$0")/lib.sh"
init "$@"
start_server s --threads 1 --max-body 200000
P=$PORT
J='-H Content-Type:application/json'

req GET $P /v2/health/live
expect 200 '"live":true' "GET /v2/health/live"
req GET $P /v2/health/ready
expect 200 '"ready":true' "GET /v2/health/ready"
req GET $P /v2
expect 200 '"binary_tensor_data"' "GET /v2: server metadata names the extensions"
req GET $P /v2/models/cnn
expect 200 '"inputs":[{"name":"images","datatype":"FP32","shape":[-1,28,28,1]}]' \
    "GET /v2/models/cnn: inputs"
expect 200 '{"name":"probabilities","datatype":"FP32","shape":[-1,10]}' \
    "GET /v2/models/cnn: outputs"
req GET $P /v2/models/bilstm
expect 200 '{"name":"input_ids","datatype":"INT64","shape":[-1,-1]}' "GET /v2/models/bilstm"
req GET $P /v2/models/transformer/ready
expect 200 '"ready":true' "GET /v2/models/transformer/ready"
req GET $P /v2/models/nosuch
expect 404 "unknown model 'nosuch'" "unknown model: 404 naming it"
req GET $P /v2/nothing
expect 404 'unknown path' "unknown path: 404"
req GET $P /v2/models/cnn/infer
expect 405 'use POST' "GET on infer: 405"
req POST $P /v2/health/live -d x
expect 405 'use GET' "POST on live: 405"

# --- infer, JSON ----------------------------------------------------------
# The same image flat and nested; every pixel 0.5.
jq -nc '{id: "req-7", inputs: [{name: "images", shape: [1, 28, 28, 1], datatype: "FP32",
         data: [range(784) | 0.5]}]}' >"$WORK/flat.json"
jq -nc '{inputs: [{name: "images", shape: [1, 28, 28, 1], datatype: "FP32",
         data: [[range(28) | [range(28) | [0.5]]]]}]}' >"$WORK/nested.json"
req POST $P /v2/models/cnn/infer $J -d @"$WORK/flat.json"
expect 200 '"id":"req-7"' "cnn infer (flat data): 200, id echoed"
cp "$WORK/body" "$WORK/flat.out"
check "cnn infer: probabilities [1, 10] summing to 1, argmax of the logits" \
    jq_ok '(.outputs | map({(.name): .}) | add) as $o
           | $o.probabilities.shape == [1, 10] and $o.logits.shape == [1, 10]
           and (($o.probabilities.data | add) - 1 | fabs) < 1e-5
           and ($o.probabilities.data | index(max)) == ($o.logits.data | index(max))' \
    "$WORK/flat.out"
req POST $P /v2/models/cnn/infer $J -d @"$WORK/nested.json"
check "cnn infer (nested data): the same outputs as flat" \
    test "$(jq -c .outputs "$WORK/body")" = "$(jq -c .outputs "$WORK/flat.out")"
jq -nc '{inputs: [{name: "images", shape: [1, 28, 28, 1], datatype: "FP32",
         data: [range(784) | 0.5]}], outputs: [{name: "probabilities"}]}' >"$WORK/one.json"
req POST $P /v2/models/cnn/infer $J -d @"$WORK/one.json"
check "cnn infer: outputs [probabilities] gives only it" \
    test "$(jq -c '[.outputs[].name]' "$WORK/body")" = '["probabilities"]'

# --- infer, binary tensor data extension ---------------------------------
# 784 little-endian FP32 0.5 (0x3f000000) after the JSON header.
hdr='{"inputs":[{"name":"images","shape":[1,28,28,1],"datatype":"FP32","parameters":{"binary_data_size":3136}}],"parameters":{"binary_data_output":true}}'
{
    printf '%s' "$hdr"
    i=0
    while [ $i -lt 784 ]; do printf '\000\000\000\077'; i=$((i + 1)); done
} >"$WORK/bin.req"
curl -s -m 30 -D "$WORK/bin.hdr" -o "$WORK/bin.out" -w '%{http_code}' \
    -H "Inference-Header-Content-Length: ${#hdr}" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$WORK/bin.req" "http://127.0.0.1:$P/v2/models/cnn/infer" >"$WORK/code"
jl=$(tr -d '\r' <"$WORK/bin.hdr" | awk -F': ' 'tolower($1) == "inference-header-content-length" {print $2}')
if [ "$(cat "$WORK/code")" = 200 ] && [ -n "$jl" ]; then
    ok "cnn infer, binary in and out: 200 with Inference-Header-Content-Length"
    head -c "$jl" "$WORK/bin.out" >"$WORK/bin.json"
    # logits then probabilities, 10 floats each, as 9 significant digits
    tail -c +$((jl + 1)) "$WORK/bin.out" | od -An -v -tf4 -w4 |
        awk '{printf "%.9g\n", $1}' >"$WORK/bin.floats"
    jq -r '.outputs[].data[] | tostring' "$WORK/flat.out" |
        awk '{printf "%.9g\n", $1}' >"$WORK/json.floats"
    check "binary outputs: sizes in the JSON header (40 bytes each)" \
        test "$(jq -c '[.outputs[].parameters.binary_data_size]' "$WORK/bin.json")" = '[40,40]'
    check "binary outputs: the same floats as the JSON request's (to 1e-6)" \
        sh -c "paste '$WORK/bin.floats' '$WORK/json.floats' | awk 'NF != 2 || (\$1 - \$2)^2 > 1e-12 * (\$2^2 + 1e-30) {bad = 1} END {exit bad || NR != 20}'"
else
    not_ok "cnn infer, binary in and out: got $(cat "$WORK/code") $(head -c 200 "$WORK/bin.out")"
fi
curl -s -m 30 -o "$WORK/body" -w '%{http_code}' -H "Inference-Header-Content-Length: ${#hdr}" \
    --data-binary "$hdr" "http://127.0.0.1:$P/v2/models/cnn/infer" >"$WORK/code"
CODE=$(cat "$WORK/code")
expect 400 "the body ends 0 bytes into its binary data" "binary_data_size past the end of the body: 400"

# --- text models -----------------------------------------------------------
text='Congratulations! You have won a free prize, click here to claim your cash now'
for m in bilstm transformer; do
    req POST $P /v2/models/$m/classify -H 'Content-Type: text/plain' --data-binary "$text"
    expect 200 '"probabilities"' "$m classify: 200"
    "$VNN" run $m --text "$text" --json --threads 1 >"$WORK/inproc.json" 2>"$WORK/inproc.err"
    check "$m classify: the probabilities of vnn run --text (in process)" \
        jq_ok --slurpfile r "$WORK/inproc.json" \
        '[.probabilities | to_entries[] | (.value - $r[0][.key]) | fabs] | max < 1e-6' \
        "$WORK/body"
done
req POST $P /v2/models/bilstm/infer $J -d '{"inputs":[{"name":"input_ids","shape":[2,3],"datatype":"INT64","data":[[5,6,7],[8,9,0]]},{"name":"lengths","shape":[2],"datatype":"INT32","data":[3,2]}]}'
expect 200 '"shape":[2,2]' "bilstm infer with lengths (INT32): 200, [2, 2]"
cp "$WORK/body" "$WORK/lens.out"
req POST $P /v2/models/bilstm/infer $J -d '{"inputs":[{"name":"input_ids","shape":[2,3],"datatype":"INT64","data":[[5,6,7],[8,9,4321]]},{"name":"lengths","shape":[2],"datatype":"INT64","data":[3,2]}]}'
check "bilstm infer: padding past a length does not change the answer" \
    test "$(jq -c .outputs "$WORK/body")" = "$(jq -c .outputs "$WORK/lens.out")"
req POST $P /v2/models/transformer/infer $J -d '{"inputs":[{"name":"input_ids","shape":[1,4],"datatype":"INT32","data":[2,3,4,5]}]}'
expect 200 '"model_name":"transformer"' "transformer infer (INT32 ids, no lengths): 200"

# --- bad requests: 4xx naming the problem ----------------------------------
bad() { # bad MODEL BODY SUBSTRING DESCRIPTION
    req POST $P /v2/models/$1/infer $J -d "$2"
    expect 400 "$3" "$4: 400"
}
bad cnn '{"inputs":[{"name":"images"' 'malformed JSON' "truncated JSON"
bad cnn '[1,2]' 'not a JSON object' "a JSON array"
bad cnn '{"inputs":[]}' 'is not a non-empty array' "no inputs"
bad cnn '{"inputs":[{"name":"images","shape":[1,28,28],"datatype":"FP32","data":[0]}]}' \
    "shape [1, 28, 28], expected [N, 28, 28, 1]" "cnn: wrong shape"
bad cnn '{"inputs":[{"name":"images","shape":[1,28,28,1],"datatype":"INT64","data":[0]}]}' \
    'datatype must be FP32' "cnn: wrong datatype"
bad cnn '{"inputs":[{"name":"images","shape":[1,28,28,1],"datatype":"FP16","data":[0]}]}' \
    'datatype FP16 is not supported' "unsupported datatype"
bad cnn '{"inputs":[{"name":"images","shape":[1,28,28,1],"datatype":"FP32","data":[1,2,3]}]}' \
    'data holds 3 elements, its shape 784' "cnn: too few elements"
bad cnn "$(jq -nc '{inputs: [{name: "images", shape: [1, 28, 28, 1], datatype: "FP32", data: ([range(783) | 0] + ["a"])}]}')" \
    'element 783 is not a number' "cnn: a string element"
bad cnn '{"inputs":[{"name":"pixels","shape":[1,28,28,1],"datatype":"FP32","data":[0]}]}' \
    "takes one input, 'images'" "cnn: wrong input name"
bad cnn '{"inputs":[{"name":"images","shape":[1000000000,28,28,1],"datatype":"FP32","data":[0]}]}' \
    'data holds 1 elements, its shape 784000000000' "a huge shape (no allocation)"
bad bilstm '{"inputs":[{"name":"input_ids","shape":[1,2],"datatype":"INT64","data":[5,10000]}]}' \
    'id 10000 at [0, 1] is out of range [0, 10000)' "bilstm: token id out of range"
bad bilstm '{"inputs":[{"name":"input_ids","shape":[1,2],"datatype":"INT64","data":[5,-1]}]}' \
    'id -1 at [0, 1] is out of range' "bilstm: negative token id"
bad bilstm '{"inputs":[{"name":"input_ids","shape":[1,2],"datatype":"INT64","data":[5,1.5]}]}' \
    'element 1 is not an integer' "bilstm: a fractional id"
bad bilstm '{"inputs":[{"name":"input_ids","shape":[1,2],"datatype":"FP32","data":[5,6]}]}' \
    'must be INT64 or INT32' "bilstm: FP32 ids"
bad bilstm '{"inputs":[{"name":"input_ids","shape":[1,2],"datatype":"INT32","data":[5,3000000000]}]}' \
    'out of INT32 range' "bilstm: INT32 overflow"
bad bilstm '{"inputs":[{"name":"input_ids","shape":[2,2],"datatype":"INT64","data":[5,6,7,8]},{"name":"lengths","shape":[2],"datatype":"INT64","data":[2,3]}]}' \
    "lengths[1] = 3 is not in [1, 2]" "bilstm: a length past T"
bad bilstm '{"inputs":[{"name":"input_ids","shape":[2,2],"datatype":"INT64","data":[5,6,7,8]},{"name":"lengths","shape":[3],"datatype":"INT64","data":[2,2,2]}]}' \
    "shape [3], expected [2]" "bilstm: lengths of the wrong shape"
bad bilstm '{"inputs":[{"name":"tokens","shape":[1,1],"datatype":"INT64","data":[5]}]}' \
    "unexpected input 'tokens'" "bilstm: unknown input"
bad transformer "$(jq -nc '{inputs: [{name: "input_ids", shape: [1, 257], datatype: "INT64", data: [range(257) | 2]}]}')" \
    "T = 257 is longer than the model's 256" "transformer: sequence too long"
bad cnn '{"inputs":[{"name":"images","shape":[1,28,28,1],"datatype":"FP32","data":[0]}],"outputs":[{"name":"scores"}]}' \
    "unknown output 'scores'" "unknown output"
req POST $P /v2/models/cnn/classify --data-binary 'hello'
expect 400 'image model' "classify on the cnn: 400"
head -c 300000 /dev/zero | tr '\0' ' ' >"$WORK/big.body"
# Refused on its headers, before the body is read (then the connection
# closes): with Expect: 100-continue the client never sends the body.
req POST $P /v2/models/cnn/infer $J -H 'Expect: 100-continue' --data-binary @"$WORK/big.body"
expect 413 'over the limit of 200000' "a body over --max-body (Content-Length): 413 before the body"
req POST $P /v2/models/cnn/infer $J -H 'Transfer-Encoding: chunked' --data-binary @"$WORK/big.body"
expect 413 'too large' "a chunked body over --max-body: 413"

# Still serving after all that.
req POST $P /v2/models/cnn/infer $J -d @"$WORK/flat.json"
check "still serving: the first answer again" \
    test "$(jq -c .outputs "$WORK/body")" = "$(jq -c .outputs "$WORK/flat.out")"
req GET $P /metrics
check "metrics: the cnn's 400s and 413s are counted" \
    sh -c "grep -q '^vnn_inference_requests_total{model=\"cnn\",code=\"400\"} 1[0-9]$' '$WORK/body' &&
           grep -q '^vnn_http_requests_total{code=\"413\"} 2$' '$WORK/body'"
check "server exits 0 on SIGTERM" stop_server "$s_pid"
finish
