// head.wgsl — the output layer of a training step in one dispatch, one invocation per row r < rows:
//   logits[r, c]  = Σ_k x[r, k] · w[c, k] + bias[c]                       (forward, no ReLU)
//   loss_rows[r]  = lse − logits[r, label[r]],  lse = max + log Σ_c exp(logits[r, c] − max)
//   dlogits[r, c] = (softmax(logits[r])_c − onehot(label[r])_c) · grad_scale          (δ of the logits)
//   dx[r, k]      = select(0, Σ_c dlogits[r, c] · w[c, k], x[r, k] > 0)    (FLAG_INPUT_GRAD only: δ of
//                   the layer below, through its ReLU; x is that ReLU's output)
// This is linear.wgsl's forward, softmax_cross_entropy.wgsl's `rows` and linear.wgsl's grad input with
// its ReLU mask, for a narrow output (at most MAX_CLASSES classes): every row's logits and δ stay in
// registers, so three dispatches and two round trips through memory become one. The batch mean of the
// loss and the weight and bias gradients need every row; they stay in other dispatches.
//
// Buffers (f32 unless noted, row-major):
//   x         [rows, in]       read        the layer's input (activation of the ReLU below)
//   w         [classes, in]    read        the weight, stored [out, in] as in PyTorch
//   bias      [classes]        read
//   labels    [rows] u32       read        a label outside 0..classes gives a NaN loss
//   logits    [rows, classes]  read_write
//   loss_rows [rows]           read_write
//   dlogits   [rows, classes]  read_write
//   dx        [rows, in]       read_write  (any buffer without FLAG_INPUT_GRAD)

struct Params {
    rows: u32,
    in_f: u32,
    classes: u32,
    flags: u32,
    grad_scale: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

const FLAG_INPUT_GRAD: u32 = 1u;
const MAX_CLASSES: u32 = 32u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> labels: array<u32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;
@group(0) @binding(6) var<storage, read_write> loss_rows: array<f32>;
@group(0) @binding(7) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(8) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(32)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= p.rows) {
        return;
    }
    let classes = min(p.classes, MAX_CLASSES);
    let x0 = r * p.in_f;
    // Forward: the products first, then the bias, in the order the GEMM kernels add them.
    var z: array<f32, MAX_CLASSES>;
    for (var c = 0u; c < classes; c++) {
        z[c] = 0.0;
    }
    for (var k = 0u; k < p.in_f; k++) {
        let xv = x[x0 + k];
        for (var c = 0u; c < classes; c++) {
            z[c] = fma(xv, w[c * p.in_f + k], z[c]);
        }
    }
    let z0 = r * p.classes;
    var mx = z[0] + bias[0];
    for (var c = 0u; c < classes; c++) {
        z[c] += bias[c];
        logits[z0 + c] = z[c];
        mx = max(mx, z[c]);
    }
    // Softmax cross-entropy, as softmax_cross_entropy.wgsl computes it.
    var sum = 0.0;
    for (var c = 0u; c < classes; c++) {
        sum += exp(z[c] - mx);
    }
    let label = labels[r];
    if (label >= classes) {
        // A quiet NaN built from a runtime value: a constant NaN is a compile error in WGSL.
        loss_rows[r] = bitcast<f32>(0x7fc00000u | p.classes);
        return;
    }
    loss_rows[r] = mx + log(sum) - z[label];
    let inv = 1.0 / sum;
    for (var c = 0u; c < classes; c++) {
        var prob = exp(z[c] - mx) * inv;
        if (c == label) {
            prob -= 1.0;
        }
        z[c] = prob * p.grad_scale;
        dlogits[z0 + c] = z[c];
    }
    if ((p.flags & FLAG_INPUT_GRAD) == 0u) {
        return;
    }
    // Input gradient through the ReLU below: dx = δ · W, zero where that ReLU was off.
    for (var k = 0u; k < p.in_f; k++) {
        var g = 0.0;
        for (var c = 0u; c < classes; c++) {
            g = fma(z[c], w[c * p.in_f + k], g);
        }
        dx[x0 + k] = select(0.0, g, x[x0 + k] > 0.0);
    }
}
