"""Live training views through a real Jupyter client.

`fit` in a notebook shows a progress bar and loss/accuracy curves that are updated in place with
update_display_data. This runs a fit of a few seconds on the gradbook kernel with jupyter_client,
collects every IOPub message of the cell, and checks: each live display is created once with a
display_id, every update targets such an id, updates of one display keep the rate bound (at most
4 per second for the bar, 1 per second for the curves, with only the final flush exempt), the last
state shows every epoch, and verbose: 0 publishes nothing.
"""
import pathlib
import subprocess

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

ROOT = pathlib.Path(__file__).resolve().parents[2]
VEGALITE = "application/vnd.vegalite.v5+json"

# XOR-like quadrants: 8192 samples, 80% for training in batches of 32 = 205 batches per epoch
# (about 4 s of training here).
SETUP = """
manualSeed(0);
const X = randn([8192, 2]);
const y = X.slice(1, 0, 1).mul(X.slice(1, 1, 2)).gt(0).float();
function makeModel() {
  const model = new nn.Sequential([
    new nn.Dense(16, { inputDim: 2, activation: "relu" }),
    new nn.Dense(1, { inputDim: 16 }),
  ]);
  model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }), loss: "binaryCrossentropyFromLogits", metrics: ["acc"] });
  return model;
}
"""
EPOCHS = 10
FIT = f"const history = await makeModel().fit(X, y, {{ epochs: {EPOCHS}, batchSize: 32, validationSplit: 0.2 }}); history.history.loss.length"
FIT_QUIET = f"await makeModel().fit(X, y, {{ epochs: 2, batchSize: 32, verbose: 0 }}); 'quiet'"


@pytest.fixture(scope="module")
def kernel():
    if "gradbook" not in KernelSpecManager().find_kernel_specs():
        subprocess.run(["node", str(ROOT / "bin" / "gradbook.js"), "install", "--user"], check=True, cwd=ROOT)
    km, kc = start_new_kernel(kernel_name="gradbook", cwd=str(ROOT))
    try:
        reply, msgs = run_cell(kc, SETUP)
        assert reply["content"]["status"] == "ok", errors(msgs)
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run_cell(kc, code, timeout=120):
    """Executes code and returns (reply, iopub messages of that request up to idle)."""
    msg_id = kc.execute(code)
    msgs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=timeout)
    return reply, msgs


def errors(msgs):
    return [m["content"] for m in msgs if m["msg_type"] == "error"]


def test_fit_updates_live_views_within_the_rate_bound(kernel):
    reply, msgs = run_cell(kernel, FIT)
    assert reply["content"]["status"] == "ok", errors(msgs)

    displays = [m for m in msgs if m["msg_type"] == "display_data" and m["content"].get("transient", {}).get("display_id")]
    updates = [m for m in msgs if m["msg_type"] == "update_display_data"]
    ids = [m["content"]["transient"]["display_id"] for m in displays]
    assert len(ids) == 2 and len(set(ids)) == 2, ids
    bar_id = next(i for i in ids if i.endswith("-progress"))
    curves_id = next(i for i in ids if i.endswith("-curves"))
    assert all(m["content"]["transient"]["display_id"] in ids for m in updates)
    assert len(updates) >= 2, "the live views were never updated"

    start = msgs[0]["header"]["date"]
    end = msgs[-1]["header"]["date"]
    duration = (end - start).total_seconds()
    for display_id, interval in ((bar_id, 0.25), (curves_id, 1.0)):
        events = [m for m in displays + updates if (m["content"].get("transient") or {}).get("display_id") == display_id]
        events.sort(key=lambda m: m["header"]["date"])
        # Only the final flush at the end of training may come sooner than the interval. The
        # kernel stamps messages when it sends them, which on a busy machine can lag the moment
        # the library published them by a few tens of milliseconds, hence the tolerance.
        gaps = [(b["header"]["date"] - a["header"]["date"]).total_seconds() for a, b in zip(events[:-2], events[1:-1])]
        print(f"{display_id}: {len(events)} messages in {duration:.2f}s, smallest gap {min(gaps, default=float('nan')):.3f}s")
        for gap in gaps:
            assert gap >= interval - 0.15, f"{display_id}: updates {gap:.3f}s apart"
        assert len(events) <= duration / interval + 2, f"{display_id}: {len(events)} messages in {duration:.1f}s"
        # Shown once and updated at least once (the bar, every quarter second, many times).
        assert len(events) >= (3 if display_id == bar_id else 2), f"{display_id}: only {len(events)} messages in {duration:.1f}s"

    for m in displays + updates:
        assert "text/html" not in m["content"]["data"]
    final_bar = [m for m in displays + updates if m["content"]["transient"]["display_id"] == bar_id][-1]
    text = final_bar["content"]["data"]["text/plain"]
    assert f"Epoch {EPOCHS}/{EPOCHS}" in text and "val_loss" in text and f"Done: {EPOCHS} epochs" in text
    final_curves = [m for m in displays + updates if m["content"]["transient"]["display_id"] == curves_id][-1]
    data = final_curves["content"]["data"]
    assert VEGALITE in data and data["image/svg+xml"].startswith("<svg")
    spec = data[VEGALITE]
    validation = [v for v in spec["data"]["values"] if v["split"] == "validation" and v["metric"] == "loss"]
    assert [v["x"] for v in validation] == list(range(1, EPOCHS + 1))

    result = [m for m in msgs if m["msg_type"] == "execute_result"]
    assert result and result[0]["content"]["data"]["text/plain"].strip() == str(EPOCHS)


def test_fit_verbose_zero_is_silent(kernel):
    reply, msgs = run_cell(kernel, FIT_QUIET)
    assert reply["content"]["status"] == "ok", errors(msgs)
    assert [m for m in msgs if m["msg_type"] in ("display_data", "update_display_data")] == []
    assert [m for m in msgs if m["msg_type"] == "stream"] == []
