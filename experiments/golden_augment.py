#!/usr/bin/python3
"""Golden data for augment's torchvision/Pillow exactness tests.

Runs each operation of the SimCLR recipe through torchvision 0.14's
functional API on PIL images (Debian's python3-torchvision, Pillow 9.4) with
fixed parameters, and writes inputs, parameters and outputs to
augment/testdata/torchvision.json. The Go tests read that file; they never
run Python. Regenerate with

    /usr/bin/python3 experiments/golden_augment.py

Images are stored planar (C×H×W) as base64 bytes; float outputs as base64
little-endian float32.
"""
import base64
import json
import os

import numpy as np
import PIL
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image

CIFAR = ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))
IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def planar(img):
    return np.asarray(img, dtype=np.uint8).transpose(2, 0, 1)


def images():
    rs = np.random.RandomState(2002)
    noise = rs.randint(0, 256, (16, 16, 3)).astype(np.uint8)
    # A non-square image mixing smooth colour ramps, flat patches and noise,
    # so that grey pixels (s = 0), saturated ones and every hue occur.
    y, x = np.mgrid[0:12, 0:20]
    ramp = np.stack([x * 13, y * 21, (x + y) * 8], -1) % 256
    ramp[2:5, 3:8] = (128, 128, 128)
    ramp[6:9, 12:16] = (250, 10, 10)
    ramp = np.clip(ramp + rs.randint(-20, 21, ramp.shape), 0, 255).astype(np.uint8)
    big = rs.randint(0, 256, (24, 24, 3)).astype(np.uint8)
    return [Image.fromarray(a) for a in (noise, ramp, big)]


def main():
    ims = images()
    cases = []

    def add(op, i, out, **params):
        c = {"op": op, "image": i, **params}
        if isinstance(out, torch.Tensor):
            c["float"] = b64(out.numpy().astype("<f4"))
        else:
            c["out"] = b64(planar(out))
            c["out_h"], c["out_w"] = out.size[1], out.size[0]
        cases.append(c)

    for i, box, size in [(0, (0, 0, 16, 16), (16, 16)), (0, (3, 5, 7, 10), (16, 16)), (0, (1, 2, 14, 13), (16, 16)),
                         (0, (0, 0, 16, 16), (8, 8)), (0, (2, 1, 13, 11), (5, 7)), (0, (5, 7, 1, 1), (16, 16)),
                         (0, (0, 3, 16, 9), (16, 16)), (1, (0, 0, 12, 20), (16, 16)), (1, (2, 4, 9, 15), (12, 20)),
                         (2, (0, 0, 24, 24), (16, 16)), (2, (4, 3, 19, 21), (16, 16)), (2, (1, 1, 22, 17), (9, 12))]:
        top, left, h, w = box
        add("resized_crop", i, F.resized_crop(ims[i], top, left, h, w, list(size), F.InterpolationMode.BILINEAR),
            box=list(box))
    for i in (0, 1):
        add("hflip", i, F.hflip(ims[i]))
        add("grayscale", i, F.rgb_to_grayscale(ims[i], num_output_channels=3))
        for f in (0.0, 0.6, 0.9137, 1.0, 1.4, 2.3):
            add("brightness", i, F.adjust_brightness(ims[i], f), factor=f)
        for f in (0.0, 0.6, 1.0, 1.37, 2.0):
            add("contrast", i, F.adjust_contrast(ims[i], f), factor=f)
        for f in (0.0, 0.6, 1.0, 1.4, 2.5):
            add("saturation", i, F.adjust_saturation(ims[i], f), factor=f)
        for f in (-0.5, -0.1, -0.0371, 0.0, 0.05, 0.1, 0.5):
            add("hue", i, F.adjust_hue(ims[i], f), factor=f)
    for i, k, s in [(0, 3, 0.5), (0, 5, 1.7), (1, 7, 0.1), (1, 9, 2.0), (2, 3, 1.0), (2, 11, 0.8)]:
        add("blur", i, F.gaussian_blur(ims[i], [k, k], [s, s]), kernel=k, sigma=s)
    for i, (mean, std) in [(0, CIFAR), (1, IMAGENET)]:
        add("normalize", i, F.normalize(F.to_tensor(ims[i]), mean, std), mean=mean, std=std)

    # Whole views: the recipe's order with given parameters.
    chains = [
        dict(image=0, box=[2, 1, 11, 13], size=16, flip=True, order=[3, 0, 2, 1], b=1.31, c=0.72, s=0.65, h=-0.083, gray=False),
        dict(image=0, box=[0, 0, 16, 16], size=16, flip=False, order=[1, 2, 3, 0], b=0.61, c=1.39, s=1.2, h=0.097, gray=True),
        dict(image=1, box=[1, 3, 10, 14], size=16, flip=False, order=[2, 3, 1, 0], b=1.05, c=0.9, s=0.0, h=0.02, gray=False),
        dict(image=2, box=[3, 2, 20, 19], size=16, flip=True, order=None, gray=False, blur=[5, 1.3]),
        dict(image=2, box=[0, 4, 15, 12], size=16, flip=False, order=[0, 1, 2, 3], b=1.6, c=0.2, s=1.8, h=0.2, gray=True, blur=[3, 0.4]),
    ]
    for ch in chains:
        img = ims[ch["image"]]
        top, left, h, w = ch["box"]
        img = F.resized_crop(img, top, left, h, w, [ch["size"], ch["size"]], F.InterpolationMode.BILINEAR)
        if ch["flip"]:
            img = F.hflip(img)
        for op in ch["order"] or []:
            img = [lambda m: F.adjust_brightness(m, ch["b"]), lambda m: F.adjust_contrast(m, ch["c"]),
                   lambda m: F.adjust_saturation(m, ch["s"]), lambda m: F.adjust_hue(m, ch["h"])][op](img)
        if ch["gray"]:
            img = F.rgb_to_grayscale(img, num_output_channels=3)
        if ch.get("blur"):
            k, s = ch["blur"]
            img = F.gaussian_blur(img, [k, k], [s, s])
        add("chain", ch["image"], F.normalize(F.to_tensor(img), *CIFAR), **{k: v for k, v in ch.items() if k != "image"})

    doc = {
        "generator": "experiments/golden_augment.py",
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "pillow": PIL.__version__,
                     "numpy": np.__version__},
        "images": [{"h": m.size[1], "w": m.size[0], "pix": b64(planar(m))} for m in ims],
        "cases": cases,
    }
    out = os.path.join(os.path.dirname(__file__), "..", "augment", "testdata", "torchvision.json")
    with open(out, "w") as f:
        json.dump(doc, f, indent=0)
        f.write("\n")
    print(f"wrote {out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
