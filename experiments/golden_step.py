#!/usr/bin/python3
"""Golden values for encoder's PyTorch cross-check (encoder/torch_test.go).

Builds the small encoder + projection head in PyTorch with weights and
inputs given by closed-form formulas that the Go test reproduces, runs one
NT-Xent (tau 0.5) forward/backward in training mode, and writes the loss,
the projection z, and per-parameter gradient summaries (in Go's parameter
order) to encoder/testdata/torch_step.json; the same for the CIFAR
ResNet-18 at width 0.125 to torch_step_resnet18.json.

    /usr/bin/python3 experiments/golden_step.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from bench_torch import nt_xent, small_encoder

torch.set_default_dtype(torch.float64)  # the reference runs in float64
N_VIEWS = 8


def formula(n, pidx, scale, base=0.0):
    i = torch.arange(n, dtype=torch.float64)
    return base + scale * torch.sin(0.7 * i + 1.1 * pidx + 0.3)


def probe(n):
    return torch.cos(0.31 * torch.arange(n, dtype=torch.float64))


class Block(torch.nn.Module):
    """CIFAR ResNet basic block: conv-BN-ReLU-conv-BN (+ shortcut), ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 1, stride, 0, bias=False), torch.nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))

    def go_order(self):
        mods = [self.conv1, self.bn1, self.conv2, self.bn2]
        if self.short is not None:
            mods += [self.short[0], self.short[1]]
        return mods


def resnet18(width):
    w = [max(1, round(c * width)) for c in (64, 128, 256, 512)]
    stem = [torch.nn.Conv2d(3, w[0], 3, 1, 1, bias=False), torch.nn.BatchNorm2d(w[0])]
    blocks, cin = [], w[0]
    for s, c in enumerate(w):
        for j in range(2):
            blocks.append(Block(cin, c, 2 if (j == 0 and s > 0) else 1))
            cin = c
    net = torch.nn.Sequential(stem[0], stem[1], torch.nn.ReLU(), *blocks, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    order = stem + [m for b in blocks for m in b.go_order()]
    return net, order, cin


def main():
    run("small", None, "torch_step.json")
    run("resnet18", 0.125, "torch_step_resnet18.json")


def run(arch, width, filename):
    if arch == "small":
        f = small_encoder()
        order = [m for m in f if isinstance(m, (torch.nn.Conv2d, torch.nn.BatchNorm2d))]
        feats = 256
    else:
        f, order, feats = resnet18(width)
    g = torch.nn.Sequential(torch.nn.Linear(feats, feats, bias=False), torch.nn.BatchNorm1d(feats), torch.nn.ReLU(), torch.nn.Linear(feats, 128))
    f.double(), g.double()
    lin1, lin2 = g[0], g[3]
    go_params = []  # (name, module, kind) in Go's order
    with torch.no_grad():
        pidx = 0
        for mod in order:
            if isinstance(mod, torch.nn.Conv2d):
                fan = mod.in_channels * mod.kernel_size[0] * mod.kernel_size[1]
                mod.weight.copy_(formula(mod.weight.numel(), pidx, 1 / math.sqrt(fan)).reshape(mod.weight.shape))
                go_params.append((mod, "conv"))
            else:
                C = mod.num_features
                aff = formula(2 * C, pidx, 0.1)
                mod.weight.copy_(1 + aff[:C]); mod.bias.copy_(aff[C:])
                go_params.append((mod, "bn"))
            pidx += 1
        lin1.weight.copy_(formula(feats * feats, pidx, 1 / math.sqrt(feats)).reshape(feats, feats).t()); pidx += 1
        go_params.append((lin1, "linear"))
        b = g[1]
        aff = formula(2 * feats, pidx, 0.1); pidx += 1
        b.weight.copy_(1 + aff[:feats]); b.bias.copy_(aff[feats:])
        go_params.append((b, "bn"))
        lin2.weight.copy_(formula(feats * 128, pidx, 1 / math.sqrt(feats)).reshape(feats, 128).t()); pidx += 1
        go_params.append((lin2, "linear"))
        lin2.bias.copy_(formula(128, pidx, 1 / math.sqrt(feats))); pidx += 1
        go_params.append((lin2, "bias"))

    n = N_VIEWS * 3 * 32 * 32
    i = torch.arange(n, dtype=torch.float64)
    x = (torch.sin(0.013 * i) + 0.5 * torch.cos(0.7 * i)).reshape(N_VIEWS, 3, 32, 32)
    f.train(), g.train()
    z = g(f(x))
    loss = nt_xent(z, 0.5)
    loss.backward()

    grads = []
    for mod, kind in go_params:
        if kind == "conv":
            grads.append(mod.weight.grad.reshape(-1))
        elif kind == "bn":
            grads.append(torch.cat([mod.weight.grad, mod.bias.grad]))
        elif kind == "linear":
            grads.append(mod.weight.grad.t().reshape(-1))
        else:
            grads.append(mod.bias.grad.reshape(-1))
    first_bn = next(m for m, k in go_params if k == "bn")
    out = {
        "note": "written by experiments/golden_step.py (PyTorch %s, float64)" % torch.__version__,
        "arch": arch, "width": width,
        "views": N_VIEWS,
        "loss": loss.item(),
        "z_sum": z.sum().item(),
        "z_probe": (z.reshape(-1) * probe(z.numel())).sum().item(),
        "grads": [{"norm": gr.norm().item(), "probe": (gr * probe(gr.numel())).sum().item()} for gr in grads],
        "running_var_bn1": first_bn.running_var[:4].tolist(),
    }
    path = os.path.join(os.path.dirname(__file__), "..", "encoder", "testdata", filename)
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
    print("wrote", path, "loss", out["loss"])


if __name__ == "__main__":
    main()
