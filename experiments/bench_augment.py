#!/usr/bin/python3
"""torchvision reference for `simclr bench augment`: a SimCLR recipe
(default the CIFAR-10 one, augment.SimCLRCIFAR) through DataLoader(batch 256,
num_workers=2), two views per image, over the first N CIFAR-10 training images.

Run with Debian's python3 after `apt-get install python3-torch python3-torchvision`:
    /usr/bin/python3 experiments/bench_augment.py --data-dir ../shared/datasets/cifar10 [--n 10000] [--preset imagenet --size 64]
Prints one JSON object: views_per_sec, views, seconds, batch_size, workers.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms as T


def load_cifar10(data_dir, n):
    for sub in ("", "cifar-10-batches-bin"):
        path = os.path.join(data_dir, sub, "data_batch_1.bin")
        if os.path.exists(path):
            break
    else:
        raise SystemExit(f"bench_augment.py: no data_batch_1.bin under {data_dir}")
    imgs = []
    for b in range(1, 6):
        raw = np.fromfile(os.path.join(os.path.dirname(path), f"data_batch_{b}.bin"), dtype=np.uint8)
        rec = raw.reshape(-1, 3073)
        imgs.append(rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        if sum(len(i) for i in imgs) >= n:
            break
    return np.ascontiguousarray(np.concatenate(imgs)[:n])


def simclr_recipe(preset="cifar", size=32):
    """The paper's recipes as torchvision transforms: CIFAR-10 (appendix
    B.9: s = 0.5, no blur) and ImageNet (appendix A: s = 1, blur with p 0.5,
    sigma 0.1-2.0, kernel 10% of the side made odd), as augment.SimCLRCIFAR
    and augment.SimCLRImageNet."""
    s = 0.5 if preset == "cifar" else 1.0
    t = [
        T.RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
        T.RandomHorizontalFlip(p=0.5),
        T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
        T.RandomGrayscale(p=0.2),
    ]
    if preset == "imagenet":
        k = int(0.1 * size)
        k += 1 - k % 2
        t.append(T.RandomApply([T.GaussianBlur(k, sigma=(0.1, 2.0))], p=0.5))
        mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    else:
        mean, std = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
    return T.Compose(t + [T.ToTensor(), T.Normalize(mean, std)])


class TwoViews(Dataset):
    def __init__(self, images, transform):
        self.images, self.t = images, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = Image.fromarray(self.images[i])  # as torchvision.datasets.CIFAR10 does
        return self.t(img), self.t(img)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="../shared/datasets/cifar10")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--preset", choices=["cifar", "imagenet"], default="cifar")
    ap.add_argument("--size", type=int, default=32, help="output side")
    a = ap.parse_args()
    torch.set_num_threads(2)
    images = load_cifar10(a.data_dir, a.n)
    loader = DataLoader(TwoViews(images, simclr_recipe(a.preset, a.size)), batch_size=a.batch_size,
                        shuffle=True, num_workers=a.workers, drop_last=False)
    t0 = time.perf_counter()
    views = 0
    for v1, v2 in loader:
        views += v1.shape[0] + v2.shape[0]
    dt = time.perf_counter() - t0
    print(json.dumps({"views_per_sec": views / dt, "views": views, "seconds": dt,
                      "batch_size": a.batch_size, "workers": a.workers, "preset": a.preset, "size": a.size}))


if __name__ == "__main__":
    main()
