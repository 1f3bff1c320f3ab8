// update.wgsl — the last dispatch of a training step: every trainable tensor's optimiser update, and the
// batch's mean loss into the loss ring.
//
// Parameters, gradients and optimiser state of all tensors live in four packed buffers; tensor s is
// elements [start, start + len) of each. The uniform lists the trainable tensors only (frozen ones are
// skipped: no invocation touches them). Workgroup w updates one chunk of CHUNK = 2048 elements of one
// tensor: tensor s owns chunks [first_chunk(s), first_chunk(s + 1)), and each invocation updates 8
// elements of its chunk, 256 apart (consecutive invocations, consecutive addresses), so the search
// of the table runs once per 8 elements.
//
// Entry `sgd` (PyTorch's SGD, dampening 0, no Nesterov; `beta1` is the momentum μ, `step_size` the lr):
//   g ← grad + weight_decay · param;  v ← μ · v + g;  param ← param − lr · v
// Entry `adam` (PyTorch's Adam, single-tensor path, L2 weight decay; per tensor t, the host gives
// step_size = lr / (1 − β1ᵗ) and bc2_sqrt = √(1 − β2ᵗ)):
//   g ← grad + weight_decay · param;  m ← m + (1 − β1)(g − m);  v ← β2 · v + (1 − β2) · g²
//   param ← param − step_size · m / (√v / bc2_sqrt + eps)
// Both: invocation 0 first writes loss_log[slot] = Σ_r loss_rows[r] / rows, so the step needs no
// dispatch of its own for it.
//
// Buffers (f32): grad [packed] read; loss_rows [rows] read; param, m, v [packed] read_write
// (SGD keeps its velocity in m and leaves v alone); loss_log [ring] read_write.

struct Segment {
    start: u32,
    len: u32,
    first_chunk: u32,
    _pad0: u32,
    step_size: f32,
    bc2_sqrt: f32,
    _pad1: u32,
    _pad2: u32,
}

struct Params {
    count: u32,
    chunks: u32,
    rows: u32,
    slot: u32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
    segments: array<Segment, 32>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> loss_rows: array<f32>;
@group(0) @binding(3) var<storage, read_write> param: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<storage, read_write> loss_log: array<f32>;

// Invocation 0: the batch's mean loss, summed in eight interleaved partial sums (two vec4s; a
// pairwise-like order that keeps f32 rounding small). Neither a workgroup barrier nor a private array:
// on software adapters (SwiftShader) a barrier makes every workgroup of the shader run as coroutines,
// and a private array costs every invocation, not only the one that sums (both measured).
fn mean_loss(i: u32) {
    if (i != 0u) {
        return;
    }
    var lo = vec4<f32>(0.0);
    var hi = vec4<f32>(0.0);
    var r = 0u;
    for (; r + 8u <= p.rows; r += 8u) {
        lo += vec4<f32>(loss_rows[r], loss_rows[r + 1u], loss_rows[r + 2u], loss_rows[r + 3u]);
        hi += vec4<f32>(loss_rows[r + 4u], loss_rows[r + 5u], loss_rows[r + 6u], loss_rows[r + 7u]);
    }
    var tail = 0.0;
    for (; r < p.rows; r++) {
        tail += loss_rows[r];
    }
    let s = lo + hi;
    loss_log[p.slot] = ((s.x + s.z) + (s.y + s.w) + tail) / f32(p.rows);
}

const CHUNK: u32 = 2048u;

// The listed tensor that owns `chunk`.
fn locate(chunk: u32) -> u32 {
    var found = 0u;
    for (var s = 1u; s < p.count; s++) {
        if (chunk >= p.segments[s].first_chunk) {
            found = s;
        }
    }
    return found;
}

@compute @workgroup_size(256)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
       @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(gid.x);
    let seg = p.segments[locate(wid.x)];
    let base = (wid.x - seg.first_chunk) * CHUNK + lid.x;
    for (var j = 0u; j < CHUNK; j += 256u) {
        if (wid.x >= p.chunks || base + j >= seg.len) {
            return;
        }
        let i = seg.start + base + j;
        let g = grad[i] + p.weight_decay * param[i];
        let vel = p.beta1 * m[i] + g;
        m[i] = vel;
        param[i] = param[i] - seg.step_size * vel;
    }
}

@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(gid.x);
    let seg = p.segments[locate(wid.x)];
    let base = (wid.x - seg.first_chunk) * CHUNK + lid.x;
    for (var j = 0u; j < CHUNK; j += 256u) {
        if (wid.x >= p.chunks || base + j >= seg.len) {
            return;
        }
        let i = seg.start + base + j;
        let g = grad[i] + p.weight_decay * param[i];
        let mi = m[i] + (1.0 - p.beta1) * (g - m[i]);
        let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        let denom = sqrt(vi) / seg.bc2_sqrt + p.eps;
        param[i] = param[i] - seg.step_size * (mi / denom);
    }
}
