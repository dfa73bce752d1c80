#!/usr/bin/python3
"""PyTorch half of experiments/torchcompare: the SimCLR step on the very
views and initial weights simclr-go trained on.

    go run ./experiments/torchcompare --out DIR --steps 100
    /usr/bin/python3 experiments/torchcompare.py --dir DIR
    go run ./experiments/torchcompare --out DIR --steps 100 --views torch

Reads DIR/init.safetensors, DIR/index.i32 and DIR/views-go.f32; writes
DIR/loss-torch-go.csv (PyTorch on Go's views), DIR/views-torch.f32 (the
same images through torchvision's transforms with the recipe's numbers,
as experiments/reference/simclr_torch.py makes them) and
DIR/loss-torch-torch.csv (PyTorch on those), then prints every loss file
in DIR side by side. Same engine, different views: the augmentation;
same views, different engines: forward, backward and optimizer.

    /usr/bin/python3 experiments/torchcompare.py --dir DIR --fixed model.safetensors

holds one trained encoder fixed (`simclr export --weights`) and prints its
NT-Xent loss on Go's and on torchvision's views of the same images, paired
batch by batch: the sharpest test of whether the two augmentations differ.
"""
import argparse
import glob
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
import torch_load  # noqa: E402
import simclr_torch  # noqa: E402


def train(dir_, views, steps, batch, lr, tau):
    m = torch_load.load(os.path.join(dir_, "init.safetensors")).train()
    opt = torch.optim.SGD(m.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    per = 2 * batch * 3 * 32 * 32
    v = np.memmap(os.path.join(dir_, "views-%s.f32" % views), "<f4", "r")
    steps = min(steps, len(v) // per)
    rows = ["step,lr,loss"]
    for i in range(steps):
        x = torch.from_numpy(np.array(v[i * per:(i + 1) * per])).view(2 * batch, 3, 32, 32)
        step_lr = simclr_torch.schedule(lr, i, 0, steps)  # run.Schedule without warmup, as the Go side
        for g in opt.param_groups:
            g["lr"] = step_lr
        opt.zero_grad(set_to_none=True)
        loss = simclr_torch.nt_xent(m.head(m(x)), tau)
        loss.backward()
        opt.step()
        rows.append("%d,%.6g,%.6f" % (i + 1, step_lr, loss.item()))
        if (i + 1) % 10 == 0:
            print("torch on %s views: step %d/%d loss %.4f" % (views, i + 1, steps, loss.item()), file=sys.stderr)
    open(os.path.join(dir_, "loss-torch-%s.csv" % views), "w").write("\n".join(rows) + "\n")
    return steps


def torch_views(dir_, data_dir, batch, seed):
    """views-torch.f32: index.i32's images through the reference's transforms."""
    x, _ = simclr_torch.read_cifar(data_dir, simclr_torch.CIFAR_TRAIN)
    idx = np.fromfile(os.path.join(dir_, "index.i32"), "<i4")
    cfg = {"augment": {"strength": 0.5}}
    ds = simclr_torch.Views(x, simclr_torch.recipe(cfg))
    torch.manual_seed(seed)
    with open(os.path.join(dir_, "views-torch.f32"), "wb") as f:
        for lo in range(0, len(idx) - batch + 1, batch):
            pairs = [ds[int(j)] for j in idx[lo:lo + batch]]
            v = torch.cat([torch.stack([p[0] for p in pairs]), torch.stack([p[1] for p in pairs])])
            f.write(v.numpy().astype("<f4").tobytes())


def fixed(dir_, model, batch, tau):
    """The paired per-batch loss of one fixed model on both view files."""
    m = torch_load.load(model).train()  # batch statistics, as in training
    per = 2 * batch * 3 * 32 * 32
    loss = {}
    for name in ("go", "torch"):
        v = np.memmap(os.path.join(dir_, "views-%s.f32" % name), "<f4", "r")
        with torch.no_grad():
            loss[name] = np.array([simclr_torch.nt_xent(m.head(m(torch.from_numpy(np.array(v[i * per:(i + 1) * per])).view(
                2 * batch, 3, 32, 32))), tau).item() for i in range(len(v) // per)])
    d = loss["go"] - loss["torch"]
    print("fixed model, %d paired batches: loss on Go views %.4f, on torchvision views %.4f, difference %+.4f ± %.4f (s.e.)"
          % (len(d), loss["go"].mean(), loss["torch"].mean(), d.mean(), d.std() / math.sqrt(len(d))))


def report(dir_):
    curves = {}
    for p in sorted(glob.glob(os.path.join(dir_, "loss-*.csv"))):
        name = os.path.basename(p)[5:-4]
        curves[name] = np.loadtxt(p, delimiter=",", skiprows=1)[:, 2]
    n = min(len(c) for c in curves.values())
    print("engine-views   " + " ".join("%9s" % ("%d-%d" % (lo + 1, min(lo + 20, n))) for lo in range(0, n, 20)) + "      all")
    for name, c in curves.items():
        c = c[:n]
        print("%-14s " % name + " ".join("%9.4f" % c[lo:lo + 20].mean() for lo in range(0, n, 20)) + " %9.4f" % c.mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--data-dir", default="../shared/datasets/cifar10")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--report", action="store_true", help="only print the loss files side by side")
    ap.add_argument("--fixed", metavar="SAFETENSORS", help="only compare one trained model's loss on both view files")
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.fixed:
        return fixed(a.dir, a.fixed, a.batch_size, 0.5)
    if not a.report:
        train(a.dir, "go", a.steps, a.batch_size, 0.12, 0.5)
        torch_views(a.dir, a.data_dir, a.batch_size, a.seed)
        train(a.dir, "torch", a.steps, a.batch_size, 0.12, 0.5)
    report(a.dir)


if __name__ == "__main__":
    main()
