"""Weights move between gradbook and PyTorch through safetensors files.

gradbook (the compiled library in dist/, run by Node) trains or builds small models, saves
their weights with io.saveWeights and their inputs/outputs with io.saveSafetensors; PyTorch
(Debian's python3-torch) loads the weights into the equivalent torch modules and must give
the same outputs. The other direction too: weights saved from PyTorch load into gradbook.

The safetensors reader/writer here is a few lines of plain Python (the format is an 8-byte
little-endian header length, a JSON header and raw little-endian data), so the test needs no
package beyond torch.
"""
import json
import os
import struct
import subprocess

import pytest

torch = pytest.importorskip("torch")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIST = os.path.join(ROOT, "dist", "lib", "index.js")

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "BOOL": torch.bool}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        buf = bytearray(raw[8 + n + begin:8 + n + end])
        t = torch.frombuffer(buf, dtype=DTYPES[info["dtype"]]) if buf else torch.empty(0, dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    names = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.bool: "BOOL"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


SAVE_SCRIPT = r"""
const g = require(process.argv[2]);
const out = process.argv[3];
const { nn, optim, data, io } = g;
(async () => {
  g.manualSeed(0);
  // An MLP trained with fit on spirals.
  const { X, y } = data.spirals({ samples: 150, classes: 3, seed: 0 });
  const mlp = new nn.Sequential([new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 3)]);
  mlp.compile({ optimizer: new optim.Adam(mlp.parameters(), { lr: 0.05 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
  const h = await mlp.fit(X, y, { epochs: 30, batchSize: 32, verbose: 0 });
  io.saveWeights(mlp, out + "/mlp.safetensors");
  io.saveSafetensors(out + "/mlp_io.safetensors", { x: X, y: mlp.predict(X) });

  // A CNN with batch norm (running statistics moved by one training pass) and a grouped conv.
  const cnn = new nn.Sequential([
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 4, 3, { groups: 2 }), new nn.Flatten(), new nn.Linear(16, 5),
  ]);
  const xc = g.randn([6, 1, 8, 8]);
  cnn.call(xc);
  cnn.eval();
  io.saveWeights(cnn, out + "/cnn.safetensors");
  io.saveSafetensors(out + "/cnn_io.safetensors", { x: xc, y: cnn.call(xc) });

  // A 2-layer bidirectional LSTM.
  const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
  const xl = g.randn([2, 4, 3]);
  io.saveWeights(lstm, out + "/lstm.safetensors");
  io.saveSafetensors(out + "/lstm_io.safetensors", { x: xl, y: lstm.call(xl) });
  console.log(JSON.stringify({ loss: h.history.loss, acc: h.history.accuracy }));
})().catch((e) => { console.error(e); process.exit(1); });
"""

LOAD_SCRIPT = r"""
const g = require(process.argv[2]);
const out = process.argv[3];
const { nn, io } = g;
const model = new nn.Sequential([new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2)]);
io.loadWeights(model, out + "/torch_mlp.safetensors");
const { x } = io.loadSafetensors(out + "/torch_io.safetensors");
model.eval();
io.saveSafetensors(out + "/gradbook_pred.safetensors", { y: model.call(x) });
"""


def run_node(tmp_path, script, name):
    if not os.path.exists(DIST):
        pytest.fail(f"{DIST} is missing: build the library first (npx tsc -p tsconfig.build.json)")
    path = tmp_path / name
    path.write_text(script)
    r = subprocess.run(["node", str(path), DIST, str(tmp_path)], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert r.returncode == 0, f"node failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("interop")
    out = run_node(tmp, SAVE_SCRIPT, "save.js")
    return tmp, json.loads(out.strip().splitlines()[-1])


def load_into(module, path):
    missing, unexpected = module.load_state_dict(read_safetensors(path), strict=False)
    # gradbook keeps no num_batches_tracked counter; everything else must match exactly.
    assert [k for k in missing if not k.endswith("num_batches_tracked")] == []
    assert unexpected == []


def test_mlp_trained_by_gradbook_predicts_the_same_in_pytorch(saved):
    tmp, log = saved
    assert log["loss"][-1] < log["loss"][0], "training did not lower the loss"
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    load_into(model, tmp / "mlp.safetensors")
    io = read_safetensors(tmp / "mlp_io.safetensors")
    with torch.no_grad():
        y = model(io["x"])
    assert torch.allclose(y, io["y"], atol=1e-5, rtol=1e-4), (y - io["y"]).abs().max()
    assert (y.argmax(1) == io["y"].argmax(1)).all()


def test_cnn_with_batchnorm_and_groups_predicts_the_same_in_pytorch(saved):
    tmp, _ = saved
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 4, 3, groups=2), torch.nn.Flatten(), torch.nn.Linear(16, 5),
    )
    load_into(model, tmp / "cnn.safetensors")
    model.eval()
    io = read_safetensors(tmp / "cnn_io.safetensors")
    with torch.no_grad():
        y = model(io["x"])
    assert torch.allclose(y, io["y"], atol=1e-5, rtol=1e-4), (y - io["y"]).abs().max()


def test_bidirectional_lstm_predicts_the_same_in_pytorch(saved):
    tmp, _ = saved
    model = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    load_into(model, tmp / "lstm.safetensors")
    io = read_safetensors(tmp / "lstm_io.safetensors")
    with torch.no_grad():
        y, _ = model(io["x"])
    assert torch.allclose(y, io["y"], atol=1e-5, rtol=1e-4), (y - io["y"]).abs().max()


def test_pytorch_weights_load_into_gradbook(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    x = torch.randn(5, 4)
    write_safetensors(tmp_path / "torch_mlp.safetensors", model.state_dict())
    write_safetensors(tmp_path / "torch_io.safetensors", {"x": x})
    run_node(tmp_path, LOAD_SCRIPT, "load.js")
    got = read_safetensors(tmp_path / "gradbook_pred.safetensors")["y"]
    with torch.no_grad():
        want = model(x)
    assert torch.allclose(got, want, atol=1e-5, rtol=1e-4), (got - want).abs().max()
