// adam.wgsl — PyTorch's Adam step (torch.optim.Adam, single-tensor path, L2 weight decay):
//   g ← grad + weight_decay · param
//   m ← m + (1 − β1)(g − m)                 (lerp, as PyTorch writes it)
//   v ← β2 · v + (1 − β2) · g²
//   param ← param − step_size · m / (√v / bc2_sqrt + eps)
// where the host computes, for this tensor's step t: step_size = lr / (1 − β1ᵗ), bc2_sqrt = √(1 − β2ᵗ).
// Buffers (f32, n elements): grad read; param, m, v read_write.

struct Params {
    n: u32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
    step_size: f32,
    bc2_sqrt: f32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= p.n) {
        return;
    }
    let g = grad[i] + p.weight_decay * param[i];
    let mi = m[i] + (1.0 - p.beta1) * (g - m[i]);
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let denom = sqrt(vi) / p.bc2_sqrt + p.eps;
    param[i] = param[i] - p.step_size * (mi / denom);
}
