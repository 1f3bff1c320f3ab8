//! The training-loss curve in bounded memory. A run of 10 epochs is ~9,400 steps and a long one far
//! more; the page redraws the curve ~10 times a second, so it keeps at most [`CAPACITY`] buckets of
//! consecutive steps (their mean, min and max): when full, neighbouring buckets merge in pairs and each
//! later bucket covers twice as many steps. The first and the latest [`WINDOW`] losses stay exact for the
//! trend figures. The worker keeps the same history for checkpoints.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Most buckets kept (the chart shows at most this many points).
pub const CAPACITY: usize = 1024;
/// Losses kept exactly at the start and the end.
pub const WINDOW: usize = 10;
/// Most evaluations kept for the accuracy chart (every other one is dropped when there are more).
pub const MAX_EVALUATIONS: usize = 1024;

/// Appends `item`; past [`MAX_EVALUATIONS`] every other entry goes (the latest always stays).
pub fn push_bounded<T>(items: &mut Vec<T>, item: T) {
    items.push(item);
    if items.len() > MAX_EVALUATIONS {
        let last = items.len() - 1;
        let mut i = 0;
        items.retain(|_| {
            let keep = i % 2 == 0 || i == last;
            i += 1;
            keep
        });
    }
}

/// Consecutive steps summarised.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Step index (0-based) of its first loss.
    pub first: u64,
    /// Losses in it.
    pub count: u32,
    /// Their sum (f64: the mean of thousands of f32 losses stays exact enough).
    pub sum: f64,
    /// Smallest.
    pub min: f32,
    /// Largest.
    pub max: f32,
}

impl Bucket {
    fn one(step: u64, loss: f32) -> Self {
        Self {
            first: step,
            count: 1,
            sum: f64::from(loss),
            min: loss,
            max: loss,
        }
    }

    fn merge(&mut self, other: &Bucket) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Mean loss of the bucket.
    pub fn mean(&self) -> f64 {
        self.sum / f64::from(self.count.max(1))
    }
}

/// Every step's loss, summarised in at most [`CAPACITY`] buckets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LossHistory {
    buckets: Vec<Bucket>,
    /// Steps per full bucket (a power of two).
    width: u32,
    /// Losses recorded.
    len: u64,
    /// The first [`WINDOW`] losses.
    head: Vec<f32>,
    /// The latest [`WINDOW`] losses with their steps.
    tail: VecDeque<(u64, f32)>,
}

impl LossHistory {
    /// An empty history.
    pub fn new() -> Self {
        Self {
            width: 1,
            ..Self::default()
        }
    }

    /// Losses recorded so far (= steps).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True before the first step.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The buckets, oldest first.
    pub fn buckets(&self) -> &[Bucket] {
        &self.buckets
    }

    /// The first step's loss (the untrained model's), once there is one.
    pub fn first(&self) -> Option<f32> {
        self.head.first().copied()
    }

    /// The latest loss.
    pub fn last(&self) -> Option<f32> {
        if self.is_empty() {
            return None;
        }
        self.tail.back().map(|&(_, l)| l)
    }

    /// Mean of the first [`WINDOW`] losses (or of the latest, `first = false`): the trend at a glance.
    pub fn window_mean(&self, first: bool) -> f32 {
        let (sum, n): (f32, usize) = if first {
            (self.head.iter().sum(), self.head.len())
        } else {
            (self.tail.iter().map(|&(_, l)| l).sum(), self.tail.len())
        };
        sum / n.max(1) as f32
    }

    /// Appends the next steps' losses.
    pub fn extend(&mut self, losses: &[f32]) {
        self.width = self.width.max(1);
        for &loss in losses {
            let step = self.len;
            self.len += 1;
            if self.head.len() < WINDOW {
                self.head.push(loss);
            }
            if self.tail.len() == WINDOW {
                self.tail.pop_front();
            }
            self.tail.push_back((step, loss));
            match self.buckets.last_mut() {
                Some(b) if b.count < self.width => b.merge(&Bucket::one(step, loss)),
                _ => self.buckets.push(Bucket::one(step, loss)),
            }
            if self.buckets.len() > CAPACITY {
                self.halve();
            }
        }
    }

