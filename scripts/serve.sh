#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running server:
# system packages, release build, models fetched and verified, serve.
# Arguments are passed to `ekyc serve` (e.g. --listen 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release --locked -p ekyc
./target/release/ekyc models fetch
exec ./target/release/ekyc serve "$@"
