//! Adversarial examples (Goodfellow et al. 2015; Madry et al. 2018) in pixel space: FGSM moves every
//! pixel of an image by ε in the direction that raises its loss, x' = clip(x + ε·sign(∇ₓL), 0, 1), with
//! ε in units of the 0–1 pixel range and the normalisation applied after; PGD takes several smaller
//! such steps, each projected back into the ε-box around the image. The gradient is the engine's
//! [`Engine::input_gradients`]; as the normalisation divides by a positive std, the sign of the
//! gradient with respect to the normalised input is the sign with respect to the pixels.

use crate::dataset::Dataset;
use crate::engine::{Engine, InputGradient};
use crate::error::EngineError;

/// One attack: ε and the number of steps (1 is FGSM).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attack {
    /// The largest change of any pixel, in units of the 0–1 range.
    pub epsilon: f32,
    /// Steps (1: FGSM; more: PGD with step size 2.5·ε/steps, as Madry et al.).
    pub steps: usize,
}

/// One signed-gradient step from `pixels` (0–1), projected into the ε-box around `original` and
/// into 0–1.
pub fn step(pixels: &mut [f32], original: &[f32], gradient: &[f32], size: f32, epsilon: f32) {
    for ((p, &o), &g) in pixels.iter_mut().zip(original).zip(gradient) {
        let s = if g > 0.0 {
            1.0
        } else if g < 0.0 {
            -1.0
        } else {
            0.0
        };
        *p = (*p + size * s)
            .clamp(o - epsilon, o + epsilon)
            .clamp(0.0, 1.0);
    }
}

/// Normalised inputs from 0–1 pixels.
pub fn normalise(pixels: &[f32], mean: f32, std: f32) -> Vec<f32> {
    pixels.iter().map(|&p| (p - mean) / std).collect()
}

/// The adversarial images of `original` (0–1 pixels, `labels.len()` rows) under `attack`.
pub async fn perturb(
    engine: &mut impl Engine,
    original: &[f32],
    labels: &[u32],
    (mean, std): (f32, f32),
    attack: Attack,
) -> Result<Vec<f32>, EngineError> {
    let mut pixels = original.to_vec();
    if attack.epsilon <= 0.0 {
        return Ok(pixels);
    }
    let steps = attack.steps.max(1);
    let size = if steps == 1 {
        attack.epsilon
    } else {
        2.5 * attack.epsilon / steps as f32
    };
    for _ in 0..steps {
        let x = normalise(&pixels, mean, std);
        let g = engine
            .input_gradients(&x, labels, InputGradient::Loss)
            .await?;
        step(&mut pixels, original, &g, size, attack.epsilon);
    }
    Ok(pixels)
}

/// Accuracy on `test` (all of it) when every image is attacked, in chunks of `chunk` rows.
pub async fn adversarial_accuracy(
    engine: &mut impl Engine,
    test: &Dataset,
    attack: Attack,
    chunk: usize,
) -> Result<f32, EngineError> {
    let f = test.features();
    let classes = test.classes();
    let mut correct = 0usize;
    for start in (0..test.len()).step_by(chunk.max(1)) {
        let end = (start + chunk).min(test.len());
        let original: Vec<f32> = test.images[start * f..end * f]
            .iter()
            .map(|&b| f32::from(b) / 255.0)
            .collect();
        let labels: Vec<u32> = test.labels[start..end]
            .iter()
            .map(|&l| u32::from(l))
            .collect();
        let adv = perturb(engine, &original, &labels, (test.mean, test.std), attack).await?;
        let logits = engine
            .predict(&normalise(&adv, test.mean, test.std), end - start)
            .await?;
        correct += logits
            .chunks_exact(classes)
            .zip(&labels)
            .filter(|(z, l)| {
                let best = z
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map_or(0, |(i, _)| i);
                best == **l as usize
            })
            .count();
    }
    Ok(correct as f32 / test.len().max(1) as f32)
}

/// Steps of the PGD the lesson runs beside FGSM (PGD-10, as Madry et al. evaluate).
pub const PGD_STEPS: usize = 10;

/// Whether each row of `logits` puts its largest value on its label.
fn right(logits: &[f32], labels: &[u32], classes: usize) -> Vec<bool> {
    logits
        .chunks_exact(classes)
        .zip(labels)
        .map(|(z, &l)| {
            let best = z
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map_or(0, |(i, _)| i);
            best == l as usize
        })
        .collect()
}

/// Images of `test` (all of it, one batch) still classified correctly under FGSM at ε, and, with
/// `pgd_steps`, under PGD too. PGD starts from the FGSM image and takes `pgd_steps` steps of
/// 2.5·ε/steps, each projected into the ε-box; an image withstands PGD only if it withstands both
/// the FGSM image and PGD's last one, so PGD's count is never above FGSM's — the stronger attack is
/// at least as strong as the weaker one on every image, not only on average.
pub async fn fgsm_and_pgd_correct(
    engine: &mut impl Engine,
    test: &Dataset,
    epsilon: f32,
    pgd_steps: Option<usize>,
) -> Result<(usize, Option<usize>), EngineError> {
    let f = test.features();
    let classes = test.classes();
    let norm = (test.mean, test.std);
    let original: Vec<f32> = test.images[..test.len() * f]
        .iter()
        .map(|&b| f32::from(b) / 255.0)
        .collect();
    let labels: Vec<u32> = test.labels.iter().map(|&l| u32::from(l)).collect();
    let fgsm = perturb(
        engine,
        &original,
        &labels,
        norm,
        Attack { epsilon, steps: 1 },
    )
    .await?;
    let z = engine
        .predict(&normalise(&fgsm, norm.0, norm.1), test.len())
        .await?;
    let ok_fgsm = right(&z, &labels, classes);
    let fgsm_correct = ok_fgsm.iter().filter(|&&b| b).count();
    let Some(steps) = pgd_steps else {
        return Ok((fgsm_correct, None));
    };
    if epsilon <= 0.0 || steps == 0 {
        return Ok((fgsm_correct, Some(fgsm_correct)));
    }
    let mut pixels = fgsm;
    let size = 2.5 * epsilon / steps as f32;
    for _ in 0..steps {
        let g = engine
            .input_gradients(
                &normalise(&pixels, norm.0, norm.1),
                &labels,
                InputGradient::Loss,
            )
            .await?;
        step(&mut pixels, &original, &g, size, epsilon);
    }
    let z = engine
        .predict(&normalise(&pixels, norm.0, norm.1), test.len())
        .await?;
    let pgd_correct = right(&z, &labels, classes)
        .iter()
        .zip(&ok_fgsm)
        .filter(|(a, b)| **a && **b)
        .count();
    Ok((fgsm_correct, Some(pgd_correct)))
}

