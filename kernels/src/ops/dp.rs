//! DP-SGD's per-example clipping and noise (Abadi et al. 2016) for dense layers: each example's
//! gradient norm from two vector norms per layer, a clip factor per example applied to the δ rows
//! before the weight-gradient products, and seeded Gaussian noise on the summed gradient.

use bytemuck::{Pod, Zeroable};

use super::kernel::{KernelEntry, Shader, read, read_write, uniform};

/// WGSL source (`shaders/dp.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/dp.wgsl");

/// The shader's bindings and entry points.
pub const SHADER: Shader = Shader {
    file: "dp.wgsl",
    source: SOURCE,
    bindings: &[
        uniform("p"),
        read_write("delta"),
        read("act"),
        read_write("norms"),
        read_write("grad"),
    ],
    entries: &["norms_rows", "scale", "noise"],
    constants: &[],
};
/// One layer's share of each example's squared gradient norm.
pub const NORMS: KernelEntry = KernelEntry::of(&SHADER, "norms_rows");
/// Invocations per workgroup of [`NORMS`].
pub const NORMS_WORKGROUP: u32 = 64;
/// Clip each example's δ row and divide by the expected lot size.
pub const SCALE: KernelEntry = KernelEntry::of(&SHADER, "scale");
/// Gaussian noise on one layer's summed gradients.
pub const NOISE: KernelEntry = KernelEntry::of(&SHADER, "noise");
/// Invocations per workgroup of [`SCALE`] and [`NOISE`] (grid-stride loops).
pub const STRIDE_WORKGROUP: u32 = 256;

/// Uniform parameters of `dp.wgsl` (one set per layer).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct DpParams {
    /// Rows in the lot.
    pub rows: u32,
    /// The layer's outputs (δ's width).
    pub width: u32,
    /// The layer's inputs.
    pub in_width: u32,
    /// 0 for the first layer processed (assign), 1 after (add).
    pub accumulate: u32,
    /// The clipping norm C.
    pub clip: f32,
    /// 1 / the expected lot size.
    pub inv_lot: f32,
    /// σ·C / the expected lot size.
    pub noise_std: f32,
    /// The noise seed.
    pub seed: u32,
    /// The step (the noise's counter).
    pub step: u32,
    /// The layer (tensor ids 2·layer, 2·layer + 1).
    pub layer: u32,
    /// The weight gradient's offset in the packed gradients (f32s).
    pub w_off: u32,
    /// Its length.
    pub w_len: u32,
    /// The bias gradient's offset.
    pub b_off: u32,
    /// Its length.
    pub b_len: u32,
    /// Padding.
    pub pad: [u32; 2],
}

/// DP-SGD's settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DpConfig {
    /// The clipping norm C: each example's whole gradient is scaled to norm at most C.
    pub clip: f32,
    /// The noise multiplier σ: the summed clipped gradient gets N(0, σ²C²) per coordinate.
    pub noise: f32,
    /// The expected lot size L = q·N the sum is divided by (Poisson sampling with rate q).
    pub expected_lot: f32,
    /// Seed of the noise.
    pub seed: u32,
}

impl DpConfig {
    /// Rejects settings that mean nothing: a clip norm or lot size not positive and finite, a
    /// negative or non-finite noise multiplier.
    pub fn validate(&self) -> Result<(), crate::EngineError> {
        let ok = self.clip.is_finite()
            && self.clip > 0.0
            && self.noise.is_finite()
            && self.noise >= 0.0
            && self.expected_lot.is_finite()
            && self.expected_lot >= 1.0;
        if ok {
            Ok(())
        } else {
            Err(crate::EngineError::Hyperparameter(format!(
                "DP-SGD needs a clip norm > 0, a noise multiplier ≥ 0 and an expected lot size ≥ 1 (got C = {}, σ = {}, L = {})",
                self.clip, self.noise, self.expected_lot
            )))
        }
    }
}

/// Squared norm of each row of `m` (`[rows, width]`).
pub fn row_sq_norms(m: &[f32], width: usize) -> Vec<f32> {
    m.chunks_exact(width)
        .map(|r| r.iter().map(|v| v * v).sum())
        .collect()
}

/// One layer's share of each example's squared gradient norm, as `norms_rows` computes it:
/// ‖δ_r‖²·(‖a_r‖² + 1).
pub fn layer_norms(delta: &[f32], width: usize, act: &[f32], in_width: usize) -> Vec<f32> {
    row_sq_norms(delta, width)
        .iter()
        .zip(row_sq_norms(act, in_width))
        .map(|(d, a)| d * (a + 1.0))
        .collect()
}

/// The factor `scale` applies to example r's δ rows: min(1, C/‖g_r‖) / L.
pub fn clip_factor(sq_norm: f32, clip: f32, inv_lot: f32) -> f32 {
    let f = if sq_norm > clip * clip {
        clip / sq_norm.sqrt()
    } else {
        1.0
    };
    f * inv_lot
}

fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// The standard normal draw the `noise` entry adds for element `j` of tensor `tensor` at `step`.
pub fn gaussian(seed: u32, step: u32, tensor: u32, j: u32) -> f32 {
    let key = pcg(seed ^ pcg(step ^ pcg(tensor ^ pcg(j))));
    let h1 = pcg(key);
    let h2 = pcg(key ^ 0x9e37_79b9);
    let u1 = ((h1 >> 8) + 1) as f32 * (1.0 / 16_777_216.0);
    let u2 = (h2 >> 8) as f32 * (1.0 / 16_777_216.0);
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_noise_is_standard_normal_and_reproducible() {
        let n = 200_000u32;
        let xs: Vec<f64> = (0..n).map(|j| f64::from(gaussian(7, 3, 1, j))).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n);
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
        let within_one = xs.iter().filter(|x| x.abs() < 1.0).count() as f64 / f64::from(n);
        assert!((within_one - 0.6827).abs() < 0.005, "{within_one}");
        assert_eq!(gaussian(7, 3, 1, 5), gaussian(7, 3, 1, 5));
        assert_ne!(gaussian(7, 3, 1, 5), gaussian(7, 4, 1, 5));
        assert_ne!(gaussian(7, 3, 1, 5), gaussian(8, 3, 1, 5));
        assert_ne!(gaussian(7, 3, 1, 5), gaussian(7, 3, 2, 5));
    }

    #[test]
    fn the_clip_factor_caps_the_norm_at_c() {
        assert_eq!(clip_factor(4.0, 1.0, 1.0), 0.5);
        assert_eq!(clip_factor(0.25, 1.0, 0.5), 0.5);
        assert_eq!(clip_factor(0.0, 1.0, 1.0), 1.0);
        assert!(
            DpConfig {
                clip: 0.0,
                noise: 1.0,
                expected_lot: 8.0,
                seed: 0
            }
            .validate()
            .is_err()
        );
        assert!(
            DpConfig {
                clip: 1.0,
                noise: -1.0,
                expected_lot: 8.0,
                seed: 0
            }
            .validate()
            .is_err()
        );
        assert!(
            DpConfig {
                clip: 1.0,
                noise: 0.0,
                expected_lot: 8.0,
                seed: 0
            }
            .validate()
            .is_ok()
        );
    }
}
