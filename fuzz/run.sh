#!/usr/bin/env bash
# Fuzzes every reader of untrusted input with cargo-fuzz (nightly toolchain; `cargo install cargo-fuzz`):
# dataset chunks, IDX files, CIFAR-10 records, safetensors models, the dataset manifest, the lesson URL,
# Backprop by hand's tensor language and class mode's messages.
# Each target runs RUNS executions (default 1,000,000) from the saved corpus (fuzz/corpus/<target>, seeded
# here with one small valid input each); new interesting inputs are added to it, and CI replays it on
# stable Rust (kernels/tests/fuzz_corpus.rs, classroom/tests/fuzz_corpus.rs, the app's config tests). Prints one
# line per target.
# Usage: fuzz/run.sh [RUNS] [target…]
#        fuzz/run.sh cmin [target…]   (minimise each saved corpus: `cargo fuzz cmin`, same coverage, fewer files)
set -euo pipefail
cd "$(dirname "$0")/.."
# Every target (fuzz/Cargo.toml's bins), and libFuzzer's limits for a run and a minimisation alike.
ALL="chunk idx cifar safetensors manifest url_config by_hand class_message"
LIMITS=(-max_len=65536 -rss_limit_mb=2048 -timeout=10)
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-/var/tmp/bpl-fuzz}"
if [ "${1:-}" = cmin ]; then
  shift
  for t in ${@:-$ALL}; do
    before=$(ls "fuzz/corpus/$t" | wc -l)
    (cd fuzz && cargo +nightly fuzz cmin -O "$t" "corpus/$t" -- "${LIMITS[@]}") > "/tmp/fuzz-cmin-$t.log" 2>&1
    echo "$t: $before -> $(ls "fuzz/corpus/$t" | wc -l) files ($(du -sh "fuzz/corpus/$t" | cut -f1))"
  done
  exit 0
fi
RUNS="${1:-1000000}"
shift || true
TARGETS=("${@:-$ALL}")
read -r -a TARGETS <<< "${TARGETS[*]}"

python3 - <<'PY'
import gzip, json, os, struct, zlib
root = 'fuzz/corpus'
def seed(target, name, data):
    os.makedirs(f'{root}/{target}', exist_ok=True)
    path = f'{root}/{target}/seed-{name}'
    if not os.path.exists(path):
        open(path, 'wb').write(data)
# A 2-sample 2×2 greyscale chunk (magic, version 1, count, height, width, channels; labels; pixels).
raw = b'BPLD' + struct.pack('<5I', 1, 2, 2, 2, 1) + bytes([0, 1]) + bytes(range(8))
seed('chunk', 'two-samples', bytes([1 | (10 << 1)]) + struct.pack('<H', 2) + gzip.compress(raw))
images = struct.pack('>4I', 2051, 1, 2, 2) + bytes([0, 64, 128, 255])
labels = struct.pack('>2I', 2049, 1) + bytes([7])
seed('idx', 'one-image', bytes([len(images)]) + images + labels)
seed('cifar', 'one-record', bytes([3]) + bytes(range(256)) * 12)
tensors = {'fc1.weight': [2, 3], 'fc1.bias': [2], 'fc2.weight': [2, 2], 'fc2.bias': [2]}
header, data, at = {}, b'', 0
for name, shape in tensors.items():
    n = 1
    for d in shape: n *= d
    header[name] = {'dtype': 'F32', 'shape': shape, 'data_offsets': [at, at + 4 * n]}
    data += struct.pack(f'<{n}f', *[0.1 * i for i in range(n)]); at += 4 * n
h = json.dumps(header).encode()
seed('safetensors', 'tiny-mlp', struct.pack('<Q', len(h)) + h + data)
seed('manifest', 'mnist', open('static/data/mnist/manifest.json', 'rb').read())
# The seven correct lines of the base lesson and a line that uses every operator and function.
for line in ['dz2 = (softmax(z2, 1) - onehot(y, 3)) / B', 'dW2 = dz2.T @ h', 'db2 = sum(dz2, 0)', 'dh = dz2 @ W2',
             'dz1 = dh * (z1 > 0)', 'dW1 = dz1.T @ x', 'db1 = sum(dz1, 0)']:
    seed('by_hand', line.split()[0], line.encode())
seed('by_hand', 'every-operator', b'q = -sum(relu(tanh(exp(log(h ** 2 + 1)))) * (z1 > 0), dim=0, keepdim=True).T @ mean(F.one_hot(y, num_classes=3) @ W2, 0, True) / 2.5e-1 - (W1 @ x.T >= 0) @ x @ W1.T')
# Class mode's messages (classroom::parse_student / parse_teacher / parse_join): one of each kind.
for name, msg in [
    ('started', {'type': 'report', 'seq': 1, 'report': {'run': 1, 'lesson': 'train', 'body': {'kind': 'started', 'settings': {
        'lr': 0.05, 'momentum': 0.9, 'batch': 64, 'optimizer': 'momentum', 'seed': 7, 'hidden': [64, 32], 'engine': 'gpu',
        'dp_sigma': 1.0, 'dp_clip': 1.0}}}}),
    ('evaluation', {'type': 'report', 'seq': 2, 'report': {'run': 1, 'lesson': 'train', 'body': {'kind': 'evaluation', 'step': 100, 'loss': 0.3, 'val_accuracy': 0.9}}}),
    ('finished', {'type': 'report', 'seq': 3, 'report': {'run': 1, 'lesson': 'privacy', 'body': {'kind': 'finished', 'step': 900, 'test_accuracy': 0.95, 'confusion': list(range(100)), 'epsilon': 2.5}}}),
    ('diverged', {'type': 'report', 'seq': 4, 'report': {'run': 2, 'lesson': 'train', 'body': {'kind': 'diverged', 'step': 3}}}),
    ('where', {'type': 'where', 'lesson': 'train', 'step': 4}),
    ('assign', {'type': 'assign', 'spread': {'what': 'learning_rates', 'min': 0.001, 'max': 10}}),
    ('follow', {'type': 'follow', 'follow': {'lesson': 'train', 'step': 3}}),
    ('start', {'type': 'start', 'resume': 'ABC234'}),
    ('join', {'code': 'abc-234'}),
]:
    seed('class_message', name, json.dumps(msg).encode())
seed('url_config', 'default', b'hidden=64,32&lr=0.05&momentum=0.9&batch=64&epochs=2&optimizer=adam&engine=gpu&train=2000&test=500&eval=100&seed=7')
PY

printf '%-12s %12s %8s %s\n' target executions crashes corpus
status=0
for t in "${TARGETS[@]}"; do
  log="$CARGO_TARGET_DIR/fuzz-$t.log"
  mkdir -p "$CARGO_TARGET_DIR"
  if (cd fuzz && cargo +nightly fuzz run -O "$t" "corpus/$t" -- -runs="$RUNS" "${LIMITS[@]}") >"$log" 2>&1; then
    crashes=0
  else
    crashes=1
    status=1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  printf '%-12s %12s %8s %s\n' "$t" "$runs" "$crashes" "$(ls "fuzz/corpus/$t" | wc -l) files"
  [ "$crashes" = 0 ] || { echo "  see $log and fuzz/artifacts/$t/"; tail -20 "$log"; }
done
exit $status
