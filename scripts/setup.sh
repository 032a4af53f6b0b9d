#!/usr/bin/env bash
# Installs the system packages the build and the model fetch need on
# Debian 12, only those that are missing. Idempotent; used by serve.sh and
# test.sh. With --for-tests, also the PostgreSQL server binaries that the
# store and API tests start in temporary directories, and Chromium with
# its WebDriver for the console's browser tests.
set -euo pipefail

missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
# pip verifies downloads against the system's certificate store.
[ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
# What the server needs at run time (Tesseract 5 and its models), from the
# one list the container image installs too.
while read -r package; do
  installed "$package" || missing+=("$package")
done < <(grep -Ev '^[[:space:]]*(#|$)' "$(dirname "$0")/../deploy/runtime-packages.txt")
if [ "${1:-}" = --for-tests ]; then
  # Fonts of the synthetic ID cards that the OCR tests and benchmark print;
  # fonts-baekmuk holds two of the typefaces kept out of the recogniser's
  # training (lines::HELD_OUT_FONTS), to print cards it has never seen.
  for package in fonts-nanum fonts-unfonts-core fonts-ocr-b fonts-baekmuk; do
    installed "$package" || missing+=("$package")
  done
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  # The console's browser tests: Chromium and its WebDriver.
  for package in chromium chromium-driver; do
    installed "$package" || missing+=("$package")
  done
  # The OpenAPI conformance run's virtual environment.
  python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  # deploy/check.py reads the compose file.
  python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: the Rust toolchain (cargo, stable) is required; install it with rustup" >&2
  exit 1
fi
