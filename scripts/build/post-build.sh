#!/usr/bin/env bash
# trunk post_build hook: the steps that read or rewrite the staged build, one after another (trunk runs the
# hooks of one stage concurrently, and offline.mjs hashes what the two before it write).
set -euo pipefail
here="$(dirname "$0")"
node "$here/lesson-styles.mjs"
node "$here/csp.mjs"
node "$here/offline.mjs"
