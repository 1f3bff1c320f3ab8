#!/usr/bin/env bash
# trunk `build` hook: builds the app's wasm, splits it so that each lesson's code loads when the lesson
# opens, and runs wasm-bindgen on what is left (the home page, the shell, the runtime).
#
# trunk runs wasm-bindgen itself right after cargo, and a split has to happen between the two (the
# splitter reads the linker's relocations), so the app's wasm is built here instead of by a
# `rel="rust"` link. The split points are the registry's (`app/src/lessons/lesson.rs`: `split_page!`,
# `runtime::split_worker!`): one chunk per lesson page and per lesson worker, and code several of them
# share in shared chunks, all loaded by `__wasm_split.js`.
#   APP_FEATURES=burn trunk build --release   # the page with burn's autodiff panel
set -euo pipefail
cd "$(dirname "$0")/../.."
staging="${TRUNK_STAGING_DIR:?TRUNK_STAGING_DIR is not set: run this as a trunk build hook}"
target="${CARGO_TARGET_DIR:-target}"
features=()
[ -n "${APP_FEATURES:-}" ] && features=(--features "$APP_FEATURES")

# The splitter needs the relocations (`--emit-relocs`, .cargo/config.toml) and the symbol names, which
# the wasm-release profile would strip; wasm-bindgen removes the names afterwards.
CARGO_PROFILE_WASM_RELEASE_STRIP=false cargo build -p backprop-lab-app --bin backprop-lab-app \
  --target wasm32-unknown-unknown --profile wasm-release --locked "${features[@]}"

split="$target/wasm-split"
rm -rf "$split"
mkdir -p "$split"
wasm-split-cli --target web --out-name backprop-lab-app \
  "$target/wasm32-unknown-unknown/wasm-release/backprop-lab-app.wasm" "$split"
wasm-bindgen --target web --no-typescript --keep-lld-exports --remove-name-section \
  --remove-producers-section --out-dir "$staging" --out-name backprop-lab-app "$split/backprop-lab-app.wasm"
# The chunks and their loader, beside the main module they import; then every module without the
# names and relocations the splitter leaves in them and without the types it does not use (the
# splitter gives each chunk the main module's whole type section).
find "$split" -maxdepth 1 -type f ! -name backprop-lab-app.wasm -exec cp {} "$staging/" \;
find "$split" -maxdepth 1 -name '*.wasm' ! -name backprop-lab-app.wasm -printf "$staging/%f\n" \
  | xargs cargo run --quiet --release --locked -p wasm-prune -- "$staging/backprop-lab-app_bg.wasm"
echo "build-wasm: main module and $(find "$split" -maxdepth 1 -name '*.wasm' ! -name backprop-lab-app.wasm | wc -l) chunks"
