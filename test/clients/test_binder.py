"""Binder's configuration (binder/), checked as far as this machine allows without Docker: the
files parse and name what repo2docker needs, and binder/postBuild run as a non-root user on a
scratch copy of the repository makes a course install that has no development packages, builds
the native addon, registers the kernel in the prefix, and runs a cell in JupyterLab's way (a
kernel started from that kernelspec by jupyter_client)."""
import json
import os
import pathlib
import pwd
import shutil
import subprocess
import tempfile
import time

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
USER = "gradbook-binder"


def test_files_name_what_repo2docker_needs():
    env = (BINDER / "environment.yml").read_text()
    deps = [l.strip()[2:] for l in env.splitlines() if l.strip().startswith("- ")]
    assert "conda-forge" in deps
    for need in ("nodejs=20", "cxx-compiler", "make"):
        assert need in deps, f"environment.yml lacks {need}"
    assert any(d.startswith("jupyterlab") for d in deps)
    apt = [l.strip() for l in (BINDER / "apt.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert "fonts-dejavu-core" in apt
    for pkg in apt:
        assert subprocess.run(["apt-cache", "show", pkg], capture_output=True).returncode == 0, f"apt.txt: no package {pkg}"
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable"
    assert subprocess.run(["bash", "-n", str(post)]).returncode == 0
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/gh/" in readme and "urlpath=lab/tree/notebooks" in readme


def as_user():
    """The uid/gid postBuild runs as: Binder runs it as the notebook user, never root."""
    if os.getuid() != 0:
        return None
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", USER], check=True)
    return USER


@pytest.fixture
def scratch():
    # Not pytest's tmp_path: its parents are private to root, and postBuild runs as another user.
    d = pathlib.Path(tempfile.mkdtemp(prefix="gradbook-binder-"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_postbuild_makes_a_course_install_as_a_non_root_user(scratch):
    tmp_path = scratch
    user = as_user()
    repo = tmp_path / "repo"
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = ROOT / f
        if not src.is_file():
            continue
        dst = repo / f
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    prefix = tmp_path / "prefix"
    home = tmp_path / "home"
    prefix.mkdir()
    home.mkdir()
    if user:
        subprocess.run(["chown", "-R", f"{user}:{user}", str(tmp_path)], check=True)
    # A notebook user's PATH: the system's tools, none of root's own.
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "NB_PYTHON_PREFIX": str(prefix),
           "npm_config_cache": str(home / ".npm"), "JUPYTER_DATA_DIR": str(home / "jupyter")}
    cmd = ["bash", str(repo / "binder" / "postBuild")]
    if user:
        cmd = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", user, "--", "env", *[f"{k}={v}" for k, v in env.items()], *cmd]
    start = time.monotonic()
    r = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, f"postBuild failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    print(f"postBuild took {time.monotonic() - start:.0f} s")

    # A course install: runtime packages only, the kernel and library built, the addon built once.
    nm = repo / "node_modules"
    for dev in ("vitest", "@tensorflow", "tslab", "playwright-core"):
        assert not (nm / dev).exists(), f"postBuild installed the development package {dev}"
    assert (nm / "@types" / "node").exists(), "cell type checks need @types/node at run time"
    assert (repo / "dist" / "kernel" / "cli.js").exists() and (repo / "dist" / "lib" / "index.js").exists()
    assert (repo / "build" / "Release" / "gradbook_native.node").exists()
    assert r.stdout.count("SOLINK_MODULE(target) Release/obj.target/gradbook_native.node") <= 1, "the addon was compiled twice"
    assert not (home / "jupyter" / "kernels" / "gradbook").exists(), "the kernelspec belongs in the prefix"
    overrides = json.loads((prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json").read_text())
    assert overrides["@jupyterlab/completer-extension:manager"]["providerTimeout"] == 10000
    if user:
        assert all(p.stat().st_uid != 0 for p in (repo / "dist").rglob("*")), "postBuild wrote files as root"

    # The kernelspec in the prefix starts a kernel that runs a cell with the library preloaded.
    kernels = prefix / "share" / "jupyter" / "kernels"
    ksm = KernelSpecManager(kernel_dirs=[str(kernels)])
    spec = ksm.get_kernel_spec("gradbook")
    assert str(repo / "bin" / "gradbook.js") in spec.argv
    km = KernelManager(kernel_name="gradbook", kernel_spec_manager=ksm)
    km.start_kernel(cwd=str(repo / "notebooks"))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        results = []

        def keep_result(msg):
            if msg["msg_type"] == "execute_result":
                results.append(msg)

        reply = kc.execute_interactive("tensor([1, 2, 3]).sum().item()", timeout=60, output_hook=keep_result)
        assert reply["content"]["status"] == "ok", reply["content"]
        assert results and results[0]["content"]["data"]["text/plain"] == "6"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
