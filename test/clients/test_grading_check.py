"""The self-check in a real notebook session (nbclient on the gradbook kernel): test cells show
their table, `await check("q2")` and `await check.all()` run the tests again, in the instructor's
notebook (full marks) and in the student version (every test says what to do)."""
import pathlib
import subprocess
import tempfile

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
HW = "hw1-logistic-regression"
RESULTS = "application/vnd.gradbook.results+json"


def run(nb):
    nb.cells.append(nbformat.v4.new_code_cell('await check("q2")'))
    nb.cells.append(nbformat.v4.new_code_cell("await check.all()"))
    NotebookClient(nb, kernel_name="gradbook", timeout=120, allow_errors=True, resources={"metadata": {"path": str(ROOT / "homework")}}).execute()
    return nb


def tables(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result") and RESULTS in out.get("data", {}):
                yield cell, out


def test_instructor_notebook_checks_full_marks():
    nb = run(nbformat.read(ROOT / "homework" / f"{HW}.ipynb", as_version=4))
    found = list(tables(nb))
    assert len(found) == 5 + 2
    for _, out in found:
        assert '<table class="gradbook-check">' in out["data"]["text/html"]
        assert "FAIL" not in out["data"]["text/plain"]
    last = nb.cells[-1]["outputs"][-1]
    assert last["output_type"] == "execute_result"
    assert "total 10/10" in last["data"]["text/plain"]
    assert [q["question"] for q in last["data"][RESULTS]["questions"]] == ["q1", "q2", "q3", "q4", "q5"]


def test_student_version_says_what_to_do():
    d = pathlib.Path(tempfile.mkdtemp(prefix="gradbook-student-"))
    subprocess.run(["node", str(ROOT / "bin" / "gradbook.js"), "assign", str(ROOT / "homework" / "src" / f"{HW}.ts"), "-o", str(d), "--no-check"], check=True, capture_output=True)
    nb = run(nbformat.read(d / f"{HW}.ipynb", as_version=4))
    # The answer cells run (the stubs type-check); only calling them fails.
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            assert not [o for o in cell.outputs if o["output_type"] == "error"], cell.source
    found = list(tables(nb))
    assert len(found) == 5 + 2
    text = nb.cells[-1]["outputs"][-1]["data"]["text/plain"]
    assert "total 0/" in text
    assert 'not implemented yet (q1): replace the line throw new Error("not implemented: q1") with your code' in text
