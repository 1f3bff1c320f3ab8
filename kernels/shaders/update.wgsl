// update.wgsl — the last dispatch of a training step: every trainable tensor's optimiser update, and the
// batch's mean loss into the loss ring.
//
// Parameters, gradients and optimiser state of all tensors live in four packed buffers; tensor s is
// elements [start, start + len) of each. The uniform lists the trainable tensors only (frozen ones are
// skipped: no invocation touches them). Invocation i < total updates element i of the concatenation
// of the listed tensors: tensor s covers i in [ends[s − 1], ends[s]).
//
// Entry `sgd` (PyTorch's SGD, dampening 0, no Nesterov; `beta1` is the momentum μ, `step_size` the lr):
//   g ← grad + weight_decay · param;  v ← μ · v + g;  param ← param − lr · v
// Entry `adam` (PyTorch's Adam, single-tensor path, L2 weight decay; per tensor t, the host gives
// step_size = lr / (1 − β1ᵗ) and bc2_sqrt = √(1 − β2ᵗ)):
//   g ← grad + weight_decay · param;  m ← m + (1 − β1)(g − m);  v ← β2 · v + (1 − β2) · g²
//   param ← param − step_size · m / (√v / bc2_sqrt + eps)
// Both: workgroup 0 first writes loss_log[slot] = Σ_r loss_rows[r] / rows (a tree sum over 256
// invocations), so the step needs no dispatch of its own for it.
//
// Buffers (f32): grad [packed] read; loss_rows [rows] read; param, m, v [packed] read_write
// (SGD keeps its velocity in m and leaves v alone); loss_log [ring] read_write.

struct Segment {
    start: u32,
    end: u32,
    step_size: f32,
    bc2_sqrt: f32,
}

struct Params {
    count: u32,
    total: u32,
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

var<workgroup> partial: array<f32, 256>;

// Workgroup 0: the batch's mean loss (every invocation of that workgroup reaches the barriers).
fn mean_loss(lid: u32, wid: u32) {
    if (wid != 0u) {
        return;
    }
    var s = 0.0;
    for (var r = lid; r < p.rows; r += 256u) {
        s += loss_rows[r];
    }
    partial[lid] = s;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride >>= 1u) {
        if (lid < stride) {
            partial[lid] += partial[lid + stride];
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        loss_log[p.slot] = partial[0] / f32(p.rows);
    }
}

// The listed tensor holding invocation i, and i's element in the packed buffers (count when none).
fn locate(i: u32) -> vec2<u32> {
    var before = 0u;
    for (var s = 0u; s < p.count; s++) {
        let seg = p.segments[s];
        if (i < seg.end) {
            return vec2<u32>(s, seg.start + (i - before));
        }
        before = seg.end;
    }
    return vec2<u32>(p.count, 0u);
}

@compute @workgroup_size(256)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
       @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(lid.x, wid.x);
    if (gid.x >= p.total) {
        return;
    }
    let at = locate(gid.x);
    if (at.x >= p.count) {
        return;
    }
    let i = at.y;
    let lr = p.segments[at.x].step_size;
    let g = grad[i] + p.weight_decay * param[i];
    let vel = p.beta1 * m[i] + g;
    m[i] = vel;
    param[i] = param[i] - lr * vel;
}

@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(lid.x, wid.x);
    if (gid.x >= p.total) {
        return;
    }
    let at = locate(gid.x);
    if (at.x >= p.count) {
        return;
    }
    let i = at.y;
    let seg = p.segments[at.x];
    let g = grad[i] + p.weight_decay * param[i];
    let mi = m[i] + (1.0 - p.beta1) * (g - m[i]);
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let denom = sqrt(vi) / seg.bc2_sqrt + p.eps;
    param[i] = param[i] - seg.step_size * (mi / denom);
}
