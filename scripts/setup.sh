#!/usr/bin/env bash
# Installs everything gradbook needs, idempotently: Debian packages (Jupyter clients, Chromium,
# PyTorch as the reference peer), npm packages, the TypeScript build, the native addon and the
# kernelspec. Safe to run again; it only does what is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs a step, saying what it is before and how long it took after.
step() {
  local what=$1; shift
  local t0=$SECONDS
  echo "gradbook setup: $what ..."
  "$@"
  echo "gradbook setup: $what took $((SECONDS - t0)) s"
}

# The TypeScript build, skipped when no source under lib/, kernel/, bench/ (nor a tsconfig) is
# newer than the last build.
build_ts() {
  local stamp=dist/.gradbook-built
  if [ -f "$stamp" ] && [ -z "$(find lib kernel bench tsconfig.json tsconfig.build.json -newer "$stamp" -name '*.ts' -o -newer "$stamp" -name 'tsconfig*.json' 2>/dev/null | head -1)" ]; then
    echo "gradbook setup: TypeScript build is current"
    return
  fi
  step "TypeScript build (tsc)" npx tsc -p tsconfig.build.json
  touch "$stamp"
}

# libopenblas0-pthread: the BLAS of the PyTorch benchmark peer (without it Debian's torch falls back to
# the reference BLAS, some 40x slower at matrix products, and npm run bench would flatter gradbook).
APT_PKGS=(python3 make g++ python3-jupyter-client python3-jupyter-kernel-test python3-nbclient
  python3-nbformat python3-ipykernel python3-pytest jupyter-client jupyter-notebook jupyter-nbconvert
  chromium fonts-dejavu-core python3-torch python3-threadpoolctl libopenblas0-pthread dataset-fashion-mnist)
missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "gradbook setup: installing Debian packages (a few minutes the first time): ${missing[*]}"
    step "apt-get update" $SUDO apt-get update -qq
    step "apt-get install" env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "gradbook setup: please install these packages with your system's package manager: ${missing[*]}" >&2
  fi
fi

stamp=node_modules/.gradbook-installed
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
  if [ -f package-lock.json ]; then step "npm ci (npm packages, TypeScript and native builds)" npm ci --no-audit --no-fund
  else step "npm install (npm packages, TypeScript and native builds)" npm install --no-audit --no-fund; fi
  touch "$stamp" dist/.gradbook-built
else
  # Dependencies are current: rebuild what changed (postinstall did all of this on install).
  build_ts
  node scripts/build-native.js --if-stale
  GRADBOOK_QUIET=1 node bin/gradbook.js install --user >/dev/null
fi
