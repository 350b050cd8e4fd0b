#!/usr/bin/env python3
"""Writes test/fixtures/fuzz.json: random op graphs run by PyTorch, and ops at their kinks.

Run with Debian's Python, which has torch:
    /usr/bin/python3 scripts/gen_fuzz_fixtures.py                    # the CI set (small)
    /usr/bin/python3 scripts/gen_fuzz_fixtures.py --graphs 2000 --seed 7 --out test-output/fuzz-long.json
then GRADBOOK_FUZZ=test-output/fuzz-long.json npx vitest run test/lib/fuzz.test.ts for a long run.

A graph has 1 to 3 float64 leaves and 3 to 7 op nodes drawn with a seeded generator: unary and
binary elementwise ops (with broadcasting), reductions, softmax, views (transpose, strided
slices, unsqueeze + expand, so kernels see non-contiguous inputs), matmul, sort, topk, gather,
scatterAdd, concat, and an in-place add on a detached copy (a constant of the graph). The
loss is sum(out * w) for a fixed random w; the file holds every leaf, the output, and the
gradient of each leaf. test/lib/fuzz.test.ts replays each op list on every backend in float32
and float64. The "kinks" list holds single ops at degenerate points (zero spread, ties, zeros
of sqrt/abs/pow, saturated sigmoid) with PyTorch's gradient there.
"""
import argparse
import json
import math
import os
import random

import torch

p = argparse.ArgumentParser()
p.add_argument("--graphs", type=int, default=120)
p.add_argument("--seed", type=int, default=17)
p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "fuzz.json"))
opts = p.parse_args()

rng = random.Random(opts.seed)
gen = torch.Generator().manual_seed(opts.seed)


def enc(t):
    return {"shape": list(t.shape), "data": [v if math.isfinite(v) else str(v) for v in t.detach().flatten().tolist()]}


def randn(shape):
    return torch.randn(shape, generator=gen, dtype=torch.float64)


UNARY = {
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "sin": torch.sin, "cos": torch.cos,
    "neg": torch.neg, "square": torch.square, "abs": torch.abs, "relu": torch.relu,
    "exp": torch.exp,
    # defined on every real input: log and sqrt of something positive
    "logPos": lambda x: torch.log(x * x + 1), "sqrtPos": lambda x: torch.sqrt(x * x + 0.5),
}
BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul,
    "divPos": lambda a, b: a / (b * b + 1), "maximum": torch.maximum, "minimum": torch.minimum,
}


def broadcastable(a, b):
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and x != 1 and y != 1:
            return False
    return True


