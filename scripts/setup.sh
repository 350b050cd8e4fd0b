#!/usr/bin/env bash
# Installs what gradbook needs, idempotently; a second run only rebuilds what changed.
#
#   bash scripts/setup.sh --course   what a student needs to open the course (npm run course): a
#                                    Jupyter server, a C++ compiler and fonts (from apt only where
#                                    missing, so no root is needed where they are present, as on
#                                    Binder), the npm runtime packages, the builds, the kernelspec
#   bash scripts/setup.sh            everything the tests and benchmarks need too (npm test): the
#                                    Jupyter clients, Chromium, PyTorch as the reference peer, the
#                                    development npm packages
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
[ "${1:-}" = "--course" ] && mode=course

# Runs a step, saying what it is before and how long it took after.
step() {
  local what=$1; shift
  local t0=$SECONDS
  echo "gradbook setup: $what ..."
  "$@"
  echo "gradbook setup: $what took $((SECONDS - t0)) s"
}

# The TypeScript build, skipped when no source under lib/, kernel/, bench/ (nor a tsconfig) is
# newer than the last build. A course install has no benchmark peers, so it builds lib/ and kernel/.
build_ts() {
  local stamp=dist/.gradbook-built config=tsconfig.build.json
  [ -d node_modules/@tensorflow/tfjs ] || config=tsconfig.course.json
  if [ -f "$stamp" ] && [ -z "$(find lib kernel bench tsconfig.json "$config" -newer "$stamp" -name '*.ts' -o -newer "$stamp" -name 'tsconfig*.json' 2>/dev/null | head -1)" ]; then
    echo "gradbook setup: TypeScript build is current"
    return
  fi
  step "TypeScript build ($config)" npx tsc -p "$config"
  touch "$stamp"
}

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  if command -v apt-get >/dev/null && command -v dpkg >/dev/null; then
    local SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "gradbook setup: installing Debian packages (a few minutes the first time): ${missing[*]}"
    step "apt-get update" $SUDO apt-get update -qq
    step "apt-get install" env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "gradbook setup: please install these packages with your system's package manager: ${missing[*]}" >&2
  fi
}

if [ "$mode" = course ]; then
  # Only what is missing: a Jupyter front end and server, the compiler for the native addon, fonts.
  need=()
  command -v jupyter-lab >/dev/null 2>&1 || /usr/bin/python3 -c "import jupyter_server, jupyterlab_server" 2>/dev/null \
    || need+=(python3-jupyter-server python3-jupyterlab-server jupyter-notebook)
  { command -v make && command -v g++ && command -v python3; } >/dev/null 2>&1 || need+=(python3 make g++)
  fc-match -f '%{family}' "DejaVu Sans" 2>/dev/null | grep -q DejaVu || need+=(fonts-dejavu-core)
  if ((${#need[@]})) && command -v dpkg >/dev/null; then apt_install "${need[@]}"
  elif ((${#need[@]})); then echo "gradbook setup: please install: ${need[*]}" >&2; fi
else
  # libopenblas0-pthread: the BLAS of the PyTorch benchmark peer (without it Debian's torch falls back
  # to the reference BLAS, some 40x slower at matrix products, and npm run bench would flatter gradbook).
  apt_install python3 make g++ python3-jupyter-client python3-jupyter-kernel-test python3-nbclient \
    python3-nbformat python3-ipykernel python3-pytest jupyter-client jupyter-notebook jupyter-nbconvert \
    python3-jupyter-server python3-jupyterlab-server \
    chromium fonts-dejavu-core python3-torch python3-threadpoolctl libopenblas0-pthread dataset-fashion-mnist
fi

# npm packages: a course install omits the development packages (test tools, benchmark peers); the
# full one has them. The stamp records which was installed and when.
stamp=node_modules/.gradbook-installed
installed=$(cat "$stamp" 2>/dev/null || true)
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; } \
   || { [ "$mode" = full ] && [ "$installed" = course ]; }; then
  omit=(); [ "$mode" = course ] && omit=(--omit=dev)
  if [ -f package-lock.json ]; then step "npm ci ${omit[*]} (npm packages, TypeScript and native builds)" npm ci --no-audit --no-fund "${omit[@]}"
  else step "npm install ${omit[*]} (npm packages, TypeScript and native builds)" npm install --no-audit --no-fund "${omit[@]}"; fi
  echo "$mode" > "$stamp"
else
  # Dependencies are current: rebuild what changed (postinstall did all of this on install).
  build_ts
  node scripts/build-native.js --if-stale
  GRADBOOK_QUIET=1 node bin/gradbook.js install --user >/dev/null
fi
