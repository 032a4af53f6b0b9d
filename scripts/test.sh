#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to the whole test suite:
# system packages, models fetched and verified into .cache/models, the
# conformance run's schemathesis into .cache/conformance-venv, format
# and lint checks, then every test of the workspace (store tests on SQLite
# and PostgreSQL), then the API tests again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --for-tests
export EKYC_MODEL_DIR="$PWD/.cache/models"
# schemathesis, pinned with everything it imports, for the OpenAPI
# conformance test (crates/ekyc/tests/conformance.rs); made again only
# when the pins change.
venv=.cache/conformance-venv
pins=crates/ekyc/tests/schemathesis/requirements.txt
if ! cmp -s "$pins" "$venv/pins.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$pins"
  cp "$pins" "$venv/pins.txt"
fi
export EKYC_SCHEMATHESIS="$PWD/$venv/bin/schemathesis"
# Seconds of random mutations per fuzz target in the bounded CI run.
export EKYC_FUZZ_SECONDS="${EKYC_FUZZ_SECONDS:-15}"
cargo build --locked -p ekyc
./target/debug/ekyc models fetch
cargo fmt --all --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --workspace
EKYC_TEST_BACKEND=postgres cargo test --locked -p ekyc --test api --test security --test identify
