"""The gradbook kernel driven by jupyter_client: interrupts, stdin, restart, async errors,
comms, display updates, stop_on_error, forged and malformed messages, and large outputs.

One kernel serves the module (starting one costs about a second); tests that restart it or
need a clean slate start their own.
"""
import time
import uuid

import pytest
import zmq
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

from kernel_messages import TIMEOUT, collect, reply_to, result_text, run, stream_text


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="gradbook", startup_timeout=60)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.mark.parametrize(
    "code",
    [
        "while (true) {}",
        "await new Promise(() => {})",
        "await new Promise((r) => setTimeout(r, 10))\nlet spins = 0\nwhile (true) { spins++ }",
    ],
    ids=["busy-loop", "never-settling-await", "busy-loop-after-await"],
)
def test_interrupt_stops_within_a_second_and_keeps_state(kernel, code):
    km, kc = kernel
    run(kc, 'const survivor = "still here"')
    msg_id = kc.execute(code)
    time.sleep(0.7)
    asked = time.monotonic()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id, timeout=10)
    elapsed = time.monotonic() - asked
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    # The latency itself (well under a second) is measured by `npm run bench:kernel`; here a
    # bound that only a broken interrupt (one waiting on the busy thread) would exceed.
    assert elapsed < 5.0, f"interrupt took {elapsed:.2f} s"
    msgs = collect(kc, msg_id)
    assert [m["content"]["ename"] for m in msgs if m["msg_type"] == "error"] == ["KeyboardInterrupt"]
    content, msgs = run(kc, "survivor")
    assert content["status"] == "ok"
    assert result_text(msgs) == ["'still here'"]


def test_interrupt_stops_fit_between_batches_and_keeps_the_model(kernel):
    km, kc = kernel
    content, _ = run(kc, """
const Xf = randn([2048, 8]);
const yf = Xf.sum(1, true).gt(0).float();
const fm = new nn.Sequential([new nn.Dense(16, { inputDim: 8, activation: "relu" }), new nn.Dense(1)]);
fm.compile({ optimizer: "sgd", loss: "binaryCrossentropyFromLogits" });
let fitBatches = 0;
""")
    assert content["status"] == "ok", content
    msg_id = kc.execute(
        "await fm.fit(Xf, yf, { epochs: 10000, batchSize: 16, verbose: 0,"
        " callbacks: [{ onBatchEnd: () => { fitBatches++; } }] });"
    )
    time.sleep(1.5)
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id, timeout=10)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    collect(kc, msg_id)
    _, msgs = run(kc, "fitBatches")
    first = int(result_text(msgs)[0])
    assert first > 0
    time.sleep(1.0)
    # Training stopped with the cell: no batch ran after the interrupt was answered.
    _, msgs = run(kc, "fitBatches")
    assert int(result_text(msgs)[0]) == first
    content, msgs = run(kc, "fm.predict(Xf).shape")
    assert content["status"] == "ok"
    assert result_text(msgs) == ["[ 2048, 1 ]"]


def test_stdin_input_and_password(kernel):
    _, kc = kernel
    msg_id = kc.execute('const who = await input("name? ")\nconst pw = await input("pw: ", { password: true })\nwho + ":" + pw.length', allow_stdin=True)
    req = kc.get_stdin_msg(timeout=TIMEOUT)
    assert req["content"] == {"prompt": "name? ", "password": False}
    kc.input("ada")
    req = kc.get_stdin_msg(timeout=TIMEOUT)
    assert req["content"]["password"] is True
    kc.input("secret")
    assert reply_to(kc, msg_id)["content"]["status"] == "ok"
    assert result_text(collect(kc, msg_id)) == ["'ada:6'"]


def test_input_without_stdin_is_an_error(kernel):
    _, kc = kernel
    content, _ = run(kc, 'await input("x")', allow_stdin=False)
    assert content["status"] == "error"
    assert "allow_stdin" in content["evalue"]


def test_errors_in_callbacks_are_reported_and_the_kernel_survives(kernel):
    _, kc = kernel
    content, _ = run(kc, 'setTimeout(() => { throw new Error("late boom") }, 50)\nPromise.reject(new Error("nobody caught me"))\n"scheduled"')
    assert content["status"] == "ok"
    seen = set()
    deadline = time.monotonic() + 5
    while len(seen) < 2 and time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=5)
        if msg["msg_type"] == "error":
            seen.add(msg["content"]["evalue"])
            assert any("Cell In[" in line for line in msg["content"]["traceback"])
    assert seen == {"late boom", "nobody caught me"}
    content, msgs = run(kc, "1 + 1")
    assert result_text(msgs) == ["2"]


