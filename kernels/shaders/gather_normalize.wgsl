// gather_normalize.wgsl — build a batch from the u8 dataset that lives on the GPU.
//
// One invocation per element i < rows · features of the batch:
//   sample   = use_indices != 0 ? indices[row] : base + row      (row = i / features)
//   x[i]     = (pixel(sample, f') / 255 − mean) / std            (PyTorch's ToTensor + Normalize)
//   y[row]   = label(sample)                                      (written by the row's f = 0 invocation)
// f' = f unless `augment` is set: images are [channels, height, width] planes, and each row draws
// h = hash(seed ^ hash(row)); bit 0 of `augment` flips the row horizontally when h & 1, bit 1 crops it:
// RandomCrop(size, padding = crop_pad) with zero padding, offsets ox = (h >> 8) % (2·pad + 1) and
// oy = (h >> 16) % (2·pad + 1), so out(x, y) = in(x' + ox − pad, y + oy − pad) with x' the flipped x,
// and 0 (black) outside the image. The CPU reference (`ops::gather_normalize`) computes the same.
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
    augment: u32,
    seed: u32,
    width: u32,
    height: u32,
    crop_pad: u32,
    _pad: u32,
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

// lowbias32 (Chris Wellons): a well-mixed 32-bit hash.
fn hash(a: u32) -> u32 {
    var x = a;
    x ^= x >> 16u;
    x *= 0x7feb352du;
    x ^= x >> 15u;
    x *= 0x846ca68bu;
    x ^= x >> 16u;
    return x;
}

// The feature of the source image that lands at feature f of an augmented row (or f itself), and
// whether it lies inside the image.
fn source_feature(row: u32, f: u32) -> vec2<u32> {
    if (p.augment == 0u) {
        return vec2<u32>(f, 1u);
    }
    let plane = p.width * p.height;
    let c = f / plane;
    let y = (f % plane) / p.width;
    var x = f % p.width;
    let h = hash(p.seed ^ hash(row));
    if ((p.augment & 1u) != 0u && (h & 1u) != 0u) {
        x = p.width - 1u - x;
    }
    var xs = i32(x);
    var ys = i32(y);
    if ((p.augment & 2u) != 0u) {
        let span = 2u * p.crop_pad + 1u;
        xs = xs + i32((h >> 8u) % span) - i32(p.crop_pad);
        ys = ys + i32((h >> 16u) % span) - i32(p.crop_pad);
    }
    if (xs < 0 || ys < 0 || xs >= i32(p.width) || ys >= i32(p.height)) {
        return vec2<u32>(0u, 0u);
    }
    return vec2<u32>(c * plane + u32(ys) * p.width + u32(xs), 1u);
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
    let src = source_feature(row, f);
    var byte = 0u;
    if (src.y != 0u) {
        byte = byte_at_pixels(sample * p.features + src.x);
    }
    x[i] = (f32(byte) / 255.0 - p.mean) / p.std_dev;
    if (f == 0u) {
        y[row] = byte_at_labels(sample);
    }
}
