#!/usr/bin/env python3
"""Writes test/fixtures/ops.json: inputs and PyTorch's outputs for the op database.

Run with Debian's Python, which has torch:  /usr/bin/python3 scripts/gen_fixtures.py

Each case names an op of test/lib/opdb.ts, its inputs (shape, dtype, values), its arguments
and the expected outputs computed by PyTorch in float64. The TypeScript side runs the same op
with the same arguments on every backend and compares; differentiable cases are also checked
with gradcheck. Inputs are drawn from a seeded generator so the file is stable.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)
gen = torch.Generator().manual_seed(1234)
CASES = []


def randn(*shape):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64)


def positive(*shape):
    return torch.rand(tuple(shape), generator=gen, dtype=torch.float64) * 2 + 0.5


def distinct(*shape):
    """Values far apart from each other (no ties for max/sort/topk, no kinks for abs/relu)."""
    n = 1
    for d in shape:
        n *= d
    perm = torch.randperm(n, generator=gen).to(torch.float64)
    return ((perm - n / 2 + 0.5) * 0.37).reshape(shape)


def ints(low, high, *shape):
    return torch.randint(low, high, shape, generator=gen)


def bools(*shape):
    return torch.rand(tuple(shape), generator=gen) > 0.5


def enc(t):
    if t.dtype == torch.bool:
        kind, data = "bool", [int(v) for v in t.flatten().tolist()]
    elif t.dtype in (torch.int64, torch.int32):
        kind, data = "int", [int(v) for v in t.flatten().tolist()]
    else:
        kind = "float"
        data = [v if math.isfinite(v) else str(v) for v in t.detach().flatten().tolist()]
    return {"shape": list(t.shape), "kind": kind, "data": data}


def case(name, op, inputs, fn, args=None, grad=True, dtypes=("float32", "float64"), atol=None, rtol=None):
    """fn(*inputs) -> tensor or tuple/list of tensors, computed in float64."""
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    c = {
        "name": name,
        "op": op,
        "args": args or {},
        "inputs": [enc(t) for t in inputs],
        "outputs": [enc(o) for o in outs],
        "grad": grad,
        "dtypes": list(dtypes),
    }
    if atol is not None:
        c["atol"] = atol
    if rtol is not None:
        c["rtol"] = rtol
    CASES.append(c)


# ---- unary -------------------------------------------------------------------------------
UNARY = {
    "neg": (torch.neg, randn, True), "abs": (torch.abs, distinct, True), "sign": (torch.sign, distinct, False),
    "exp": (torch.exp, randn, True), "log": (torch.log, positive, True), "sqrt": (torch.sqrt, positive, True),
    "rsqrt": (torch.rsqrt, positive, True), "square": (torch.square, randn, True),
    "reciprocal": (torch.reciprocal, positive, True), "tanh": (torch.tanh, randn, True),
    "sigmoid": (torch.sigmoid, randn, True), "relu": (torch.relu, distinct, True), "sin": (torch.sin, randn, True),
    "cos": (torch.cos, randn, True), "floor": (torch.floor, distinct, False), "ceil": (torch.ceil, distinct, False),
    "round": (torch.round, lambda *s: torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.3, -0.7], dtype=torch.float64), False),
    "log1p": (torch.log1p, positive, True), "expm1": (torch.expm1, randn, True),
}
for name, (fn, gen_in, grad) in UNARY.items():
    case(f"{name}", name, [gen_in(2, 3)], fn, grad=grad)
case("exp_scalar", "exp", [randn()], torch.exp)
case("tanh_empty", "tanh", [randn(0, 3)], torch.tanh)
case("sigmoid_large", "sigmoid", [torch.tensor([-800.0, -30.0, 0.0, 30.0, 800.0], dtype=torch.float64)], torch.sigmoid, grad=False)
case("logicalNot", "logicalNot", [bools(2, 3)], torch.logical_not, grad=False, dtypes=("bool",))
case("exp_int", "exp", [ints(-3, 3, 4)], torch.exp, grad=False, dtypes=("int32",))

# ---- binary ------------------------------------------------------------------------------
BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
for name, fn in BINARY.items():
    case(f"{name}", name, [randn(2, 3), positive(2, 3)], fn)
    case(f"{name}_broadcast_row", name, [randn(2, 3), positive(3)], fn)
    case(f"{name}_broadcast_outer", name, [randn(2, 1, 3), positive(4, 1)], fn)
    case(f"{name}_scalar_number", name, [randn(2, 3)], lambda a, fn=fn: fn(a, 2.5), args={"other": 2.5})
case("add_scalars", "add", [randn(), randn()], torch.add)
case("mul_scalar_tensor", "mul", [randn(2, 3), randn()], torch.mul)
case("add_empty", "add", [randn(0, 3), randn(3)], torch.add)
case("pow", "pow", [positive(2, 3), randn(2, 3)], torch.pow)
case("pow_number", "pow", [randn(2, 3)], lambda a: torch.pow(a, 3), args={"other": 3})
case("pow_broadcast", "pow", [positive(2, 3), randn(3)], torch.pow)
case("maximum", "maximum", [distinct(2, 3), distinct(2, 3) + 0.1], torch.maximum)
case("minimum_broadcast", "minimum", [distinct(2, 3), distinct(3) + 0.1], torch.minimum)
case("div_int", "div", [ints(1, 9, 4), ints(1, 4, 4)], torch.true_divide, grad=False, dtypes=("int32",))
case("add_int", "add", [ints(-5, 5, 2, 3), ints(-5, 5, 3)], torch.add, grad=False, dtypes=("int32",))
for name, fn in {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}.items():
    a = ints(0, 3, 3, 4).to(torch.float64)
    case(f"{name}", name, [a, ints(0, 3, 4).to(torch.float64)], fn, grad=False)
case("logicalAnd", "logicalAnd", [bools(2, 3), bools(3)], torch.logical_and, grad=False, dtypes=("bool",))
case("logicalOr", "logicalOr", [bools(2, 3), bools(2, 1)], torch.logical_or, grad=False, dtypes=("bool",))

# ---- reductions --------------------------------------------------------------------------
x3 = distinct(2, 3, 4)
case("sum_all", "sum", [randn(2, 3, 4)], lambda a: a.sum())
case("sum_axis0", "sum", [randn(2, 3, 4)], lambda a: a.sum(0), args={"axis": 0})
case("sum_axes_keepdim", "sum", [randn(2, 3, 4)], lambda a: a.sum((0, 2), keepdim=True), args={"axis": [0, 2], "keepdim": True})
case("sum_neg_axis", "sum", [randn(2, 3, 4)], lambda a: a.sum(-1), args={"axis": -1})
case("sum_scalar", "sum", [randn()], lambda a: a.sum())
case("sum_empty", "sum", [randn(0, 3)], lambda a: a.sum(0), args={"axis": 0})
case("sum_int", "sum", [ints(-5, 5, 3, 4)], lambda a: a.sum(1), args={"axis": 1}, grad=False, dtypes=("int32",))
case("mean_all", "mean", [randn(3, 4)], lambda a: a.mean())
case("mean_axis", "mean", [randn(3, 4)], lambda a: a.mean(1, keepdim=True), args={"axis": 1, "keepdim": True})
case("max_all", "max", [x3], lambda a: a.max())
case("max_axis", "max", [x3], lambda a: a.amax(1), args={"axis": 1})
case("max_axes", "max", [x3], lambda a: a.amax((0, 2), keepdim=True), args={"axis": [0, 2], "keepdim": True})
case("min_axis", "min", [x3], lambda a: a.amin(-1), args={"axis": -1})
case("prod_axis", "prod", [positive(3, 4)], lambda a: a.prod(1), args={"axis": 1})
case("prod_all", "prod", [positive(2, 3)], lambda a: a.prod())
case("var_all", "var", [randn(3, 4)], lambda a: a.var())
case("var_axis_c0", "var", [randn(3, 4)], lambda a: a.var(0, unbiased=False, keepdim=True), args={"axis": 0, "keepdim": True, "correction": 0})
case("std_axis", "std", [randn(3, 4)], lambda a: a.std(1), args={"axis": 1})
case("logsumexp_axis", "logsumexp", [randn(3, 4) * 30], lambda a: torch.logsumexp(a, 1), args={"axis": 1})
case("logsumexp_all", "logsumexp", [randn(3, 4)], lambda a: torch.logsumexp(a, (0, 1)))
case("argmax_axis", "argmax", [x3], lambda a: a.argmax(1), args={"axis": 1}, grad=False)
case("argmax_all", "argmax", [x3], lambda a: a.argmax(), grad=False)
case("argmin_keepdim", "argmin", [x3], lambda a: a.argmin(2, keepdim=True), args={"axis": 2, "keepdim": True}, grad=False)
case("all", "all", [bools(3, 4)], lambda a: a.all(), grad=False, dtypes=("bool",))
case("any", "any", [bools(3, 4)], lambda a: a.any(), grad=False, dtypes=("bool",))
case("cumsum_axis1", "cumsum", [randn(3, 4)], lambda a: a.cumsum(1), args={"axis": 1})
case("cumsum_axis0", "cumsum", [randn(3, 4)], lambda a: a.cumsum(0), args={"axis": 0})

# ---- linear algebra ----------------------------------------------------------------------
case("matmul_2d", "matmul", [randn(3, 4), randn(4, 5)], torch.matmul)
case("matmul_vec_mat", "matmul", [randn(4), randn(4, 5)], torch.matmul)
case("matmul_mat_vec", "matmul", [randn(3, 4), randn(4)], torch.matmul)
case("matmul_dot", "matmul", [randn(4), randn(4)], torch.matmul)
case("matmul_batched", "matmul", [randn(2, 3, 4), randn(2, 4, 5)], torch.matmul)
case("matmul_batch_broadcast", "matmul", [randn(2, 1, 3, 4), randn(3, 4, 2)], torch.matmul)
case("matmul_3d_2d", "matmul", [randn(2, 3, 4), randn(4, 2)], torch.matmul)
case("matmul_transposed", "matmul", [randn(4, 3), randn(5, 4)], lambda a, b: a.mT @ b.mT, args={"transA": True, "transB": True})
case("matmul_empty", "matmul", [randn(0, 3), randn(3, 2)], torch.matmul)
case("matmul_k0", "matmul", [randn(2, 0), randn(0, 3)], torch.matmul, grad=False)
case("matmul_large", "matmul", [randn(37, 70), randn(70, 19)], torch.matmul, grad=False, atol=1e-4)
case("matmul_int", "matmul", [ints(-3, 3, 3, 4), ints(-3, 3, 4, 2)], torch.matmul, grad=False, dtypes=("int32",))

# ---- shape -------------------------------------------------------------------------------
case("reshape", "reshape", [randn(2, 3, 4)], lambda a: a.reshape(4, -1), args={"shape": [4, -1]})
case("reshape_noncontig", "reshape", [randn(3, 4)], lambda a: a.mT.reshape(12), args={"shape": [12], "transposeFirst": True})
case("transpose", "transpose", [randn(2, 3, 4)], lambda a: a.transpose(0, 2), args={"a": 0, "b": 2})
case("permute", "permute", [randn(2, 3, 4)], lambda a: a.permute(1, 2, 0), args={"axes": [1, 2, 0]})
case("expand", "expand", [randn(3, 1)], lambda a: a.expand(2, 3, 4), args={"shape": [2, 3, 4]})
case("slice_step", "slice", [randn(7, 3)], lambda a: a[1:6:2], args={"axis": 0, "start": 1, "end": 6, "step": 2})
case("slice_negative", "slice", [randn(3, 7)], lambda a: a[:, -4:-1], args={"axis": 1, "start": -4, "end": -1})
case("index_mixed", "index", [randn(3, 4, 5)], lambda a: a[1, None, 1:3], args={"specs": [1, None, [1, 3]]})
case("flatten", "flatten", [randn(2, 3, 4)], lambda a: a.flatten(1), args={"startDim": 1})
case("squeeze", "squeeze", [randn(2, 1, 3, 1)], lambda a: a.squeeze(), args={})
case("unsqueeze", "unsqueeze", [randn(2, 3)], lambda a: a.unsqueeze(-1), args={"axis": -1})
case("concat", "concat", [randn(2, 3), randn(4, 3)], lambda a, b: torch.cat([a, b], 0), args={"axis": 0})
case("concat_axis1_empty", "concat", [randn(2, 3), randn(2, 0), randn(2, 2)], lambda a, b, c: torch.cat([a, b, c], 1), args={"axis": 1})
case("stack", "stack", [randn(2, 3), randn(2, 3)], lambda a, b: torch.stack([a, b], 1), args={"axis": 1})
case("split", "split", [randn(5, 3)], lambda a: torch.split(a, 2, 0), args={"size": 2, "axis": 0})
case("split_sections", "split", [randn(2, 6)], lambda a: torch.split(a, [1, 2, 3], 1), args={"size": [1, 2, 3], "axis": 1})
case("chunk", "chunk", [randn(7, 2)], lambda a: torch.chunk(a, 3, 0), args={"n": 3, "axis": 0})
case("pad", "pad", [randn(2, 3)], lambda a: F.pad(a, (1, 2, 0, 1), value=0.5), args={"pads": [1, 2, 0, 1], "value": 0.5})
case("pad_crop", "pad", [randn(3, 4)], lambda a: F.pad(a, (-1, 2)), args={"pads": [-1, 2]})

# ---- selection ---------------------------------------------------------------------------
case("where", "where", [bools(2, 3), randn(2, 3), randn(3)], torch.where)
case("where_number", "where", [bools(2, 3), randn(2, 3)], lambda c, a: torch.where(c, a, torch.tensor(0.5, dtype=torch.float64)), args={"b": 0.5})
case("clip", "clip", [distinct(3, 4)], lambda a: a.clip(-1, 1.2), args={"min": -1, "max": 1.2})
case("clip_min_only", "clip", [distinct(3, 4)], lambda a: a.clip(min=0), args={"min": 0, "max": None})
case("maskedFill", "maskedFill", [randn(2, 3), bools(3)], lambda a, m: a.masked_fill(m, -1.5), args={"value": -1.5})
case("gather", "gather", [randn(3, 4), ints(0, 4, 3, 2)], lambda a, i: torch.gather(a, 1, i), args={"axis": 1})
case("gather_axis0", "gather", [randn(3, 4), ints(0, 3, 2, 4)], lambda a, i: torch.gather(a, 0, i), args={"axis": 0})
case("indexSelect", "indexSelect", [randn(4, 3), torch.tensor([3, 0, 3])], lambda a, i: torch.index_select(a, 0, i), args={"axis": 0})
case("scatterAdd", "scatterAdd", [randn(3, 4), torch.tensor([[0, 1, 0], [2, 2, 3], [1, 1, 1]]), randn(3, 3)],
     lambda x, i, s: torch.scatter_add(x, 1, i, s), args={"axis": 1})
case("oneHot", "oneHot", [torch.tensor([0, 2, 1, 2])], lambda i: F.one_hot(i, 4), args={"numClasses": 4}, grad=False, dtypes=("int32",))
case("sort", "sort", [distinct(3, 5)], lambda a: torch.sort(a, 1), args={"axis": 1})
case("sort_desc_axis0", "sort", [distinct(4, 3)], lambda a: torch.sort(a, 0, descending=True), args={"axis": 0, "descending": True})
case("topk", "topk", [distinct(3, 6)], lambda a: torch.topk(a, 2, 1), args={"k": 2, "axis": 1})
case("topk_smallest", "topk", [distinct(5, 3)], lambda a: torch.topk(a, 3, 0, largest=False), args={"k": 3, "axis": 0, "largest": False})
case("softmax", "softmax", [randn(3, 5)], lambda a: torch.softmax(a, -1), args={"axis": -1})
case("softmax_axis0", "softmax", [randn(3, 5) * 50], lambda a: torch.softmax(a, 0), args={"axis": 0})
case("softmax_empty", "softmax", [randn(0, 4)], lambda a: torch.softmax(a, -1), args={"axis": -1})
case("logSoftmax", "logSoftmax", [randn(3, 5) * 40], lambda a: torch.log_softmax(a, -1), args={"axis": -1})
case("logSoftmax_3d", "logSoftmax", [randn(2, 3, 4)], lambda a: torch.log_softmax(a, 1), args={"axis": 1})

# ---- convolution and pooling ---------------------------------------------------------------
case("conv2d", "conv2d", [randn(2, 3, 5, 5), randn(4, 3, 3, 3)], lambda x, w: F.conv2d(x, w))
case("conv2d_bias_stride_pad", "conv2d", [randn(1, 2, 6, 5), randn(3, 2, 3, 2), randn(3)],
     lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), args={"stride": 2, "padding": 1})
case("conv2d_same_even", "conv2d", [randn(1, 2, 5, 6), randn(2, 2, 4, 2)], lambda x, w: F.conv2d(x, w, padding="same"), args={"padding": "same"})
case("conv2d_dilation", "conv2d", [randn(1, 2, 7, 7), randn(2, 2, 3, 3)], lambda x, w: F.conv2d(x, w, dilation=2, padding=(1, 2)),
     args={"dilation": 2, "padding": [1, 2]})
case("conv2d_groups", "conv2d", [randn(2, 4, 5, 5), randn(6, 2, 3, 3)], lambda x, w: F.conv2d(x, w, groups=2, padding=1), args={"groups": 2, "padding": 1})
case("conv2d_depthwise", "conv2d", [randn(1, 3, 4, 4), randn(3, 1, 3, 3), randn(3)],
     lambda x, w, b: F.conv2d(x, w, b, groups=3, stride=(1, 2)), args={"groups": 3, "stride": [1, 2]})
case("maxPool2d", "maxPool2d", [distinct(2, 2, 4, 6)], lambda x: F.max_pool2d(x, 2), args={"kernelSize": 2})
case("maxPool2d_stride_pad", "maxPool2d", [distinct(1, 2, 5, 5)], lambda x: F.max_pool2d(x, 3, stride=2, padding=1),
     args={"kernelSize": 3, "stride": 2, "padding": 1})
case("avgPool2d", "avgPool2d", [randn(2, 2, 4, 4)], lambda x: F.avg_pool2d(x, 2), args={"kernelSize": 2})
case("avgPool2d_pad", "avgPool2d", [randn(1, 2, 5, 5)], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), args={"kernelSize": 3, "stride": 2, "padding": 1})
case("avgPool2d_pad_exclude", "avgPool2d", [randn(1, 1, 5, 4)], lambda x: F.avg_pool2d(x, [3, 2], stride=[2, 2], padding=1, count_include_pad=False),
     args={"kernelSize": [3, 2], "stride": [2, 2], "padding": 1, "countIncludePad": False})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "ops.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/gen_fixtures.py", "torch": torch.__version__, "cases": CASES}, f, separators=(",", ":"))
print(f"wrote {len(CASES)} cases to {os.path.normpath(out)} ({os.path.getsize(out)} bytes)", file=sys.stderr)
