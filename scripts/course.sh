#!/usr/bin/env bash
# Opens the course in JupyterLab 4 on the notebooks/ folder, installing what is missing first:
# an installed `jupyter lab` where there is one (pip, conda, Binder); otherwise the project's own
# build of JupyterLab's front end (lab/, built on first use) served by Debian's jupyter-server;
# the classic Notebook as a last resort.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --course
args=(--notebook-dir="$PWD/notebooks")
# Jupyter refuses to start as root without this (containers and Binder-like machines run as root).
[ "$(id -u)" = 0 ] && args+=(--allow-root)
args+=("$@")
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
if command -v jupyter-lab >/dev/null 2>&1; then
  echo "gradbook course: starting JupyterLab ($(command -v jupyter-lab))"
  exec jupyter lab "${args[@]}"
elif "$PY" -c "import jupyter_server, jupyterlab_server" 2>/dev/null; then
  bash scripts/lab-build.sh
  echo "gradbook course: starting JupyterLab (lab/build, served by $PY's jupyter_server)"
  PYTHONPATH="$PWD/lab${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" -c "import gradbook_lab; gradbook_lab.main()" "${args[@]}"
elif command -v jupyter-notebook >/dev/null 2>&1; then
  echo "gradbook course: no JupyterLab server here (apt-get install python3-jupyter-server python3-jupyterlab-server); starting the classic Notebook" >&2
  exec jupyter notebook "${args[@]}"
else
  echo "No Jupyter front end found. Install one: apt-get install python3-jupyter-server python3-jupyterlab-server (Debian/Ubuntu), or pip install jupyterlab." >&2
  exit 1
fi
