//! The cross-entropy lesson's arithmetic, done on the page in f64 from what the student set or what
//! the live model answered. Its tests hold it to the kernels' CPU reference, so the page and the WGSL
//! kernels cannot disagree on the formula.

/// softmax(z), stable.
pub fn softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// Each term −p(x) · log q(x) of H(p, q); a term with p(x) = 0 is 0 (the limit), even where q(x) = 0.
pub fn terms(p: &[f64], q: &[f64]) -> Vec<f64> {
    p.iter()
        .zip(q)
        .map(|(&p, &q)| if p == 0.0 { 0.0 } else { -p * q.ln() })
        .collect()
}

/// H(p, q) = −Σ p(x) log q(x).
pub fn cross_entropy(p: &[f64], q: &[f64]) -> f64 {
    terms(p, q).iter().sum()
}

/// H(p, softmax(z)) from logits, through log-softmax (exact even where q underflows).
pub fn cross_entropy_logits(p: &[f64], z: &[f64]) -> f64 {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lse = max + z.iter().map(|&v| (v - max).exp()).sum::<f64>().ln();
    p.iter()
        .zip(z)
        .filter(|(p, _)| **p != 0.0)
        .map(|(&p, &z)| -p * (z - lse))
        .sum()
}

/// ∂H/∂z = q − p (for p summing to 1).
pub fn gradient(p: &[f64], q: &[f64]) -> Vec<f64> {
    q.iter().zip(p).map(|(q, p)| q - p).collect()
}

/// Mean squared error between the probabilities, Σ (q − p)².
pub fn mse(p: &[f64], q: &[f64]) -> f64 {
    q.iter().zip(p).map(|(q, p)| (q - p) * (q - p)).sum()
}

/// ∂MSE/∂z through the softmax: ∂L/∂z_k = q_k (g_k − Σ_m q_m g_m) with g = 2 (q − p).
pub fn mse_gradient(p: &[f64], q: &[f64]) -> Vec<f64> {
    let g: Vec<f64> = q.iter().zip(p).map(|(q, p)| 2.0 * (q - p)).collect();
    let dot: f64 = q.iter().zip(&g).map(|(q, g)| q * g).sum();
    q.iter().zip(&g).map(|(q, g)| q * (g - dot)).collect()
}

/// q with `t` on the true class and the rest spread evenly: the one-parameter family the
/// cross-entropy-versus-MSE chart walks along.
pub fn q_with_true(t: f64, label: usize, classes: usize) -> Vec<f64> {
    let rest = (1.0 - t) / (classes - 1) as f64;
    (0..classes)
        .map(|k| if k == label { t } else { rest })
        .collect()
}

/// One-hot p, softened by `smoothing` (label smoothing: (1 − s) · one-hot + s / K).
pub fn target(label: usize, classes: usize, smoothing: f64) -> Vec<f64> {
    (0..classes)
        .map(|k| (1.0 - smoothing) * f64::from(u8::from(k == label)) + smoothing / classes as f64)
        .collect()
}

/// q with class `k` set to `value` and the others rescaled to share the rest (a dragged bar).
pub fn set_probability(q: &[f64], k: usize, value: f64) -> Vec<f64> {
    let value = value.clamp(1e-6, 1.0 - 1e-6);
    let others: f64 = q
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != k)
        .map(|(_, v)| v)
        .sum();
    let n = (q.len() - 1) as f64;
    q.iter()
        .enumerate()
        .map(|(i, &v)| {
            if i == k {
                value
            } else if others > 0.0 {
                v / others * (1.0 - value)
            } else {
                (1.0 - value) / n
            }
        })
        .collect()
}

/// Logits whose softmax is `q` (log q, shifted to mean zero).
pub fn logits_of(q: &[f64]) -> Vec<f64> {
    let l: Vec<f64> = q.iter().map(|v| v.max(1e-12).ln()).collect();
    let mean = l.iter().sum::<f64>() / l.len() as f64;
    l.iter().map(|v| v - mean).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernels::ops::softmax_cross_entropy;

    #[test]
    fn the_pages_cross_entropy_and_gradient_equal_the_kernels_reference() {
        let z = [1.5, -0.3, 0.2, 4.0, -2.0, 0.0, 0.7, -1.1, 2.2, 0.05];
        for label in [0usize, 3, 9] {
            let (loss, grad) = softmax_cross_entropy::reference(&z, &[label as u32], 1, 10, 1.0f64);
            let p = target(label, 10, 0.0);
            let q = softmax(&z);
            assert!((cross_entropy(&p, &q) - loss[0]).abs() < 1e-12);
            assert!((cross_entropy_logits(&p, &z) - loss[0]).abs() < 1e-12);
            for (a, b) in gradient(&p, &q).iter().zip(&grad) {
                assert!((a - b).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn gradients_match_finite_differences_and_mse_vanishes_on_confident_mistakes() {
        let z = [0.3, -1.0, 2.0, 0.5];
        let p = [0.1, 0.0, 0.6, 0.3];
        let h = 1e-6;
        for k in 0..4 {
            let (mut up, mut down) = (z, z);
            up[k] += h;
            down[k] -= h;
            let fd_ce =
                (cross_entropy_logits(&p, &up) - cross_entropy_logits(&p, &down)) / (2.0 * h);
            assert!((fd_ce - gradient(&p, &softmax(&z))[k]).abs() < 1e-7);
            let fd_mse = (mse(&p, &softmax(&up)) - mse(&p, &softmax(&down))) / (2.0 * h);
            assert!((fd_mse - mse_gradient(&p, &softmax(&z))[k]).abs() < 1e-7);
        }
        // q(true) → 0: cross-entropy's gradient on the true logit tends to −1, MSE's to 0.
        let p = target(2, 10, 0.0);
        let q = q_with_true(1e-4, 2, 10);
        assert!((gradient(&p, &q)[2] + 1.0).abs() < 1e-3);
        assert!(mse_gradient(&p, &q)[2].abs() < 1e-3);
        // A dragged bar keeps q a distribution, and its logits give it back.
        let q2 = set_probability(&softmax(&z), 1, 0.5);
        assert!((q2.iter().sum::<f64>() - 1.0).abs() < 1e-12 && (q2[1] - 0.5).abs() < 1e-12);
        for (a, b) in softmax(&logits_of(&q2)).iter().zip(&q2) {
            assert!((a - b).abs() < 1e-9);
        }
    }
}
