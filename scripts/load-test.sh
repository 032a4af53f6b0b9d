#!/usr/bin/env bash
# Bounded loopback load test (wrk): POST /v1/fr/count and /v1/auth/token
# at concurrency 1, 4 and 16 for DURATION seconds each, against a release
# server with its own data dir. Prints p50/p95/p99, requests per second,
# answers by status and the server's memory (RSS) after each run.
#   scripts/load-test.sh [DURATION_SECONDS] [IMAGE]
# Limits: by default they are raised so that the run measures capacity;
# LIMITS=default keeps the shipped limits (then 429s are expected).
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-60}"
image="${2:-../shared/data/faces/lfw/Abdullah/Abdullah_0001.jpg}"
command -v wrk >/dev/null || { bash scripts/setup.sh; apt-get install -y wrk; }
cargo build --release --locked -p ekyc
./target/release/ekyc models fetch >/dev/null

work="$(mktemp -d)"
keydir="$(mktemp -d)"
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work" "$keydir"' EXIT
export EKYC_DATA_DIR="$work/data"
export EKYC_MODEL_DIR="${EKYC_MODEL_DIR:-$PWD/.cache/models}"
export EKYC_MASTER_KEY="$(./target/release/ekyc master-key generate)"
export RUST_LOG=warn
if [ "${LIMITS:-raised}" != default ]; then
    export EKYC_RATE_LIMIT_PER_SECOND=1000000 EKYC_RATE_LIMIT_BURST=1000000
    export EKYC_TOKEN_ATTEMPTS_PER_MINUTE=1000000 EKYC_TENANT_MAX_CONCURRENT=1000
fi

tenant_json="$(./target/release/ekyc tenant create --name load-test --json)"
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$tenant_json" "$1"; }
access_key="$(field accessKey)"; secret_key="$(field secretKey)"
export TENANT_TOKEN="$(field tenantToken)"

./target/release/ekyc serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.2; done
address="$(sed -n 's/^listening on //p' "$work/serve.out")"
rss() { awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$server_pid/status"; }

printf '{"accessKey":"%s","secretKey":"%s"}' "$access_key" "$secret_key" >"$work/token.json"
python3 -c "import base64,json,sys; print(json.dumps({'image': base64.b64encode(open(sys.argv[1],'rb').read()).decode()}))" "$image" >"$work/count.json"
token_answer="$(curl -s -X POST -H 'Content-Type: application/json' --data @"$work/token.json" "http://$address/v1/auth/token")"
export ACCESS_TOKEN="$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['accessToken'])" "$token_answer")"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1048576)}' /proc/meminfo) GiB, $(uname -r); limits: ${LIMITS:-raised}; image: $image"
echo "server RSS at start: $(rss)"
for endpoint in count token; do
    for connections in 1 4 16; do
        threads=$(( connections < 2 ? 1 : 2 ))
        if [ "$endpoint" = token ]; then
            body="$work/token.json"; path=/v1/auth/token; with_auth=0
        else
            body="$work/count.json"; path=/v1/fr/count; with_auth=1
        fi
        result="$(BODY_FILE="$body" WITH_AUTH="$with_auth" \
            wrk -t "$threads" -c "$connections" -d "${duration}s" --timeout 30s \
            -s bench/wrk-report.lua "http://$address$path" | grep '^RESULT')"
        echo "$path c=$connections ${result#RESULT } rss=$(rss)"
    done
done
