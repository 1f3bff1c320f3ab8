//! Pairs for the cross-entropy quiz ("which prediction has the lower loss?"), chosen from the live
//! model's numbers so that the answer can be seen on the bars: the two images' q(true) differ by at
//! least [`VISIBLE`]. An untrained model gives every image q(true) ≈ 1/10, and then there is no such
//! pair; the page says so instead of asking a question nobody can answer by eye.

/// The least difference of q(true), on the bars' 0–1 scale, that a student can see.
pub const VISIBLE: f32 = 0.25;

/// Two test-pool indices whose q(true) differ by at least [`VISIBLE`], a different pair for each
/// `round` (the lower one first or second as [`lower_first`] decides); `Err` with the spread of q(true)
/// when none.
pub fn pair(q_true: &[f32], round: usize) -> Result<(usize, usize), f32> {
    let mut order: Vec<usize> = (0..q_true.len()).collect();
    order.sort_by(|&a, &b| q_true[a].total_cmp(&q_true[b]));
    let (Some(&first), Some(&last)) = (order.first(), order.last()) else {
        return Err(0.0);
    };
    let spread = q_true[last] - q_true[first];
    if spread < VISIBLE {
        return Err(spread);
    }
    // The lower image: any whose q(true) leaves room for a visibly higher one.
    let lows = order
        .iter()
        .take_while(|&&i| q_true[i] <= q_true[last] - VISIBLE)
        .count();
    let low = order[(round * 7919) % lows];
    // The higher image: any at least VISIBLE above it.
    let highs: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| q_true[i] >= q_true[low] + VISIBLE)
        .collect();
    let high = highs[highs.len() - 1 - (round * 104_729) % highs.len()];
    Ok(if lower_first(round) {
        (low, high)
    } else {
        (high, low)
    })
}

/// Whether round `round` shows the lower-q(true) image first (A): a hash of the round, so the answer
/// follows no pattern a class could learn (alternation would make it B, A, B, A…).
fn lower_first(round: usize) -> bool {
    // SplitMix64's finaliser: every bit of the round moves the result.
    let mut z = (round as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_differs_visibly_and_an_untrained_model_has_none() {
        let untrained: Vec<f32> = (0..1000)
            .map(|i| 0.08 + 0.04 * (i % 7) as f32 / 6.0)
            .collect();
        let spread = pair(&untrained, 0).unwrap_err();
        assert!((spread - 0.04).abs() < 1e-6, "{spread}");
        let trained: Vec<f32> = (0..1000)
            .map(|i| {
                if i % 50 == 0 {
                    0.3
                } else {
                    0.97 + 0.03 * (i % 3) as f32 / 3.0
                }
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let mut order = Vec::new();
        for round in 0..40 {
            let (a, b) = pair(&trained, round).unwrap();
            assert!((trained[a] - trained[b]).abs() >= VISIBLE, "round {round}");
            seen.insert((a.min(b), a.max(b)));
            order.push(trained[a] < trained[b]);
        }
        assert!(seen.len() > 10, "pairs vary: {}", seen.len());
        // Both orders occur, and the answer does not simply alternate.
        let firsts = order.iter().filter(|&&f| f).count();
        assert!((10..=30).contains(&firsts), "lower first in {firsts} of 40");
        assert!(
            order.windows(2).any(|w| w[0] == w[1]),
            "not alternating: {order:?}"
        );
        assert_eq!(pair(&[], 0), Err(0.0));
    }
}
