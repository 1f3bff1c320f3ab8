#!/usr/bin/env python3
"""Writes the PyTorch fixtures that `kernels/tests/pytorch_fixtures.rs` checks in CI, so that PyTorch,
not our own code, is the reference for the safetensors import and for the update rules. CI only reads
the committed files; PyTorch is needed to *remake* them. Exact command (PyTorch 2.15.0, CPU):
    python3 -m venv /var/tmp/torchenv && /var/tmp/torchenv/bin/pip install torch safetensors numpy
    /var/tmp/torchenv/bin/python scripts/make_pytorch_fixtures.py
It writes kernels/tests/fixtures/pytorch/:
- net-f64.safetensors, net-f16.safetensors, net-bf16.safetensors: the seed article's `Net`
  (784-512-10) initialised by PyTorch in float64 (seed 0) and saved as F64, then cast by PyTorch to F16 and
  BF16; dtypes.json: for each file and tensor, PyTorch's own `.float()` of it at 1,000 positions and the
  float64 sum of all of it, which our loader's F32 tensors must match.
- updates.safetensors: a fixed batch of 64 MNIST training images (the shipped chunks' first 64, as
  bytes, normalised in float32 exactly as our gather kernel does), fixed initial weights of a 784-32-10
  `Net` (seed 1), and PyTorch's losses and final weights after 10 steps of SGD with momentum and weight
  decay, and 10 steps of Adam, on that batch. The hyperparameters are in the file's metadata.
"""
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file



ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "kernels" / "tests" / "fixtures" / "pytorch"
MEAN, STD = 0.1307, 0.3081
SGD = {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.001}
ADAM = {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}
STEPS = 10


class Net(nn.Module):
    """The seed article's model; `hidden` is 512 there."""

    def __init__(self, hidden=512):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def state(net):
    return {k: v.detach().clone().contiguous() for k, v in net.state_dict().items()}


def dtype_fixtures():
    torch.manual_seed(0)
    net = Net().double()  # initialised in float64, so the F32 conversion really rounds
    f64 = state(net)
    files = {
        "net-f64.safetensors": f64,
        "net-f16.safetensors": {k: v.half() for k, v in f64.items()},
        "net-bf16.safetensors": {k: v.bfloat16() for k, v in f64.items()},
    }
    expected = {}
    g = torch.Generator().manual_seed(2)
    for name, tensors in files.items():
        save_file(tensors, str(OUT / name))
        expected[name] = {}
        for k, v in tensors.items():
            as_f32 = v.float().flatten()
            at = torch.randint(0, as_f32.numel(), (1000,), generator=g)
            expected[name][k] = {
                "shape": list(v.shape),
                "at": at.tolist(),
                "values": as_f32[at].tolist(),  # float32 values, exact as JSON doubles
                "sum": as_f32.double().sum().item(),
            }
    (OUT / "dtypes.json").write_text(json.dumps(expected))


def first_batch(n=64):
    import gzip, struct
    d = ROOT / "static" / "data" / "mnist"
    manifest = json.loads((d / "manifest.json").read_text())
    raw = gzip.decompress((d / manifest["train"]["chunks"][0]["file"]).read_bytes())
    _magic, _ver, count, h, w, ch = struct.unpack("<4s5I", raw[:24])
    labels = torch.frombuffer(bytearray(raw[24:24 + n]), dtype=torch.uint8).clone()
    pixels = torch.frombuffer(bytearray(raw[24 + count:24 + count + n * h * w * ch]), dtype=torch.uint8)
    return pixels.view(n, h * w * ch).clone(), labels


def train(init, x, y, make_opt):
    net = Net(hidden=32)
    net.load_state_dict(init)
    opt = make_opt(net.parameters())
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return torch.tensor(losses, dtype=torch.float32), state(net)


def update_fixtures():
    pixels, labels = first_batch()
    # (p / 255 - mean) / std in float32, the order of `gather_normalize::normalize_pixel`.
    x = (pixels.float() / 255.0 - torch.tensor(MEAN, dtype=torch.float32)) / torch.tensor(STD, dtype=torch.float32)
    y = labels.long()
    torch.manual_seed(1)
    init = state(Net(hidden=32))
    tensors = {"batch.pixels": pixels, "batch.labels": labels}
    tensors.update({f"init.{k}": v for k, v in init.items()})
    runs = {
        "sgd": lambda p: torch.optim.SGD(p, **SGD),
        "adam": lambda p: torch.optim.Adam(p, **ADAM),
    }
    for name, make in runs.items():
        losses, final = train(init, x, y, make)
        tensors[f"{name}.losses"] = losses
        tensors.update({f"{name}.{k}": v for k, v in final.items()})
    meta = {"sgd": json.dumps(SGD), "adam": json.dumps(ADAM), "steps": str(STEPS), "mean": str(MEAN),
            "std": str(STD), "torch": torch.__version__}
    save_file(tensors, str(OUT / "updates.safetensors"), metadata=meta)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    dtype_fixtures()
    update_fixtures()
    for f in sorted(OUT.iterdir()):
        print(f"{f.relative_to(ROOT)}: {f.stat().st_size} bytes")