/// Adversarial fine-tuning's optimiser (the lesson and `backprop-lab attack --harden` share it):
/// plain SGD with momentum at a small rate, as the model is trained already.
pub const FINE_TUNE: crate::OptimizerConfig = crate::OptimizerConfig {
    kind: crate::OptimizerKind::Sgd,
    lr: 0.02,
    momentum: 0.9,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weight_decay: 0.0,
};

/// The ε's a robustness curve is measured at (the lesson's curve and `backprop-lab attack`'s default).
pub const CURVE_EPSILONS: [f32; 7] = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3];

/// ε of adversarial fine-tuning's FGSM images (the lesson's and `attack --harden`'s default).
pub const FINE_TUNE_EPSILON: f32 = 0.1;

/// Clean images per fine-tuning step (as many adversarial or repeated ones join them).
pub const FINE_TUNE_BATCH: usize = 64;

/// One step of adversarial training (Goodfellow et al. 2015): the batch's FGSM images at ε under the
/// current weights, then one training step on the clean and the adversarial images together
/// (2·rows rows). With `adversarial = false` the clean images are taken twice instead: the control
/// arm, with the same steps, batch size and order, that tells "more training" from "adversarial
/// training". Adversarial pixels are rounded to bytes (0–255), as the engine's data are; the change
/// is at most half a grey level.
pub async fn mixed_step(
    engine: &mut impl Engine,
    batch: &Dataset,
    epsilon: f32,
    opt: &crate::OptimizerConfig,
    adversarial: bool,
) -> Result<(), EngineError> {
    let mut both = batch.clone();
    if adversarial {
        let original: Vec<f32> = batch.images.iter().map(|&b| f32::from(b) / 255.0).collect();
        let labels: Vec<u32> = batch.labels.iter().map(|&l| u32::from(l)).collect();
        let adv = perturb(
            engine,
            &original,
            &labels,
            (batch.mean, batch.std),
            Attack { epsilon, steps: 1 },
        )
        .await?;
        both.images.extend(
            adv.iter()
                .map(|&p| (p * 255.0).round().clamp(0.0, 255.0) as u8),
        );
    } else {
        both.images.extend_from_slice(&batch.images);
    }
    both.labels.extend_from_slice(&batch.labels);
    engine.set_data(crate::dataset::Split::Train, &both)?;
    let rows: Vec<u32> = (0..both.len() as u32).collect();
    engine.train_step(&rows, opt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_moves_by_the_sign_and_stays_in_the_box_and_the_pixel_range() {
        let original = [0.0, 0.5, 1.0, 0.3];
        let mut p = original;
        let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6);
        step(&mut p, &original, &[-2.0, 3.0, 1.0, 0.0], 0.1, 0.1);
        assert!(close(&p, &[0.0, 0.6, 1.0, 0.3]), "{p:?}");
        step(&mut p, &original, &[1.0, 1.0, -1.0, -1.0], 0.25, 0.1);
        assert!(
            close(&p, &[0.1, 0.6, 0.9, 0.2]),
            "projected into the ε-box: {p:?}"
        );
    }

    #[test]
    fn pgd_never_leaves_more_images_right_than_fgsm_and_fgsm_matches_its_accuracy() {
        use crate::{CpuEngine, Mlp};
        let n = 200;
        let test = crate::testing::random_dataset(n, 12, 4, 4);
        let model = Mlp::new(12, &[16], 4, 3).unwrap();
        let mut engine = CpuEngine::new(&model, n).unwrap();
        let mut stronger = false;
        for epsilon in [0.0, 0.05, 0.1, 0.2, 0.4] {
            let (f, p) = pollster::block_on(fgsm_and_pgd_correct(
                &mut engine,
                &test,
                epsilon,
                Some(PGD_STEPS),
            ))
            .unwrap();
            let p = p.unwrap();
            assert!(p <= f, "ε {epsilon}: PGD {p} > FGSM {f}");
            if epsilon == 0.0 {
                assert_eq!(p, f);
            }
            stronger |= p < f;
            let acc = pollster::block_on(adversarial_accuracy(
                &mut engine,
                &test,
                Attack { epsilon, steps: 1 },
                n,
            ))
            .unwrap();
            assert_eq!(f, (acc * n as f32).round() as usize, "ε {epsilon}");
            let (alone, none) =
                pollster::block_on(fgsm_and_pgd_correct(&mut engine, &test, epsilon, None))
                    .unwrap();
            assert_eq!((alone, none), (f, None));
        }
        assert!(stronger, "PGD finds images FGSM misses at some ε");
    }
}
