//! The comparison's verdict, decided from the numbers: the untouched pretrained model, the fine-tuned
//! model and the one trained from scratch, measured on the same held-out examples. Two arms are "about
//! the same" when they lie within a band of max(1 point, 2 standard errors of their difference); with
//! fewer than [`MIN_HELD_OUT`] held-out examples nothing is decided.

/// Below this many held-out examples the verdict says there are too few to tell.
pub const MIN_HELD_OUT: usize = 50;

/// One arm of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arm {
    /// The pretrained model as loaded, never trained here.
    Untouched,
    /// Head, then everything, fine-tuned.
    Tuned,
    /// The same network from a fresh initialisation.
    Scratch,
}

impl Arm {
    /// The `data-` value of an arm.
    pub fn key(self) -> &'static str {
        match self {
            Arm::Untouched => "untouched",
            Arm::Tuned => "tuned",
            Arm::Scratch => "scratch",
        }
    }
}

/// What the verdict says.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// No fine-tuning phase has run yet.
    Pending,
    /// Fewer than [`MIN_HELD_OUT`] held-out examples.
    TooFew {
        /// Held-out examples.
        n: usize,
    },
    /// The best arm, ahead of the next by more than the band.
    Best {
        /// The best arm and its accuracy.
        best: (Arm, f32),
        /// The runner-up and its accuracy.
        next: (Arm, f32),
        /// The band the difference was judged against, in points.
        band: f32,
    },
    /// The two best arms lie within the band.
    Tie {
        /// The best arm and its accuracy.
        best: (Arm, f32),
        /// The runner-up and its accuracy.
        next: (Arm, f32),
        /// The band, in points.
        band: f32,
    },
}

impl Verdict {
    /// The best arm, when two were compared.
    pub fn best(&self) -> Option<Arm> {
        match self {
            Verdict::Best { best, .. } | Verdict::Tie { best, .. } => Some(best.0),
            _ => None,
        }
    }

    /// The `data-state` of the verdict.
    pub fn key(&self) -> &'static str {
        match self {
            Verdict::Pending => "pending",
            Verdict::TooFew { .. } => "too-few",
            Verdict::Best { .. } => "best",
            Verdict::Tie { .. } => "tie",
        }
    }
}

/// The band, in points, within which two accuracies `a` and `b` (fractions) on `n` examples are about
/// the same: max(1 point, 2 standard errors of the difference).
pub fn band(a: f32, b: f32, n: usize) -> f32 {
    let (a, b) = (f64::from(a), f64::from(b));
    let se = ((a * (1.0 - a) + b * (1.0 - b)) / n.max(1) as f64).sqrt();
    (100.0 * 2.0 * se).max(1.0) as f32
}

/// The verdict over the arms that have a comparable accuracy (an untouched model whose head predicts
/// other classes is not one), once a fine-tuning phase has run.
pub fn decide(arms: &[(Arm, Option<f32>)], tuned_phase_ran: bool, n: usize) -> Verdict {
    if !tuned_phase_ran {
        return Verdict::Pending;
    }
    if n < MIN_HELD_OUT {
        return Verdict::TooFew { n };
    }
    let mut measured: Vec<(Arm, f32)> = arms
        .iter()
        .filter_map(|&(arm, a)| a.map(|a| (arm, a)))
        .collect();
    measured.sort_by(|x, y| y.1.total_cmp(&x.1));
    match measured.as_slice() {
        [best, next, ..] => {
            let band = band(best.1, next.1, n);
            if 100.0 * (best.1 - next.1) > band {
                Verdict::Best {
                    best: *best,
                    next: *next,
                    band,
                }
            } else {
                Verdict::Tie {
                    best: *best,
                    next: *next,
                    band,
                }
            }
        }
        _ => Verdict::Pending,
    }
}

/// Mean and sample standard deviation (n − 1 in the denominator; 0 for one value) of accuracies.
pub fn mean_sd(v: &[f32]) -> (f32, f32) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / (n - 1.0)
    } else {
        0.0
    };
    (mean as f32, var.sqrt() as f32)
}

