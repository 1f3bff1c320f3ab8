//! The lesson's arithmetic, kept apart from the page so tests can reach it: the membership test (its
//! threshold chosen on one half of the images, its advantage measured on the other), the advantage
//! with no leak at all (the same losses, membership shuffled), the bound DP puts on any attack,
//! histograms, and the accountant's ε for the page's settings.

use kernels::privacy::{Conversion, dp_sgd_epsilon};

use super::protocol::Membership;

/// δ of every ε the lesson shows.
pub const DELTA: f64 = 1e-5;

/// The loss-threshold membership test at its best threshold on these images: the largest TPR − FPR
/// over every threshold (calling an image a member when its loss is at most the threshold). Chosen
/// with the membership labels, it is an in-sample maximum: [`held_out`] reports it on other images.
pub fn best_threshold(members: &[f32], outsiders: &[f32]) -> Membership {
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

/// Even-numbered and odd-numbered entries: the half that chooses the threshold, the half that is judged.
fn halves(v: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let even = v.iter().step_by(2).copied().collect();
    let odd = v.iter().skip(1).step_by(2).copied().collect();
    (even, odd)
}

/// The share of `v` at most `threshold` (NaN counts as above every threshold).
fn share_at_most(v: &[f32], threshold: f32) -> f32 {
    v.iter().filter(|&&l| l <= threshold).count() as f32 / v.len().max(1) as f32
}

/// The membership test as an attacker must run it: the threshold chosen on the even-numbered members
/// and outsiders ([`best_threshold`]), the rates and the advantage measured on the odd-numbered ones,
/// which played no part in the choice. With no leak its advantage is 0 on average.
pub fn held_out(members: &[f32], outsiders: &[f32]) -> Membership {
    let ((m_fit, m_judge), (o_fit, o_judge)) = (halves(members), halves(outsiders));
    let threshold = best_threshold(&m_fit, &o_fit).threshold;
    let (tpr, fpr) = (
        share_at_most(&m_judge, threshold),
        share_at_most(&o_judge, threshold),
    );
    Membership {
        threshold,
        tpr,
        fpr,
        advantage: tpr - fpr,
    }
}

/// Shuffles the membership labels this many times for the no-leak floor.
pub const SHUFFLES: usize = 200;

/// The no-leak floor: the held-out advantage when membership means nothing — the same losses, members
/// and outsiders pooled and dealt out again at random, [`SHUFFLES`] times — as the level 95 % of those
/// shuffles stay at or below. A measured advantage above it is unlikely to be luck (a one-sided 5 %
/// test): the loss gives away, better than chance, which images were trained on.
pub fn no_leak_floor(members: &[f32], outsiders: &[f32], seed: u64) -> f32 {
    let mut pool: Vec<f32> = members.iter().chain(outsiders).copied().collect();
    let mut rng = seed ^ 0x5851_f42d_4c95_7f2d;
    let mut next = move || {
        // splitmix64: enough for dealing cards, and the same on every engine.
        rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut advantages: Vec<f32> = (0..SHUFFLES)
        .map(|_| {
            for i in (1..pool.len()).rev() {
                pool.swap(i, (next() % (i as u64 + 1)) as usize);
            }
            let (m, o) = pool.split_at(members.len());
            held_out(m, o).advantage
        })
        .collect();
    advantages.sort_by(f32::total_cmp);
    advantages[(SHUFFLES * 95 / 100).min(SHUFFLES - 1)]
}

/// The standard error of a held-out advantage (TPR − FPR, each a share of about half the images).
pub fn advantage_se(m: Membership, members: usize, outsiders: usize) -> f32 {
    let (nm, no) = ((members / 2).max(1) as f32, (outsiders / 2).max(1) as f32);
    (m.tpr * (1.0 - m.tpr) / nm + m.fpr * (1.0 - m.fpr) / no).sqrt()
}

/// The most advantage any membership test can have against an (ε, δ)-DP training run:
/// (eᵋ − 1 + 2δ)/(eᵋ + 1). A measured advantage is a lower bound on what leaks; this is the upper one.
pub fn dp_bound(epsilon: f64, delta: f64) -> f64 {
    let e = epsilon.exp();
    if e.is_infinite() {
        return 1.0;
    }
    ((e - 1.0 + 2.0 * delta) / (e + 1.0)).min(1.0)
}

/// ε as the page shows it: the accountant's value, or ∞ where it gives none. With the lesson's ranges
/// (L ≤ 500 of at least 1,000 members, σ from 0 to 20) it gives none only at σ = 0: with no noise,
/// clipping alone bounds nothing, and no finite ε holds.
pub fn shown_epsilon(epsilon: Option<f64>) -> f64 {
    epsilon.unwrap_or(f64::INFINITY)
}

/// ε in a sentence or a table: `digits` decimals, or "∞".
pub fn epsilon_text(epsilon: f64, digits: usize) -> String {
    if epsilon.is_finite() {
        format!("{epsilon:.digits$}")
    } else {
        "∞".to_string()
    }
}

/// eᵋ as the page writes it: two significant figures below 10, whole numbers above (≈ 69 at ε 4.23).
pub fn exp_epsilon(epsilon: f64) -> String {
    let e = epsilon.exp();
    if !e.is_finite() {
        "∞".to_string()
    } else if e < 10.0 {
        format!("{e:.1}")
    } else if e < 1e6 {
        format!("{e:.0}")
    } else {
        format!("{e:.1e}")
    }
}

/// Standard errors a digit's drop must exceed to be named: ten digits are tested at once, and at 2
/// SE one in ten could be named by chance. Only drops are tested (one-sided): P(z > 2.8) ≈ 0.0026,
/// so over ten digits the chance of naming any by luck is below 5 % (about 2.5 %; Bonferroni over
/// ten one-sided tests would need only 2.58).
pub const DROP_SE: f32 = 2.8;

/// Digits whose accuracy drop from `plain` to `private` exceeds [`DROP_SE`] standard errors (the two
/// runs' binomial errors on `counts` test images of each digit), largest drop first; and that
/// standard error averaged over the digits, for the sentence that names them.
pub fn significant_drops(plain: &[f32], private: &[f32], counts: &[usize]) -> (Vec<usize>, f32) {
    let se = |c: usize| {
        let n = plain.get(c).zip(private.get(c)).map(|(&a, &b)| {
            let n = counts.get(c).copied().unwrap_or(0).max(1) as f32;
            ((a * (1.0 - a) + b * (1.0 - b)) / n).sqrt()
        });
        n.unwrap_or(f32::INFINITY)
    };
    let classes = plain.len().min(private.len());
    let mut drops: Vec<(usize, f32)> = (0..classes)
        .map(|c| (c, plain[c] - private[c]))
        .filter(|&(c, d)| d > DROP_SE * se(c))
        .collect();
    drops.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mean_se = (0..classes).map(se).sum::<f32>() / classes.max(1) as f32;
    (drops.into_iter().map(|(c, _)| c).collect(), mean_se)
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
        let m = best_threshold(&[0.1, 0.2, 0.3, 2.0], &[0.25, 1.0, 1.5, 3.0]);
        // At 0.2: TPR 2/4, FPR 0 → 0.5; at 0.3: 3/4 − 1/4 = 0.5; the first of equals is kept.
        assert_eq!(m.advantage, 0.5);
        assert_eq!((m.tpr, m.fpr), (0.5, 0.0));
        let same = best_threshold(&[1.0, 1.0], &[1.0, 1.0]);
        assert_eq!(same.advantage, 0.0, "equal losses tell nothing");
        let all = best_threshold(&[0.0, 0.0], &[5.0, 6.0]);
        assert_eq!(all.advantage, 1.0);
    }

    /// Losses of no leak: members and outsiders drawn from the same spread.
    fn same_spread(n: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
        let mut x = seed;
        let mut draw = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((x >> 33) as f32 / (1u64 << 31) as f32) * 3.0
        };
        let a = (0..n).map(|_| draw()).collect();
        let b = (0..n).map(|_| draw()).collect();
        (a, b)
    }

    #[test]
    fn the_held_out_advantage_has_no_bias_and_the_floor_is_the_reviews_noise() {
        // The review: with 1,000 against 1,000 and no leak, the in-sample best threshold averages
        // about 0.03. The held-out advantage averages about 0, and its floor is a few hundredths.
        let (mut fit, mut judged) = (0.0, 0.0);
        for seed in 0..40 {
            let (m, o) = same_spread(1000, seed);
            fit += best_threshold(&m, &o).advantage / 40.0;
            judged += held_out(&m, &o).advantage / 40.0;
        }
        assert!(fit > 0.02, "in-sample maximum {fit}");
        assert!(judged.abs() < 0.01, "held out {judged}");
        let (m, o) = same_spread(1000, 7);
        let floor = no_leak_floor(&m, &o, 1);
        assert!((0.02..0.09).contains(&floor), "floor {floor}");
        // A real leak stands far above it: members' losses a third of the outsiders'.
        let members: Vec<f32> = m.iter().map(|l| l / 3.0).collect();
        let leak = held_out(&members, &o);
        assert!(
            leak.advantage > 0.4 && leak.advantage > 3.0 * floor,
            "{leak:?}"
        );
        // The threshold is chosen on the even images only: changing an odd one's loss leaves it.
        let mut moved = members.clone();
        moved[1] = 99.0;
        assert_eq!(held_out(&moved, &o).threshold, leak.threshold);
    }

    #[test]
    fn the_dp_bound_and_e_to_the_epsilon() {
        // The review's figure: at ε ≈ 4.2 the bound is ≈ 0.97, vacuous; at ε 1 it is 0.46.
        assert!((dp_bound(4.229, 1e-5) - 0.971).abs() < 0.001);
        assert!((dp_bound(1.0, 1e-5) - 0.4621).abs() < 0.001);
        assert!(
            dp_bound(0.0, 0.0).abs() < 1e-12,
            "ε 0, δ 0: no attack has any advantage"
        );
        assert_eq!(dp_bound(1000.0, 1e-5), 1.0);
        assert_eq!(exp_epsilon(4.229), "69");
        assert_eq!(exp_epsilon(1.0), "2.7");
        // σ = 0: the accountant gives no ε, the page shows ∞ and the bound is 1 (none at all).
        assert_eq!(epsilon(50, 1000, 0.0, 600), None);
        let e = shown_epsilon(epsilon(50, 1000, 0.0, 600));
        assert_eq!(
            (epsilon_text(e, 2), dp_bound(e, DELTA)),
            ("∞".to_string(), 1.0)
        );
        assert_eq!(exp_epsilon(e), "∞");
        assert_eq!(epsilon_text(shown_epsilon(Some(4.2291)), 2), "4.23");
    }

    #[test]
    fn only_drops_beyond_the_corrected_standard_errors_are_named() {
        // Digit 4: 90 % → 82 % on 200 images is 2.3 SE — named at 2 SE, not after the correction.
        let plain = [0.95, 0.95, 0.90, 0.90, 0.90];
        let private = [0.94, 0.70, 0.86, 0.50, 0.82];
        let (named, se) = significant_drops(&plain, &private, &[200; 5]);
        assert_eq!(
            named,
            vec![3, 1],
            "1, 4 and 8 points are within 2.8 SE on 200 images"
        );
        assert!((0.02..0.04).contains(&se), "{se}");
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
        // The full-MNIST hint's figures need lot=256: ε 0.91 at σ 1.4 over 10 epochs and 2.72 at σ
        // 0.9 over 20; at the page's default L 50 the first is 0.52.
        let full = |lot: usize, s: f32, epochs: u64| {
            epsilon(lot, 60_000, s, lots_per_epoch(lot, 60_000) * epochs).unwrap()
        };
        assert!((full(256, 1.4, 10) - 0.91).abs() < 0.005);
        assert!((full(256, 0.9, 20) - 2.72).abs() < 0.005);
        assert!((full(50, 1.4, 10) - 0.52).abs() < 0.005);
        // Doubling σ does not halve ε: it falls by more.
        let (a, b) = (
            epsilon(50, 1000, 1.0, 600).unwrap(),
            epsilon(50, 1000, 2.0, 600).unwrap(),
        );
        assert!(b < a / 2.0, "{a} {b}");
    }
}
