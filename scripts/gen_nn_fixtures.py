#!/usr/bin/python3
"""Generates the PyTorch reference fixtures for gradbook's nn/optim tests.

Run with Debian's Python (it has torch 1.13):  /usr/bin/python3 scripts/gen_nn_fixtures.py

Writes test/fixtures/nn_layers.json (each layer's output and gradients for fixed weights and
inputs), nn_losses.json and nn_optim.json (10-step optimizer trajectories and learning-rate
schedules). Every value is computed in float64 so the fixtures are exact to far below the
float32 tolerances the tests use. The upstream gradient of each output is a fixed random
tensor `dy`, so gradients are those of sum(out * dy): a ones upstream would hide mistakes
that cancel across elements.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)  # one thread: bit-identical fixtures on every run
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
gen = torch.Generator().manual_seed(1234)


def rnd(*shape, scale=1.0):
    return (torch.randn(*shape, generator=gen) * scale)


def arr(t):
    return t.detach().tolist()


def case(module, x, extra=None, input_grad=True, train=True):
    """Runs module on x, backprops a fixed random dy, records params, output and grads."""
    module.train(train)
    params = {k: arr(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    x = x.clone().requires_grad_(input_grad)
    out = module(x)
    dy = rnd(*out.shape)
    (out * dy).sum().backward()
    rec = {
        "params": params,
        "input": arr(x),
        "output": arr(out),
        "dy": arr(dy),
        "grads": {k: arr(p.grad) for k, p in module.named_parameters()},
    }
    if input_grad:
        rec["inputGrad"] = arr(x.grad)
    if extra:
        rec.update(extra)
    return rec


def init_(module):
    """Deterministic non-trivial parameter values (PyTorch's own init draws from the global RNG)."""
    with torch.no_grad():
        for _, p in module.named_parameters():
            p.copy_(rnd(*p.shape, scale=0.5))
    return module


def rnn_case(module, x):
    module = init_(module)
    x = x.clone().requires_grad_(True)
    out, state = module(x)
    dy = rnd(*out.shape)
    if isinstance(state, tuple):
        h, c = state
        dh, dc = rnd(*h.shape), rnd(*c.shape)
        loss = (out * dy).sum() + (h * dh).sum() + (c * dc).sum()
        extra = {"h": arr(h), "c": arr(c), "dh": arr(dh), "dc": arr(dc)}
    else:
        dh = rnd(*state.shape)
        loss = (out * dy).sum() + (state * dh).sum()
        extra = {"h": arr(state), "dh": arr(dh)}
    loss.backward()
    rec = {
        "params": {k: arr(v) for k, v in module.state_dict().items()},
        "input": arr(x),
        "output": arr(out),
        "dy": arr(dy),
        "inputGrad": arr(x.grad),
        "grads": {k: arr(p.grad) for k, p in module.named_parameters()},
    }
    rec.update(extra)
    return rec


def layers():
    L = {}
    L["linear"] = case(init_(nn.Linear(4, 3)), rnd(2, 4))
    L["conv2d"] = case(init_(nn.Conv2d(2, 3, 3, padding=1)), rnd(2, 2, 5, 5))
    L["conv2d_stride2"] = case(init_(nn.Conv2d(2, 4, 3, stride=2)), rnd(2, 2, 7, 7))
    L["conv2d_depthwise"] = case(init_(nn.Conv2d(2, 4, 3, padding=1, groups=2)), rnd(1, 2, 5, 5))
    L["conv2d_1x1"] = case(init_(nn.Conv2d(3, 2, 1)), rnd(2, 3, 4, 4))
    # "same" padding where the total is odd (stride 2, or an even kernel): the extra row and
    # column go at the end (bottom/right), as TensorFlow and PyTorch's stride-1 "same" do.
    class PaddedConv(nn.Module):
        def __init__(self, cin, cout, k, stride, pads):
            super().__init__()
            self.conv, self.pads, self.stride = nn.Conv2d(cin, cout, k), pads, stride

        def forward(self, x):
            return F.conv2d(F.pad(x, self.pads), self.conv.weight, self.conv.bias, stride=self.stride)

        def state_dict(self, *a, **k):
            return {n[5:]: v for n, v in super().state_dict(*a, **k).items()}

        def named_parameters(self, *a, **k):
            return [(n[5:], p) for n, p in super().named_parameters(*a, **k)]

    L["conv2d_same_stride2"] = case(init_(PaddedConv(2, 3, 3, 2, (0, 1, 0, 1))), rnd(1, 2, 6, 6))
    L["conv2d_same_even"] = case(init_(PaddedConv(2, 2, 4, 1, (1, 2, 1, 2))), rnd(1, 2, 5, 5))
    L["maxpool2d"] = case(nn.MaxPool2d(2), rnd(2, 3, 4, 4))
    L["avgpool2d"] = case(nn.AvgPool2d(2), rnd(2, 3, 4, 4))
    L["globalavgpool2d"] = case(nn.AdaptiveAvgPool2d(1), rnd(2, 3, 4, 4), extra=None)
    # Keras' GlobalAveragePooling2D (and ours) drop the 1x1 spatial axes.
    L["globalavgpool2d"]["output"] = [[c[0][0] for c in n] for n in L["globalavgpool2d"]["output"]]
    L["globalavgpool2d"]["dy"] = [[c[0][0] for c in n] for n in L["globalavgpool2d"]["dy"]]
    L["flatten"] = case(nn.Flatten(), rnd(2, 3, 2, 2))

    bn1 = init_(nn.BatchNorm1d(3))
    rec = case(bn1, rnd(4, 3))
    rec["runningMean"], rec["runningVar"] = arr(bn1.running_mean), arr(bn1.running_var)
    xe = rnd(4, 3)
    rec["evalInput"], rec["evalOutput"] = arr(xe), arr(bn1.eval()(xe))
    L["batchnorm1d"] = rec
    bn2 = init_(nn.BatchNorm2d(2))
    rec = case(bn2, rnd(3, 2, 3, 3))
    rec["runningMean"], rec["runningVar"] = arr(bn2.running_mean), arr(bn2.running_var)
    xe = rnd(2, 2, 3, 3)
    rec["evalInput"], rec["evalOutput"] = arr(xe), arr(bn2.eval()(xe))
    L["batchnorm2d"] = rec

    emb = init_(nn.Embedding(5, 3))
    idx = torch.tensor([[0, 4, 2], [1, 1, 3]])
    out = emb(idx)
    dy = rnd(*out.shape)
    (out * dy).sum().backward()
    L["embedding"] = {"params": {"weight": arr(emb.weight)}, "input": idx.tolist(), "output": arr(out),
                      "dy": arr(dy), "grads": {"weight": arr(emb.weight.grad)}}

    acts = {
        "relu": nn.ReLU(), "leakyrelu": nn.LeakyReLU(0.1), "elu": nn.ELU(1.0), "selu": nn.SELU(),
        "softplus": nn.Softplus(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "softmax": nn.Softmax(dim=-1),
    }
    for name, m in acts.items():
        L[name] = case(m, rnd(3, 4))
    prelu = nn.PReLU(num_parameters=4, init=0.2)
    L["prelu"] = case(prelu, rnd(3, 4))

    x = rnd(2, 4, 3)
    L["rnn"] = rnn_case(nn.RNN(3, 5, batch_first=True), x)
    L["rnn_2layer_bidir"] = rnn_case(nn.RNN(3, 4, num_layers=2, batch_first=True, bidirectional=True), x)
    L["gru"] = rnn_case(nn.GRU(3, 5, batch_first=True), x)
    L["gru_bidir"] = rnn_case(nn.GRU(3, 4, batch_first=True, bidirectional=True), x)
    L["lstm"] = rnn_case(nn.LSTM(3, 5, batch_first=True), x)
    L["lstm_2layer_bidir"] = rnn_case(nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True), x)

    # Attention (no torch module for these; written out as the notes define them).
    q, k, v = rnd(2, 3, 4), rnd(2, 5, 4), rnd(2, 5, 6)
    qs, ks, vs = (t.clone().requires_grad_(True) for t in (q, k, v))
    scores = qs @ ks.transpose(1, 2) / math.sqrt(4)
    w = torch.softmax(scores, -1)
    ctx = w @ vs
    dy = rnd(*ctx.shape)
    (ctx * dy).sum().backward()
    L["attention_dot"] = {"query": arr(q), "key": arr(k), "value": arr(v), "output": arr(ctx),
                          "weights": arr(w), "dy": arr(dy),
                          "grads": {"query": arr(qs.grad), "key": arr(ks.grad), "value": arr(vs.grad)}}
    Wq, Wk, va = rnd(7, 4, scale=0.5), rnd(7, 4, scale=0.5), rnd(7, scale=0.5)
    P = {n: t.clone().requires_grad_(True) for n, t in (("Wq", Wq), ("Wk", Wk), ("v", va))}
    qs, ks, vs = (t.clone().requires_grad_(True) for t in (q, k, v))
    # e[b,i,j] = v . tanh(Wq q_i + Wk k_j)  (Bahdanau)
    e = torch.tanh((qs @ P["Wq"].T).unsqueeze(2) + (ks @ P["Wk"].T).unsqueeze(1)) @ P["v"]
    w = torch.softmax(e, -1)
    ctx = w @ vs
    dy = rnd(*ctx.shape)
    (ctx * dy).sum().backward()
    L["attention_additive"] = {
        "query": arr(q), "key": arr(k), "value": arr(v), "output": arr(ctx), "weights": arr(w), "dy": arr(dy),
        "params": {"queryWeight": arr(Wq), "keyWeight": arr(Wk), "scoreWeight": arr(va)},
        "grads": {"query": arr(qs.grad), "key": arr(ks.grad), "value": arr(vs.grad),
                  "queryWeight": arr(P["Wq"].grad), "keyWeight": arr(P["Wk"].grad), "scoreWeight": arr(P["v"].grad)}}

    # Residual block: relu(bn2(conv2(relu(bn1(conv1(x))))) + x), as in ResNet's basic block.
    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c)

        def forward(self, x):
            return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + x)

    L["residual"] = case(init_(Block(2)), rnd(2, 2, 4, 4))
    return L


