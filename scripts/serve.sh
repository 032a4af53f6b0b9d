#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running server:
# system packages, release build, models fetched and verified, serve.
# Arguments are passed to `ekyc serve` (e.g. --listen 127.0.0.1:8080).
#
# Templates are encrypted under a master key that must not live beside
# the data. When none is configured (EKYC_MASTER_KEY, EKYC_MASTER_KEY_FILE
# or master_key* in an EKYC_CONFIG file), one is generated once into
# ~/.config/ekyc/master.key (mode 600). In production, give it from a
# secret manager instead, and back it up: without it no template opens.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release --locked -p ekyc
./target/release/ekyc models fetch

configured_in_file() {
    [ -n "${EKYC_CONFIG:-}" ] && grep -Eq '^[[:space:]]*master_key(_file)?[[:space:]]*=' "$EKYC_CONFIG"
}
if [ -z "${EKYC_MASTER_KEY:-}" ] && [ -z "${EKYC_MASTER_KEY_FILE:-}" ] && ! configured_in_file; then
    key_file="${XDG_CONFIG_HOME:-$HOME/.config}/ekyc/master.key"
    if [ ! -s "$key_file" ]; then
        mkdir -p "$(dirname "$key_file")"
        (umask 077 && ./target/release/ekyc master-key generate >"$key_file")
        echo "generated a master key in $key_file: back it up, templates cannot be read without it" >&2
    fi
    export EKYC_MASTER_KEY_FILE="$key_file"
fi
exec ./target/release/ekyc serve "$@"
