// gather_normalize.wgsl — build a batch from the u8 dataset that lives on the GPU.
//
// One invocation per element i < rows · features of the batch:
//   sample   = use_indices != 0 ? indices[row] : base + row      (row = i / features)
//   x[i]     = (pixel(sample, f) / 255 − mean) / std             (PyTorch's ToTensor + Normalize)
//   y[row]   = label(sample)                                      (written by the row's f = 0 invocation)
// Buffers: pixels [samples · features] u8 packed four to a u32 (little-endian) read; labels [samples] u8
// packed the same way read; indices [rows] u32 read; x [rows, features] f32 read_write;
// y [rows] u32 read_write.

struct Params {
    rows: u32,
    features: u32,
    base: u32,
    use_indices: u32,
    mean: f32,
    std_dev: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read> indices: array<u32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<u32>;

fn byte_at_pixels(offset: u32) -> u32 {
    return (pixels[offset / 4u] >> ((offset % 4u) * 8u)) & 0xffu;
}

fn byte_at_labels(offset: u32) -> u32 {
    return (labels[offset / 4u] >> ((offset % 4u) * 8u)) & 0xffu;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    // Large batches use a 2-D grid (x stays under the 65,535-workgroup limit); flatten it back.
    let i = gid.y * nwg.x * 256u + gid.x;
    if (i >= p.rows * p.features) {
        return;
    }
    let row = i / p.features;
    let f = i % p.features;
    var sample = p.base + row;
    if (p.use_indices != 0u) {
        sample = indices[row];
    }
    let byte = byte_at_pixels(sample * p.features + f);
    x[i] = (f32(byte) / 255.0 - p.mean) / p.std_dev;
    if (f == 0u) {
        y[row] = byte_at_labels(sample);
    }
}
