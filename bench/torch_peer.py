#!/usr/bin/env python3
"""The PyTorch peer of `npm run bench`: workloads W1-W6 with the shapes of bench/workloads.ts.

Written the way a PyTorch user would (nn modules, F.cross_entropy, torch.optim.SGD, nn.LSTM),
which is also PyTorch's fastest configuration. Prints one JSON object of figures.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_peer.py --threads 2 [--only w1,w3]
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def w1():
    out = {}
    cases = [("W1 sgemm 256", 256, 256, 256), ("W1 sgemm 1024", 1024, 1024, 1024),
             ("W1 sgemm 2048", 2048, 2048, 2048), ("W1 sgemm 128x784@784x256", 128, 256, 784)]
    for name, m, n, k in cases:
        a, b = torch.randn(m, k), torch.randn(k, n)
        times = []
        budget = time.perf_counter() + 1.5
        r = 0
        while r < 40 and (r < 4 or time.perf_counter() < budget):
            t0 = time.perf_counter()
            c = a @ b
            t = time.perf_counter() - t0
            del c
            if r > 0:
                times.append(t)
            r += 1
        # Fastest run, on every system alike: on a shared machine the others measure interference.
        out[name] = 2 * m * n * k / min(times) / 1e9
    return out


def w2():
    n = 16 * 1024 * 1024
    x = torch.randn(n)
    out = {}
    for op in ("relu", "exp"):
        f = torch.relu if op == "relu" else torch.exp
        times = []
        for _ in range(12):
            t0 = time.perf_counter()
            y = f(x)
            times.append(time.perf_counter() - t0)
            del y
        out["W2 %s 16M" % op] = 2 * 4 * n / min(times[2:]) / 1e9
        y = torch.empty(n)
        times = []
        for _ in range(12):
            t0 = time.perf_counter()
            (torch.clamp(x, min=0, out=y) if op == "relu" else torch.exp(x, out=y))
            times.append(time.perf_counter() - t0)
        out["W2 %s 16M out=" % op] = 2 * 4 * n / min(times[2:]) / 1e9
    return out


def w3():
    N, B = 60000, 128
    X = torch.randn(N, 784)
    Y = torch.randint(0, 10, (N,))
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def step(i0, i1):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(X[i0:i1]), Y[i0:i1])
        loss.backward()
        opt.step()

    for s in range(50):
        step(s * B, (s + 1) * B)
    t0 = time.perf_counter()
    for i in range(0, N, B):
        step(i, min(N, i + B))
    t = time.perf_counter() - t0
    with torch.no_grad():
        last = F.cross_entropy(model(X[:512]), Y[:512]).item()
    return {"W3 MLP samples/s": N / t, "W3 peak RSS MiB": peak_rss_mib(), "W3 final loss": last}


def w3user():
    """W3 written as a PyTorch user writes it: the shuffled epoch a DataLoader gives (what fit
    does), and the same loop with Adam. The unshuffled SGD loop is w3's figure."""
    N, B = 60000, 128
    X = torch.randn(N, 784)
    Y = torch.randint(0, 10, (N,))
    out = {}
    for key, make, shuffle in (("W3 fit samples/s", lambda p: torch.optim.SGD(p, lr=0.1), True),
                               ("W3 loop Adam samples/s", lambda p: torch.optim.Adam(p, lr=1e-3), False)):
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        opt = make(model.parameters())

        def step(idx):
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()

        for s in range(50):
            step(slice(s * B, (s + 1) * B))
        t0 = time.perf_counter()
        order = torch.randperm(N) if shuffle else None
        for i in range(0, N, B):
            step(order[i:i + B] if shuffle else slice(i, i + B))
        out[key] = N / (time.perf_counter() - t0)
    return out


def w4():
    B = 64
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    X = torch.randn(8 * B, 1, 28, 28)
    Y = torch.randint(0, 10, (8 * B,))

    def step(s):
        i0 = (s % 8) * B
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(X[i0:i0 + B]), Y[i0:i0 + B])
        loss.backward()
        opt.step()

    for s in range(20):
        step(s)
    t0 = time.perf_counter()
    for s in range(200):
        step(s)
    return {"W4 LeNet samples/s": 200 * B / (time.perf_counter() - t0)}


def w5():
    T, B, I, H = 50, 32, 32, 128
    lstm = nn.LSTM(I, H)
    head = nn.Linear(H, 10)
    opt = torch.optim.SGD(list(lstm.parameters()) + list(head.parameters()), lr=0.1)
    X = torch.randn(T, B, I)
    Y = torch.randint(0, 10, (B,))

    def step():
        opt.zero_grad(set_to_none=True)
        out, _ = lstm(X)
        loss = F.cross_entropy(head(out[-1]), Y)
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    t0 = time.perf_counter()
    for _ in range(100):
        step()
    return {"W5 LSTM steps/s": 100 / (time.perf_counter() - t0)}


def w6():
    terms = 1000

    def run():
        a = [torch.tensor(math.sin(i), requires_grad=True) for i in range(terms)]
        b = [torch.tensor(math.cos(i), requires_grad=True) for i in range(terms)]
        c = torch.tensor(0.1, requires_grad=True)
        t0 = time.perf_counter()
        acc = torch.tanh(a[0] * b[0] + c)
        for i in range(1, terms):
            acc = acc + torch.tanh(a[i] * b[i] + c)
        acc.backward()
        return time.perf_counter() - t0

    for _ in range(3):
        run()
    return {"W6 autodiff ops/s": (4 * terms - 1) / median([run() for _ in range(9)])}


def blas_info():
    """Which BLAS library and which of its CPU kernels PyTorch runs (OpenBLAS picks one at load)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl missing (apt-get install python3-threadpoolctl)"
    libs = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f'{i["internal_api"]} {i.get("version")} core {i.get("architecture")} ({i.get("num_threads")} threads)' for i in libs) or "none found"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    only = set(args.only.split(",")) if args.only else None
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_info(),
           "config": " ".join(line.strip() for line in torch.__config__.show().splitlines() if "CPU capability" in line)}
    # W3 first: its peak-memory figure must not include the other workloads' buffers.
    for name, fn in (("w3", w3), ("w1", w1), ("w2", w2), ("w4", w4), ("w5", w5), ("w6", w6)):
        if only is None or name in only:
            out.update(fn())
    if only is None or "w3u" in only:
        out.update(w3user())
        out["W3 loop samples/s"] = out.get("W3 MLP samples/s", float("nan"))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
