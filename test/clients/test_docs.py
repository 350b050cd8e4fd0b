"""Every ```ts block in README.md and docs/*.md runs in a real gradbook kernel, so the docs stay
true. Blocks of one file share one kernel and run in order, as cells of a notebook would. A block
that cannot run as written (it needs a GPU, or shows a file's contents) is preceded by a line
`<!-- no-run: REASON -->`; the reason is required."""
import pathlib
import re

import pytest
from jupyter_client.manager import start_new_kernel

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!-- no-run: (?P<reason>[^>]+?) -->\n)?```ts\n(?P<code>.*?)```", re.S)


def blocks(path):
    text = path.read_text()
    for m in BLOCK.finditer(text):
        line = text.count("\n", 0, m.start("code")) + 1
        yield line, m.group("code"), m.group("reason")


def execute(kc, code, timeout=120):
    msg_id = kc.execute(code)
    errors = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            errors.append(f'{msg["content"]["ename"]}: {msg["content"]["evalue"]}')
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return errors


@pytest.mark.parametrize("path", [p for p in DOCS if any(not reason for _, _, reason in blocks(p))], ids=lambda p: p.name)
def test_doc_blocks_run(path, tmp_path):
    km, kc = start_new_kernel(kernel_name="gradbook", startup_timeout=60, cwd=str(tmp_path))
    try:
        ran = 0
        for line, code, reason in blocks(path):
            if reason:
                continue
            errors = execute(kc, code)
            assert not errors, f"{path.name}:{line}: the ts block fails: {errors}"
            ran += 1
        assert ran > 0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
