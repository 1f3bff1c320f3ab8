#!/usr/bin/env bash
# The learning-rate sweep behind the README's "each at its tuned rate" table: the seed MLP (784-512-10,
# batch 64, seed 1) trained for 3 epochs on all of MNIST by every optimiser at three rates, with
# PyTorch's defaults for everything else (SGD: momentum 0; momentum and Nesterov: μ 0.9). Prints one
# Markdown row per run: the test accuracy after each epoch. The tuned rate is the one with the best
# final accuracy — chosen on the test set, so the figures lean optimistic by the noise of three picks.
#   scripts/optimizer-sweep.sh [--engine cpu|gpu] [extra train flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BACKPROP_LAB:-${CARGO_TARGET_DIR:-target}/release/backprop-lab}"
[ -x "$bin" ] || cargo build --release -p backprop-lab
engine=(--engine cpu)
if [ "${1:-}" = "--engine" ]; then engine=(--engine "$2"); shift 2; fi

runs=(
  "sgd 0.03 0.1 0.3"
  "momentum 0.003 0.01 0.03"
  "nesterov 0.003 0.01 0.03"
  "adagrad 0.003 0.01 0.03"
  "rmsprop 0.0001 0.0003 0.001"
  "adam 0.0003 0.001 0.003"
  "adamw 0.0003 0.001 0.003"
)
echo "| optimiser | lr | epoch 1 | epoch 2 | epoch 3 | seconds |"
echo "|---|---|---|---|---|---|"
for run in "${runs[@]}"; do
  read -r name rates <<<"$run"
  for lr in $rates; do
    momentum=()
    case "$name" in
      sgd) momentum=(--momentum 0) ;;
      momentum | nesterov) momentum=(--momentum 0.9) ;;
    esac
    start=$(date +%s)
    out=$("$bin" train "${engine[@]}" --epochs 3 --optimizer "$name" --lr "$lr" "${momentum[@]}" --json "$@")
    accs=$(echo "$out" | grep '^{' | sed -E 's/.*"test_accuracy":([0-9.]+).*/\1/' \
      | awk '{ printf "%s%.2f %%", (NR > 1 ? " | " : ""), 100 * $1 }')
    echo "| $name | $lr | $accs | $(($(date +%s) - start)) |"
  done
done