def losses():
    out = {}
    g = torch.Generator().manual_seed(7)
    logits = torch.randn(4, 3, generator=g)
    labels = torch.tensor([0, 2, 1, 2])
    probs = torch.softmax(logits, -1)
    onehot = F.one_hot(labels, 3).double()
    yreg = torch.randn(4, 3, generator=g)
    blog = torch.randn(5, generator=g)
    bt = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0])
    pm = torch.tensor([1.0, -1.0, -1.0, 1.0, 1.0])

    def rec(name, fn, pred, target):
        p = pred.clone().requires_grad_(True)
        val = fn(p, target)
        val.backward()
        out[name] = {"pred": arr(pred), "target": arr(target), "value": val.item(), "grad": arr(p.grad)}

    rec("mse", F.mse_loss, yreg * 0.5, yreg)
    rec("mae", F.l1_loss, yreg * 0.5, yreg)
    rec("bce", F.binary_cross_entropy, torch.sigmoid(blog), bt)
    rec("bceLogits", F.binary_cross_entropy_with_logits, blog, bt)
    rec("cceLogits", lambda p, t: -(t * torch.log_softmax(p, -1)).sum(-1).mean(), logits, onehot)
    rec("cce", lambda p, t: -(t * torch.log(p)).sum(-1).mean(), probs, onehot)
    rec("sparseCceLogits", lambda p, t: F.cross_entropy(p, t.long()), logits, labels.double())
    rec("sparseCce", lambda p, t: F.nll_loss(torch.log(p), t.long()), probs, labels.double())
    rec("hinge", lambda p, t: torch.clamp(1 - t * p, min=0).mean(), blog, pm)
    rec("exponential", lambda p, t: torch.exp(-t * p).mean(), blog, pm)
    return out


