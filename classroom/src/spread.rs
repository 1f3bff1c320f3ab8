//! "Assign settings": one setting spread over the class in join order, so that the class's points
//! together draw a curve (learning rate against accuracy) or a band (seeds).

use crate::message::{Assignment, Spread};

/// The assignment of each of `students` students (in join order) for `spread`; `Clear` gives none.
pub fn spread(spread: &Spread, students: usize) -> Vec<Option<Assignment>> {
    // Where the i-th student sits between the two ends (one student: the middle).
    let t = |i: usize| {
        if students <= 1 {
            0.5
        } else {
            i as f64 / (students - 1) as f64
        }
    };
    (0..students)
        .map(|i| match *spread {
            Spread::LearningRates { min, max } => Some(Assignment {
                lr: Some(round3((min.ln() + t(i) * (max.ln() - min.ln())).exp())),
                ..Assignment::default()
            }),
            Spread::Seeds => Some(Assignment {
                seed: Some(i as u64 + 1),
                ..Assignment::default()
            }),
            Spread::Sigmas { min, max } => Some(Assignment {
                dp_sigma: Some(round3(min + t(i) * (max - min))),
                ..Assignment::default()
            }),
            Spread::Clear => None,
        })
        .collect()
}

/// Three significant figures: a form shows 0.0316, not 0.031622776601683794.
fn round3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learning_rates_are_log_even_and_end_at_the_ends() {
        let a = spread(
            &Spread::LearningRates {
                min: 0.001,
                max: 10.0,
            },
            5,
        );
        let lrs: Vec<f64> = a.iter().map(|a| a.as_ref().unwrap().lr.unwrap()).collect();
        assert_eq!(lrs, vec![0.001, 0.01, 0.1, 1.0, 10.0]);
        let one = spread(
            &Spread::LearningRates {
                min: 0.01,
                max: 1.0,
            },
            1,
        );
        assert_eq!(one[0].as_ref().unwrap().lr, Some(0.1));
        let seeds: Vec<u64> = spread(&Spread::Seeds, 3)
            .iter()
            .map(|a| a.as_ref().unwrap().seed.unwrap())
            .collect();
        assert_eq!(seeds, vec![1, 2, 3]);
        assert!(spread(&Spread::Clear, 4).iter().all(Option::is_none));
        assert_eq!(round3(0.1f64.sqrt() / 10.0), 0.0316);
    }
}
