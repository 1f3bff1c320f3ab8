#!/usr/bin/env python3
"""Peer benchmark: the seed article's PyTorch MLP (784-512-10, SGD lr 0.01 momentum 0.5) trained on MNIST
with the data preloaded as normalised tensors, measured the way `backprop-lab bench` measures: samples/s
of full training steps at batch 64 and 512 after a warm-up.

Not part of the test suite and not installed by CI (PyTorch is a multi-GB download). To reproduce:
    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy
    /tmp/torchenv/bin/python scripts/pytorch/bench_pytorch.py [SECONDS] [--cuda]
`--cuda` trains on the GPU (scripts/bench/gpu-bench.sh passes it when torch.cuda is available). It reads the app's own chunks from static/data/mnist, so it trains on exactly the same bytes.
"""
import gzip, json, pathlib, struct, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
SECONDS = float(ARGS[0]) if ARGS else 3.0
# `--cuda`: train on the GPU (data and model on the device, timed between synchronisations).
DEVICE = "cuda" if "--cuda" in sys.argv[1:] else "cpu"


def load_split(split="train", limit=None):
    """Normalised inputs and labels of a split, read from the app's own chunks."""
    d = ROOT / "static" / "data" / "mnist"
    manifest = json.loads((d / "manifest.json").read_text())
    labels, images = [], []
    for c in manifest[split]["chunks"]:
        raw = gzip.decompress((d / c["file"]).read_bytes())
        magic, _ver, n, h, w, ch = struct.unpack("<4s5I", raw[:24])
        assert magic == b"BPLD"
        labels.append(torch.frombuffer(bytearray(raw[24:24 + n]), dtype=torch.uint8))
        images.append(torch.frombuffer(bytearray(raw[24 + n:]), dtype=torch.uint8).view(n, h * w * ch))
        if limit is not None and sum(len(l) for l in labels) >= limit:
            break
    x = torch.cat(images)[:limit].float().div(255).sub(manifest["mean"]).div(manifest["std"])
    y = torch.cat(labels)[:limit].long()
    return x, y


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def sync():
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def bench(x, y, batch):
    torch.manual_seed(1)
    model = Net().to(DEVICE)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    perm = torch.randperm(len(x), device=x.device)
    nb = len(x) // batch

    def step(i):
        idx = perm[(i % nb) * batch:(i % nb + 1) * batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()

    for i in range(3):
        step(i)
    sync()
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < SECONDS or steps < 5:
        for _ in range(10):
            step(steps)
            steps += 1
        sync()
    secs = time.perf_counter() - t0
    sps = steps * batch / secs
    flops = 2 * (784 * 512 * 2 + 512 * 10 * 3)
    where = (f"CUDA ({torch.cuda.get_device_name()})" if DEVICE == "cuda"
             else f"CPU ({torch.get_num_threads()} threads)")
    return {"engine": "pytorch", "adapter": f"PyTorch {torch.__version__} {where}", "batch": batch,
            "steps": steps, "samples_per_second": sps, "gflops": sps * flops / 1e9}


if __name__ == "__main__":
    x, y = load_split("train", 20_000)
    x, y = x.to(DEVICE), y.to(DEVICE)
    rows = [bench(x, y, b) for b in (64, 512)]
    for r in rows:
        print(f"{r['engine']:<8} {r['adapter']:<40} {r['batch']:>5} {r['samples_per_second']:>12.0f} samples/s {r['gflops']:>7.2f} GFLOP/s")
    print(json.dumps(rows, indent=2))
