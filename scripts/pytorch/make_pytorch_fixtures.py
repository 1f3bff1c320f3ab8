#!/usr/bin/env python3
"""Writes the PyTorch fixtures that `kernels/tests/pytorch_fixtures.rs` checks in CI, so that PyTorch,
not our own code, is the reference for the safetensors import and for the update rules. CI only reads
the committed files; PyTorch is needed to *remake* them. Exact command (PyTorch 2.15.0, CPU):
    python3 -m venv /var/tmp/torchenv && /var/tmp/torchenv/bin/pip install torch safetensors numpy
    /var/tmp/torchenv/bin/python scripts/pytorch/make_pytorch_fixtures.py
It writes kernels/tests/fixtures/pytorch/:
- net-f64.safetensors, net-f16.safetensors, net-bf16.safetensors: the seed article's `Net` at width 32
  (784-32-10; the conversions are what is tested, not the width) initialised by PyTorch in float64
  (seed 0) and saved as F64, then cast by PyTorch to F16 and BF16; dtypes.json: for each file and tensor,
  PyTorch's own `.float()` of it at 250 positions and the float64 sum of all of it, which our loader's
  F32 tensors must match.
- updates.safetensors: a fixed batch of 64 MNIST training images (the shipped chunks' first 64, as
  bytes, normalised in float32 exactly as our gather kernel does), fixed initial weights of a 784-32-10
  `Net` (seed 1), and PyTorch's losses and final weights after 10 steps on that batch of each optimiser
  in RUNS (SGD, SGD with momentum, Nesterov, AdaGrad, RMSprop with and without momentum, Adam, AdamW).
  The settings are in the file's metadata ("runs"), named as our OptimizerConfig names them.
- article-net-updates.safetensors: the same for the article's 784-512-10 `Net` as PyTorch initialises it
  (seed 0): 10 full-batch steps of each optimiser.
Size (all six files under 2 MB): both update files start from PyTorch's initial weights rounded to
float16 — PyTorch trains from exactly those values, stored as F16, which our loader widens to F32 exactly
— and keep each run's fc1 weights at sampled positions (2,000 of 25,088; 4,000 of 401,408), the other
tensors whole.
"""
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file



ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "kernels" / "tests" / "fixtures" / "pytorch"
MEAN, STD = 0.1307, 0.3081
# Every optimiser of the engine, as PyTorch's constructor takes it, and the same settings as our
# OptimizerConfig fields (kind, lr, momentum, beta1, beta2 — RMSprop's alpha —, eps, weight_decay),
# which the Rust test reads from the files' metadata.
RUNS = {
    "sgd": (torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.001}),
    "momentum": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.001}),
    "nesterov": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.001, "nesterov": True}),
    "adagrad": (torch.optim.Adagrad, {"lr": 0.01, "weight_decay": 0.001, "eps": 1e-10}),
    "rmsprop": (torch.optim.RMSprop, {"lr": 0.0001, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.001}),
    "rmsprop-momentum": (torch.optim.RMSprop, {"lr": 0.0001, "alpha": 0.9, "eps": 1e-8, "momentum": 0.9}),
    "adam": (torch.optim.Adam, {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}),
    "adamw": (torch.optim.AdamW, {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01}),
}


def ours(name):
    """The run's settings as our OptimizerConfig names them."""
    make, kw = RUNS[name]
    kind = {torch.optim.SGD: "nesterov" if kw.get("nesterov") else "sgd", torch.optim.Adagrad: "adagrad",
            torch.optim.RMSprop: "rmsprop", torch.optim.Adam: "adam", torch.optim.AdamW: "adamw"}[make]
    betas = kw.get("betas", (0.9, kw.get("alpha", 0.999)))
    return {"kind": kind, "lr": kw["lr"], "momentum": kw.get("momentum", 0.0), "beta1": betas[0],
            "beta2": betas[1], "eps": kw.get("eps", 1e-8), "weight_decay": kw.get("weight_decay", 0.0)}


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
    net = Net(hidden=32).double()  # initialised in float64, so the F32 conversion really rounds
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
            at = torch.randint(0, as_f32.numel(), (250,), generator=g)
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


def train(init, x, y, make_opt, hidden):
    net = Net(hidden=hidden)
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


def batch_x_y():
    pixels, labels = first_batch()
    # (p / 255 - mean) / std in float32, the order of `gather_normalize::normalize_pixel`.
    x = (pixels.float() / 255.0 - torch.tensor(MEAN, dtype=torch.float32)) / torch.tensor(STD, dtype=torch.float32)
    return pixels, labels, x, labels.long()


def metadata():
    return {"runs": json.dumps({name: ours(name) for name in RUNS}), "steps": str(STEPS), "mean": str(MEAN),
            "std": str(STD), "torch": torch.__version__}


def f16_exact(state_dict):
    """PyTorch's initial weights rounded to float16 (and back): the file stores them as F16, exactly."""
    return {k: v.half().float() for k, v in state_dict.items()}


def updates(out, hidden, seed, sampled):
    """A 784-hidden-10 Net (PyTorch's initialisation with `seed`, rounded to float16): every optimiser's
    10 full-batch steps on the fixed batch; fc1's final weights kept at `sampled` positions, the other
    tensors whole, and each run's largest |weight| (the tolerance's scale)."""
    pixels, labels, x, y = batch_x_y()
    torch.manual_seed(seed)
    init = f16_exact(state(Net(hidden=hidden)))
    at = torch.randperm(init["fc1.weight"].numel(), generator=torch.Generator().manual_seed(3))[:sampled]
    tensors = {"batch.pixels": pixels, "batch.labels": labels, "fc1.sampled_at": at.to(torch.int64)}
    tensors.update({f"init.{k}": v.half() for k, v in init.items()})
    for name, (make, kw) in RUNS.items():
        losses, final = train(init, x, y, lambda p: make(p, **kw), hidden=hidden)
        tensors[f"{name}.losses"] = losses
        tensors[f"{name}.fc1.weight.sampled"] = final["fc1.weight"].flatten()[at].contiguous()
        tensors.update({f"{name}.{k}": v for k, v in final.items() if k != "fc1.weight"})
        tensors[f"{name}.largest"] = torch.tensor([max(v.abs().max().item() for v in final.values())])
    save_file(tensors, str(OUT / out), metadata=metadata())


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    dtype_fixtures()
    updates("updates.safetensors", hidden=32, seed=1, sampled=2_000)
    updates("article-net-updates.safetensors", hidden=512, seed=0, sampled=4_000)
    for f in sorted(OUT.iterdir()):
        print(f"{f.relative_to(ROOT)}: {f.stat().st_size} bytes")
