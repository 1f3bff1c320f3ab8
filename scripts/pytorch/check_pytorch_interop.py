#!/usr/bin/env python3
"""Checks safetensors interoperability with PyTorch both ways (not part of CI: PyTorch is a multi-GB
download). The seed article's `Net` loads our shipped model with `load_state_dict` and reaches the
accuracy the book records; a PyTorch-initialised `Net` saved with safetensors is written for
`backprop-lab eval` to load. Usage (after the venv of scripts/pytorch/bench_pytorch.py, plus `pip install safetensors`):
    /tmp/torchenv/bin/python scripts/pytorch/check_pytorch_interop.py
    cargo run --release -p backprop-lab -- eval /tmp/pytorch-net.safetensors --engine cpu
"""
import pathlib

import torch
from safetensors.torch import load_file, save_file

from bench_pytorch import Net, load_split  # the seed article's model and data, defined once

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent




net = Net()
net.load_state_dict(load_file(str(ROOT / "static" / "models" / "mnist-mlp-784-512-10.safetensors")))
x, y = load_split("test")
with torch.no_grad():
    acc = (net(x).argmax(1) == y).float().mean().item()
print(f"PyTorch Net with our weights: test accuracy {100 * acc:.2f} %")
torch.manual_seed(0)
fresh = Net()
save_file(fresh.state_dict(), "/tmp/pytorch-net.safetensors")
with torch.no_grad():
    acc = (fresh(x).argmax(1) == y).float().mean().item()
print(f"wrote /tmp/pytorch-net.safetensors (untrained PyTorch Net, accuracy {100 * acc:.2f} %)")
