// relu_backward.wgsl — gradient through a ReLU, in place: grad[i] = act[i] > 0 ? grad[i] : 0.
//
// `act` is the ReLU's output (the layer's activation); output > 0 exactly when input > 0, so this is
// PyTorch's threshold_backward. Buffers (f32): act [n] read, grad [n] read_write.

struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= p.n) {
        return;
    }
    grad[i] = select(0.0, grad[i], act[i] > 0.0);
}
