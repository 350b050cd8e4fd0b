#!/usr/bin/env bash
# Builds the course's JupyterLab front end (lab/) when needed: `npm ci` when lab/package-lock.json
# changed, webpack when the lock, lab/index.js or lab/webpack.config.js changed. Cached otherwise.
# Says what it does and how long it took. Needs no Python packages beyond Debian's
# python3-jupyter-server and python3-jupyterlab-server, which serve the result.
set -euo pipefail
cd "$(dirname "$0")/../lab"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f s", b - a }'; }

lock_hash=$(hash_of package-lock.json)
if [ "$(cat node_modules/.gradbook-lock 2>/dev/null)" != "$lock_hash" ]; then
  echo "gradbook lab: installing JupyterLab's front-end packages (npm ci in lab/, about 450 MB, once)"
  t=$(now)
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.gradbook-lock
  echo "gradbook lab: packages installed in $(took "$t")"
fi

build_hash=$(hash_of package-lock.json index.js webpack.config.js)
if [ "$(cat build/.gradbook-build 2>/dev/null)" != "$build_hash" ] || [ ! -f build/bundle.js ]; then
  echo "gradbook lab: building JupyterLab (webpack, development mode; about 20 s and 0.6 GB)"
  t=$(now)
  rm -rf build
  npx --no-install webpack --config webpack.config.js >build.log 2>&1 || { tail -40 build.log >&2; echo "gradbook lab: the build failed; the whole log is in lab/build.log" >&2; exit 1; }
  echo "$build_hash" > build/.gradbook-build
  echo "gradbook lab: built lab/build/ in $(took "$t")"
fi
