#!/usr/bin/env bash
# The peer baseline of `ekyc bench fr`: the same photos through the Python
# face_recognition library, in a virtual environment under .cache.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
venv=.cache/peer-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { echo "install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
fi
"$venv/bin/pip" install -q --disable-pip-version-check numpy==2.1.3 pillow==11.0.0 \
  dlib-bin==20.0.1.post1 face_recognition_models==0.3.0
# face_recognition declares a dependency on the source-only dlib package;
# dlib-bin provides the same module prebuilt.
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps face_recognition==1.3.0
exec "$venv/bin/python" bench/peer_face_recognition.py "$@"
