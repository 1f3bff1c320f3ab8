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
// One entry point per rule, each PyTorch's single-tensor `torch.optim` code in its order of rounding
// (`src/ops/optim.rs` is the same, line for line). The host gives per tensor step_size (Adam, AdamW:
// lr / (1 − β1ᵗ); otherwise lr), bc2_sqrt (Adam, AdamW: √(1 − β2ᵗ)) and decay (AdamW: 1 − lr·wd), and
// 1 − β1, 1 − β2 computed in f64 from the typed settings. g = grad + wd·param for all but AdamW.
//   sgd       m ← μ·m + g;  param ← param − lr·m
//   nesterov  m ← μ·m + g;  param ← param − lr·(g + μ·m)
//   adagrad   v ← v + g·g;  param ← param − (lr·g) / (√v + ε)
//   rmsprop   v ← α·v + ((1 − α)·g)·g;  a = √v + ε;  μ > 0: m ← μ·m + g/a, param ← param − lr·m;
//             μ = 0: param ← param − (lr·g) / a               (α is beta2, μ is beta1)
//   adam      m ← lerp(m, g, 1 − β1);  v ← β2·v + ((1 − β2)·g)·g;
//             param ← param − (step_size·m) / (√v / bc2_sqrt + ε)
//   adamw     param ← decay·param, then adam with g = grad
// All: invocation 0 first writes loss_log[slot] = Σ_r loss_rows[r] / rows, so the step needs no
// dispatch of its own for it.
//
// Buffers (f32): grad [packed] read; loss_rows [rows] read; param, m, v [packed] read_write
// (rules without a second moment leave v alone); loss_log [ring] read_write.

struct Segment {
    start: u32,
    len: u32,
    first_chunk: u32,
    _pad0: u32,
    step_size: f32,
    bc2_sqrt: f32,
    decay: f32,
    _pad1: u32,
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
    one_minus_beta1: f32,
    one_minus_beta2: f32,
    _pad0: u32,
    _pad1: u32,
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

// The element of the packed buffers that invocation `lid` of workgroup `wid` (in segment `seg`) updates
// at offset j of its chunk; 0xffffffff when there is none.
const NONE: u32 = 0xffffffffu;

fn element(seg: Segment, wid: u32, lid: u32, j: u32) -> u32 {
    let k = (wid - seg.first_chunk) * CHUNK + lid + j;
    if (wid >= p.chunks || k >= seg.len) {
        return NONE;
    }
    return seg.start + k;
}

// PyTorch's `a.lerp_(b, w)`.
fn lerp(a: f32, b: f32, w: f32) -> f32 {
    if (w < 0.5) {
        return a + w * (b - a);
    }
    return b - (b - a) * (1.0 - w);
}

@compute @workgroup_size(256)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
       @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(gid.x);
    let seg = p.segments[locate(wid.x)];
    for (var j = 0u; j < CHUNK; j += 256u) {
        let i = element(seg, wid.x, lid.x, j);
        if (i == NONE) {
            return;
        }
        let g = grad[i] + p.weight_decay * param[i];
        let vel = p.beta1 * m[i] + g;
        m[i] = vel;
        param[i] = param[i] - seg.step_size * vel;
    }
}

@compute @workgroup_size(256)
fn nesterov(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
            @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(gid.x);
    let seg = p.segments[locate(wid.x)];
    for (var j = 0u; j < CHUNK; j += 256u) {
        let i = element(seg, wid.x, lid.x, j);
        if (i == NONE) {
            return;
        }
        let g = grad[i] + p.weight_decay * param[i];
        let vel = p.beta1 * m[i] + g;
        m[i] = vel;
        param[i] = param[i] - seg.step_size * (g + p.beta1 * vel);
    }
}

@compute @workgroup_size(256)
fn adagrad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(gid.x);
    let seg = p.segments[locate(wid.x)];
    for (var j = 0u; j < CHUNK; j += 256u) {
        let i = element(seg, wid.x, lid.x, j);
        if (i == NONE) {
            return;
        }
        let g = grad[i] + p.weight_decay * param[i];
        let sum = v[i] + g * g;
        v[i] = sum;
        param[i] = param[i] - (seg.step_size * g) / (sqrt(sum) + p.eps);
    }
}

@compute @workgroup_size(256)
fn rmsprop(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(gid.x);
    let seg = p.segments[locate(wid.x)];
    for (var j = 0u; j < CHUNK; j += 256u) {
        let i = element(seg, wid.x, lid.x, j);
        if (i == NONE) {
            return;
        }
        let g = grad[i] + p.weight_decay * param[i];
        let sq = p.beta2 * v[i] + (p.one_minus_beta2 * g) * g;
        v[i] = sq;
        let avg = sqrt(sq) + p.eps;
        if (p.beta1 > 0.0) {
            let vel = p.beta1 * m[i] + g / avg;
            m[i] = vel;
            param[i] = param[i] - seg.step_size * vel;
        } else {
            param[i] = param[i] - (seg.step_size * g) / avg;
        }
    }
}

// Adam's moments and step for gradient g (L2 decay already in g, or the weight already decayed).
fn adam_element(i: u32, seg: Segment, g: f32) {
    let mi = lerp(m[i], g, p.one_minus_beta1);
    let vi = p.beta2 * v[i] + (p.one_minus_beta2 * g) * g;
    m[i] = mi;
    v[i] = vi;
    let denom = sqrt(vi) / seg.bc2_sqrt + p.eps;
    param[i] = param[i] - (seg.step_size * mi) / denom;
}

@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(gid.x);
    let seg = p.segments[locate(wid.x)];
    for (var j = 0u; j < CHUNK; j += 256u) {
        let i = element(seg, wid.x, lid.x, j);
        if (i == NONE) {
            return;
        }
        adam_element(i, seg, grad[i] + p.weight_decay * param[i]);
    }
}

@compute @workgroup_size(256)
fn adamw(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
         @builtin(workgroup_id) wid: vec3<u32>) {
    mean_loss(gid.x);
    let seg = p.segments[locate(wid.x)];
    for (var j = 0u; j < CHUNK; j += 256u) {
        let i = element(seg, wid.x, lid.x, j);
        if (i == NONE) {
            return;
        }
        param[i] = seg.decay * param[i];
        adam_element(i, seg, grad[i]);
    }
}