/// Student's t two-sided 95 % critical value for `df` degrees of freedom (12.71 for 1, 4.30 for 2;
/// 1.96 in the limit): the seeds' sd is estimated from only a few seeds, so 2 standard errors would be
/// anti-conservative.
pub fn t_critical(df: usize) -> f64 {
    const TABLE: [f64; 10] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    ];
    match df {
        0 => f64::INFINITY,
        d if d <= TABLE.len() => TABLE[d - 1],
        d if d < 30 => 2.1,
        _ => 1.96,
    }
}

/// The band, in points, for the difference of two arms' mean accuracies over seeds on `n` held-out
/// examples: max(1 point, √(1.96²·s²_held/n + t²·(s²_a/k_a + s²_b/k_b))). Only the seed-spread term is
/// estimated from the seeds, so only it gets Student's t for (seeds − 1) degrees of freedom; the
/// held-out sampling term is not, so it gets z = 1.96. Both arms are measured on the same held-out
/// images, but the page does not have their per-image agreement, so s²_held is the conservative
/// fallback p_a(1 − p_a) + p_b(1 − p_b) (at least the paired-difference variance whenever the two
/// arms' per-image errors are not negatively correlated).
pub fn seeds_band(a: &[f32], b: &[f32], n: usize) -> f32 {
    let ((ma, sa), (mb, sb)) = (mean_sd(a), mean_sd(b));
    let seeds = |v: &[f32]| v.len().max(1) as f64;
    let p = |m: f32| f64::from(m) * (1.0 - f64::from(m));
    let held = 1.96f64.powi(2) * (p(ma) + p(mb)) / n.max(1) as f64;
    let spread = f64::from(sa).powi(2) / seeds(a) + f64::from(sb).powi(2) / seeds(b);
    let k = a.len().min(b.len());
    // One seed has no spread to estimate: t is infinite only when there is a spread term to scale.
    let t = if spread > 0.0 {
        t_critical(k.saturating_sub(1))
    } else {
        0.0
    };
    (100.0 * (held + t * t * spread).sqrt()).max(1.0) as f32
}

