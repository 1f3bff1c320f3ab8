//! Grades a student's tensor against the reference: right, the wrong shape, or wrong values (and where
//! they differ most).
//!
//! The error of an element is `|got − expected| / max(|expected|, RELATIVE_FLOOR · max|expected|)`: a
//! relative error, except that elements far below the tensor's largest (a ReLU gradient's near-zeros,
//! a cancellation in `p − onehot`) are measured against a millionth of that largest, so harmless f64
//! rounding on them cannot fail a right answer. A NaN or an infinity where the reference is finite is
//! an infinite error. (`testing::max_relative_error` is not used: it works in f32, skips NaN, and does not
//! say where the worst element is.)

use super::error::Lang;
use super::tensor::{Tensor, shape_text};

/// A line is right when its largest error is at most this.
pub const TOLERANCE: f64 = 1e-5;

/// The floor of the relative error's denominator, as a fraction of the expected tensor's largest
/// magnitude.
pub const RELATIVE_FLOOR: f64 = 1e-6;

/// The verdict on one line.
#[derive(Clone, Debug, PartialEq)]
pub enum Grade {
    /// Within [`TOLERANCE`] everywhere.
    Right {
        /// The largest error.
        max_rel_error: f64,
    },
    /// The shapes differ (e.g. `h.T @ dz2` gives `[512, 10]` where `[10, 512]` is expected).
    Shape {
        /// The reference's shape.
        expected: Vec<usize>,
        /// The student's.
        got: Vec<usize>,
    },
    /// The right shape, some values beyond the tolerance.
    Values {
        /// The largest error (infinite for NaN or infinity).
        max_rel_error: f64,
        /// Where it is, one index per dimension (`[]` for a 0-D tensor).
        worst_index: Vec<usize>,
        /// The student's value there.
        got: f64,
        /// The reference's value there.
        expected: f64,
    },
}

impl Grade {
    /// True for [`Grade::Right`].
    pub fn is_right(&self) -> bool {
        matches!(self, Grade::Right { .. })
    }

    /// The verdict as a sentence, e.g. "Wrong shape: expected [10, 512], got [512, 10]" / "形状不对：应为
    /// [10, 512]，得到的是 [512, 10]".
    pub fn message(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            Grade::Right { max_rel_error } if en => {
                format!("Right (largest relative error {max_rel_error:.1e})")
            }
            Grade::Right { max_rel_error } => format!("正确（最大相对误差 {max_rel_error:.1e}）"),
            Grade::Shape { expected, got } => {
                let (e, g) = (shape_text(expected), shape_text(got));
                if en {
                    format!("Wrong shape: expected {e}, got {g}")
                } else {
                    format!("形状不对：应为 {e}，得到的是 {g}")
                }
            }
            Grade::Values {
                max_rel_error,
                worst_index,
                got,
                expected,
            } => {
                let at = shape_text(worst_index);
                if en {
                    format!(
                        "Wrong values: the largest relative error is at {at}: {got:.4e} where {expected:.4e} is expected (relative error {max_rel_error:.1e})"
                    )
                } else {
                    format!(
                        "数值不对：相对误差最大的位置在 {at}：得到 {got:.4e}，应为 {expected:.4e}（相对误差 {max_rel_error:.1e}）"
                    )
                }
            }
        }
    }
}

/// The largest error (as in the module's note) and the flat index where it is; `(0, 0)` for empty
/// slices. Slices of different lengths are compared over the shorter.
pub fn max_relative_error(got: &[f64], expected: &[f64]) -> (f64, usize) {
    let scale = expected
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let floor = (RELATIVE_FLOOR * scale).max(f64::MIN_POSITIVE);
    let mut worst = (0.0, 0);
    for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
        let err = if g == e {
            0.0
        } else {
            let r = (g - e).abs() / e.abs().max(floor);
            if r.is_nan() { f64::INFINITY } else { r }
        };
        if err > worst.0 {
            worst = (err, i);
        }
    }
    worst
}

/// Grades `got` against `expected` (see the module's note for the error measure).
pub fn grade(got: &Tensor, expected: &Tensor) -> Grade {
    if got.shape() != expected.shape() {
        return Grade::Shape {
            expected: expected.shape().to_vec(),
            got: got.shape().to_vec(),
        };
    }
    let (max_rel_error, at) = max_relative_error(got.data(), expected.data());
    if max_rel_error <= TOLERANCE {
        return Grade::Right { max_rel_error };
    }
    let worst_index = match *expected.shape() {
        [_, cols] if cols > 0 => vec![at / cols, at % cols],
        [_] => vec![at],
        _ => vec![],
    };
    Grade::Values {
        max_rel_error,
        worst_index,
        got: got.data().get(at).copied().unwrap_or(f64::NAN),
        expected: expected.data().get(at).copied().unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(shape: &[usize], v: &[f64]) -> Tensor {
        Tensor::from_f64(shape, v.to_vec()).unwrap()
    }

    #[test]
    fn right_shape_and_values() {
        let e = t(&[2, 2], &[1.0, -2.0, 3.0, 1e-9]);
        assert!(
            grade(
                &t(&[2, 2], &[1.0, -2.0, 3.0 * (1.0 + 1e-7), 1e-9 + 1e-12]),
                &e
            )
            .is_right()
        );
        assert_eq!(
            grade(&t(&[2], &[1.0, 2.0]), &e),
            Grade::Shape {
                expected: vec![2, 2],
                got: vec![2]
            }
        );
        let Grade::Values {
            worst_index, got, ..
        } = grade(&t(&[2, 2], &[1.0, -2.0, 3.0, 0.5]), &e)
        else {
            panic!("values expected")
        };
        assert_eq!((worst_index, got), (vec![1, 1], 0.5));
    }

    #[test]
    fn verdicts_read_in_both_languages() {
        let shape = Grade::Shape {
            expected: vec![10, 512],
            got: vec![512, 10],
        };
        assert_eq!(
            shape.message(Lang::En),
            "Wrong shape: expected [10, 512], got [512, 10]"
        );
        assert_eq!(
            shape.message(Lang::Zh),
            "形状不对：应为 [10, 512]，得到的是 [512, 10]"
        );
        let e = t(&[2, 2], &[1.0, -2.0, 3.0, 1e-9]);
        let values = grade(&t(&[2, 2], &[1.0, -2.0, 3.0, 0.5]), &e);
        assert!(
            values
                .message(Lang::En)
                .contains("at [1, 1]: 5.0000e-1 where 1.0000e-9")
        );
        assert!(
            values
                .message(Lang::Zh)
                .starts_with("数值不对：相对误差最大的位置在 [1, 1]")
        );
        assert!(grade(&e, &e).message(Lang::Zh).starts_with("正确"));
    }

    #[test]
    fn nan_is_never_right() {
        let e = t(&[2], &[1.0, 2.0]);
        let g = grade(&t(&[2], &[1.0, f64::NAN]), &e);
        assert!(
            matches!(g, Grade::Values { max_rel_error, ref worst_index, .. } if max_rel_error.is_infinite() && *worst_index == vec![1])
        );
        assert!(!grade(&t(&[], &[f64::INFINITY]), &t(&[], &[1.0])).is_right());
    }
}
