#!/usr/bin/env bash
# Coverage-guided fuzzing of every target with libFuzzer (cargo-fuzz, on
# the nightly toolchain), seeded from crates/ekyc-fuzz's seeds.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Crashes land in fuzz/artifacts/<target>/; copy them to
# fuzz/regressions/<target>/ so the stable test replays them forever.
# CI runs the stable, bounded variant instead (crates/ekyc-fuzz/tests).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(image_intake request_parts onnx_model calibration document_fields)
fi

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cargo run -q --release -p ekyc-fuzz --bin write-seeds -- fuzz/corpus
(cd fuzz && cargo +nightly fuzz build -O)
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    if [ -d "fuzz/regressions/$target" ]; then
        cp -n fuzz/regressions/"$target"/crash-* "fuzz/corpus/$target/" 2>/dev/null || true
    fi
    echo "== $target: ${seconds} s"
    (cd fuzz && cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1) 2>&1 |
        tee "fuzz/$target.log" | grep -E "stat::|Done|ERROR|SUMMARY" || true
done
