"""Runs every course notebook top to bottom on the gradbook kernel with nbclient.

Each notebook must finish without an error, within a minute on the CPU, and its charts must
come back as rich outputs (Vega-Lite with SVG and PNG fallbacks, never HTML beside a chart).
Executed copies go to test-output/notebooks/ for inspection (CI artifact).

Every lecture runs within Binder's budget (binder_budget.py): its kernel pinned to one CPU inside a
2 GiB memory cgroup, kept alive after its run so that the memory of all lectures open at once is
added up at the end; the figures go to test-output/binder-budget.json.

A lecture's test says what the lecture teaches: `test/lectures/NAME.facts.ts`, where present, is
run in the same kernel right after the notebook, so it sees the notebook's variables and asserts
the facts the lecture shows (it throws, with a message, when a fact no longer holds).
"""
import json
import os
import pathlib
import subprocess
import time

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from binder_budget import CAP_BYTES, IDLE_S, Sandbox, jupyter_server_bytes

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
OUT = ROOT / "test-output" / "notebooks"
FACTS = ROOT / "test" / "lectures"
VEGALITE = "application/vnd.vegalite.v5+json"
TIME_LIMIT_S = 60


def ensure_kernelspec():
    if "gradbook" not in KernelSpecManager().find_kernel_specs():
        subprocess.run(["node", str(ROOT / "bin" / "gradbook.js"), "install", "--user"], check=True, cwd=ROOT)


def rich_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result"):
                yield cell, out


@pytest.fixture(scope="module")
def binder():
    ensure_kernelspec()
    sandbox = Sandbox()
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, binder):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "gradbook"
    # Notebooks are committed with outputs cleared.
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs not cleared"
    km = binder.start(path.stem, ROOT / "notebooks")
    client = NotebookClient(nb, km=km, timeout=TIME_LIMIT_S, resources={"metadata": {"path": str(ROOT / "notebooks")}})
    facts_file = FACTS / f"{path.stem}.facts.ts"
    start = time.monotonic()
    try:
        client.reset_execution_trackers()
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            elapsed = time.monotonic() - start
            if facts_file.exists():
                # Appended, so the executed copy in test-output/ shows the facts and their output.
                nb.cells.append(nbformat.v4.new_code_cell(facts_file.read_text(), metadata={"tags": ["lecture-facts"]}))
                client.execute_cell(nb.cells[-1], len(nb.cells) - 1, execution_count=client.code_cells_executed + 1)
    finally:
        OUT.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, OUT / path.name)
        if client.kc is not None:
            client.kc.stop_channels()  # the kernel itself stays alive: see test_all_lectures_alive_at_once
    peak = binder.peak_bytes(path.stem)
    binder.report[path.stem] = {"seconds": round(elapsed, 1), "peak_MiB": round(peak / 2**20)}
    print(f"{path.stem}: {elapsed:.1f} s on one CPU, peak {peak / 2**20:.0f} MiB (cgroup {binder.kind or 'none'})")
    assert not binder.oom_killed(path.stem), f"{path.name}: killed past Binder's 2 GiB"
    assert peak < CAP_BYTES, f"{path.name}: peak {peak / 2**20:.0f} MiB is past Binder's 2 GiB"
    assert elapsed < TIME_LIMIT_S, f"{path.name} took {elapsed:.1f}s on one CPU"

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{path.name}: {out.get('ename')}: {out.get('evalue')}"
            if out.get("output_type") == "stream":
                assert out.get("name") != "stderr" or "Error" not in out.get("text", ""), out.get("text")

    charts = [out for _, out in rich_outputs(nb) if VEGALITE in out.get("data", {})]
    for out in charts:
        data = out["data"]
        assert "text/html" not in data, "a chart must not carry text/html beside Vega-Lite"
        assert data["image/svg+xml"].startswith("<svg")
        assert "text/plain" in data and "image/png" in data
        spec = data[VEGALITE]
        if isinstance(spec, str):
            spec = json.loads(spec)
        assert spec["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
    expected = {"00-welcome": 2, "05-activations-and-losses": 2, "06-universal-approximator": 4}
    assert len(charts) >= expected.get(path.stem, 0), f"{path.name}: {len(charts)} charts"


def test_all_lectures_alive_at_once(binder):
    """A visitor who opens the lectures one after another keeps every kernel alive. Binder caps
    the whole session, the Jupyter server included, at 2 GB: the lectures' kernels, idle while
    their reader has moved on, must fit in it together with a server, and each must still be
    alive and answer after all the others ran."""
    if not binder.kernels:
        pytest.skip("no lecture ran")
    # The last lecture's kernel has been idle only since its facts ran: let it release its checker.
    time.sleep(IDLE_S + 2)
    alive = {name: binder.current_bytes(name) for name in binder.kernels}
    for name, (km, _) in binder.kernels.items():
        assert km.is_alive(), f"{name}: its kernel died while the other lectures ran"
    total = sum(alive.values())
    server = jupyter_server_bytes()
    report = {"cgroup": binder.kind, "cap_MiB": CAP_BYTES // 2**20, "lectures": binder.report,
              "alive_MiB": {k: round(v / 2**20) for k, v in alive.items()}, "alive_total_MiB": round(total / 2**20),
              "jupyter_server_MiB": round(server / 2**20) if server else None}
    (ROOT / "test-output").mkdir(exist_ok=True)
    (ROOT / "test-output" / "binder-budget.json").write_text(json.dumps(report, indent=1))
    print(f"{len(alive)} lecture kernels alive at once: {total / 2**20:.0f} MiB, a Jupyter server "
          f"{(server or 0) / 2**20:.0f} MiB (Binder's cap for the whole session: {CAP_BYTES / 2**20:.0f} MiB)")
    for name, (km, _) in binder.kernels.items():
        kc = km.client()
        kc.start_channels()
        try:
            # A released checker comes back: the lecture's own variables are still checked.
            reply = kc.execute_interactive("typeof tensor", timeout=60, output_hook=lambda m: None)
            assert reply["content"]["status"] == "ok", f"{name}: {reply['content']}"
        finally:
            kc.stop_channels()
    if binder.kind:  # with a cgroup per kernel, page cache is counted once, as in Binder's
        assert total + (server or 0) < CAP_BYTES, f"{total / 2**20:.0f} MiB of kernels and {(server or 0) / 2**20:.0f} MiB of server pass Binder's 2 GiB"
