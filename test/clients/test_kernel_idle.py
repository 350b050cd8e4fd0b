"""An idle kernel gives back its type checker (kernel/lang-link.ts), through jupyter_client.

The language thread (TypeScript and the parsed declarations) is most of an idle kernel's
memory. After GRADBOOK_CHECKER_IDLE_S seconds with nothing to do it ends; the next request
starts a new one that knows every cell that ran. These tests shorten the wait to a second or
two and read the kernel's log (its stderr) to know when the thread went.
"""
import os
import time

import pytest
from jupyter_client.manager import start_new_kernel

from kernel_messages import TIMEOUT, reply_to, result_text, rss_mib, run


def start(tmp_path, idle_s):
    log = open(tmp_path / "kernel.log", "w")
    env = {**os.environ, "GRADBOOK_CHECKER_IDLE_S": str(idle_s)}
    km, kc = start_new_kernel(kernel_name="gradbook", startup_timeout=60, env=env, stderr=log)
    return km, kc, tmp_path / "kernel.log"



def releases(log):
    return log.read_text().count("the type checker was idle; it was released")


def wait_for_release(log, count=1, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if releases(log) >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"the checker was not released within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def idle_kernel(tmp_path):
    km, kc, log = start(tmp_path, 2)
    yield km, kc, log
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def test_released_checker_comes_back_knowing_every_cell(idle_kernel):
    km, kc, log = idle_kernel
    run(kc, "const k: number = 5\nlet label = 'x'\ninterface Point { a: number }\nfunction twice(n: number) { return 2 * n }")
    run(kc, "const t = tensor([1, 2, 3])")
    run(kc, "k + 1")  # a cell that declares nothing
    busy_rss = rss_mib(km)
    measured_busy = releases(log) == 0  # (a very slow machine may already have released it)
    wait_for_release(log)
    time.sleep(0.5)  # the main thread trims after the thread is gone
    idle_rss = rss_mib(km)
    # The thread held TypeScript and the parsed declarations: tens of MiB.
    assert not measured_busy or busy_rss - idle_rss > 30, (busy_rss, idle_rss)

    # Everything earlier cells declared is known again, with its types and const-ness.
    content, msgs = run(kc, "const p: Point = { a: twice(k) }\np.a + t.shape[0]")
    assert content["status"] == "ok", content
    assert result_text(msgs) == ["13"]
    content, _ = run(kc, "label = 3")
    assert content["status"] == "error" and "TS2322" in content["evalue"]
    content, _ = run(kc, "k = 4")
    assert content["status"] == "error" and "TS2588" in content["evalue"]
    assert "starts again (3 cells to restore)" in log.read_text()

    # Completion and inspection work on the new thread too.
    reply = reply_to(kc, kc.complete("p.", 2))
    assert "a" in reply["content"]["matches"]
    reply = reply_to(kc, kc.inspect("twice", 5, detail_level=0))
    assert reply["content"]["found"] and "twice(n: number): number" in reply["content"]["data"]["text/plain"]


def test_a_second_release_keeps_cells_from_both_threads(idle_kernel):
    km, kc, log = idle_kernel
    run(kc, "const first = 1")
    wait_for_release(log)
    run(kc, "const second: string = 'two'")
    wait_for_release(log, 2)
    content, msgs = run(kc, "first + second.length")
    assert content["status"] == "ok", content
    assert result_text(msgs) == ["4"]
    content, _ = run(kc, "const n: number = second")
    assert content["status"] == "error" and "TS2322" in content["evalue"]


def test_a_running_cell_keeps_the_checker(idle_kernel):
    km, kc, log = idle_kernel
    # Idle time counts only while no cell runs: a four-second cell is not idleness.
    run(kc, "0")
    content, _ = run(kc, "await new Promise((r) => setTimeout(r, 4000)); 1", timeout=TIMEOUT)
    assert content["status"] == "ok"
    assert releases(log) == 0
    wait_for_release(log)


def test_zero_keeps_the_checker(tmp_path):
    km, kc, log = start(tmp_path, 0)
    try:
        run(kc, "const kept = 1")
        time.sleep(3)
        assert releases(log) == 0
        content, msgs = run(kc, "kept + 1")
        assert result_text(msgs) == ["2"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_code_cache_is_accepted_by_the_next_kernel_and_after_a_release(tmp_path):
    """The code cache V8 makes of TypeScript is checked against a hash of V8's flags, and the
    kernel turns two flags on at run time (gc.ts). Turned on after the first thread loaded
    TypeScript, they made every later load reject the cache and write it again: the next
    kernel, and the checker started again after a release."""
    cache = tmp_path / "cache"

    def session(name, cells):
        log = tmp_path / f"{name}.log"
        env = {**os.environ, "GRADBOOK_CHECKER_IDLE_S": "4", "GRADBOOK_CACHE_DIR": str(cache)}
        km, kc = start_new_kernel(kernel_name="gradbook", startup_timeout=60, env=env, stderr=open(log, "w"))
        try:
            for code in cells:
                content, _ = run(kc, code)
                assert content["status"] == "ok", content
            # The cache is written two seconds after the first check; the checker goes after four.
            wait_for_release(log, timeout=30)
            if len(cells) > 1:
                content, _ = run(kc, "u.shape[0] + 1")  # on a checker started again
                assert content["status"] == "ok", content
                time.sleep(3)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        return log.read_text()

    first = session("first", ["const t = zeros([2]).add(1)"])
    assert "TypeScript's code cache was miss; wrote" in first, first
    written = {f.name: f.stat().st_mtime_ns for f in cache.iterdir()}
    second = session("second", ["const u = zeros([3]).add(1)", "u.sum().item()"])
    assert "starts again (2 cells to restore)" in second, second
    assert "code cache was rejected" not in second, second
    assert {f.name: f.stat().st_mtime_ns for f in cache.iterdir()} == written
