#!/usr/bin/env python3
"""Runs every PyTorch program the fine-tuning lesson can show, in PyTorch, as written.

The variants come from the app's own generator (the fine-tuning lesson's `pytorch.rs`, written out by
its ignored test); each runs in a folder holding the model file its `load_file` names, made from the
shipped models. Not part of CI (PyTorch is a 5 GB install):

    python3 -m venv /var/tmp/torchenv && /var/tmp/torchenv/bin/pip install torch safetensors
    /var/tmp/torchenv/bin/python scripts/pytorch/check_pytorch_snippets.py
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = {
    "mlp-784-512-10.safetensors": "static/models/mnist-mlp-784-512-10.safetensors",
    "mlp-3072-512-6.safetensors": "static/models/cifar10-animals-mlp-3072-512-6.safetensors",
}

def main():
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, BACKPROP_SNIPPETS=work)
        subprocess.run(
            ["cargo", "test", "--release", "-q", "-p", "backprop-lab-app", "--",
             "--ignored", "write_snippets_for_the_pytorch_check"],
            cwd=ROOT, env=env, check=True)
        for name, path in MODELS.items():
            shutil.copy(os.path.join(ROOT, path), os.path.join(work, name))
        snippets = sorted(f for f in os.listdir(work) if f.endswith(".py"))
        failed = 0
        for f in snippets:
            run = subprocess.run([sys.executable, f], cwd=work, capture_output=True, text=True)
            print(f"{f}: {'ran' if run.returncode == 0 else 'FAILED'}")
            if run.returncode != 0:
                failed += 1
                print(run.stderr[-2000:])
        print(f"{len(snippets) - failed} passed, {failed} failed")
        sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
