#!/usr/bin/env bash
# Bounded loopback load test (wrk): POST endpoints at concurrency 1, 4
# and 16 for DURATION seconds each, against a release server with its own
# data dir. Prints p50/p95/p99, requests per second, answers by status and
# the server's memory (RSS) after each run.
#   scripts/load-test.sh [DURATION_SECONDS] [IMAGE]
# ENDPOINTS: any of count token register verify (default "count token").
# DATABASE=postgres: the server stores into a PostgreSQL started here in a
# temporary directory (default: SQLite).
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
chmod 755 "$work"
cleanup() {
    local pid
    for pid in ${server_pid:-} ${pg_pid:-}; do
        kill "$pid" 2>/dev/null || true
    done
    sleep 1
    rm -rf "$work"
}
trap cleanup EXIT
export EKYC_DATA_DIR="$work/data"
export EKYC_MODEL_DIR="${EKYC_MODEL_DIR:-$PWD/.cache/models}"
export EKYC_MASTER_KEY="$(./target/release/ekyc master-key generate)"
export RUST_LOG=warn
if [ "${LIMITS:-raised}" != default ]; then
    export EKYC_RATE_LIMIT_PER_SECOND=1000000 EKYC_RATE_LIMIT_BURST=1000000
    export EKYC_TOKEN_ATTEMPTS_PER_MINUTE=1000000 EKYC_TENANT_MAX_CONCURRENT=1000
fi

start_postgres() {
    local bin port as_pg=()
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    mkdir -p "$work/pg"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$work/pg"
        as_pg=(setpriv --reuid=postgres --regid=postgres --clear-groups)
    fi
    "${as_pg[@]}" "$bin/initdb" -A trust -U ekyc -D "$work/pg/data" >/dev/null
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${as_pg[@]}" "$bin/postgres" -D "$work/pg/data" -p "$port" -k "$work/pg" \
        -c listen_addresses=127.0.0.1 >"$work/pg/log" 2>&1 &
    pg_pid=$!
    until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; do sleep 0.2; done
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U ekyc ekyc
    export EKYC_DATABASE_URL="postgres://ekyc@127.0.0.1:$port/ekyc"
}
if [ "${DATABASE:-sqlite}" = postgres ]; then
    start_postgres
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
body() {
    python3 -c "import base64,json,sys; d={'image': base64.b64encode(open(sys.argv[1],'rb').read()).decode()}; d.update(json.loads(sys.argv[2])); print(json.dumps(d))" "$image" "$1"
}
body '{}' >"$work/count.json"
body '{"userCode": "load-user"}' >"$work/register.json"
cp "$work/register.json" "$work/verify.json"
token_answer="$(curl -s -X POST -H 'Content-Type: application/json' --data @"$work/token.json" "http://$address/v1/auth/token")"
export ACCESS_TOKEN="$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['accessToken'])" "$token_answer")"

curl -s -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $ACCESS_TOKEN" \
    -H "X-Tenant-Token: $TENANT_TOKEN" --data @"$work/register.json" "http://$address/v1/fr/register" >/dev/null

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1048576)}' /proc/meminfo) GiB, $(uname -r); limits: ${LIMITS:-raised}; database: ${DATABASE:-sqlite}; image: $image"
echo "server RSS at start: $(rss)"
for endpoint in ${ENDPOINTS:-count token}; do
    for connections in 1 4 16; do
        threads=$(( connections < 2 ? 1 : 2 ))
        case "$endpoint" in
            token) path=/v1/auth/token; with_auth=0 ;;
            count) path=/v1/fr/count; with_auth=1 ;;
            register) path=/v1/fr/register; with_auth=1 ;;
            verify) path=/v1/fr/verify; with_auth=1 ;;
            *) echo "unknown endpoint $endpoint" >&2; exit 2 ;;
        esac
        result="$(BODY_FILE="$work/$endpoint.json" WITH_AUTH="$with_auth" \
            wrk -t "$threads" -c "$connections" -d "${duration}s" --timeout 30s \
            -s bench/wrk-report.lua "http://$address$path" | grep '^RESULT')"
        echo "$path c=$connections ${result#RESULT } rss=$(rss)"
    done
done
