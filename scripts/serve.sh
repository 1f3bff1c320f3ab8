#!/usr/bin/env bash
# Serves the browser app at http://127.0.0.1:8080/ (installs trunk, wasm-bindgen-cli and wasm-split-cli
# if missing). The app's cargo features come from APP_FEATURES (`APP_FEATURES=burn scripts/serve.sh`):
# trunk's own --features no longer reach the wasm, which scripts/build/build-wasm.sh builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --app
for arg in "$@"; do
  case "$arg" in --features|--features=*|--all-features)
    echo "serve.sh: pass features as APP_FEATURES=… (trunk's --features do not reach the wasm)" >&2; exit 2 ;;
  esac
done
exec trunk serve --release "$@"
