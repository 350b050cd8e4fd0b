"""A small notebook executed with `jupyter nbconvert --execute` on the gradbook kernel:
TypeScript declarations carried across cells, top-level await, rich displays, tslab's API,
display updates and the preloaded library."""
import pathlib
import subprocess
import sys

import nbformat

HERE = pathlib.Path(__file__).resolve().parent


def test_tour_notebook_executes(tmp_path):
    out = tmp_path / "kernel_tour.out.ipynb"
    r = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=gradbook",
         "--ExecutePreprocessor.timeout=60", "--output", str(out), str(HERE / "kernel_tour.ipynb")],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count == i + 1 for i, c in enumerate(code))
    for c in code:
        assert not [o for o in c.outputs if o.output_type == "error"], c.source
    assert code[0].outputs[0].text == "2 points\n"
    assert code[1].outputs[0].data["text/plain"] == "[ '2.236', '5.000' ]"
    assert code[2].outputs[0].data["text/plain"] == "4"
    assert code[3].outputs[0].data["text/markdown"] == "**total** = 4"
    assert "text/html" in code[3].outputs[1].data
    assert code[4].outputs[0].data["text/html"] == "<i>from a tslab notebook</i>"
    # nbclient applies update_display_data to the output it updates.
    assert code[5].outputs[0].data["text/plain"] == "100%"
    assert code[6].outputs[0].data["text/plain"] == "10"
