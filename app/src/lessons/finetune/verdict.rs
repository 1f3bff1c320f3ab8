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

#[cfg(test)]
mod tests {
    use super::*;

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