def test_error_traceback_points_at_cell_lines(kernel):
    _, kc = kernel
    content, msgs = run(kc, 'const n: number = 1\nfunction inner() {\n  return (null as any).field\n}\ninner()')
    assert content["status"] == "error"
    assert content["ename"] == "TypeError"
    tb = "\n".join(content["traceback"])
    assert "at inner (Cell In[" in tb and "line 3)" in tb
    assert "dist/kernel" not in tb and "node:internal" not in tb


def test_type_errors_stop_the_cell_before_it_runs(kernel):
    _, kc = kernel
    content, msgs = run(kc, 'console.log("must not print")\nconst wrong: string = 42')
    assert content["status"] == "error"
    assert content["ename"] == "TSError"  # not the TypeError a running cell throws
    assert content["evalue"].startswith("line 2, column 7:")
    assert stream_text(msgs) == ""


def test_comms_both_directions(kernel):
    _, kc = kernel
    run(kc, 'comms.registerTarget("echo", (comm, data) => { comm.onMsg((d) => comm.send({ echo: d, opened: data })) })')
    comm_id = uuid.uuid4().hex
    open_msg = kc.session.msg("comm_open", {"comm_id": comm_id, "target_name": "echo", "data": {"hi": 1}})
    kc.shell_channel.send(open_msg)
    collect(kc, open_msg["header"]["msg_id"])
    info_id = kc.comm_info()
    assert reply_to(kc, info_id)["content"]["comms"][comm_id] == {"target_name": "echo"}
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"n": 2}})
    kc.shell_channel.send(msg)
    msgs = collect(kc, msg["header"]["msg_id"])
    echoed = [m["content"] for m in msgs if m["msg_type"] == "comm_msg"]
    assert echoed == [{"comm_id": comm_id, "data": {"echo": {"n": 2}, "opened": {"hi": 1}}}]
    # A comm the kernel opens shows up on IOPub, and its messages too.
    content, msgs = run(kc, 'const c = comms.open("front", { a: 1 })\nc.send({ b: 2 })\nc.close()')
    types = [m["msg_type"] for m in msgs]
    assert types.index("comm_open") < types.index("comm_msg") < types.index("comm_close")
    # A target nobody registered is closed at once.
    lost = uuid.uuid4().hex
    open_msg = kc.session.msg("comm_open", {"comm_id": lost, "target_name": "nobody", "data": {}})
    kc.shell_channel.send(open_msg)
    msgs = collect(kc, open_msg["header"]["msg_id"])
    assert [m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_close"] == [lost]


def test_update_display_data(kernel):
    _, kc = kernel
    content, msgs = run(kc, 'const h = display("step 0", { id: "progress" })\nfor (let i = 1; i <= 3; i++) h.update(`step ${i}`)')
    shown = [m for m in msgs if m["msg_type"] in ("display_data", "update_display_data")]
    assert [m["msg_type"] for m in shown] == ["display_data"] + ["update_display_data"] * 3
    assert all(m["content"]["transient"]["display_id"] == "progress" for m in shown)
    assert shown[-1]["content"]["data"]["text/plain"] == "step 3"


def test_stop_on_error_aborts_only_what_was_queued(kernel):
    _, kc = kernel
    first = kc.execute('await new Promise((r) => setTimeout(r, 300))\nthrow new Error("stop here")')
    queued = [kc.execute(f"console.log('queued {i}')") for i in range(2)]
    assert reply_to(kc, first)["content"]["status"] == "error"
    for q in queued:
        assert reply_to(kc, q)["content"]["status"] == "aborted"
    content, msgs = run(kc, "console.log('after')")
    assert content["status"] == "ok" and stream_text(msgs) == "after\n"
    # stop_on_error=False: the next cell runs.
    first = kc.execute('throw new Error("no stop")', stop_on_error=False)
    nxt = kc.execute("2 + 2")
    assert reply_to(kc, first)["content"]["status"] == "error"
    assert reply_to(kc, nxt)["content"]["status"] == "ok"


def test_forged_and_malformed_messages_are_rejected(kernel):
    km, kc = kernel
    forged = Session(key=b"not-the-key", username="mallory")
    forged.send(kc.shell_channel.socket, "execute_request", {"code": "globalThis.pwned = 1", "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False})
    sock = kc.shell_channel.socket
    sock.send_multipart([b"no delimiter here"])
    sock.send_multipart([b"<IDS|MSG>", b"sig", b"{", b"{}", b"{}", b"{}"])
    unsigned = kc.session.msg("execute_request", {"code": "globalThis.pwned = 2"})
    sock.send_multipart([b"<IDS|MSG>", b""] + [kc.session.pack(unsigned[k]) for k in ("header", "parent_header", "metadata", "content")])
    content, msgs = run(kc, "typeof (globalThis as any).pwned")
    assert result_text(msgs) == ["'undefined'"]
    assert km.is_alive()


def test_ten_thousand_lines_all_arrive_before_idle(kernel):
    _, kc = kernel
    content, msgs = run(kc, 'for (let i = 0; i < 10000; i++) console.log("line " + i)')
    text = stream_text(msgs)
    assert text.count("\n") == 10000
    assert text.endswith("line 9999\n")
    # Batched: far fewer messages than lines.
    assert len([m for m in msgs if m["msg_type"] == "stream"]) < 100


def test_huge_output_is_summarised(kernel):
    _, kc = kernel
    content, msgs = run(kc, 'const chunk = "x".repeat(999_999) + "\\n"\nfor (let i = 0; i < 100; i++) process.stdout.write(chunk)')
    assert content["status"] == "ok"
    out = stream_text(msgs)
    assert 1_000_000 <= len(out) <= 10_000_000
    note = stream_text(msgs, "stderr")
    assert "output truncated" in note and "MB" in note and "lines) dropped" in note


def test_restart_clears_state_and_keeps_history():
    km, kc = start_new_kernel(kernel_name="gradbook", startup_timeout=60)
    try:
        run(kc, "const beforeRestart = 1")
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=60)
        content, msgs = run(kc, "typeof (globalThis as any).beforeRestart")
        assert result_text(msgs) == ["'undefined'"]
        hist_id = kc.history(hist_access_type="search", pattern="const beforeRestart = 1", output=False, raw=True)
        history = reply_to(kc, hist_id)["content"]["history"]
        assert history and history[-1][2] == "const beforeRestart = 1"
        sessions = {h[0] for h in reply_to(kc, kc.history(hist_access_type="tail", n=2))["content"]["history"]}
        assert len(sessions) == 2, "the restarted kernel is a new history session"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_kernel_info_on_control_while_busy(kernel):
    _, kc = kernel
    while True:  # replies left over by earlier tests
        try:
            kc.get_shell_msg(timeout=0.1)
        except Exception:
            break
    msg_id = kc.execute("const t0 = Date.now(); while (Date.now() - t0 < 3000) {}")
    time.sleep(0.5)
    info = kc.session.msg("kernel_info_request")
    kc.control_channel.send(info)
    reply = kc.get_control_msg(timeout=TIMEOUT)
    assert reply["msg_type"] == "kernel_info_reply"
    # Answered while the cell still spins: its execute_reply has not been sent yet.
    with pytest.raises(Exception):
        kc.get_shell_msg(timeout=0)
    assert reply_to(kc, msg_id)["content"]["status"] == "ok"


@pytest.mark.parametrize("code", ["while (true) {}", "await new Promise(() => {})"], ids=["busy-loop", "never-settling-await"])
def test_sigint_interrupts_too(kernel, code):
    """interrupt_mode is "message", but a SIGINT (a terminal's Ctrl-C, or a front end that
    signals) stops the same cells."""
    import os
    import signal

    km, kc = kernel
    run(kc, "0")  # the type checker is warm: the signal lands in the running cell
    msg_id = kc.execute(code)
    time.sleep(0.7)
    os.kill(km.provisioner.pid, signal.SIGINT)
    reply = reply_to(kc, msg_id, timeout=5)
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    content, msgs = run(kc, "1 + 1")
    assert result_text(msgs) == ["2"]


def test_interrupt_while_the_first_cell_is_checked():
    """The first cell waits for the type checker; an interrupt then must still stop it."""
    km, kc = start_new_kernel(kernel_name="gradbook", startup_timeout=60)
    try:
        msg_id = kc.execute("while (true) {}")
        # Once the kernel says it is busy with the cell, the cell is being checked (or runs):
        # an interrupt sent before the request even arrived would find nothing to stop.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = kc.get_iopub_msg(timeout=30)
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "busy" and m["parent_header"].get("msg_id") == msg_id:
                break
        km.interrupt_kernel()
        assert reply_to(kc, msg_id, timeout=10)["content"]["ename"] == "KeyboardInterrupt"
        content, msgs = run(kc, "1 + 1")
        assert result_text(msgs) == ["2"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_shutdown_while_a_cell_spins():
    """shutdown_request is answered on control and the process exits even if the main thread
    never becomes free."""
    km, kc = start_new_kernel(kernel_name="gradbook", startup_timeout=60)
    try:
        run(kc, "0")
        kc.execute("while (true) {}")
        time.sleep(0.5)
        msg = kc.session.msg("shutdown_request", {"restart": False})
        kc.control_channel.send(msg)
        reply = kc.get_control_msg(timeout=TIMEOUT)
        assert reply["msg_type"] == "shutdown_reply"
        deadline = time.monotonic() + 10
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not km.is_alive()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
