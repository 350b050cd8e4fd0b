#!/usr/bin/env bash
# Opens the course: installs what is missing, then starts JupyterLab where installed, else
# the classic Notebook, on the notebooks/ folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --course
args=(--notebook-dir="$PWD/notebooks")
# Jupyter refuses to start as root without this (containers and Binder-like machines run as root).
[ "$(id -u)" = 0 ] && args+=(--allow-root)
args+=("$@")
if command -v jupyter-lab >/dev/null 2>&1; then
  exec jupyter lab "${args[@]}"
elif command -v jupyter-notebook >/dev/null 2>&1; then
  exec jupyter notebook "${args[@]}"
else
  echo "No Jupyter front end found. Install one: apt-get install jupyter-notebook (Debian/Ubuntu), or pip install jupyterlab." >&2
  exit 1
fi
