#!/usr/bin/env bash
# The learning-rate sweep behind `kernels::NAMED` ("each at its tuned rate"): the seed MLP
# (784-512-10, batch 64) trained for 3 epochs on MNIST by every optimiser at four rates (three where the
# best is inside the grid), three seeds each, with PyTorch's defaults for everything else (SGD: momentum
# 0; momentum and Nesterov: μ 0.9). The first 5,000 training images (a twelfth, as "Train a network"
# holds out) are never trained on: they are the validation split. The tuned rate is the one with the
# best mean validation accuracy after 3 epochs; the test accuracy is printed beside it, never chosen on.
# Prints one Markdown row per optimiser and rate, then the chosen rates.
#   scripts/bench/optimizer-sweep.sh [--engine cpu|gpu] [--seeds "1 2 3"] [extra train flags…]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${BACKPROP_LAB:-${CARGO_TARGET_DIR:-target}/release/backprop-lab}"
[ -x "$bin" ] || cargo build --release -p backprop-lab
engine=(--engine cpu)
seeds="1 2 3"
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=(--engine "$2"); shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    *) break ;;
  esac
done

runs=(
  "sgd 0.03 0.1 0.3 1"
  "momentum 0.003 0.01 0.03 0.1"
  "nesterov 0.003 0.01 0.03 0.1"
  "adagrad 0.003 0.01 0.03"
  "rmsprop 0.0001 0.0003 0.001 0.003"
  "adam 0.0003 0.001 0.003"
  "adamw 0.0003 0.001 0.003"
)
n=$(wc -w <<<"$seeds")
echo "| optimiser | lr | validation accuracy, mean of $n seeds (lowest–highest) | test accuracy, mean | seconds |"
echo "|---|---|---|---|---|"
chosen=()
for run in "${runs[@]}"; do
  read -r name rates <<<"$run"
  best_lr="" best_val=-1
  for lr in $rates; do
    momentum=()
    case "$name" in
      sgd) momentum=(--momentum 0) ;;
      momentum | nesterov) momentum=(--momentum 0.9) ;;
    esac
    start=$(date +%s)
    finals=""
    for seed in $seeds; do
      out=$("$bin" train "${engine[@]}" --epochs 3 --seed "$seed" --optimizer "$name" --lr "$lr" \
        "${momentum[@]}" --holdout-first 5000 --json "$@" 2>&1 || true)
      # The last epoch's line: "val test"; a run that stopped (diverged) before its third epoch counts 0.
      last=$(echo "$out" | grep '^{"epoch":3,' | tail -n 1 || true)
      val=$(sed -nE 's/.*"val_accuracy":([0-9.eE+-]+).*/\1/p' <<<"$last")
      test=$(sed -nE 's/.*"test_accuracy":([0-9.eE+-]+).*/\1/p' <<<"$last")
      finals+="${val:-0} ${test:-0}"$'\n'
    done
    read -r mean lo hi tmean < <(awk 'NF == 2 { v[NR] = $1; s += $1; t += $2; k++ }
      END { lo = 2; hi = -1; for (i in v) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i] }
            printf "%.6f %.6f %.6f %.6f\n", s / k, lo, hi, t / k }' <<<"$finals")
    printf '| %s | %s | %.2f %% (%.2f–%.2f) | %.2f %% | %s |\n' "$name" "$lr" \
      "$(awk "BEGIN { print 100 * $mean }")" "$(awk "BEGIN { print 100 * $lo }")" \
      "$(awk "BEGIN { print 100 * $hi }")" "$(awk "BEGIN { print 100 * $tmean }")" \
      "$(($(date +%s) - start))"
    if awk "BEGIN { exit !($mean > $best_val) }"; then best_lr=$lr best_val=$mean; fi
  done
  chosen+=("$name $best_lr")
done
echo
echo "Tuned on validation (best mean validation accuracy): ${chosen[*]/%/;}"
