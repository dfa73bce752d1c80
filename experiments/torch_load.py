#!/usr/bin/python3
"""Load a simclr-go model in PyTorch: the safetensors that
`simclr export --run R --weights model.safetensors` writes.

    import torch_load
    model = torch_load.load("model.safetensors")          # torch.nn.Module, eval mode
    h = torch_load.features("model.safetensors", images)  # images: uint8 N×H×W×3 -> float32 N×D

model(x) takes normalised N×3×S×S float32 input and returns h (the
representation the linear probe reads); model.head(h) is the projection z.
features() applies the run's normalisation (metadata mean and std) first,
so it reproduces `simclr export`'s features. Needs only torch and numpy
(Debian: apt-get install python3-torch); the safetensors reader is here.

    /usr/bin/python3 experiments/torch_load.py --golden eval/testdata/torchload
regenerates the golden features the Go test compares with.
"""
import argparse
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    """Tensors (name -> float32 numpy array) and the string metadata."""
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = b[8 + n:]
    out = {}
    for name, e in header.items():
        if e["dtype"] != "F32":
            raise ValueError("%s: tensor %s: dtype %s, want F32" % (path, name, e["dtype"]))
        lo, hi = e["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], "<f4").reshape(e["shape"])
    return out, meta


class Small(nn.Module):
    """conv3x3-BN-ReLU ×4 (maxpool after the 2nd and 3rd), global average pool."""

    def __init__(self, width):
        super().__init__()
        w = [max(1, round(c * width)) for c in (32, 64, 128, 256)]
        cin = 3
        for i, c in enumerate(w, 1):
            setattr(self, "conv%d" % i, nn.Conv2d(cin, c, 3, padding=1, bias=False))
            setattr(self, "bn%d" % i, nn.BatchNorm2d(c))
            cin = c
        self.features = cin

    def forward(self, x):
        for i in range(1, 5):
            x = F.relu(getattr(self, "bn%d" % i)(getattr(self, "conv%d" % i)(x)))
            if i in (2, 3):
                x = F.max_pool2d(x, 2)
        return x.mean((2, 3))


class ConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = ConvBN(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet18(nn.Module):
    """The CIFAR ResNet-18: 3×3 stride-1 stem, no max-pool, blocks [2,2,2,2]."""

    def __init__(self, width):
        super().__init__()
        w = [max(1, round(c * width)) for c in (64, 128, 256, 512)]
        self.stem = ConvBN(3, w[0], 3, 1)
        cin = w[0]
        for s, c in enumerate(w):
            layer = nn.Sequential(Block(cin, c, 1 if s == 0 else 2), Block(c, c, 1))
            setattr(self, "layer%d" % (s + 1), layer)
            cin = c
        self.features = cin

    def forward(self, x):
        x = F.relu(self.stem(x))
        for s in range(1, 5):
            x = getattr(self, "layer%d" % s)(x)
        return x.mean((2, 3))


class Head(nn.Module):
    """Linear-BN-ReLU ×(depth-1), then Linear with bias."""

    def __init__(self, d, depth, proj):
        super().__init__()
        self.depth = depth
        for i in range(1, depth):
            setattr(self, "fc%d" % i, nn.Linear(d, d, bias=False))
            setattr(self, "bn%d" % i, nn.BatchNorm1d(d))
        setattr(self, "fc%d" % depth, nn.Linear(d, proj))

    def forward(self, h):
        for i in range(1, self.depth):
            h = F.relu(getattr(self, "bn%d" % i)(getattr(self, "fc%d" % i)(h)))
        return getattr(self, "fc%d" % self.depth)(h)


class Model(nn.Module):
    def __init__(self, meta):
        super().__init__()
        width = float(meta["width"])
        self.encoder = {"small": Small, "resnet18": ResNet18}[meta["arch"]](width)
        self.head = Head(self.encoder.features, int(meta["head_depth"]), int(meta["proj_dim"]))
        self.meta = meta

    def forward(self, x):
        return self.encoder(x)


def load(path):
    """The model in path as a torch.nn.Module in eval mode (forward gives h)."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != "simclr-go":
        raise ValueError("%s: not a simclr-go export (metadata format %r)" % (path, meta.get("format")))
    m = Model(meta)
    state = {k: torch.from_numpy(v.copy()) for k, v in tensors.items()}
    missing, unexpected = m.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError("%s: missing %s, unexpected %s" % (path, missing, unexpected))
    return m.eval()


@torch.no_grad()
def features(path, images, batch=256):
    """h of uint8 images (N×H×W×3, H = W = the run's side) as float32 N×D."""
    m = load(path) if isinstance(path, str) else path
    side = int(m.meta["side"])
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (side, side, 3):
        raise ValueError("images: want uint8 N×%d×%d×3, got %s %s" % (side, side, images.dtype, images.shape))
    mean = torch.tensor(json.loads(m.meta["mean"]), dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(json.loads(m.meta["std"]), dtype=torch.float32).view(1, 3, 1, 1)
    out = []
    for lo in range(0, len(images), batch):
        x = torch.from_numpy(images[lo:lo + batch]).permute(0, 3, 1, 2).float().div(255)
        out.append(m((x - mean) / std))
    return torch.cat(out).numpy().astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description="load a simclr-go export; --golden writes the Go test's goldens")
    ap.add_argument("--golden", metavar="DIR", help="DIR/model.safetensors and DIR/images.u8 (N×32×32×3) -> DIR/features.json")
    ap.add_argument("--weights", help="print the module and the features' shape for these weights")
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.golden:
        imgs = np.fromfile(os.path.join(a.golden, "images.u8"), np.uint8).reshape(-1, 32, 32, 3)
        m = load(os.path.join(a.golden, "model.safetensors"))
        h = features(m, imgs)
        with torch.no_grad():
            z = m.head(torch.from_numpy(h)).numpy()
        with open(os.path.join(a.golden, "features.json"), "w") as f:
            json.dump({"made_by": "experiments/torch_load.py, torch " + torch.__version__, "shape": list(h.shape),
                       "features": [float(v) for v in h.ravel()], "projections": [float(v) for v in z.ravel()]}, f)
    if a.weights:
        print(load(a.weights))


if __name__ == "__main__":
    main()
