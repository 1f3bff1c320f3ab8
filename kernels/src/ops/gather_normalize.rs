//! Batch gather and normalise: pick rows of the u8 dataset (by a shuffled index list or a contiguous
//! range) and turn them into normalised f32 inputs plus their labels.

use super::kernel::{KernelEntry, Shader, read, read_write, uniform};
use bytemuck::{Pod, Zeroable};

/// WGSL source (`shaders/gather_normalize.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/gather_normalize.wgsl");

/// The shader's bindings and entry points (the engines build from this; `tests/shaders.rs` checks it
/// against the WGSL).
pub const SHADER: Shader = Shader {
    file: "gather_normalize.wgsl",
    source: SOURCE,
    bindings: &[
        uniform("p"),
        read("pixels"),
        read("labels"),
        read("indices"),
        read_write("x"),
        read_write("y"),
    ],
    entries: &["main"],
    constants: &[],
};
/// The one entry point.
pub const MAIN: KernelEntry = KernelEntry::of(&SHADER, "main");
/// Invocations per workgroup.
pub const WORKGROUP: u32 = 256;

/// Uniform parameters of `gather_normalize.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct GatherParams {
    /// Rows in the batch.
    pub rows: u32,
    /// Features (pixels) per sample.
    pub features: u32,
    /// First sample when `use_indices` is 0.
    pub base: u32,
    /// 1: sample = indices\[row\]; 0: sample = base + row.
    pub use_indices: u32,
    /// Normalisation mean (on the 0–1 scale).
    pub mean: f32,
    /// Normalisation standard deviation.
    pub std: f32,
    /// Bit 0: random horizontal flip; bit 1: random crop with `crop_pad` zero padding.
    pub augment: u32,
    /// This step's augmentation seed ([`step_seed`]).
    pub seed: u32,
    /// Image width (augmentation only).
    pub width: u32,
    /// Image height (augmentation only).
    pub height: u32,
    /// Zero padding of the random crop, in pixels.
    pub crop_pad: u32,
    /// Padding.
    pub pad: u32,
}

/// Data augmentation done in the gather kernel: torchvision's `RandomHorizontalFlip()` and
/// `RandomCrop(size, padding)` (zero fill), drawn per row from a seed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Augmentation {
    /// Flip each row horizontally with probability ½.
    pub flip: bool,
    /// Crop with this much zero padding on each side (0: no crop).
    pub crop_pad: u32,
    /// Seed of the per-step draws.
    pub seed: u64,
}

impl Augmentation {
    /// The `augment` bits of [`GatherParams`].
    pub fn bits(&self) -> u32 {
        u32::from(self.flip) | (u32::from(self.crop_pad > 0) << 1)
    }
}

/// lowbias32, the shader's `hash`.
pub fn hash(a: u32) -> u32 {
    let mut x = a;
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x
}

/// The kernel's `seed` for training step `step` of a run seeded `seed`.
pub fn step_seed(seed: u64, step: u64) -> u32 {
    let mixed = seed ^ step.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    hash((mixed as u32) ^ hash((mixed >> 32) as u32))
}

/// Where feature `f` of augmented `row` comes from (`None`: the zero padding), as the shader computes it.
pub fn source_feature(p: &GatherParams, row: u32, f: u32) -> Option<u32> {
    if p.augment == 0 {
        return Some(f);
    }
    let plane = p.width * p.height;
    let (c, y, mut x) = (f / plane, (f % plane) / p.width, f % p.width);
    let h = hash(p.seed ^ hash(row));
    if p.augment & 1 != 0 && h & 1 != 0 {
        x = p.width - 1 - x;
    }
    let (mut xs, mut ys) = (x as i64, y as i64);
    if p.augment & 2 != 0 {
        let span = 2 * p.crop_pad + 1;
        xs += i64::from((h >> 8) % span) - i64::from(p.crop_pad);
        ys += i64::from((h >> 16) % span) - i64::from(p.crop_pad);
    }
    ((0..i64::from(p.width)).contains(&xs) && (0..i64::from(p.height)).contains(&ys))
        .then(|| c * plane + ys as u32 * p.width + xs as u32)
}

/// Whether augmented `row` is flipped.
pub fn flipped(p: &GatherParams, row: u32) -> bool {
    p.augment & 1 != 0 && hash(p.seed ^ hash(row)) & 1 != 0
}

/// The shader's computation for whole batches, augmentation included: `samples` from `pixels`
/// (`[N, p.features]` u8) and `labels` into `(x, y)`.
pub fn reference_augmented(
    p: &GatherParams,
    pixels: &[u8],
    labels: &[u8],
    samples: &[u32],
) -> (Vec<f32>, Vec<u32>) {
    let features = p.features as usize;
    let mut x = Vec::with_capacity(samples.len() * features);
    let mut y = Vec::with_capacity(samples.len());
    for (row, &s) in samples.iter().enumerate() {
        let img = &pixels[s as usize * features..(s as usize + 1) * features];
        x.extend((0..p.features).map(|f| {
            let byte = source_feature(p, row as u32, f).map_or(0, |src| img[src as usize]);
            normalize_pixel(byte, p.mean, p.std)
        }));
        y.push(u32::from(labels[s as usize]));
    }
    (x, y)
}

/// Normalises one pixel as PyTorch's `ToTensor()` then `Normalize(mean, std)` do.
pub fn normalize_pixel(byte: u8, mean: f32, std: f32) -> f32 {
    (f32::from(byte) / 255.0 - mean) / std
}

/// Gathers `samples` from `pixels` (`[N, features]` u8) and `labels` into `(x, y)`.
pub fn reference(
    pixels: &[u8],
    labels: &[u8],
    features: usize,
    samples: &[u32],
    mean: f32,
    std: f32,
) -> (Vec<f32>, Vec<u32>) {
    let mut x = Vec::with_capacity(samples.len() * features);
    let mut y = Vec::with_capacity(samples.len());
    for &s in samples {
        let s = s as usize;
        x.extend(
            pixels[s * features..(s + 1) * features]
                .iter()
                .map(|&b| normalize_pixel(b, mean, std)),
        );
        y.push(u32::from(labels[s]));
    }
    (x, y)
}

/// Workgroup grid for `elements` invocations: 1-D up to 65,535 workgroups, 2-D beyond (the shader
/// flattens it back using `num_workgroups`).
pub fn workgroups(elements: u32) -> (u32, u32, u32) {
    let groups = elements.div_ceil(WORKGROUP).max(1);
    if groups <= 65_535 {
        (groups, 1, 1)
    } else {
        let y = groups.div_ceil(65_535);
        (groups.div_ceil(y), y, 1)
    }
}
