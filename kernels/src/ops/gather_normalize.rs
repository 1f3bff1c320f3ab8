//! Batch gather and normalise: pick rows of the u8 dataset (by a shuffled index list or a contiguous
//! range) and turn them into normalised f32 inputs plus their labels.

use bytemuck::{Pod, Zeroable};

/// WGSL source (`shaders/gather_normalize.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/gather_normalize.wgsl");
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
    /// 1: sample = indices[row]; 0: sample = base + row.
    pub use_indices: u32,
    /// Normalisation mean (on the 0–1 scale).
    pub mean: f32,
    /// Normalisation standard deviation.
    pub std: f32,
    /// Padding.
    pub pad: [u32; 2],
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