def step(nodes):
    """Applies one random op to existing nodes; returns (record, tensor) or None if it does not fit."""
    i = rng.randrange(len(nodes))
    x = nodes[i]
    kind = rng.choice(["unary", "unary", "binary", "binary", "reduce", "softmax", "view", "matmul", "sort", "topk", "gather", "scatterAdd", "concat", "inplace", "std"])
    if kind == "unary":
        name = rng.choice(sorted(UNARY))
        if name == "exp" and x.abs().max() > 5:
            name = "tanh"
        return {"op": name, "in": [i]}, UNARY[name](x)
    if kind == "binary":
        cands = [j for j, y in enumerate(nodes) if broadcastable(list(x.shape), list(y.shape))]
        j = rng.choice(cands)
        name = rng.choice(sorted(BINARY))
        return {"op": name, "in": [i, j]}, BINARY[name](x, nodes[j])
    if x.dim() == 0:
        return None
    axis = rng.randrange(x.dim())
    if kind == "reduce":
        name = rng.choice(["sum", "mean", "max", "logsumexp"])
        keep = rng.random() < 0.5
        if name == "max":
            y = torch.amax(x, axis, keepdim=keep)
        else:
            y = getattr(torch, name)(x, axis, keepdim=keep)
        return {"op": name, "in": [i], "axis": axis, "keepdim": keep}, y
    if kind == "std":
        if x.shape[axis] < 2:
            return None
        return {"op": "std", "in": [i], "axis": axis}, torch.std(x, axis, keepdim=True)
    if kind == "softmax":
        name = rng.choice(["softmax", "logSoftmax"])
        return {"op": name, "in": [i], "axis": axis}, (torch.softmax if name == "softmax" else torch.log_softmax)(x, axis)
    if kind == "view":
        v = rng.choice(["transpose", "slice", "expand", "reshape"])
        if v == "transpose" and x.dim() >= 2:
            b = (axis + 1) % x.dim()
            return {"op": "transpose", "in": [i], "a": axis, "b": b}, x.transpose(axis, b)
        if v == "slice" and x.shape[axis] >= 2:
            start, st = rng.randrange(x.shape[axis] - 1), rng.choice([1, 2])
            return {"op": "slice", "in": [i], "axis": axis, "start": start, "step": st}, x[(slice(None),) * axis + (slice(start, None, st),)]
        if v == "expand" and x.dim() < 3:
            n = rng.choice([2, 3])
            return {"op": "expand", "in": [i], "n": n}, x.unsqueeze(0).expand(n, *x.shape)
        return {"op": "reshape", "in": [i]}, x.reshape(-1)
    if kind == "matmul" and x.dim() == 2:
        return {"op": "matmulT", "in": [i]}, x @ x.T
    if kind == "sort":
        desc = rng.random() < 0.5
        return {"op": "sort", "in": [i], "axis": axis, "descending": desc}, torch.sort(x, dim=axis, descending=desc, stable=True).values
    if kind == "topk":
        k = rng.randrange(1, x.shape[axis] + 1)
        return {"op": "topk", "in": [i], "axis": axis, "k": k}, torch.topk(x, k, axis).values
    if kind == "gather":
        idx = torch.randint(0, x.shape[axis], tuple(x.shape), generator=gen)
        return {"op": "gather", "in": [i], "axis": axis, "index": enc(idx)}, torch.gather(x, axis, idx)
    if kind == "scatterAdd":
        idx = torch.randint(0, x.shape[axis], tuple(x.shape), generator=gen)
        base = randn(tuple(x.shape))
        return {"op": "scatterAdd", "in": [i], "axis": axis, "index": enc(idx), "base": enc(base)}, base.scatter_add(axis, idx, x)
    if kind == "concat":
        cands = [j for j, y in enumerate(nodes) if y.dim() == x.dim() and all(y.shape[d] == x.shape[d] for d in range(x.dim()) if d != axis)]
        j = rng.choice(cands)
        return {"op": "concat", "in": [i, j], "axis": axis}, torch.cat([x, nodes[j]], axis)
    if kind == "inplace":
        c = rng.choice([0.5, -1.25, 2.0])
        with torch.no_grad():
            t = x.detach().clone()
            t.add_(c)
        return {"op": "inplaceConst", "in": [i], "c": c}, t
    return None


def graph():
    shapes = [[rng.randint(1, 4) for _ in range(rng.randint(0, 3))]]
    for _ in range(rng.randint(0, 2)):
        s = list(shapes[0])
        s = [d if rng.random() < 0.7 else 1 for d in s][rng.randint(0, len(s)) if s else 0:]
        shapes.append(s)
    leaves = [randn(tuple(s)).requires_grad_(True) for s in shapes]
    nodes, ops = list(leaves), []
    for _ in range(rng.randint(3, 7)):
        r = step(nodes)
        if r is None:
            continue
        ops.append(r[0])
        nodes.append(r[1])
    out = nodes[-1]
    if not out.requires_grad or not ops:
        return graph()
    w = randn(tuple(out.shape))
    loss = (out * w).sum()
    grads = torch.autograd.grad(loss, leaves, allow_unused=True)
    return {
        "leaves": [enc(l) for l in leaves], "ops": ops, "weight": enc(w), "out": enc(out),
        "grads": [enc(g if g is not None else torch.zeros_like(l)) for g, l in zip(grads, leaves)],
    }


