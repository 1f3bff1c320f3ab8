#!/usr/bin/env bash
# trunk post_build hook: the steps that read or rewrite the staged build, one after another (trunk runs the
# hooks of one stage concurrently, offline.mjs hashes what the two before it write, and precompress.mjs
# compresses the wasm files as they will be served).
set -euo pipefail
here="$(dirname "$0")"
node "$here/lesson-styles.mjs"
node "$here/csp.mjs"
node "$here/offline.mjs"
node "$here/precompress.mjs"
