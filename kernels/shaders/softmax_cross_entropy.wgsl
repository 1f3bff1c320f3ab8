// softmax_cross_entropy.wgsl — fused, numerically stable softmax + cross-entropy on logits.
//
// Entry `rows` (one invocation per row r < rows):
//   lse          = max + log Σ_c exp(logits[r, c] − max)        (log-sum-exp)
//   loss_rows[r] = lse − logits[r, label[r]]
//   dlogits[r,c] = (softmax(logits[r])_c − onehot(label[r])_c) · grad_scale   (grad_scale = 1 / batch)
// The batch's mean loss is written by update.wgsl, the step's last dispatch. A training step with a
// head of at most 16 classes runs head.wgsl instead, which fuses this with the layer's forward and the
// input gradient; evaluation and wider heads run this.
//
// Buffers: logits [rows, classes] f32 read; labels [rows] u32 read; loss_rows [rows] f32 read_write;
// dlogits [rows, classes] f32 read_write.
// A label outside 0..classes gives a NaN loss rather than an out-of-bounds read.

struct Params {
    rows: u32,
    classes: u32,
    _pad: u32,
    grad_scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> loss_rows: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;

@compute @workgroup_size(64)
fn rows(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= p.rows) {
        return;
    }
    let base = r * p.classes;
    var mx = logits[base];
    for (var c = 1u; c < p.classes; c++) {
        mx = max(mx, logits[base + c]);
    }
    var sum = 0.0;
    for (var c = 0u; c < p.classes; c++) {
        sum += exp(logits[base + c] - mx);
    }
    let label = labels[r];
    if (label >= p.classes) {
        // A quiet NaN built from a runtime value: a constant NaN is a compile error in WGSL.
        loss_rows[r] = bitcast<f32>(0x7fc00000u | p.classes);
        return;
    }
    loss_rows[r] = mx + log(sum) - logits[base + label];
    let inv = 1.0 / sum;
    for (var c = 0u; c < p.classes; c++) {
        var prob = exp(logits[base + c] - mx) * inv;
        if (c == label) {
            prob -= 1.0;
        }
        dlogits[base + c] = prob * p.grad_scale;
    }
}
