#!/usr/bin/env bash
# Peer baselines, in a virtual environment under .cache with pinned
# packages:
#   scripts/bench-peer.sh [ARGS]          accuracy of the Python face_recognition
#                                         library on the photos of `ekyc bench fr`
#   scripts/bench-peer.sh verify [ARGS]   verify latency of this server over HTTP
#                                         against OpenCV's pipeline on the same model
#                                         files and face_recognition, interleaved
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
venv=.cache/peer-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { echo "install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
fi
"$venv/bin/pip" install -q --disable-pip-version-check numpy==2.1.3 pillow==11.0.0 \
  dlib-bin==20.0.1.post1 face_recognition_models==0.3.0 opencv-python-headless==4.12.0.88
# face_recognition declares a dependency on the source-only dlib package;
# dlib-bin provides the same module prebuilt.
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps face_recognition==1.3.0

if [ "${1:-}" = verify ]; then
  shift
  cargo build --release --locked -p ekyc
  export EKYC_MODEL_DIR="${EKYC_MODEL_DIR:-$PWD/.cache/models}"
  ./target/release/ekyc models fetch
  exec "$venv/bin/python" bench/peer_verify.py --models "$EKYC_MODEL_DIR" "$@"
fi
exec "$venv/bin/python" bench/peer_face_recognition.py "$@"
