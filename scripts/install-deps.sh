#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh machine of the project's kind (Debian,
# root, package registries only). Idempotent: each step is skipped when its tool is already there.
#   scripts/install-deps.sh          # Rust + Vulkan (lavapipe) + the browser app's toolchain + Chromium + mdbook
#   scripts/install-deps.sh --app    # only what serving the app needs (trunk, wasm-bindgen-cli, wasm32)
set -euo pipefail
cd "$(dirname "$0")/.."
app_only=false
[ "${1:-}" = "--app" ] && app_only=true

apt_packages=()
if ! $app_only; then
  [ -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ] || apt_packages+=(mesa-vulkan-drivers)
  ldconfig -p | grep -q libvulkan.so.1 || apt_packages+=(libvulkan1)
  [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
  # A CJK font, so the Chinese lesson renders in the browser tests' screenshots.
  fc-list 2>/dev/null | grep -qi "wqy-microhei" || apt_packages+=(fonts-wqy-microhei)
  command -v node >/dev/null || apt_packages+=(nodejs npm)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${apt_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q clippy || rustup component add clippy rustfmt

# trunk 0.21.14: the newest that builds with this toolchain.
if ! trunk --version 2>/dev/null | grep -q "0.21.14"; then
  echo "install-deps: cargo install trunk 0.21.14 (several minutes, once)"
  cargo install trunk --version 0.21.14 --locked
fi
# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
wbg=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
  echo "install-deps: cargo install wasm-bindgen-cli $wbg"
  cargo install wasm-bindgen-cli --version "$wbg"
fi
# wasm-split-cli: splits the app's wasm into a main module and one chunk per lesson (scripts/build/build-wasm.sh).
if ! { command -v wasm-split-cli >/dev/null && cargo install --list | grep -q "^wasm_split_cli_support v0.2.4:"; }; then
  echo "install-deps: cargo install wasm_split_cli_support 0.2.4 (the wasm splitter, once)"
  cargo install wasm_split_cli_support --version 0.2.4 --features build-binary --locked
fi

# mdbook 0.5.4: builds the book (docs/, `mdbook build docs`); without its serve and watch features,
# which the build does not need.
if ! $app_only && ! mdbook --version 2>/dev/null | grep -q "v0.5.4\$"; then
  echo "install-deps: cargo install mdbook 0.5.4 (a few minutes, once)"
  cargo install mdbook --version 0.5.4 --locked --no-default-features --features search
fi

if ! $app_only && [ ! -d e2e/node_modules/playwright-core ]; then
  (cd e2e && npm ci --no-audit --no-fund)
fi
