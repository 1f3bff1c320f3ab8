// head.wgsl — the output layer of a training step in one dispatch, one invocation per row r < rows:
//   logits[r, c]  = Σ_k x[r, k] · w[c, k] + bias[c]                       (forward, no ReLU)
//   loss_rows[r]  = lse − logits[r, label[r]],  lse = max + log Σ_c exp(logits[r, c] − max)
//   dlogits[r, c] = (softmax(logits[r])_c − onehot(label[r])_c) · grad_scale          (δ of the logits)
//   dx[r, k]      = select(0, Σ_c dlogits[r, c] · w[c, k], x[r, k] > 0)    (FLAG_INPUT_GRAD only: δ of
//                   the layer below, through its ReLU; x is that ReLU's output)
// This is linear.wgsl's forward, softmax_cross_entropy.wgsl's `rows` and linear.wgsl's grad input with
// its ReLU mask, for a narrow output (at most MAX_CLASSES = 16 classes): every row's logits and δ stay in
// registers (four named vec4s, so no private array is indexed at run time, which software adapters
// turn into per-lane memory traffic), so three dispatches and two round trips through memory become one. The batch mean of the
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
const MAX_CLASSES: u32 = 16u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> labels: array<u32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;
@group(0) @binding(6) var<storage, read_write> loss_rows: array<f32>;
@group(0) @binding(7) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(8) var<storage, read_write> dx: array<f32>;

// Row offsets into w of classes 4g … 4g + 3, clamped to the last class (the extra lanes are ignored).
fn class_rows(g: u32) -> vec4<u32> {
    let c = vec4<u32>(4u * g, 4u * g + 1u, 4u * g + 2u, 4u * g + 3u);
    return min(c, vec4<u32>(p.classes - 1u)) * p.in_f;
}

// Column k of w for the four classes whose row offsets are `at`.
fn w4(at: vec4<u32>, k: u32) -> vec4<f32> {
    return vec4<f32>(w[at.x + k], w[at.y + k], w[at.z + k], w[at.w + k]);
}

// 1 for the classes of group g that exist, else 0.
fn live(g: u32) -> vec4<f32> {
    let c = vec4<u32>(4u * g, 4u * g + 1u, 4u * g + 2u, 4u * g + 3u);
    return select(vec4<f32>(0.0), vec4<f32>(1.0), c < vec4<u32>(p.classes));
}

@compute @workgroup_size(32)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= p.rows || p.classes == 0u || p.classes > MAX_CLASSES) {
        return;
    }
    let groups = (p.classes + 3u) / 4u;
    let at0 = class_rows(0u);
    let at1 = class_rows(1u);
    let at2 = class_rows(2u);
    let at3 = class_rows(3u);
    let x0 = r * p.in_f;
    // Forward: the products first, then the bias, in the order the GEMM kernels add them.
    var z0 = vec4<f32>(0.0);
    var z1 = vec4<f32>(0.0);
    var z2 = vec4<f32>(0.0);
    var z3 = vec4<f32>(0.0);
    for (var k = 0u; k < p.in_f; k++) {
        let xv = vec4<f32>(x[x0 + k]);
        z0 = fma(xv, w4(at0, k), z0);
        if (groups > 1u) {
            z1 = fma(xv, w4(at1, k), z1);
        }
        if (groups > 2u) {
            z2 = fma(xv, w4(at2, k), z2);
        }
        if (groups > 3u) {
            z3 = fma(xv, w4(at3, k), z3);
        }
    }
    let last = p.classes - 1u;
    z0 += vec4<f32>(bias[min(0u, last)], bias[min(1u, last)], bias[min(2u, last)], bias[min(3u, last)]);
    z1 += vec4<f32>(bias[min(4u, last)], bias[min(5u, last)], bias[min(6u, last)], bias[min(7u, last)]);
    z2 += vec4<f32>(bias[min(8u, last)], bias[min(9u, last)], bias[min(10u, last)], bias[min(11u, last)]);
    z3 += vec4<f32>(bias[min(12u, last)], bias[min(13u, last)], bias[min(14u, last)], bias[min(15u, last)]);
    var z = array<vec4<f32>, 4>(z0, z1, z2, z3);
    let z_at = r * p.classes;
    var mx = z0.x;
    for (var c = 0u; c < p.classes; c++) {
        let v = z[c / 4u][c % 4u];
        logits[z_at + c] = v;
        mx = max(mx, v);
    }
    // Softmax cross-entropy, as softmax_cross_entropy.wgsl computes it (absent classes weigh 0).
    let m4 = vec4<f32>(mx);
    let e0 = exp(z0 - m4) * live(0u);
    let e1 = exp(z1 - m4) * live(1u);
    let e2 = exp(z2 - m4) * live(2u);
    let e3 = exp(z3 - m4) * live(3u);
    let sum = dot((e0 + e1) + (e2 + e3), vec4<f32>(1.0));
    let label = labels[r];
    if (label >= p.classes) {
        // A quiet NaN built from a runtime value: a constant NaN is a compile error in WGSL.
        loss_rows[r] = bitcast<f32>(0x7fc00000u | p.classes);
        return;
    }
    loss_rows[r] = mx + log(sum) - z[label / 4u][label % 4u];
    // δ = (softmax − onehot) · grad_scale, kept in four vec4s for the input gradient.
    let scale = vec4<f32>(p.grad_scale / sum);
    var d = array<vec4<f32>, 4>(e0 * scale, e1 * scale, e2 * scale, e3 * scale);
    d[label / 4u][label % 4u] -= p.grad_scale;
    for (var c = 0u; c < p.classes; c++) {
        dlogits[z_at + c] = d[c / 4u][c % 4u];
    }
    if ((p.flags & FLAG_INPUT_GRAD) == 0u) {
        return;
    }
    // Input gradient through the ReLU below: dx = δ · W, zero where that ReLU was off.
    let d0 = d[0];
    let d1 = d[1];
    let d2 = d[2];
    let d3 = d[3];
    for (var k = 0u; k < p.in_f; k++) {
        var g = dot(d0, w4(at0, k));
        if (groups > 1u) {
            g += dot(d1, w4(at1, k));
        }
        if (groups > 2u) {
            g += dot(d2, w4(at2, k));
        }
        if (groups > 3u) {
            g += dot(d3, w4(at3, k));
        }
        dx[x0 + k] = select(0.0, g, x[x0 + k] > 0.0);
    }
}
