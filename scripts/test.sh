#!/usr/bin/env bash
# The whole test suite: set-up, in-process unit tests (vitest), the real-client suites
# (jupyter_client, jupyter_kernel_test, nbclient over every notebook) and the browser test.
# Ends with one summary line: "gradbook: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "gradbook: setup failed"; exit 1; }
rm -rf test-output && mkdir -p test-output
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json
vitest_rc=$?
"$PY" -m pytest test/clients -q -p no:cacheprovider --junitxml=test-output/pytest.xml
pytest_rc=$?
node scripts/summarize.js test-output/vitest.json test-output/pytest.xml
sum_rc=$?
if [ $vitest_rc -ne 0 ] || [ $pytest_rc -ne 0 ] || [ $sum_rc -ne 0 ]; then exit 1; fi
