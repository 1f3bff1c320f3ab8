//! Which pixels a class's score depends on, from the engine's input gradients
//! ([`Engine::input_gradients`] with [`InputGradient::Logit`]), in pixel space (0–1 pixels, the
//! normalisation applied inside: ∂z/∂pixel = ∂z/∂x̂ / std):
//! - **gradient** (Simonyan et al. 2014): ∂z_c/∂x at the image;
//! - **SmoothGrad** (Smilkov et al. 2017): the gradient averaged over `samples` noisy copies
//!   x + N(0, σ²) (seeded);
//! - **integrated gradients** (Sundararajan et al. 2017): (x − x₀) ⊙ the gradient averaged along the
//!   straight path from a baseline x₀ to x (midpoint rule, `steps` points). Its attributions add up to
//!   z_c(x) − z_c(x₀) (completeness) as the steps grow; [`Completeness`] measures how close.
//!
//! Also the sanity check's measure (Adebayo et al. 2018): the rank correlation of two maps' magnitudes.

use crate::attack::normalise;
use crate::engine::{Engine, InputGradient};
use crate::error::EngineError;
use crate::rng::SeededRng;

/// The sum of integrated-gradient attributions against the change of the score they explain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Completeness {
    /// Σ attributions.
    pub sum: f32,
    /// z_c(x) − z_c(x₀).
    pub difference: f32,
    /// |sum − difference| / max(|difference|, |z_c(x)|, 1): the gap relative to the scale of the
    /// scores, so that a difference near 0 (an image the baseline already scores alike) does not
    /// turn a tiny gap into a huge relative error.
    pub relative_error: f32,
}

/// The logit of `class` for each row of `pixels` (0–1), computed by the engine.
pub async fn logits_of(
    engine: &mut impl Engine,
    pixels: &[f32],
    (mean, std): (f32, f32),
    class: usize,
) -> Result<Vec<f32>, EngineError> {
    let features = engine.widths()[0];
    let classes = *engine.widths().last().unwrap_or(&1);
    let rows = pixels.len() / features.max(1);
    let mut out = Vec::with_capacity(rows);
    for chunk in pixels.chunks(engine.max_rows() * features) {
        let n = chunk.len() / features;
        let z = engine.predict(&normalise(chunk, mean, std), n).await?;
        out.extend(z.chunks_exact(classes).map(|r| r[class]));
    }
    Ok(out)
}

/// ∂z_class/∂pixel for every row of `pixels` (0–1), in chunks the engine takes.
pub async fn pixel_gradients(
    engine: &mut impl Engine,
    pixels: &[f32],
    (mean, std): (f32, f32),
    class: usize,
) -> Result<Vec<f32>, EngineError> {
    let features = engine.widths()[0];
    let mut out = Vec::with_capacity(pixels.len());
    for chunk in pixels.chunks(engine.max_rows() * features) {
        let n = chunk.len() / features;
        let g = engine
            .input_gradients(
                &normalise(chunk, mean, std),
                &vec![0; n],
                InputGradient::Logit(class),
            )
            .await?;
        out.extend(g.iter().map(|v| v / std));
    }
    Ok(out)
}

/// The mean of `rows` rows of `features` values.
fn mean_rows(values: &[f32], features: usize) -> Vec<f32> {
    let rows = (values.len() / features.max(1)).max(1);
    let mut mean = vec![0.0f32; features];
    for row in values.chunks_exact(features) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= rows as f32);
    mean
}

/// The plain gradient map of one image.
pub async fn gradient(
    engine: &mut impl Engine,
    image: &[f32],
    norm: (f32, f32),
    class: usize,
) -> Result<Vec<f32>, EngineError> {
    pixel_gradients(engine, image, norm, class).await
}

/// SmoothGrad: the gradient averaged over `samples` copies with Gaussian noise of spread `noise`
/// (pixel units) added; the noisy pixels are not clipped, as in the paper.
pub async fn smoothgrad(
    engine: &mut impl Engine,
    image: &[f32],
    norm: (f32, f32),
    class: usize,
    (samples, noise, seed): (usize, f32, u64),
) -> Result<Vec<f32>, EngineError> {
    let mut rng = SeededRng::new(seed);
    let mut gauss = move || {
        // Box–Muller on two uniforms in (0, 1].
        let u1 = 1.0 - rng.next_f32();
        let u2 = rng.next_f32();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    };
    let noisy: Vec<f32> = (0..samples.max(1))
        .flat_map(|_| {
            image
                .iter()
                .map(|&p| p + noise * gauss())
                .collect::<Vec<_>>()
        })
        .collect();
    let g = pixel_gradients(engine, &noisy, norm, class).await?;
    Ok(mean_rows(&g, image.len()))
}