/// The verdict over arms measured with several seeds (each arm's accuracies, one per seed; the
/// untouched model repeats its one figure), compared by their means.
pub fn decide_seeds(arms: &[(Arm, Vec<f32>)], n: usize) -> Verdict {
    if n < MIN_HELD_OUT {
        return Verdict::TooFew { n };
    }
    let mut measured: Vec<(Arm, &[f32], f32)> = arms
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(arm, v)| (*arm, v.as_slice(), mean_sd(v).0))
        .collect();
    measured.sort_by(|x, y| y.2.total_cmp(&x.2));
    match measured.as_slice() {
        [best, next, ..] => {
            let band = seeds_band(best.1, next.1, n);
            let (b, x) = ((best.0, best.2), (next.0, next.2));
            if 100.0 * (best.2 - next.2) > band {
                Verdict::Best {
                    best: b,
                    next: x,
                    band,
                }
            } else {
                Verdict::Tie {
                    best: b,
                    next: x,
                    band,
                }
            }
        }
        _ => Verdict::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_seeds_the_means_are_compared_within_a_band_from_their_spread_and_the_held_out_count() {
        let (m, sd) = mean_sd(&[0.70, 0.72, 0.74]);
        assert!(
            (m - 0.72).abs() < 1e-6 && (sd - 0.02).abs() < 1e-6,
            "{m} {sd}"
        );
        assert_eq!(mean_sd(&[0.5]), (0.5, 0.0));
        // Spread alone: t(2 df) · sqrt(0.02²/3 + 0.02²/3) = 4.303 · 1.633 = 7.03 points; with
        // 1,000,000 held-out examples the sampling term vanishes.
        let band = seeds_band(&[0.70, 0.72, 0.74], &[0.60, 0.62, 0.64], 1_000_000);
        assert!((band - 7.03).abs() < 0.01, "{band}");
        assert_eq!((t_critical(1), t_critical(2)), (12.706, 4.303));
        // Two seeds: t 12.71 — the same spread is a much wider band.
        let two = seeds_band(&[0.70, 0.72], &[0.60, 0.62], 1_000_000);
        assert!(
            (two - 12.706 * 100.0 * (0.0002f64 / 2.0 * 2.0).sqrt() as f32).abs() < 0.05,
            "{two}"
        );
        // The held-out term gets z = 1.96, never t: no spread, two seeds, 500 examples at 50 % →
        // 1.96 · sqrt(0.5/500) = 6.20 points (t 12.71 on it would give 40).
        let held = seeds_band(&[0.5, 0.5], &[0.5, 0.5], 500);
        assert!((held - 6.198).abs() < 0.01, "{held}");
        // Both terms: sqrt(1.96²·(0.25 + 0.25)/500 + 4.303²·(0.02²/3 + 0.02²/3)) points.
        let both = seeds_band(&[0.48, 0.50, 0.52], &[0.48, 0.50, 0.52], 500);
        let want = (1.96f64.powi(2) * 0.5 / 500.0 + 4.303f64.powi(2) * 0.0004 * 2.0 / 3.0).sqrt();
        assert!((both - 100.0 * want as f32).abs() < 0.01, "{both}");
        let arms = [
            (Arm::Untouched, vec![0.5; 3]),
            (Arm::Tuned, vec![0.70, 0.72, 0.74]),
            (Arm::Scratch, vec![0.60, 0.62, 0.64]),
        ];
        match decide_seeds(&arms, 1_000_000) {
            Verdict::Best { best, next, .. } => {
                assert_eq!((best.0, next.0), (Arm::Tuned, Arm::Scratch));
                assert!((best.1 - 0.72).abs() < 1e-6);
            }
            v => panic!("{v:?}"),
        }
        // The same means with a wide spread: about the same.
        let noisy = [
            (Arm::Tuned, vec![0.60, 0.72, 0.84]),
            (Arm::Scratch, vec![0.50, 0.62, 0.74]),
        ];
        assert!(matches!(
            decide_seeds(&noisy, 1_000_000),
            Verdict::Tie { .. }
        ));
        assert_eq!(decide_seeds(&arms, 40), Verdict::TooFew { n: 40 });
    }

    #[test]
    fn the_untouched_model_can_win_and_the_band_follows_the_held_out_count() {
        // The walkthrough's "another pen": untouched 48.2 %, fine-tuned 35.4 %, scratch 31.4 %.
        let arms = [
            (Arm::Untouched, Some(0.482)),
            (Arm::Tuned, Some(0.354)),
            (Arm::Scratch, Some(0.314)),
        ];
        assert_eq!(decide(&arms, false, 500), Verdict::Pending);
        match decide(&arms, true, 500) {
            Verdict::Best { best, next, .. } => {
                assert_eq!((best.0, next.0), (Arm::Untouched, Arm::Tuned))
            }
            v => panic!("{v:?}"),
        }
        // 2 points apart: a tie on 500 examples (band ≈ 6 points), a win on 100,000.
        let close = [(Arm::Tuned, Some(0.52)), (Arm::Scratch, Some(0.50))];
        assert!(matches!(decide(&close, true, 500), Verdict::Tie { .. }));
        assert!(matches!(
            decide(&close, true, 100_000),
            Verdict::Best { .. }
        ));
        assert!((band(0.5, 0.5, 500) - 6.32).abs() < 0.01);
        assert_eq!(band(0.99, 0.99, 1_000_000), 1.0);
        assert_eq!(decide(&close, true, 49), Verdict::TooFew { n: 49 });
        // An arm without a comparable accuracy is left out.
        let no_untouched = [
            (Arm::Untouched, None),
            (Arm::Tuned, Some(0.8)),
            (Arm::Scratch, Some(0.6)),
        ];
        match decide(&no_untouched, true, 500) {
            Verdict::Best { best, .. } => assert_eq!(best.0, Arm::Tuned),
            v => panic!("{v:?}"),
        }
        assert_eq!(
            decide(&[(Arm::Tuned, Some(0.8))], true, 500),
            Verdict::Pending
        );
    }
}
