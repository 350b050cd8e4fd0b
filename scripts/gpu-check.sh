#!/usr/bin/env bash
# The GPU check and benchmark in one go, from the repo root on a machine with an NVIDIA GPU:
#   1. every backend case on "cuda" against the js reference, and the frontend on "cuda"
#      (test/cuda/check.ts), then the convolution cases again without cuDNN;
#   2. the cuda test file under vitest, which also runs the op database on "cuda";
#   3. the benchmark W1-W5 on "cuda" against PyTorch on the same GPU (bench/gpu.ts).
# Node and the build come from .carry/ (scripts/gpu-pack.sh made them) when this machine has
# none; with a local build (npm install) it uses dist/ and build/ instead.
# Usage: bash scripts/gpu-check.sh [--quick] [--steps 1,2,3]
#   --quick   smaller benchmark sizes; --steps runs only some steps (e.g. in two calls where one
#   command may run at most 10 minutes: --steps 1,2 then --steps 3).
# Exit status: 0 all ran and passed, 1 a check failed, 2 CUDA unavailable (the reason is printed).
set -uo pipefail
cd "$(dirname "$0")/.."
QUICK=""
STEPS="1,2,3"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK="--quick" ;;
    --steps) STEPS="$2"; shift ;;
    *) echo "gpu-check: unknown argument $1"; exit 1 ;;
  esac
  shift
done
step() { [[ ",$STEPS," == *",$1,"* ]]; }

if ! command -v node >/dev/null 2>&1; then
  [ -f .carry/node.xz ] || { echo "gpu-check: no node and no .carry/node.xz (run scripts/gpu-pack.sh where Node is)"; exit 1; }
  xz -dc .carry/node.xz > /tmp/node && chmod +x /tmp/node
  export PATH=/tmp:$PATH
fi
echo "gpu-check: node $(node --version); $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'nvidia-smi not found')"

if [ -f .carry/gpu-bundle.tar.xz ]; then
  if [ ! -f .carry/run/.unpacked ] || [ .carry/gpu-bundle.tar.xz -nt .carry/run/.unpacked ]; then
    rm -rf .carry/run && mkdir -p .carry/run
    xz -dc .carry/gpu-bundle.tar.xz | tar -C .carry/run -xf - && touch .carry/run/.unpacked
  fi
  DIST=.carry/run/dist
  export GRADBOOK_CUDA_ADDON=$PWD/.carry/run/build/Release/gradbook_cuda.node
  # vitest resolves from the repo root; lend it the carried packages where none are installed.
  [ -e node_modules ] || ln -s .carry/run/node_modules node_modules
else
  DIST=dist
fi
[ -f "$DIST/test/cuda/check.js" ] || { echo "gpu-check: $DIST/test/cuda/check.js missing (run scripts/gpu-pack.sh)"; exit 1; }

status=0
if step 1; then
  echo; echo "== 1. backend and frontend checks: cuda vs js"
  timeout 900 node "$DIST/test/cuda/check.js"
  rc=$?
  if [ $rc -eq 2 ] && [ "${GRADBOOK_GPU_CHECK_ALL:-}" != 1 ]; then
    # GRADBOOK_GPU_CHECK_ALL=1 runs the later steps anyway, to test the packing without a GPU.
    echo "gpu-check: CUDA is unavailable here; nothing more to run"; exit 2
  fi
  [ $rc -ne 0 ] && status=1

  echo; echo "== 1b. convolution and pooling without cuDNN (im2col + GEMM)"
  GRADBOOK_CUDNN=0 timeout 600 node "$DIST/test/cuda/check.js" --filter 'conv|Pool|conv net' || status=1
fi

if step 2; then
  echo; echo "== 2. vitest test/cuda (nvcc checks, and the op database on cuda)"
  if [ -f node_modules/vitest/vitest.mjs ]; then
    timeout 900 node node_modules/vitest/vitest.mjs run test/cuda --reporter=dot || status=1
  else
    echo "gpu-check: vitest not available; skipped"
  fi
fi

if step 3; then
  echo; echo "== 3. benchmark: gradbook cuda vs PyTorch on the same GPU"
  PY=python3; command -v "$PY" >/dev/null || PY=/usr/bin/python3
  timeout 1200 node --expose-gc "$DIST/bench/gpu.js" $QUICK --python "$PY" --json gpu-bench.json || status=1
fi
echo; echo "gpu-check: done (status $status); figures also in gpu-bench.json"
exit $status
