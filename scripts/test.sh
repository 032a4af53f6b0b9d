#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to the whole test suite:
# system packages, models fetched and verified into .cache/models, format
# and lint checks, then every test of the workspace (store tests on SQLite
# and PostgreSQL), then the API tests again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --for-tests
export EKYC_MODEL_DIR="$PWD/.cache/models"
# Seconds of random mutations per fuzz target in the bounded CI run.
export EKYC_FUZZ_SECONDS="${EKYC_FUZZ_SECONDS:-15}"
cargo build --locked -p ekyc
./target/debug/ekyc models fetch
cargo fmt --all --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --workspace
EKYC_TEST_BACKEND=postgres cargo test --locked -p ekyc --test api --test security --test identify
