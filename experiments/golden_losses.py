#!/usr/bin/python3
"""Golden values for eval's loss tests (eval/losses_test.go): PyTorch's
cross_entropy (plain, class-weighted, label-smoothed, both), mse_loss and
multi_margin_loss (p = 1 and 2, margin, weights), values and gradients on
fixed random inputs, written to eval/testdata/losses.json.

    /usr/bin/python3 experiments/golden_losses.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
N, C = 7, 5
scores = torch.randn(N, C) * 2
labels = torch.randint(0, C, (N,))
weights = torch.rand(C) + 0.5
a, b = torch.randn(3, 4), torch.randn(3, 4)

cases = []


def add(name, fn, x, **kw):
    x = x.clone().requires_grad_(True)
    loss = fn(x, **kw)
    loss.backward()
    cases.append({"name": name, "loss": loss.item(), "grad": x.grad.reshape(-1).tolist()})


add("ce", lambda s: F.cross_entropy(s, labels), scores)
add("ce_weighted", lambda s: F.cross_entropy(s, labels, weight=weights), scores)
add("ce_smoothed", lambda s: F.cross_entropy(s, labels, label_smoothing=0.1), scores)
add("ce_weighted_smoothed", lambda s: F.cross_entropy(s, labels, weight=weights, label_smoothing=0.2), scores)
add("mse", lambda x: F.mse_loss(x, b), a)
add("hinge_p1", lambda s: F.multi_margin_loss(s, labels), scores)
add("hinge_p2_margin", lambda s: F.multi_margin_loss(s, labels, p=2, margin=0.5), scores)
add("hinge_weighted", lambda s: F.multi_margin_loss(s, labels, weight=weights), scores)

out = {
    "note": "written by experiments/golden_losses.py (PyTorch %s, float64)" % torch.__version__,
    "n": N, "c": C,
    "scores": scores.reshape(-1).tolist(), "labels": labels.tolist(), "weights": weights.tolist(),
    "a": a.reshape(-1).tolist(), "b": b.reshape(-1).tolist(),
    "cases": cases,
}
path = os.path.join(os.path.dirname(__file__), "..", "eval", "testdata", "losses.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", path)
