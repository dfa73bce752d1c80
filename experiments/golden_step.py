#!/usr/bin/python3
"""Golden values for encoder's PyTorch cross-check (encoder/torch_test.go).

Builds the small encoder + projection head in PyTorch with weights and
inputs given by closed-form formulas that the Go test reproduces, runs one
NT-Xent (tau 0.5) forward/backward in training mode, and writes the loss,
the projection z, and per-parameter gradient summaries to
encoder/testdata/torch_step.json.

    /usr/bin/python3 experiments/golden_step.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from bench_torch import head, nt_xent, small_encoder

torch.set_default_dtype(torch.float64)  # the reference runs in float64
N_VIEWS = 8


def formula(n, pidx, scale, base=0.0):
    i = torch.arange(n, dtype=torch.float64)
    return base + scale * torch.sin(0.7 * i + 1.1 * pidx + 0.3)


def probe(n):
    return torch.cos(0.31 * torch.arange(n, dtype=torch.float64))


def main():
    f, g = small_encoder(), head()
    f.double(), g.double()
    convs = [m for m in f if isinstance(m, torch.nn.Conv2d)]
    bns = [m for m in list(f) + list(g) if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d))]
    lin1, lin2 = g[0], g[3]
    # Go's parameter order: conv1.w, bn1, conv2.w, bn2, ..., head1.w, head.bn, head2.w, head2.b.
    # Go stores linear weights In×Out; torch Out×In. Go stores BN affine as [gamma; beta].
    go_params = []  # (name, tensor in Go layout, setter)
    pidx = 0
    with torch.no_grad():
        for k in range(4):
            c = convs[k]
            fan = c.in_channels * 9
            c.weight.copy_(formula(c.weight.numel(), pidx, 1 / math.sqrt(fan)).reshape(c.weight.shape)); pidx += 1
            b = bns[k]
            C = b.num_features
            aff = formula(2 * C, pidx, 0.1); pidx += 1
            b.weight.copy_(1 + aff[:C]); b.bias.copy_(aff[C:])
        lin1.weight.copy_(formula(256 * 256, pidx, 1 / 16).reshape(256, 256).t()); pidx += 1
        b = bns[4]
        aff = formula(512, pidx, 0.1); pidx += 1
        b.weight.copy_(1 + aff[:256]); b.bias.copy_(aff[256:])
        lin2.weight.copy_(formula(256 * 128, pidx, 1 / 16).reshape(256, 128).t()); pidx += 1
        lin2.bias.copy_(formula(128, pidx, 1 / 16)); pidx += 1

    n = N_VIEWS * 3 * 32 * 32
    i = torch.arange(n, dtype=torch.float64)
    x = (torch.sin(0.013 * i) + 0.5 * torch.cos(0.7 * i)).reshape(N_VIEWS, 3, 32, 32)
    f.train(), g.train()
    z = g(f(x))
    loss = nt_xent(z, 0.5)
    loss.backward()

    def go_grad(t, kind):
        if kind == "linear":
            return t.grad.t().reshape(-1)
        return t.grad.reshape(-1)

    grads = []
    for k in range(4):
        grads.append(("conv%d.w" % (k + 1), go_grad(convs[k].weight, "conv")))
        b = bns[k]
        grads.append(("bn%d" % (k + 1), torch.cat([b.weight.grad, b.bias.grad])))
    grads.append(("head1.w", go_grad(lin1.weight, "linear")))
    grads.append(("head.bn", torch.cat([bns[4].weight.grad, bns[4].bias.grad])))
    grads.append(("head2.w", go_grad(lin2.weight, "linear")))
    grads.append(("head2.b", lin2.bias.grad.reshape(-1)))
    out = {
        "note": "written by experiments/golden_step.py (PyTorch %s, float64)" % torch.__version__,
        "views": N_VIEWS,
        "loss": loss.item(),
        "z_sum": z.sum().item(),
        "z_probe": (z.reshape(-1) * probe(z.numel())).sum().item(),
        "grads": {name: {"norm": gr.norm().item(), "probe": (gr * probe(gr.numel())).sum().item()} for name, gr in grads},
        "running_var_bn1": bns[0].running_var[:4].tolist(),
    }
    path = os.path.join(os.path.dirname(__file__), "..", "encoder", "testdata", "torch_step.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
    print("wrote", path, "loss", out["loss"])


if __name__ == "__main__":
    main()
