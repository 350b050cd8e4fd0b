"""Binder's limits for the notebook tests: each lecture's kernel runs pinned to one CPU
(`taskset -c 0`) inside a memory cgroup capped at 2 GiB (cgroup v1 or v2, whichever the machine
has; `systemd-run` is not needed), as on mybinder.org, and the kernels are kept alive so that the
memory of every lecture opened in one session can be added up at the end.

A reader spends minutes on a lecture, so the kernels behind them sit idle and release their type
checker (kernel/lang-link.ts, after GRADBOOK_CHECKER_IDLE_S, 120 s by default). The tests cannot
wait minutes per lecture: their kernels get IDLE_S seconds instead, and the total is read once
every kernel has been idle that long.

Where cgroups cannot be made (not root, read-only /sys/fs/cgroup), kernels still run pinned and
their peak is read from /proc (VmHWM); the 2 GiB cap is then not enforced, and the report says so.
"""
import json
import os
import pathlib
import shutil
import tempfile

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from kernel_messages import remove_cgroup

CAP_BYTES = 2 * 1024**3
IDLE_S = 3
V1 = pathlib.Path("/sys/fs/cgroup/memory")
V2 = pathlib.Path("/sys/fs/cgroup")


def _writable(p):
    return p.is_dir() and os.access(p, os.W_OK)


class Sandbox:
    def __init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="gradbook-binder-budget-"))
        spec = KernelSpecManager().get_kernel_spec("gradbook")
        wrapper = ('[ -n "$GRADBOOK_TEST_CGROUP" ] && echo $$ > "$GRADBOOK_TEST_CGROUP/cgroup.procs"; '
                   'exec taskset -c 0 "$@"')
        kdir = self.dir / "kernels" / "gradbook-binder"
        kdir.mkdir(parents=True)
        (kdir / "kernel.json").write_text(json.dumps({**spec.to_dict(), "argv": ["/bin/sh", "-c", wrapper, "sh", *spec.argv],
                                                      "display_name": "gradbook (1 CPU, 2 GiB)"}))
        self.ksm = KernelSpecManager(kernel_dirs=[str(self.dir / "kernels")])
        if _writable(V1) and (V1 / "cgroup.procs").exists():
            self.kind = "v1"
        elif (V2 / "cgroup.controllers").exists() and _writable(V2) and "memory" in (V2 / "cgroup.subtree_control").read_text():
            self.kind = "v2"
        else:
            self.kind = None
        self.kernels = {}  # name -> (km, cgroup dir or None)
        self.report = {}

    def start(self, name, cwd):
        cg = None
        if self.kind == "v1":
            cg = V1 / f"gradbook-test-{os.getpid()}-{name}"
            cg.mkdir()
            (cg / "memory.limit_in_bytes").write_text(str(CAP_BYTES))
        elif self.kind == "v2":
            cg = V2 / f"gradbook-test-{os.getpid()}-{name}"
            cg.mkdir()
            (cg / "memory.max").write_text(str(CAP_BYTES))
        km = KernelManager(kernel_name="gradbook-binder", kernel_spec_manager=self.ksm)
        env = {**os.environ, "GRADBOOK_TEST_CGROUP": str(cg) if cg else "", "GRADBOOK_CHECKER_IDLE_S": str(IDLE_S)}
        km.start_kernel(cwd=str(cwd), env=env)
        self.kernels[name] = (km, cg)
        return km

    def _pid(self, km):
        return km.provisioner.process.pid if km.provisioner and km.provisioner.process else None

    def peak_bytes(self, name):
        km, cg = self.kernels[name]
        if cg and self.kind == "v1":
            return int((cg / "memory.max_usage_in_bytes").read_text())
        if cg and self.kind == "v2" and (cg / "memory.peak").exists():
            return int((cg / "memory.peak").read_text())
        return _proc_kb(self._pid(km), "VmHWM") * 1024

    def current_bytes(self, name):
        km, cg = self.kernels[name]
        if cg and self.kind == "v1":
            return int((cg / "memory.usage_in_bytes").read_text())
        if cg and self.kind == "v2":
            return int((cg / "memory.current").read_text())
        return _proc_kb(self._pid(km), "VmRSS") * 1024

    def oom_killed(self, name):
        _, cg = self.kernels[name]
        if cg and self.kind == "v1":
            return "oom_kill 0" not in (cg / "memory.oom_control").read_text() and "oom_kill " in (cg / "memory.oom_control").read_text()
        if cg and self.kind == "v2":
            return "oom_kill 0" not in (cg / "memory.events").read_text()
        return False

    def close(self):
        for km, cg in self.kernels.values():
            try:
                km.shutdown_kernel(now=True)
            except Exception:
                pass
            if cg:
                remove_cgroup(cg)
        shutil.rmtree(self.dir, ignore_errors=True)


def jupyter_server_bytes():
    """Resident memory of Debian's Jupyter server once it answers, or None where there is none."""
    import socket
    import subprocess
    import time
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = tempfile.mkdtemp(prefix="gradbook-budget-server-")
    proc = subprocess.Popen(["/usr/bin/python3", "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}",
                             "--ServerApp.token=budget", f"--ServerApp.root_dir={root}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "JUPYTER_RUNTIME_DIR": root})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return None
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=budget", timeout=2).read()
                # Its kernels list and sessions, as a front end asks when it opens.
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernels?token=budget", timeout=2).read()
                return _proc_kb(proc.pid, "VmRSS") * 1024
            except OSError:
                time.sleep(0.2)
        return None
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def _proc_kb(pid, field):
    # The kernel is `sh` exec'd into taskset exec'd into node: the same pid.
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, TypeError):
        pass
    return 0
