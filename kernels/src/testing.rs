//! The one tolerance check used by every numeric test in the workspace.

/// Checks `|actual − expected| ≤ atol + rtol · |expected|` element-wise and panics, naming `what` and
/// printing the first mismatches with their index, the largest error and the lengths, when it fails.
/// NaN never compares close (a NaN anywhere is a failure).
#[track_caller]
pub fn assert_close(what: &str, actual: &[f32], expected: &[f32], rtol: f32, atol: f32) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "{what}: length {} != expected length {}",
        actual.len(),
        expected.len()
    );
    let mut bad = Vec::new();
    let mut count = 0usize;
    let mut worst = (0usize, 0.0f32);
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let err = (a - e).abs();
        let ok = err <= atol + rtol * e.abs();
        if !ok || err.is_nan() {
            count += 1;
            if bad.len() < 8 {
                bad.push(format!(
                    "  [{i}] actual {a:e} expected {e:e} (|diff| {err:e})"
                ));
            }
            if err > worst.1 || (err.is_nan() && !worst.1.is_nan()) {
                worst = (i, err);
            }
        }
    }
    if count > 0 {
        panic!(
            "{what}: {} of {} elements differ beyond rtol {rtol:e} + atol {atol:e}; largest at [{}] = {:e}; first:\n{}",
            count,
            actual.len(),
            worst.0,
            worst.1,
            bad.join("\n")
        );
    }
}

/// Largest relative error `|a − e| / max(|e|, floor)` over two slices (for reports, not assertions).
pub fn max_relative_error(actual: &[f32], expected: &[f32], floor: f32) -> f32 {
    actual
        .iter()
        .zip(expected)
        .map(|(&a, &e)| (a - e).abs() / e.abs().max(floor))
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_within_tolerance() {
        assert_close("ok", &[1.0, 2.0 + 1e-6], &[1.0, 2.0], 1e-5, 0.0);
    }

    #[test]
    #[should_panic(expected = "[1] actual")]
    fn names_the_first_mismatch() {
        assert_close("bad", &[1.0, 3.0], &[1.0, 2.0], 1e-5, 1e-6);
    }

    #[test]
    #[should_panic(expected = "differ")]
    fn nan_fails() {
        assert_close("nan", &[f32::NAN], &[1.0], 1.0, 1.0);
    }
}
