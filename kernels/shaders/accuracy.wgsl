// accuracy.wgsl — argmax of each row of logits and the count of correct predictions.
//
// One invocation per row r < rows: predictions[base + r] = the first index of the row's maximum (as
// torch.argmax), and correct[0] += 1 when it equals labels[r]. `base` places a chunk of a large
// evaluation in one predictions buffer.
// Buffers: logits [rows, classes] f32 read; labels [rows] u32 read; predictions [≥ base + rows] u32
// read_write; correct [1] atomic u32 read_write (zeroed by the host before an evaluation).

struct Params {
    rows: u32,
    classes: u32,
    base: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> predictions: array<u32>;
@group(0) @binding(4) var<storage, read_write> correct: array<atomic<u32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= p.rows) {
        return;
    }
    let base = r * p.classes;
    var best = 0u;
    var best_value = logits[base];
    for (var c = 1u; c < p.classes; c++) {
        let v = logits[base + c];
        if (v > best_value) {
            best_value = v;
            best = c;
        }
    }
    predictions[p.base + r] = best;
    if (best == labels[r]) {
        atomicAdd(&correct[0], 1u);
    }
}