def kink(name, x, fn, note):
    x = x.clone().requires_grad_(True)
    y = fn(x)
    (g,) = torch.autograd.grad(y.sum(), [x])
    return {"name": name, "x": enc(x), "out": enc(y), "grad": enc(g), "note": note}


KINKS = [
    kink("std", torch.tensor([[3.0, 3.0, 3.0], [1.0, 2.0, 4.0]], dtype=torch.float64), lambda x: x.std(1), "zero spread: gradient 0"),
    kink("stdAll", torch.tensor([2.0, 2.0], dtype=torch.float64), lambda x: x.std(), "zero spread, full reduction"),
    kink("sqrt", torch.tensor([0.0, 4.0], dtype=torch.float64), torch.sqrt, "sqrt at 0: infinite slope"),
    kink("abs", torch.tensor([0.0, -2.0, 3.0], dtype=torch.float64), torch.abs, "abs at 0: gradient 0"),
    kink("relu", torch.tensor([0.0, -1.0, 1.0], dtype=torch.float64), torch.relu, "relu at 0: gradient 0"),
    kink("square", torch.tensor([0.0, 1.5], dtype=torch.float64), torch.square, "x² at 0"),
    kink("powHalf", torch.tensor([0.0, 4.0], dtype=torch.float64), lambda x: x.pow(0.5), "x^0.5 at 0: inf"),
    kink("powTwo", torch.tensor([0.0, -3.0], dtype=torch.float64), lambda x: x.pow(2), "x^2 at 0: 0"),
    kink("powZero", torch.tensor([0.0, 2.0], dtype=torch.float64), lambda x: x.pow(0), "x^0: gradient 0 everywhere"),
    kink("sigmoidSaturated", torch.tensor([-40.0, 40.0, 800.0, -800.0], dtype=torch.float64), torch.sigmoid, "saturated sigmoid: gradient 0, not NaN"),
    kink("tanhSaturated", torch.tensor([-40.0, 400.0], dtype=torch.float64), torch.tanh, "saturated tanh"),
    kink("maxTies", torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], dtype=torch.float64), lambda x: torch.amax(x, 1), "ties share the gradient (amax)"),
    kink("maxAllTies", torch.tensor([5.0, 1.0, 5.0], dtype=torch.float64), lambda x: x.max(), "full max: ties share evenly"),
    kink("maximumTie", torch.tensor([2.0, 1.0], dtype=torch.float64), lambda x: torch.maximum(x, torch.tensor([2.0, 0.0], dtype=torch.float64)), "elementwise tie: half each"),
    kink("sortTies", torch.tensor([1.0, 1.0, 0.0, 1.0], dtype=torch.float64), lambda x: torch.sort(x, stable=True).values * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64), "ties keep their order (stable)"),
    kink("clipEdges", torch.tensor([-1.0, 0.0, 1.0, 2.0], dtype=torch.float64), lambda x: torch.clamp(x, -1.0, 1.0), "clamp at its bounds passes the gradient"),
    kink("logsumexpInf", torch.tensor([[0.0, -math.inf], [1.0, 1.0]], dtype=torch.float64), lambda x: torch.logsumexp(x, 1), "an -inf entry gets gradient 0"),
    kink("softmaxTie", torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64), lambda x: torch.softmax(x, 0) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), "uniform softmax"),
]

graphs = [graph() for _ in range(opts.graphs)]
os.makedirs(os.path.dirname(os.path.abspath(opts.out)), exist_ok=True)
with open(opts.out, "w") as f:
    json.dump({"generator": "scripts/gen_fuzz_fixtures.py", "seed": opts.seed, "torch": torch.__version__, "graphs": graphs, "kinks": KINKS}, f, separators=(",", ":"))
n_ops = sum(len(g["ops"]) for g in graphs)
print(f"wrote {len(graphs)} graphs ({n_ops} op nodes) and {len(KINKS)} kinks to {os.path.normpath(opts.out)} ({os.path.getsize(opts.out)} bytes)")
