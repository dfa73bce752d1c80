#!/usr/bin/python3
"""PyTorch reference for the results table: SimCLR with simclr-go's recipe.

The same small encoder and projection head, NT-Xent, SGD with PyTorch's
momentum and L2 weight decay, the per-step cosine schedule (and linear
warmup) of run.Schedule, torchvision's augmentation with the recipe's
numbers, and a DataLoader with 2 workers. It trains the resolved config
`simclr experiment run` hands it, then writes the frozen encoder's features
(eval-mode BatchNorm, normalised images, no augmentation) of the training
and test splits, so that the Go runner fits the identical probe to them.

Run with Debian's python3 after `apt-get install python3-torch python3-torchvision`:
    /usr/bin/python3 experiments/reference/simclr_torch.py --config config.json --out DIR
Writes DIR/features.f32 (float32, little-endian: train rows then test rows),
DIR/meta.json (shapes, epochs, losses, train_sec, images_per_sec, versions) and,
while it trains, DIR/checkpoint.pt (one per epoch: rerun to resume).
"""
import argparse
import json
import math
import os
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

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from PIL import Image
from torchvision import transforms as T

CIFAR_TRAIN = ["data_batch_%d.bin" % i for i in range(1, 6)]
CIFAR_TEST = ["test_batch.bin"]
RECORD = 1 + 3 * 32 * 32


def read_cifar(data_dir, files, limit=0):
    """The official binary format: per record a label byte, then 3x32x32 planes."""
    raw = b"".join(open(os.path.join(data_dir, f), "rb").read() for f in files)
    a = np.frombuffer(raw, np.uint8).reshape(-1, RECORD)
    if limit > 0:
        a = a[:limit]
    return a[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy(), a[:, 0].astype(np.int64)


def small_encoder(width=1.0):
    w = lambda c: max(1, round(c * width))
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    return nn.Sequential(
        *block(3, w(32)), *block(w(32), w(64)), nn.MaxPool2d(2),
        *block(w(64), w(128)), nn.MaxPool2d(2), *block(w(128), w(256)),
        nn.AdaptiveAvgPool2d(1), nn.Flatten()), w(256)


def projection(d, depth, proj):
    layers = []
    for _ in range(depth - 1):
        layers += [nn.Linear(d, d, bias=False), nn.BatchNorm1d(d), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers, nn.Linear(d, proj))


def nt_xent(z, tau):
    z = F.normalize(z, dim=1)
    n2 = z.shape[0]
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float("-inf"))
    return F.cross_entropy(sim, (torch.arange(n2) + n2 // 2) % n2)


def schedule(lr, step, warm, total):
    """run.Schedule: linear warmup to lr, then half a cosine to 0, per step."""
    if step < warm:
        return lr * (step + 1) / warm
    if total <= warm:
        return lr
    return lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / (total - warm)))


def recipe(cfg):
    """The augmentation of cfg (simclr-go's cifar preset unless a recipe is given)."""
    r = dict(scale=[0.08, 1], ratio=[3 / 4, 4 / 3], flip_p=0.5, jitter_p=0.8, gray_p=0.2,
             mean=[0.4914, 0.4822, 0.4465], std=[0.247, 0.2435, 0.2616])
    s = cfg["augment"].get("strength", 0.5) or 0.5
    r.update(brightness=0.8 * s, contrast=0.8 * s, saturation=0.8 * s, hue=0.2 * s)
    if cfg["augment"].get("crop_min"):
        r["scale"] = [cfg["augment"]["crop_min"], r["scale"][1]]
    r.update(cfg["augment"].get("recipe") or {})
    if r.get("blur_p", 0) or r.get("solarize_p", 0):
        sys.exit("simclr_torch.py: blur and solarize are not in the reference recipe")
    return r


class Views(torch.utils.data.Dataset):
    def __init__(self, x, r):
        self.x = x
        self.t = T.Compose([
            T.RandomResizedCrop(32, scale=tuple(r["scale"]), ratio=tuple(r["ratio"])),
            T.RandomHorizontalFlip(r["flip_p"]),
            T.RandomApply([T.ColorJitter(r["brightness"], r["contrast"], r["saturation"], r["hue"])], p=r["jitter_p"]),
            T.RandomGrayscale(r["gray_p"]),
            T.ToTensor(), T.Normalize(r["mean"], r["std"])])

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        im = Image.fromarray(self.x[i])
        return self.t(im), self.t(im)


def check(cfg):
    if cfg["method"] != "simclr" or cfg["model"]["arch"] != "small":
        sys.exit("simclr_torch.py: the reference trains method simclr on the small encoder only")
    if cfg["optimizer"] != "sgd" or cfg["dataset"] != "cifar10":
        sys.exit("simclr_torch.py: the reference trains with sgd on cifar10 only")


