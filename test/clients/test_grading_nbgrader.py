"""The homework notebooks, source and student versions, against nbgrader's documented cell
metadata format (schema version 3), checked with jsonschema and nbgrader's own rules, and the
checksums `gradbook assign` records recomputed here the way nbgrader computes them."""
import hashlib
import json
import pathlib
import subprocess
import tempfile

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "homework" / "src").glob("hw*.ts"))

# nbgrader's cell metadata, schema version 3, as its documentation lays it out.
SCHEMA_V3 = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "properties": {
        "schema_version": {"type": "integer", "minimum": 3, "maximum": 3},
        "grade": {"type": "boolean"},
        "locked": {"type": "boolean"},
        "solution": {"type": "boolean"},
        "task": {"type": "boolean"},
        "grade_id": {"type": "string", "pattern": "^[a-zA-Z0-9_\\-]*$"},
        "points": {"type": "number", "minimum": 0},
        "checksum": {"type": "string", "minLength": 32, "maxLength": 32},
        "cell_type": {"type": "string", "enum": ["raw", "code", "markdown"]},
    },
    "required": ["schema_version", "grade", "locked", "solution"],
    "additionalProperties": False,
}


def source_text(cell):
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def is_locked(m):
    if m.get("solution"):
        return False
    if m.get("grade"):
        return True
    return m.get("locked", False)


def checksum(cell):
    m = cell["metadata"]["nbgrader"]
    h = hashlib.md5()
    h.update(source_text(cell).encode("utf-8"))
    h.update(cell["cell_type"].encode())
    h.update(str(bool(m.get("grade"))).encode())
    h.update(str(bool(m.get("solution"))).encode())
    h.update(str(is_locked(m)).encode())
    h.update(m["grade_id"].encode())
    if m.get("grade"):
        h.update(str(float(m["points"])).encode())
    return h.hexdigest()


def validate(nb):
    ids = set()
    for cell in nb["cells"]:
        if "nbgrader" not in cell["metadata"]:
            continue
        m = cell["metadata"]["nbgrader"]
        jsonschema.Draft4Validator(SCHEMA_V3).validate(m)
        if m["grade"] or m["solution"] or m["locked"]:
            assert m.get("grade_id"), cell
            assert m["grade_id"] not in ids, f"duplicate grade_id {m['grade_id']}"
            ids.add(m["grade_id"])
        if m["grade"]:
            assert "points" in m
        if m.get("task"):
            assert cell["cell_type"] == "markdown"
        elif cell["cell_type"] == "markdown":
            assert m["grade"] == m["solution"]
    return ids


@pytest.fixture(scope="module")
def student_dir():
    d = tempfile.mkdtemp(prefix="gradbook-assign-")
    for src in SOURCES:
        subprocess.run(["node", str(ROOT / "bin" / "gradbook.js"), "assign", str(src), "-o", d, "--no-check"], check=True, capture_output=True)
    return pathlib.Path(d)


def test_five_homework_sets():
    assert len(SOURCES) == 5


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_source_notebook_is_valid_nbgrader(src):
    nb = json.loads((ROOT / "homework" / f"{src.stem}.ipynb").read_text())
    ids = validate(nb)
    assert {"q1", "q2", "q3"} <= ids


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_student_version_is_valid_nbgrader_with_its_checksums(student_dir, src):
    nb = json.loads((student_dir / f"{src.stem}.ipynb").read_text())
    validate(nb)
    graded = [c for c in nb["cells"] if "nbgrader" in c["metadata"] and (c["metadata"]["nbgrader"]["grade"] or c["metadata"]["nbgrader"]["solution"] or is_locked(c["metadata"]["nbgrader"]))]
    assert graded
    for c in graded:
        m = c["metadata"]["nbgrader"]
        assert m["checksum"] == checksum(c), m["grade_id"]
        assert m["cell_type"] == c["cell_type"]
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None
        assert "BEGIN SOLUTION" not in source_text(c) and "HIDDEN TESTS" not in source_text(c)
