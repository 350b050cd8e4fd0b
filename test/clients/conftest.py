"""Shared set-up for the real-client tests: the gradbook kernelspec must be installed and the
kernel built, and kernels started by the tests keep their history in a throwaway file."""
import os
import pathlib
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Kernels inherit the environment: keep test runs out of the user's own history.
os.environ.setdefault("GRADBOOK_HISTORY", os.path.join(tempfile.mkdtemp(prefix="gradbook-test-"), "history.jsonl"))


@pytest.fixture(scope="session", autouse=True)
def gradbook_kernelspec():
    """Builds the kernel if it was never built, and (re)installs the kernelspec for the user,
    so the spec points at this checkout."""
    if not (ROOT / "dist" / "kernel" / "cli.js").exists():
        subprocess.run(["npx", "tsc", "-p", "tsconfig.build.json"], cwd=ROOT, check=False)
    subprocess.run(["node", str(ROOT / "bin" / "gradbook.js"), "install", "--user"], cwd=ROOT, check=True,
                   env={**os.environ, "GRADBOOK_QUIET": "1"})
    yield
