#!/usr/bin/python3
"""PyTorch reference for `simclr bench`: the identical encoder (small, or
the CIFAR ResNet-18 of experiments/torch_load.py at --width), projection
head, NT-Xent (tau 0.5) and SGD step, timed on CPU.

Run with Debian's python3 after `apt-get install python3-torch`:
    /usr/bin/python3 experiments/bench_torch.py --batch-size 256 [--threads 2] [--arch resnet18 --width 0.25] [--eval]
(--eval: the eval-mode feature pass under no_grad instead, as `simclr bench --eval`.)
Prints one JSON object with the keys simclr bench prints:
images_per_sec (views per second), gflops, peak_rss_bytes, batch_size.
"""
import argparse
import json
import os
import resource
import sys
import time

# glibc's malloc hands PyTorch's large tensors back to the kernel when they are
# freed, so every step faults them in again; on our VMs that costs PyTorch ~40%
# of its CPU (the small encoder trained at 35 img/s instead of 120). Backing
# malloc with transparent huge pages (a glibc tunable, read at process start)
# avoids it, so the script re-executes itself with it unless the caller chose.
if "GLIBC_TUNABLES" not in os.environ:
    os.environ["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import torch
import torch.nn as nn
import torch.nn.functional as F


def small_encoder():
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    return nn.Sequential(
        *block(3, 32), *block(32, 64), nn.MaxPool2d(2),
        *block(64, 128), nn.MaxPool2d(2), *block(128, 256),
        nn.AdaptiveAvgPool2d(1), nn.Flatten())


def head(proj=128):
    return nn.Sequential(nn.Linear(256, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(inplace=True), nn.Linear(256, proj))


def nt_xent(z, tau):
    z = F.normalize(z, dim=1)
    n2 = z.shape[0]
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float("-inf"))
    target = (torch.arange(n2) + n2 // 2) % n2
    return F.cross_entropy(sim, target)


def flops_per_view(h=32, w=32):
    """Multiply-adds of one forward pass, times 2 (FLOPs) times 3 (fwd+bwd)."""
    macs = 0
    for cin, cout, s in [(3, 32, h * w), (32, 64, h * w), (64, 128, h * w // 4), (128, 256, h * w // 16)]:
        macs += cin * 9 * cout * s
    macs += 256 * 256 + 256 * 128
    return 6 * macs


def resnet18_flops_per_view(width, h=32, w=32):
    """Multiply-adds of the CIFAR ResNet-18's convolutions and head, ×6 (as flops_per_view)."""
    c = [max(1, round(x * width)) for x in (64, 128, 256, 512)]
    macs, cin, s = 3 * 9 * c[0] * h * w, c[0], h * w
    for i, cout in enumerate(c):
        for j in range(2):
            stride = 2 if (j == 0 and i > 0) else 1
            s_out = s // (stride * stride)
            macs += cin * 9 * cout * s_out + cout * 9 * cout * s_out
            if stride != 1 or cin != cout:
                macs += cin * cout * s_out
            cin, s = cout, s_out
    macs += cin * cin + cin * 128
    return 6 * macs


def bench_features(f, a):
    """What `simclr bench --eval` times: the encoder's eval-mode forward pass to h."""
    f.eval()
    x = torch.randn(a.batch_size, 3, 32, 32)
    with torch.no_grad():
        for _ in range(a.warmup):
            f(x)
        t0 = time.perf_counter()
        for _ in range(a.steps):
            f(x)
        sec = (time.perf_counter() - t0) / a.steps
    print(json.dumps({
        "impl": "pytorch %s, %s" % (torch.__version__, os.environ["GLIBC_TUNABLES"]),
        "mode": "eval",
        "batch_size": a.batch_size,
        "images_per_sec": a.batch_size / sec,
        "arch": a.arch,
        "width": a.width,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "threads": torch.get_num_threads(),
    }))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="small", choices=["small", "resnet18"])
    ap.add_argument("--width", type=float, default=1.0, help="resnet18 channel-width multiplier")
    ap.add_argument("--batch-size", type=int, default=256, help="images per step (2 views each)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--eval", action="store_true",
                    help="time the feature pass instead: eval-mode encoder under no_grad, images/s")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.arch == "resnet18":
        import torch_load
        f = torch_load.ResNet18(a.width)
        d = f.features
        g = nn.Sequential(nn.Linear(d, d, bias=False), nn.BatchNorm1d(d), nn.ReLU(inplace=True), nn.Linear(d, 128))
        flops = resnet18_flops_per_view(a.width)
    else:
        f, g, flops = small_encoder(), head(), flops_per_view()
    if a.eval:
        return bench_features(f, a)
    params = list(f.parameters()) + list(g.parameters())
    opt = torch.optim.SGD(params, lr=0.3, momentum=0.9, weight_decay=1e-6)
    x = torch.randn(2 * a.batch_size, 3, 32, 32)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = nt_xent(g(f(x)), 0.5)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    sec = (time.perf_counter() - t0) / a.steps
    views = 2 * a.batch_size / sec
    print(json.dumps({
        "impl": "pytorch %s, %s" % (torch.__version__, os.environ["GLIBC_TUNABLES"]),
        "batch_size": a.batch_size,
        "images_per_sec": views,
        "gflops": views * flops / 1e9,
        "arch": a.arch,
        "width": a.width,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
