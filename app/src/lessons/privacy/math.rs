//! The lesson's arithmetic, kept apart from the page so tests can reach it: the membership test's
//! best threshold, histograms, and the accountant's ε for the page's settings.

use kernels::privacy::{Conversion, dp_sgd_epsilon};

use super::protocol::Membership;

/// δ of every ε the lesson shows.
pub const DELTA: f64 = 1e-5;

/// The loss-threshold membership test at its best threshold: the largest TPR − FPR over every
/// threshold (calling an image a member when its loss is at most the threshold).
pub fn membership(members: &[f32], outsiders: &[f32]) -> Membership {
    let mut all: Vec<(f32, bool)> = members
        .iter()
        .map(|&l| (l, true))
        .chain(outsiders.iter().map(|&l| (l, false)))
        .filter(|(l, _)| l.is_finite())
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (m, o) = (members.len().max(1) as f32, outsiders.len().max(1) as f32);
    let mut best = Membership {
        threshold: f32::NEG_INFINITY,
        tpr: 0.0,
        fpr: 0.0,
        advantage: 0.0,
    };
    let (mut tp, mut fp) = (0usize, 0usize);
    for (i, &(loss, member)) in all.iter().enumerate() {
        if member {
            tp += 1;
        } else {
            fp += 1;
        }
        // Only between distinct losses: a threshold cannot split equal ones.
        if all.get(i + 1).is_some_and(|next| next.0 == loss) {
            continue;
        }
        let (tpr, fpr) = (tp as f32 / m, fp as f32 / o);
        if tpr - fpr > best.advantage {
            best = Membership {
                threshold: loss,
                tpr,
                fpr,
                advantage: tpr - fpr,
            };
        }
    }
    best
}

/// Counts of `values` in `bins` equal bins over `[0, top]` (values above go to the last bin).
pub fn histogram(values: &[f32], top: f32, bins: usize) -> Vec<usize> {
    let mut h = vec![0; bins.max(1)];
    let width = top / h.len() as f32;
    for &v in values.iter().filter(|v| v.is_finite()) {
        let i = ((v.max(0.0) / width) as usize).min(h.len() - 1);
        h[i] += 1;
    }
    h
}

/// ε at δ = 10⁻⁵ after `steps` lots of expected size `lot` from `n` examples with noise `sigma`.
pub fn epsilon(lot: usize, n: usize, sigma: f32, steps: u64) -> Option<f64> {
    let q = lot as f64 / n.max(1) as f64;
    dp_sgd_epsilon(q, f64::from(sigma), steps, DELTA, Conversion::Classic)
        .ok()
        .map(|e| e.epsilon)
}

/// The noise multiplier that spends `target` ε over `steps` lots of `lot` from `n` (bisection: ε falls
/// as σ grows); `None` when even σ = 20 spends more.
pub fn sigma_for(target: f64, lot: usize, n: usize, steps: u64) -> Option<f32> {
    let eps = |s: f32| epsilon(lot, n, s, steps).unwrap_or(f64::INFINITY);
    let (mut lo, mut hi) = (0.3f32, 20.0f32);
    if eps(hi) > target {
        return None;
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if eps(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(hi)
}

/// Lots in an epoch of `n` examples at expected size `lot` (as `EpochBatches::poisson` draws them).
pub fn lots_per_epoch(lot: usize, n: usize) -> u64 {
    (n as f64 / lot.max(1) as f64).round().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_threshold_separates_what_it_can() {
        let m = membership(&[0.1, 0.2, 0.3, 2.0], &[0.25, 1.0, 1.5, 3.0]);
        // At 0.2: TPR 2/4, FPR 0 → 0.5; at 0.3: 3/4 − 1/4 = 0.5; the first of equals is kept.
        assert_eq!(m.advantage, 0.5);
        assert_eq!((m.tpr, m.fpr), (0.5, 0.0));
        let same = membership(&[1.0, 1.0], &[1.0, 1.0]);
        assert_eq!(same.advantage, 0.0, "equal losses tell nothing");
        let all = membership(&[0.0, 0.0], &[5.0, 6.0]);
        assert_eq!(all.advantage, 1.0);
    }

    #[test]
    fn histograms_and_epsilon() {
        assert_eq!(
            histogram(&[0.0, 0.4, 0.6, 0.99, 7.0, f32::NAN], 1.0, 2),
            vec![2, 3]
        );
        assert_eq!(lots_per_epoch(50, 1000), 20);
        let e1 = epsilon(256, 60_000, 1.12, 14_062).unwrap();
        assert!((e1 - 2.92).abs() < 0.01, "{e1}");
        let s = sigma_for(3.0, 50, 1000, 600).unwrap();
        assert!(
            (epsilon(50, 1000, s, 600).unwrap() - 3.0).abs() < 0.01,
            "σ {s}"
        );
        assert!(sigma_for(0.001, 500, 1000, 60_000).is_none());
        // Doubling σ does not halve ε: it falls by more.
        let (a, b) = (
            epsilon(50, 1000, 1.0, 600).unwrap(),
            epsilon(50, 1000, 2.0, 600).unwrap(),
        );
        assert!(b < a / 2.0, "{a} {b}");
    }
}
