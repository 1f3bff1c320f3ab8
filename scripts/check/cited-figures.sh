#!/usr/bin/env bash
# Re-runs every cited figure's command (the table in app/src/cited/: every number a page or the book
# cites that is not computed live) and checks the figure where the command prints it. Published figures
# (the PyTorch FGSM tutorial's LeNet) are listed with their address, not re-run.
#   scripts/check/cited-figures.sh            every row (the DP table's training runs and the optimiser sweep take
#                                       hours on 2 cores; the rest about a minute)
#   scripts/check/cited-figures.sh --cheap    the rows that take seconds (what CI re-runs, through cli/tests/cli.rs)
#   scripts/check/cited-figures.sh --only dp- the rows whose id contains "dp-"
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${BACKPROP_LAB:-${CARGO_TARGET_DIR:-target}/release/backprop-lab}"
[ -x "$bin" ] || cargo build --release -p backprop-lab
exec "$bin" cited --run "$@"
