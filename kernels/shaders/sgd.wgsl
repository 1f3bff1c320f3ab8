// sgd.wgsl — PyTorch's SGD step with momentum and optional L2 weight decay (dampening 0, no Nesterov):
//   g ← grad + weight_decay · param;  v ← momentum · v + g;  param ← param − lr · v
// With v starting at zero this equals PyTorch's first step (buf = g) exactly; with momentum 0 it is plain SGD.
// Buffers (f32, n elements): grad read; param read_write; velocity read_write.

struct Params {
    n: u32,
    lr: f32,
    momentum: f32,
    weight_decay: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= p.n) {
        return;
    }
    let g = grad[i] + p.weight_decay * param[i];
    let v = p.momentum * velocity[i] + g;
    velocity[i] = v;
    param[i] = param[i] - p.lr * v;
}
