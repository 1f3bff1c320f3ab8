#!/usr/bin/env bash
# The benchmark for a machine with an NVIDIA GPU that reaches no network and may have no Rust toolchain
# (the device tool's machines): it takes a `backprop-lab` binary built elsewhere, runs `bench` on the best
# wgpu adapter (our WGSL kernels and burn's, Vulkan on such a machine) and the PyTorch peer on CUDA when
# torch.cuda is available (else on the CPU, said in the JSON), then "Train a network" as the page runs it
# with `serve --native-engine` (`lesson-bench`: the lesson's worker behind the same WebSocket, driven with
# the page's messages, no browser needed) beside the bare engines in the same run, and writes one JSON
# with the adapter, every row and the seed recipe's epoch time (60,000 samples at batch 64) for each.
#   scripts/bench/gpu-bench.sh [--bin target/release/backprop-lab] [--python python3] [--out gpu-bench.json] [--seconds 3]
# Without a Vulkan loader (`ldconfig -p | grep libvulkan` empty) it unpacks the Debian packages of a
# carried `.gl/` folder first (see the device tool's README for how to fetch them). Tested here on lavapipe.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=target/release/backprop-lab
python=python3
out=gpu-bench.json
seconds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "no backprop-lab binary at $bin (build it with cargo build --release -p backprop-lab)" >&2; exit 2; }

if ! ldconfig -p 2>/dev/null | grep -q libvulkan && [ -d .gl ]; then
  echo "== unpacking the carried Vulkan loader (.gl/)"
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== backprop-lab bench (our kernels and burn on the best wgpu adapter)"
"$bin" bench --seconds "$seconds" --json "$work/ours.json" | grep -v '^\s*[][{}"]' || true
[ -s "$work/ours.json" ] || { echo "bench wrote no JSON" >&2; exit 1; }

echo "== \"Train a network\" through the native engine's WebSocket (what the page shows), beside the bare engines"
lesson_json='[]'
if "$bin" lesson-bench --seconds "$seconds" --json "$work/lesson.json"; then
  lesson_json=$(cat "$work/lesson.json")
else
  echo "lesson-bench failed (its rows are left out)" >&2
fi

echo "== the PyTorch peer"
pytorch_json='[]'
if "$python" -c 'import torch' 2>/dev/null; then
  flag=""
  if "$python" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then flag="--cuda"; fi
  if "$python" scripts/pytorch/bench_pytorch.py "$seconds" $flag > "$work/pytorch.txt"; then
    pytorch_json=$(sed -n '/^\[/,$p' "$work/pytorch.txt")
    grep -v '^\s*[][{}"]' "$work/pytorch.txt" || true
  else
    echo "the PyTorch peer failed" >&2
  fi
else
  echo "no PyTorch for $python: its rows are left out"
fi

"$python" - "$work/ours.json" "$out" "$pytorch_json" "$lesson_json" <<'PY'
import json, platform, sys
ours = json.load(open(sys.argv[1]))
pytorch = json.loads(sys.argv[3])
lesson = json.loads(sys.argv[4])
rows = ours + pytorch + lesson
for r in rows:
    if r["batch"] == 64 and r["samples_per_second"] > 0:
        r["seed_epoch_seconds"] = 60000 / r["samples_per_second"]
gpu = next((r["adapter"] for r in rows if r["engine"] == "gpu"), None)
result = {"machine": platform.node(), "wgpu_adapter": gpu,
          "software_adapter": bool(gpu) and any(s in gpu.lower() for s in ("llvmpipe", "lavapipe", "swiftshader")),
          "rows": rows}
json.dump(result, open(sys.argv[2], "w"), indent=1)
for r in rows:
    epoch = f"  epoch {r['seed_epoch_seconds']:.2f} s" if "seed_epoch_seconds" in r else ""
    print(f"{r['engine']:<10} {r['adapter'][:46]:<46} batch {r['batch']:>4}: {r['samples_per_second']:>10.0f} samples/s{epoch}")
print(f"wrote {sys.argv[2]}")
PY