    /// Merges neighbouring buckets in pairs; later buckets cover twice as many steps.
    fn halve(&mut self) {
        let merged = self
            .buckets
            .chunks(2)
            .map(|pair| {
                let mut b = pair[0];
                if let Some(next) = pair.get(1) {
                    b.merge(next);
                }
                b
            })
            .collect();
        self.buckets = merged;
        self.width *= 2;
    }

    /// Forgets the losses from step `steps` on (a rollback or a restored snapshot). A bucket that began
    /// before `steps` keeps its later losses merged in (it cannot be split); below [`CAPACITY`] steps every
    /// bucket is one step and the cut is exact.
    pub fn truncate(&mut self, steps: u64) {
        if steps >= self.len {
            return;
        }
        self.buckets.retain(|b| b.first < steps);
        self.head.truncate(steps.min(WINDOW as u64) as usize);
        self.tail.retain(|&(s, _)| s < steps);
        self.len = steps;
    }

    /// The chart's points: (step, mean loss) per bucket, the step at the bucket's middle.
    pub fn points(&self) -> Vec<(f64, f64)> {
        self.buckets()
            .iter()
            .map(|b| {
                (
                    b.first as f64 + f64::from(b.count.saturating_sub(1)) / 2.0,
                    b.mean(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stays_bounded_and_the_means_stay_exact() {
        let mut h = LossHistory::new();
        let losses: Vec<f32> = (0..100_000).map(|i| 1.0 / (1.0 + i as f32)).collect();
        for part in losses.chunks(37) {
            h.extend(part);
        }
        assert_eq!(h.len(), 100_000);
        assert!(h.buckets().len() <= CAPACITY);
        assert!(h.buckets().len() > CAPACITY / 2);
        // Every loss is counted once; the buckets tile the steps in order.
        let counted: u64 = h.buckets().iter().map(|b| u64::from(b.count)).sum();
        assert_eq!(counted, 100_000);
        let total: f64 = h.buckets().iter().map(|b| b.sum).sum();
        let exact: f64 = losses.iter().map(|&l| f64::from(l)).sum();
        assert!((total - exact).abs() < 1e-9 * exact);
        for w in h.buckets().windows(2) {
            assert_eq!(w[0].first + u64::from(w[0].count), w[1].first);
        }
        assert_eq!(h.last(), Some(losses[99_999]));
        assert_eq!(h.window_mean(true), losses[..10].iter().sum::<f32>() / 10.0);
        let b = h.buckets()[3];
        assert_eq!(b.max, losses[b.first as usize]);
    }

    #[test]
    fn truncation_is_exact_while_buckets_are_single_steps() {
        let mut h = LossHistory::new();
        h.extend(&[4.0, 3.0, 2.0, 1.0, 0.5]);
        h.truncate(3);
        assert_eq!(h.len(), 3);
        assert_eq!(h.last(), Some(2.0));
        assert_eq!(h.points(), vec![(0.0, 4.0), (1.0, 3.0), (2.0, 2.0)]);
        assert_eq!(h.window_mean(false), 3.0);
        h.extend(&[7.0]);
        assert_eq!(h.points()[3], (3.0, 7.0));
        h.truncate(10);
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn evaluations_are_thinned_past_the_cap() {
        let mut v = Vec::new();
        for i in 0..5_000u32 {
            push_bounded(&mut v, i);
        }
        assert!(v.len() <= MAX_EVALUATIONS);
        assert_eq!(v.last(), Some(&4_999));
        assert_eq!(v[0], 0);
        assert!(v.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_short_run_is_kept_loss_by_loss() {
        let mut h = LossHistory::new();
        let losses: Vec<f32> = (0..CAPACITY).map(|i| i as f32).collect();
        h.extend(&losses);
        assert_eq!(h.buckets().len(), CAPACITY);
        assert!(h.buckets().iter().all(|b| b.count == 1));
    }
}
