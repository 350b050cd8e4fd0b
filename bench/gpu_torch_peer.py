#!/usr/bin/env python3
"""PyTorch on the same GPU: workloads W1-W5 exactly as bench/gpu.ts runs them on gradbook.

    python3 bench/gpu_torch_peer.py [--quick] [--only W1,W3] [--json] [--device cuda|cpu]

With --json the last line is {"device": ..., "figures": {key: value}} with the keys
bench/gpu.ts uses. TF32 is off except for the TF32 rows (PyTorch's matmul default; cuDNN's
convolution default is TF32 on, which would not compare like with like, so it is turned off).
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as tnn

ap = argparse.ArgumentParser()
ap.add_argument("--quick", action="store_true")
ap.add_argument("--json", action="store_true")
ap.add_argument("--only", default="W1,W2,W3,W4,W5")
ap.add_argument("--device", default="cuda", help="cpu: a smoke test of this script, not a measurement")
args = ap.parse_args()
ONLY = args.only.split(",")
QUICK = args.quick

ON_GPU = args.device == "cuda"
if ON_GPU and not torch.cuda.is_available():
    print("torch.cuda.is_available() is False", file=sys.stderr)
    sys.exit(2)
dev = torch.device(args.device)
torch.manual_seed(0)
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = False
figures = {}


def sync():
    if ON_GPU:
        torch.cuda.synchronize()


def time_it(fn, min_seconds=0.05 if QUICK else 0.4):
    """Seconds per call of fn, doubling repetitions until they take min_seconds."""
    fn()
    sync()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        sync()
        s = time.perf_counter() - t0
        if s >= min_seconds or reps >= 1 << 16:
            return s / reps
        reps *= min(16, max(2, int(min_seconds / s) + 1)) if s > 0 else 16


def w1():
    def run(key, m, k, n, tf32):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        a = torch.randn(m, k, device=dev)
        b = torch.randn(k, n, device=dev)
        with torch.no_grad():
            s = time_it(lambda: a @ b)
        figures[key] = 2 * m * n * k / s / 1e9
        torch.backends.cuda.matmul.allow_tf32 = False

    for n in ([256, 1024] if QUICK else [256, 1024, 2048, 4096]):
        run(f"W1 sgemm n={n}", n, n, n, False)
    for n in (([1024] if QUICK else [1024, 4096]) if ON_GPU else []):
        run(f"W1 tf32 n={n}", n, n, n, True)
    run("W1 sgemm 128x784x256", 128, 784, 256, False)


def w2():
    n = (1 << 20) if QUICK else (16 << 20)
    x = torch.randn(n, device=dev)
    with torch.no_grad():
        for op, f in (("relu", torch.relu), ("exp", torch.exp)):
            s = time_it(lambda: f(x))
            figures[f"W2 {op}"] = 8 * n / s / 1e9


def train(model, X, y, batch, warmup, steps, loss_fn):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    n_batches = X.shape[0] // batch

    def step(i):
        b = i % n_batches
        xb, yb = X[b * batch:(b + 1) * batch], y[b * batch:(b + 1) * batch]
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    for i in range(warmup):
        step(i)
    sync()
    t0 = time.perf_counter()
    for i in range(steps):
        step(i)
    sync()
    return steps * batch / (time.perf_counter() - t0)


xent = tnn.CrossEntropyLoss()


def w3():
    N = 8192 if QUICK else 60000
    X = torch.randn(N, 784, device=dev)
    y = torch.randint(0, 10, (N,), device=dev)
    for batch in (128, 1024):
        model = tnn.Sequential(tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(), tnn.Linear(128, 10)).to(dev)
        figures[f"W3 mlp batch={batch}"] = train(model, X, y, batch, 5 if QUICK else 50, N // batch, xent)


def w4():
    for batch in (64, 512):
        N = batch * 8
        X = torch.randn(N, 1, 28, 28, device=dev)
        y = torch.randint(0, 10, (N,), device=dev)
        model = tnn.Sequential(
            tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
            tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10),
        ).to(dev)
        figures[f"W4 lenet batch={batch}"] = train(model, X, y, batch, 3 if QUICK else 20, 20 if QUICK else 200, xent)


class LastStep(tnn.Module):
    """LSTM over [N, T, D] (batch first), then a dense layer on the last step's output."""

    def __init__(self, d, h):
        super().__init__()
        self.lstm = tnn.LSTM(d, h, batch_first=True)
        self.fc = tnn.Linear(h, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def w5():
    T, B, D, H = 50, 32, 32, 128
    X = torch.randn(B * 4, T, D, device=dev)
    y = torch.randn(B * 4, 1, device=dev)
    model = LastStep(D, H).to(dev)
    steps = 5 if QUICK else 100
    figures["W5 lstm"] = train(model, X, y, B, 2 if QUICK else 10, steps, tnn.MSELoss()) / B


for name, fn in (("W1", w1), ("W2", w2), ("W3", w3), ("W4", w4), ("W5", w5)):
    if name in ONLY:
        fn()

if ON_GPU:
    device = f"{torch.cuda.get_device_name(0)}, PyTorch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}"
else:
    device = f"CPU (smoke test, not a GPU), PyTorch {torch.__version__}"
if args.json:
    print(json.dumps({"device": device, "figures": figures}))
else:
    print(device)
    for k, v in figures.items():
        print(f"{k:32s} {v:14.2f}")
