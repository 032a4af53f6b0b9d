#!/usr/bin/env bash
# Trains the recogniser: line generators on every core but three, the
# trainer beside them, for SECONDS of wall-clock time. This is the command
# that made models/recogniser/recogniser.onnx on a lent GPU machine (one
# H100 or H200, 16 cores); it runs on a CPU too, only slower.
#
#   tools/recogniser/run.sh OUT [SECONDS] [train.py options...]
#
# SEED_OFFSET moves the generators' seeds (a second run sees new cards).
# Needs: the ekyc-lines binary (LINES, default target/release/ekyc-lines),
# the subset fonts (FONTS, default .fonts; see subset_fonts.py), the
# evaluation shards (EVAL, default .carry; see README.md), and python3 with
# torch, numpy and onnxruntime.
set -euo pipefail
out=${1:?usage: run.sh OUT [SECONDS]}
seconds=${2:-420}
shift $(( $# < 2 ? $# : 2 ))
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lines_bin=$(realpath "${LINES:-$root/target/release/ekyc-lines}")
fonts=$(realpath "${FONTS:-$root/.fonts}")
eval_dir=$(realpath "${EVAL:-$root/.carry}")
shards=${SHARDS:-/tmp/recogniser-lines}
rm -rf "$shards"
mkdir -p "$shards" "$out"
out=$(realpath "$out")
generators=$(( $(nproc) > 4 ? $(nproc) - 3 : 1 ))
pids=()
for i in $(seq 1 "$generators"); do
  "$lines_bin" --cards 100000000 --seed $(( i * 10000000 + ${SEED_OFFSET:-0} )) --font-root "$fonts" \
    --cuts 3 --random 24 --shard-lines 512 --out "$shards" >>"$out/generators.log" 2>&1 &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
cd "$here"
python3 train.py --shards "$shards" --seconds "$seconds" --out "$out" \
  --eval heldout="$eval_dir/eval-heldout" cards="$eval_dir/eval-cards" "$@"