def train(cfg, x, out, log):
    torch.manual_seed(cfg["seed"])
    f, d = small_encoder(cfg["model"]["width"])
    g = projection(d, cfg["model"]["head_depth"], cfg["model"]["proj_dim"])
    params = list(f.parameters()) + list(g.parameters())
    opt = torch.optim.SGD(params, lr=cfg["peak_lr"], momentum=cfg["momentum"],
                          weight_decay=max(cfg["weight_decay"], 0), nesterov=cfg["nesterov"])
    B, epochs = cfg["batch_size"], cfg["epochs"]
    loader = torch.utils.data.DataLoader(Views(x, recipe(cfg)), batch_size=B, shuffle=True, drop_last=True,
                                         num_workers=2, persistent_workers=True)
    steps = len(loader)
    total, warm = epochs * steps, round(max(cfg["warmup_epochs"], 0) * steps)
    state = dict(epoch=0, train_sec=0.0, losses=[], ips=[])
    ck = os.path.join(out, "checkpoint.pt")
    if os.path.exists(ck):
        c = torch.load(ck)
        f.load_state_dict(c["f"]); g.load_state_dict(c["g"]); opt.load_state_dict(c["opt"])
        torch.set_rng_state(c["rng"]); state = c["state"]
        log("resuming after epoch %d" % state["epoch"])
    for epoch in range(state["epoch"], epochs):
        f.train(); g.train()
        t0, run = time.perf_counter(), 0.0
        for i, (v1, v2) in enumerate(loader):
            step = epoch * steps + i
            for pg in opt.param_groups:
                pg["lr"] = schedule(cfg["peak_lr"], step, warm, total)
            opt.zero_grad(set_to_none=True)
            loss = nt_xent(g(f(torch.cat([v1, v2]))), cfg["temperature"])
            loss.backward()
            opt.step()
            run += loss.item()
            if (i + 1) % cfg["log_every"] == 0:
                el = time.perf_counter() - t0
                log("epoch %d/%d step %d/%d loss %.4f %.0f img/s" % (epoch + 1, epochs, step + 1, total, loss.item(), (i + 1) * B / el))
        sec = time.perf_counter() - t0
        state["epoch"], state["train_sec"] = epoch + 1, state["train_sec"] + sec
        state["losses"].append(run / steps); state["ips"].append(steps * B / sec)
        log("epoch %d/%d loss %.4f (%.0f s)" % (epoch + 1, epochs, run / steps, sec))
        torch.save(dict(f=f.state_dict(), g=g.state_dict(), opt=opt.state_dict(), rng=torch.get_rng_state(), state=state), ck + ".tmp")
        os.replace(ck + ".tmp", ck)
    return f, d, state


@torch.no_grad()
def features(f, x, r):
    f.eval()
    mean = torch.tensor(r["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(r["std"]).view(1, 3, 1, 1)
    out = []
    for lo in range(0, len(x), 256):
        b = torch.from_numpy(x[lo:lo + 256]).permute(0, 3, 1, 2).float().div(255)
        out.append(f((b - mean) / std))
    return torch.cat(out).numpy().astype("<f4")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True, help="a resolved simclr-go config.json")
    ap.add_argument("--out", required=True, help="directory for features.f32, meta.json, checkpoint.pt")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = json.load(open(a.config))
    check(cfg)
    os.makedirs(a.out, exist_ok=True)
    log = lambda s: print(s, file=sys.stderr, flush=True)
    xtr, _ = read_cifar(cfg["data_dir"], CIFAR_TRAIN, cfg.get("limit", 0))
    f, d, st = train(cfg, xtr, a.out, log)
    t0 = time.perf_counter()
    xall, _ = read_cifar(cfg["data_dir"], CIFAR_TRAIN)
    xte, _ = read_cifar(cfg["data_dir"], CIFAR_TEST)
    feats = np.concatenate([features(f, xall, recipe(cfg)), features(f, xte, recipe(cfg))])
    feats.tofile(os.path.join(a.out, "features.f32.tmp"))
    os.replace(os.path.join(a.out, "features.f32.tmp"), os.path.join(a.out, "features.f32"))
    meta = dict(n_train=len(xall), n_test=len(xte), dim=d, epochs=st["epoch"], losses=st["losses"],
                train_sec=st["train_sec"], images_per_sec=float(np.mean(st["ips"])), feature_sec=time.perf_counter() - t0,
                impl="pytorch %s torchvision %s, %s" % (torch.__version__, torchvision.__version__, os.environ["GLIBC_TUNABLES"]), threads=torch.get_num_threads(),
                workers=2)
    json.dump(meta, open(os.path.join(a.out, "meta.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
