#!/usr/bin/env python3
"""Checks safetensors interoperability with PyTorch both ways (not part of CI: PyTorch is a multi-GB
download). The seed article's `Net` loads our shipped model with `load_state_dict` and reaches the
accuracy the README records; a PyTorch-initialised `Net` saved with safetensors is written for
`backprop-lab eval` to load. Usage (after the venv of scripts/bench_pytorch.py, plus `pip install safetensors`):
    /tmp/torchenv/bin/python scripts/check_pytorch_interop.py
    cargo run --release -p backprop-lab -- eval /tmp/pytorch-net.safetensors --engine cpu
"""
import gzip, json, pathlib, struct

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def mnist_test():
    d = ROOT / "static" / "data" / "mnist"
    manifest = json.loads((d / "manifest.json").read_text())
    xs, ys = [], []
    for c in manifest["test"]["chunks"]:
        raw = gzip.decompress((d / c["file"]).read_bytes())
        _magic, _v, n, h, w, ch = struct.unpack("<4s5I", raw[:24])
        ys.append(torch.frombuffer(bytearray(raw[24:24 + n]), dtype=torch.uint8))
        xs.append(torch.frombuffer(bytearray(raw[24 + n:]), dtype=torch.uint8).view(n, h * w * ch))
    x = torch.cat(xs).float().div(255).sub(manifest["mean"]).div(manifest["std"])
    return x, torch.cat(ys).long()


net = Net()
net.load_state_dict(load_file(str(ROOT / "static" / "models" / "mnist-mlp-784-512-10.safetensors")))
x, y = mnist_test()
with torch.no_grad():
    acc = (net(x).argmax(1) == y).float().mean().item()
print(f"PyTorch Net with our weights: test accuracy {100 * acc:.2f} %")
torch.manual_seed(0)
fresh = Net()
save_file(fresh.state_dict(), "/tmp/pytorch-net.safetensors")
with torch.no_grad():
    acc = (fresh(x).argmax(1) == y).float().mean().item()
print(f"wrote /tmp/pytorch-net.safetensors (untrained PyTorch Net, accuracy {100 * acc:.2f} %)")
