"""The kernel in a 512 MiB memory cgroup, through jupyter_client: V8's heap limit is derived from
the cgroup's limit (also where the limit is set on a parent cgroup, which Node itself does not
see), so a cell that grows a JavaScript array without bound fails with a MemoryError naming the
sizes, the kernel is not killed by the out-of-memory killer, and the next cell still sees the
variables of the earlier ones.

Needs root and a writable memory cgroup hierarchy (v1 memory controller or v2), as the Binder
budget test does; skipped with the reason otherwise.
"""
import json
import os
import pathlib
import shutil
import tempfile

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from kernel_messages import remove_cgroup, result_text, run

LIMIT = 512 * 1024**2
V1 = pathlib.Path("/sys/fs/cgroup/memory")
V2 = pathlib.Path("/sys/fs/cgroup")


def _hierarchy():
    if os.geteuid() != 0:
        return None, "not root: memory cgroups cannot be made"
    if (V1 / "cgroup.procs").exists() and os.access(V1, os.W_OK):
        return 1, ""
    ctl = V2 / "cgroup.subtree_control"
    if (V2 / "cgroup.controllers").exists() and os.access(V2, os.W_OK) and ctl.exists() and "memory" in ctl.read_text():
        return 2, ""
    return None, "no writable memory cgroup hierarchy"


VERSION, SKIP = _hierarchy()
pytestmark = pytest.mark.skipif(VERSION is None, reason=SKIP or "no cgroups")


def _limit_file(cg):
    return cg / ("memory.max" if VERSION == 2 else "memory.limit_in_bytes")


def _oom_kills(cg):
    text = (cg / ("memory.events" if VERSION == 2 else "memory.oom_control")).read_text()
    for line in text.splitlines():
        if line.startswith("oom_kill "):
            return int(line.split()[1])
    return 0


@pytest.fixture(params=["own", "parent"])
def cgroup_kernel(request):
    """A kernel inside a fresh cgroup: `own`, the 512 MiB limit on the kernel's own cgroup;
    `parent`, on its parent (the kernel's cgroup has none), as for a job in a systemd slice."""
    root = V1 if VERSION == 1 else V2
    top = root / f"gradbook-test-{os.getpid()}-heap-{request.param}"
    top.mkdir()
    _limit_file(top).write_text(str(LIMIT))
    cg = top
    if request.param == "parent":
        if VERSION == 2:
            (top / "cgroup.subtree_control").write_text("+memory")
        cg = top / "kernel"
        cg.mkdir()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="gradbook-heap-"))
    spec = KernelSpecManager().get_kernel_spec("gradbook")
    kdir = tmp / "kernels" / "gradbook-cgroup"
    kdir.mkdir(parents=True)
    wrapper = f'echo $$ > "{cg}/cgroup.procs" && exec "$@"'
    (kdir / "kernel.json").write_text(json.dumps({**spec.to_dict(), "argv": ["/bin/sh", "-c", wrapper, "sh", *spec.argv]}))
    km = KernelManager(kernel_name="gradbook-cgroup", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp / "kernels")]))
    env = {k: v for k, v in os.environ.items() if k not in ("GRADBOOK_MEMORY_LIMIT", "NODE_OPTIONS")}
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    try:
        yield km, kc, top
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        for d in ([cg, top] if cg != top else [top]):
            remove_cgroup(d)
        shutil.rmtree(tmp, ignore_errors=True)


def test_a_runaway_js_array_is_a_memory_error_and_the_kernel_keeps_its_variables(cgroup_kernel):
    km, kc, top = cgroup_kernel
    run(kc, 'const survivor = "alive"\nconst kept = tensor([1, 2, 3])')
    # V8's heap limit comes from the 512 MiB limit, wherever in the hierarchy it is set.
    _, msgs = run(kc, 'require("v8").getHeapStatistics().heap_size_limit / 2 ** 20')
    heap_mib = float(result_text(msgs)[0])
    # (Node's own choice for a cgroup it sees is about half the limit; the kernel's, half plus the young generation.)
    assert heap_mib <= 0.6 * LIMIT / 2**20, f"V8's heap limit is {heap_mib} MiB in a 512 MiB cgroup"
    content, _ = run(kc, "const hog: object[] = []\nwhile (true) hog.push({ n: hog.length, s: 'x' + hog.length })", timeout=180)
    assert content["status"] == "error", content
    assert content["ename"] == "MemoryError", content
    assert "MiB" in content["evalue"], content["evalue"]
    assert km.is_alive()
    assert _oom_kills(top) == 0
    content, msgs = run(kc, "hog.length = 0;\n`${survivor} ${kept.sum().item()}`", timeout=60)
    assert content["status"] == "ok", content
    assert result_text(msgs) == ["'alive 6'"]