def quartic(ps):
    """A fixed non-quadratic objective of two parameters, so optimizers' paths differ."""
    w, b = ps
    A = torch.tensor([[1.0, 2.0, -1.0], [0.5, -1.0, 3.0]])
    r = A @ w + b - torch.tensor([1.0, -2.0])
    return (r ** 2).sum() + 0.1 * (w ** 4).sum()


def optim_cases():
    cfgs = {
        "sgd": (torch.optim.SGD, {"lr": 0.01}),
        "sgd_momentum": (torch.optim.SGD, {"lr": 0.01, "momentum": 0.9}),
        "sgd_nesterov": (torch.optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
        "sgd_weight_decay": (torch.optim.SGD, {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.1}),
        "adagrad": (torch.optim.Adagrad, {"lr": 0.1}),
        "rmsprop": (torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9}),
        "rmsprop_momentum": (torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "momentum": 0.5}),
        "adam": (torch.optim.Adam, {"lr": 0.05}),
        "adam_weight_decay": (torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1}),
        "adamw": (torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.1}),
        "adam_amsgrad": (torch.optim.Adam, {"lr": 0.05, "amsgrad": True}),
        "adagrad_decay": (torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1}),
        "rmsprop_centered": (torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "centered": True, "weight_decay": 0.05}),
    }
    out = {}
    for name, (cls, kw) in cfgs.items():
        w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        b = torch.tensor([0.1, -0.3], requires_grad=True)
        opt = cls([w, b], **kw)
        traj = []
        for _ in range(10):
            opt.zero_grad()
            quartic([w, b]).backward()
            opt.step()
            traj.append({"w": arr(w), "b": arr(b)})
        out[name] = {"options": {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()},
                     "init": {"w": [0.5, -1.0, 2.0], "b": [0.1, -0.3]}, "trajectory": traj}

    # Schedules: learning rate used at each of 12 epochs.
    scheds = {
        "step": (torch.optim.lr_scheduler.StepLR, {"step_size": 3, "gamma": 0.5}),
        "exponential": (torch.optim.lr_scheduler.ExponentialLR, {"gamma": 0.9}),
        "cosine": (torch.optim.lr_scheduler.CosineAnnealingLR, {"T_max": 10}),
        "linear": (torch.optim.lr_scheduler.LinearLR, {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 10}),
    }
    sched_out = {}
    for name, (cls, kw) in scheds.items():
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        s = cls(opt, **kw)
        lrs = []
        for _ in range(12):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            s.step()
        sched_out[name] = {"options": kw, "lrs": lrs}
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    metrics = [1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85, 0.86, 0.87, 0.88]
    lrs = []
    for m in metrics:
        s.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    sched_out["plateau"] = {"options": {"factor": 0.5, "patience": 1}, "metrics": metrics, "lrs": lrs}

    # Gradient clipping.
    g1, g2 = torch.tensor([3.0, -4.0]), torch.tensor([[1.0, 2.0], [-2.0, 0.5]])
    a, b2 = torch.zeros(2, requires_grad=True), torch.zeros(2, 2, requires_grad=True)
    a.grad, b2.grad = g1.clone(), g2.clone()
    norm = torch.nn.utils.clip_grad_norm_([a, b2], 2.0)
    clip_norm = {"grads": [arr(g1), arr(g2)], "maxNorm": 2.0, "totalNorm": norm.item(),
                 "clipped": [arr(a.grad), arr(b2.grad)]}
    a.grad, b2.grad = g1.clone(), g2.clone()
    torch.nn.utils.clip_grad_value_([a, b2], 1.5)
    clip_value = {"grads": [arr(g1), arr(g2)], "clipValue": 1.5, "clipped": [arr(a.grad), arr(b2.grad)]}
    return {"optimizers": out, "schedules": sched_out, "clipNorm": clip_norm, "clipValue": clip_value}


def main():
    os.makedirs(ROOT, exist_ok=True)
    for name, data in (("nn_layers.json", layers()), ("nn_losses.json", losses()), ("nn_optim.json", optim_cases())):
        with open(os.path.join(ROOT, name), "w") as f:
            json.dump(data, f, separators=(",", ":"))
        print("wrote", name)


if __name__ == "__main__":
    main()
