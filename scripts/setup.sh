#!/usr/bin/env bash
# Installs everything gradbook needs, idempotently: Debian packages (Jupyter clients, Chromium,
# PyTorch as the reference peer), npm packages, the TypeScript build, the native addon and the
# kernelspec. Safe to run again; it only does what is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

# libopenblas0-pthread: the BLAS of the PyTorch benchmark peer (without it Debian's torch falls back to
# the reference BLAS, some 40x slower at matrix products, and npm run bench would flatter gradbook).
APT_PKGS=(python3 make g++ python3-jupyter-client python3-jupyter-kernel-test python3-nbclient
  python3-nbformat python3-ipykernel python3-pytest jupyter-notebook jupyter-nbconvert
  python3-jupyter-server python3-jupyterlab-server
  chromium fonts-dejavu-core python3-torch libopenblas0-pthread dataset-fashion-mnist)
missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "gradbook setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "gradbook setup: please install these packages with your system's package manager: ${missing[*]}" >&2
  fi
fi

stamp=node_modules/.gradbook-installed
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
  echo "gradbook setup: npm install"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  touch "$stamp"
else
  # Dependencies are current: rebuild what changed (postinstall did all of this on install).
  npx tsc -p tsconfig.build.json
  node scripts/build-native.js --if-stale
  GRADBOOK_QUIET=1 node bin/gradbook.js install --user >/dev/null
fi
