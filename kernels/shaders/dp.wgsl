// dp.wgsl — DP-SGD's per-example clipping and Gaussian noise (Abadi et al. 2016), for one dense layer
// per dispatch. For example r of the lot, the gradient of layer l is δ_rᵀ·a_r (weight) and δ_r (bias),
// so its squared norm is ‖δ_r‖²·(‖a_r‖² + 1): no per-example gradient is ever formed.
//
// Entry `norms` (one invocation per row r < rows):
//   norms[r] (+)= Σ_c delta[r, c]² · (Σ_k act[r, k]² + 1)    (assigns for the first layer, adds after)
// Entry `scale` (one invocation per element of delta, rows × width):
//   delta[r, c] *= min(1, clip / √norms[r]) · inv_lot        (clips example r's whole gradient to norm
//                                                             ≤ clip, divides by the expected lot size)
// Entry `noise` (grid-stride over the layer's w_len + b_len gradient elements):
//   grad[w_off + j] += noise_std · N(0, 1)  for the weight (tensor id 2·layer), then the bias (2·layer + 1)
//   N(0, 1) from a counter-based hash of (seed, step, tensor, j) and Box–Muller, so a step's noise is
//   reproducible and the CPU reference draws the same numbers (ops::dp::gaussian).
//
// Buffers: delta [rows, width] f32 read_write (layer l's δ, unscaled: per-example loss gradients);
// act [rows, in_width] f32 read (layer l's input); norms [rows] f32 read_write (squared per-example
// norms over all layers); grad [packed] f32 read_write (the packed gradients).

struct Params {
    rows: u32,
    width: u32,
    in_width: u32,
    accumulate: u32,
    clip: f32,
    inv_lot: f32,
    noise_std: f32,
    seed: u32,
    step: u32,
    layer: u32,
    w_off: u32,
    w_len: u32,
    b_off: u32,
    b_len: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> delta: array<f32>;
@group(0) @binding(2) var<storage, read> act: array<f32>;
@group(0) @binding(3) var<storage, read_write> norms: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(64)
fn norms_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= p.rows) {
        return;
    }
    var d = 0.0;
    for (var c = 0u; c < p.width; c++) {
        let v = delta[r * p.width + c];
        d += v * v;
    }
    var a = 1.0;
    for (var k = 0u; k < p.in_width; k++) {
        let v = act[r * p.in_width + k];
        a += v * v;
    }
    if (p.accumulate == 0u) {
        norms[r] = d * a;
    } else {
        norms[r] += d * a;
    }
}

@compute @workgroup_size(256)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let total = p.rows * p.width;
    let stride = groups.x * 256u;
    for (var i = gid.x; i < total; i += stride) {
        let n = norms[i / p.width];
        var f = 1.0;
        if (n > p.clip * p.clip) {
            f = p.clip * inverseSqrt(n);
        }
        delta[i] *= f * p.inv_lot;
    }
}

// PCG hash (Jarzynski & Olano 2020): u32 arithmetic wraps in WGSL, as wrapping_* does in Rust.
fn pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn gaussian(tensor: u32, j: u32) -> f32 {
    let key = pcg(p.seed ^ pcg(p.step ^ pcg(tensor ^ pcg(j))));
    let h1 = pcg(key);
    let h2 = pcg(key ^ 0x9e3779b9u);
    // u1 in (0, 1], u2 in [0, 1): 24-bit uniforms, exact in f32.
    let u1 = f32((h1 >> 8u) + 1u) * (1.0 / 16777216.0);
    let u2 = f32(h2 >> 8u) * (1.0 / 16777216.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

@compute @workgroup_size(256)
fn noise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let total = p.w_len + p.b_len;
    let stride = groups.x * 256u;
    for (var i = gid.x; i < total; i += stride) {
        if (i < p.w_len) {
            grad[p.w_off + i] += p.noise_std * gaussian(2u * p.layer, i);
        } else {
            let j = i - p.w_len;
            grad[p.b_off + j] += p.noise_std * gaussian(2u * p.layer + 1u, j);
        }
    }
}