/// Integrated gradients from `baseline` to `image` with `steps` midpoint points, and its
/// completeness check.
pub async fn integrated(
    engine: &mut impl Engine,
    image: &[f32],
    baseline: &[f32],
    norm: (f32, f32),
    class: usize,
    steps: usize,
) -> Result<(Vec<f32>, Completeness), EngineError> {
    let steps = steps.max(1);
    let path: Vec<f32> = (0..steps)
        .flat_map(|k| {
            let t = (k as f32 + 0.5) / steps as f32;
            image
                .iter()
                .zip(baseline)
                .map(move |(&x, &b)| b + t * (x - b))
        })
        .collect();
    let g = mean_rows(
        &pixel_gradients(engine, &path, norm, class).await?,
        image.len(),
    );
    let map: Vec<f32> = g
        .iter()
        .zip(image.iter().zip(baseline))
        .map(|(g, (x, b))| g * (x - b))
        .collect();
    let ends = logits_of(engine, &[image, baseline].concat(), norm, class).await?;
    let sum = map.iter().map(|&v| f64::from(v)).sum::<f64>() as f32;
    let difference = ends[0] - ends[1];
    Ok((
        map,
        Completeness {
            sum,
            difference,
            relative_error: (sum - difference).abs() / difference.abs().max(ends[0].abs()).max(1.0),
        },
    ))
}

/// A blurred copy of a `side × side` image (a box blur of radius `radius`, three passes ≈ a
/// Gaussian): integrated gradients' "blurred" baseline keeps the shape's mass without its edges.
pub fn blurred(image: &[f32], side: usize, radius: usize) -> Vec<f32> {
    let mut cur = image.to_vec();
    for _ in 0..3 {
        for horizontal in [true, false] {
            let mut next = vec![0.0; cur.len()];
            for y in 0..side {
                for x in 0..side {
                    let (mut sum, mut n) = (0.0, 0.0);
                    for d in -(radius as isize)..=radius as isize {
                        let (xx, yy) = if horizontal {
                            (x as isize + d, y as isize)
                        } else {
                            (x as isize, y as isize + d)
                        };
                        if (0..side as isize).contains(&xx) && (0..side as isize).contains(&yy) {
                            sum += cur[yy as usize * side + xx as usize];
                            n += 1.0;
                        }
                    }
                    next[y * side + x] = sum / n;
                }
            }
            cur = next;
        }
    }
    cur
}

/// Ranks of `v` (0 = smallest), ties given their mean rank.
fn ranks(v: &[f32]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0;
        for &k in &order[i..=j] {
            r[k] = mean;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation of the magnitudes |a| and |b| (1: the same pixels matter in the same
/// order; near 0: unrelated maps). Ties share their mean rank, so pixels that are 0 in both maps agree
/// perfectly: for integrated gradients from the black baseline, (x − x₀) is exactly 0 on the ~600
/// background pixels of an MNIST digit, and ρ is dominated by them whatever the weights.
pub fn rank_correlation(a: &[f32], b: &[f32]) -> f32 {
    let abs = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<_>>();
    let (ra, rb) = (ranks(&abs(a)), ranks(&abs(b)));
    let n = ra.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        cov += (x - mean) * (y - mean);
        va += (x - mean) * (x - mean);
        vb += (y - mean) * (y - mean);
    }
    if va <= 0.0 || vb <= 0.0 {
        return 0.0;
    }
    (cov / (va * vb).sqrt()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_correlation_of_a_map_with_itself_its_scaled_copy_and_its_reverse() {
        let a = [0.1, -0.5, 0.3, 0.9, 0.0];
        assert!((rank_correlation(&a, &a) - 1.0).abs() < 1e-6);
        let scaled: Vec<f32> = a.iter().map(|v| -3.0 * v).collect();
        assert!(
            (rank_correlation(&a, &scaled) - 1.0).abs() < 1e-6,
            "magnitudes"
        );
        let reversed = [0.8, 0.2, 0.5, 0.0, 1.0];
        assert!(rank_correlation(&a, &reversed) < -0.9);
        assert_eq!(rank_correlation(&[1.0; 4], &a[..4]), 0.0, "a flat map");
    }

    #[test]
    fn blurring_keeps_the_mass_of_an_interior_blob_and_spreads_it() {
        let mut img = vec![0.0; 28 * 28];
        img[14 * 28 + 14] = 1.0;
        let b = blurred(&img, 28, 2);
        assert!((b.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(b[14 * 28 + 14] < 0.2 && b[14 * 28 + 16] > 0.0);
    }
}
