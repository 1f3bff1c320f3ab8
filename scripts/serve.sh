#!/usr/bin/env bash
# Serves the browser app at http://127.0.0.1:8080/ (installs trunk and wasm-bindgen-cli if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --app
exec trunk serve --release "$@"
