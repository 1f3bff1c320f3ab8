#!/usr/bin/env bash
# Runs every check and test of the project: formatting, clippy (native and wasm32), and the whole Rust
# test suite in release mode (GPU tests run on whatever adapter wgpu finds: lavapipe on CI machines).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# Reuse one target dir across clones on the same machine (CI runs in a fresh clone each time).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/backprop-lab-target}"
mkdir -p "$CARGO_TARGET_DIR"
# lavapipe logs a harmless warning without it.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (native)"
cargo clippy --workspace --all-targets --release --locked -- -D warnings
echo "== cargo clippy (wasm32-unknown-unknown)"
cargo clippy -p backprop-kernels --all-targets --target wasm32-unknown-unknown --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --release --locked
