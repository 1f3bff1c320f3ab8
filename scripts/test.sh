#!/usr/bin/env bash
# Runs every check and test of the project: formatting, clippy (native and wasm32), the Rust test suite
# in release mode (GPU tests on whatever adapter wgpu finds: lavapipe on CI machines), the book (mdbook and
# its link check), then the browser app's build and its end-to-end tests in Chromium with WebGPU.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# Reuse one target dir across clones on the same machine (CI runs in a fresh clone each time).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/backprop-lab-target}"
mkdir -p "$CARGO_TARGET_DIR"
# burn's wgpu also probes GL/EGL, which complains without a runtime dir.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (native)"
cargo clippy --workspace --all-targets --release --locked -- -D warnings
echo "== cargo clippy (wasm32-unknown-unknown)"
cargo clippy -p backprop-kernels -p backprop-lab-app --all-targets --target wasm32-unknown-unknown --locked -- -D warnings
echo "== cargo clippy (wasm32, app with the burn autodiff panel)"
cargo clippy -p backprop-lab-app --features burn --target wasm32-unknown-unknown --locked -- -D warnings
echo "== cargo test (the CLI turns on the burn engine, so its autodiff tests run too)"
cargo test --workspace --release --locked
echo "== the book: mdbook build docs (no warnings), then every link, image and path in it and the README"
book_log=$(mdbook build docs 2>&1) || { echo "$book_log" >&2; exit 1; }
if grep -E "WARN|ERROR" <<<"$book_log" >&2; then
  echo "mdbook build docs warned (above)" >&2
  exit 1
fi
node scripts/check/check-links.mjs target/book/docs
echo "== trunk build --release"
trunk build --release
# scripts/build/wasm-budget: the most wasm one page may download (home, or home plus one lesson: checked by
# e2e/tests/size.test.mjs in the browser) and the whole build (every chunk, checked here), gzip -9.
budget() { awk -v k="$1" '$1 == k { print $2 }' scripts/build/wasm-budget; }
build_gz=0
for wasm in dist/*.wasm; do build_gz=$((build_gz + $(gzip -9 -c "$wasm" | wc -c))); done
build_br=$(cat dist/*.wasm.br | wc -c)
echo "app wasm: $(ls dist/*.wasm | wc -l) files, $build_gz bytes gzip in all (budget $(budget build)), $build_br brotli; the main module $(gzip -9 -c dist/backprop-lab-app_bg.wasm | wc -c) gzip, $(wc -c < dist/backprop-lab-app_bg.wasm.br) brotli"
if [ "$build_gz" -gt "$(budget build)" ]; then
  echo "the web build exceeds its $(budget build)-byte gzip budget" >&2
  exit 1
fi
echo "== browser tests (e2e/)"
(cd e2e && npm test)
echo "== soak (short): memory per epoch must stay flat"
node scripts/check/soak.mjs --epochs 3 --train 10000 --engine cpu | grep '^epoch'

