//! Optimisers on a surface you can see: 2-D functions with their gradients, and each optimiser's path
//! over one computed by the engine's own update rule ([`crate::ops::optim::element`], the rule the CPU
//! engine runs and the GPU kernel mirrors), not a second implementation. For the quadratic the
//! closed forms are here too: gradient descent's and heavy-ball momentum's optimal settings, their
//! asymptotic rates (κ−1)/(κ+1) and (√κ−1)/(√κ+1), and the exact iteration counts of their closed-form
//! solutions.

use crate::engine::{OptimizerConfig, OptimizerKind};
use crate::ops::optim::{self, TensorStep};

/// A 2-D function the optimisers descend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Surface {
    /// f(x, y) = ½(x² + κ·y²): a valley κ times more sharply curved across than along (condition number κ),
    /// minimum 0 at the origin.
    Quadratic {
        /// The condition number κ ≥ 1.
        kappa: f64,
    },
    /// Rosenbrock's banana f = (1 − x)² + 100(y − x²)², minimum 0 at (1, 1).
    Rosenbrock,
    /// A saddle f = ½(x² − y²) + y⁴/4: a saddle point at the origin, minima −¼ at (0, ±1).
    Saddle,
    /// Beale's function: flat plateaus and a narrow curved valley, minimum 0 at (3, ½).
    Beale,
}

impl Surface {
    /// f at `p`.
    pub fn value(&self, [x, y]: [f64; 2]) -> f64 {
        match *self {
            Self::Quadratic { kappa } => 0.5 * (x * x + kappa * y * y),
            Self::Rosenbrock => (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2),
            Self::Saddle => 0.5 * (x * x - y * y) + y.powi(4) / 4.0,
            Self::Beale => {
                (1.5 - x + x * y).powi(2)
                    + (2.25 - x + x * y * y).powi(2)
                    + (2.625 - x + x * y.powi(3)).powi(2)
            }
        }
    }

    /// ∇f at `p`.
    pub fn gradient(&self, [x, y]: [f64; 2]) -> [f64; 2] {
        match *self {
            Self::Quadratic { kappa } => [x, kappa * y],
            Self::Rosenbrock => [
                -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
                200.0 * (y - x * x),
            ],
            Self::Saddle => [x, -y + y.powi(3)],
            Self::Beale => {
                let a = 1.5 - x + x * y;
                let b = 2.25 - x + x * y * y;
                let c = 2.625 - x + x * y.powi(3);
                [
                    2.0 * a * (y - 1.0) + 2.0 * b * (y * y - 1.0) + 2.0 * c * (y.powi(3) - 1.0),
                    2.0 * a * x + 4.0 * b * x * y + 6.0 * c * x * y * y,
                ]
            }
        }
    }

    /// The minima the paths are measured against: the saddle has two, (0, ±1), equally low; the
    /// others one.
    pub fn minima(&self) -> &'static [[f64; 2]] {
        match self {
            Self::Quadratic { .. } => &[[0.0, 0.0]],
            Self::Rosenbrock => &[[1.0, 1.0]],
            Self::Saddle => &[[0.0, 1.0], [0.0, -1.0]],
            Self::Beale => &[[3.0, 0.5]],
        }
    }

    /// The distance from `p` to the nearest minimum.
    pub fn distance_to_minimum(&self, p: [f64; 2]) -> f64 {
        self.minima()
            .iter()
            .map(|m| (p[0] - m[0]).hypot(p[1] - m[1]))
            .fold(f64::INFINITY, f64::min)
    }
}

/// An optimiser's path over a surface.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// The points visited, the start first, up to the arrival (all `max_steps` when it did not arrive).
    pub points: Vec<[f64; 2]>,
    /// The arrival: the first iteration from which the distance to the nearest minimum stays at most
    /// `tolerance` times the start's for every later iteration up to the cap, if there is one. A path
    /// that swings in and out of the ball arrives only when it enters it for good, not on its first pass.
    pub iterations: Option<usize>,
    /// The first iteration at which the distance was at most `tolerance` times the start's, even if
    /// the path later left the ball again.
    pub first_entry: Option<usize>,
}

/// `opt`'s path from `start`: `max_steps` updates (fewer only if the point leaves ±1e6, which is no
/// arrival). The whole run is computed so that a path which enters the ball of `tolerance` times the
/// start's distance and leaves it again is not counted as arrived: the arrival is the iteration after
/// the last one outside the ball, provided the cap's point is inside. Each update is
/// [`optim::element`] on the two coordinates, in f32 as the engine computes.
pub fn path(
    surface: &Surface,
    opt: &OptimizerConfig,
    start: [f64; 2],
    max_steps: usize,
    tolerance: f64,
) -> Path {
    let hyper = opt.hyper();
    let first = surface.distance_to_minimum(start);
    let mut p = start.map(|c| c as f32);
    let (mut m, mut v) = ([0f32; 2], [0f32; 2]);
    let mut points = vec![start];
    // The last iteration outside the ball (0: the start, unless the start is the minimum itself).
    let mut last_outside = 0;
    let mut first_entry = None;
    let mut diverged = false;
    for t in 1..=max_steps {
        let g = surface.gradient(p.map(f64::from));
        let step = TensorStep::new(opt.kind, opt.lr, &hyper, t as u64);
        for i in 0..2 {
            optim::element(
                opt.kind,
                &hyper,
                &step,
                g[i] as f32,
                &mut p[i],
                &mut m[i],
                &mut v[i],
            );
        }
        let here = p.map(f64::from);
        points.push(here);
        if !here.iter().all(|c| c.abs() < 1e6) {
            diverged = true;
            break;
        }
        if surface.distance_to_minimum(here) <= tolerance * first {
            first_entry.get_or_insert(t);
        } else {
            last_outside = t;
        }
    }
    let iterations = (!diverged && last_outside < max_steps).then_some(last_outside + 1);
    if let Some(t) = iterations {
        points.truncate(t + 1);
    }
    Path {
        points,
        iterations,
        first_entry,
    }
}

/// Gradient descent at its optimal rate on the quadratic: lr = 2 / (κ + 1) (no momentum).
pub fn optimal_gradient_descent(kappa: f64) -> OptimizerConfig {
    OptimizerConfig {
        momentum: 0.0,
        ..OptimizerConfig::pytorch(OptimizerKind::Sgd, (2.0 / (kappa + 1.0)) as f32)
    }
}

/// Heavy-ball momentum at its optimal setting on the quadratic: lr = 4 / (√κ + 1)², μ = ((√κ − 1) /
/// (√κ + 1))² (PyTorch's SGD with momentum is the heavy ball with these two).
pub fn optimal_heavy_ball(kappa: f64) -> OptimizerConfig {
    let s = kappa.sqrt();
    OptimizerConfig {
        momentum: ((s - 1.0) / (s + 1.0)).powi(2) as f32,
        ..OptimizerConfig::pytorch(OptimizerKind::Sgd, (4.0 / (s + 1.0).powi(2)) as f32)
    }
}

/// Nesterov momentum, as PyTorch runs it, at its own optimal setting on the quadratic: lr = 4 / (3κ + 1),
/// μ = (√(3κ + 1) − 2) / (√(3κ + 1) + 2) (Lessard, Recht and Packard, 2016). Heavy ball's optimum is
/// not Nesterov's: with it this rule diverges from κ ≈ 10 on.
pub fn optimal_nesterov(kappa: f64) -> OptimizerConfig {
    let s = (3.0 * kappa + 1.0).sqrt();
    OptimizerConfig {
        momentum: ((s - 2.0) / (s + 2.0)) as f32,
        ..OptimizerConfig::pytorch(OptimizerKind::Nesterov, (4.0 / (3.0 * kappa + 1.0)) as f32)
    }
}

/// The asymptotic rate per iteration at the optimal setting: (κ−1)/(κ+1) for gradient descent,
/// (√κ−1)/(√κ+1) with momentum.
pub fn optimal_rate(kappa: f64, momentum: bool) -> f64 {
    let k = if momentum { kappa.sqrt() } else { kappa };
    (k - 1.0) / (k + 1.0)
}

/// Iterations the asymptotic rate needs to shrink the distance by `tolerance`: ln(tol) / ln(rate).
/// At κ = 100 and 10⁻³: ≈ 345 for gradient descent and ≈ 34 with momentum.
pub fn rate_iterations(rate: f64, tolerance: f64) -> f64 {
    tolerance.ln() / rate.ln()
}

/// The exact arrival (as [`path`] counts it: from when it stays within `tolerance`) of the closed-form
/// solution from `start` on the quadratic at the optimal setting (in exact arithmetic). Gradient descent: each coordinate shrinks by its own factor
/// 1 − lr·h every step. Heavy ball: at its optimal μ both curvatures give a double root ±√μ, so each
/// coordinate is x₀·(±√μ)ᵗ·(1 + t·(1 ∓ √μ)) — the factor t is why the count exceeds
/// [`rate_iterations`] (≈ 46–58 against 34 at κ = 100, depending on the start).
pub fn exact_iterations(kappa: f64, momentum: bool, start: [f64; 2], tolerance: f64) -> usize {
    let opt = if momentum {
        optimal_heavy_ball(kappa)
    } else {
        optimal_gradient_descent(kappa)
    };
    let (lr, mu) = (f64::from(opt.lr), f64::from(opt.momentum));
    let r = mu.sqrt();
    let first = start[0].hypot(start[1]);
    // The magnitude of coordinate x₀ under curvature h after t steps.
    let coordinate = |x0: f64, h: f64, t: f64| {
        if momentum {
            // x_{t+1} = (1 + μ − lr·h)·x_t − μ·x_{t−1} with x₋₁ = x₀ (PyTorch's velocity starts at 0):
            // the double root s = ±r (−r for the steep direction), x_t = x₀·sᵗ·(1 + t·(1 − s)).
            let s = if 1.0 + mu - lr * h < 0.0 { -r } else { r };
            (x0 * r.powf(t) * (1.0 + t * (1.0 - s))).abs()
        } else {
            (x0 * (1.0 - lr * h).powf(t)).abs()
        }
    };
    // The arrival as [`path`] counts it: the iteration after the last one outside the ball. Each
    // coordinate's magnitude rises at most until t = −1/ln r − 1/(1 − s) (heavy ball; never for gradient
    // descent) and falls from then on, so once past that peak and inside, the path stays inside.
    let peak = if momentum && r > 0.0 {
        (-1.0 / r.ln() - 1.0 / (1.0 + r)).max(0.0)
    } else {
        0.0
    };
    let mut last_outside = 0;
    for t in 1..1_000_000usize {
        let tf = t as f64;
        let inside = coordinate(start[0], 1.0, tf).hypot(coordinate(start[1], kappa, tf))
            <= tolerance * first;
        if !inside {
            last_outside = t;
        } else if tf > peak {
            return last_outside + 1;
        }
    }
    1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_gradient(s: &Surface, p: [f64; 2]) -> [f64; 2] {
        let h = 1e-6;
        let d = |i: usize| {
            let (mut a, mut b) = (p, p);
            a[i] += h;
            b[i] -= h;
            (s.value(a) - s.value(b)) / (2.0 * h)
        };
        [d(0), d(1)]
    }

    #[test]
    fn gradients_match_finite_differences_and_minima_are_stationary() {
        for s in [
            Surface::Quadratic { kappa: 37.0 },
            Surface::Rosenbrock,
            Surface::Saddle,
            Surface::Beale,
        ] {
            for p in [[0.3, -0.7], [1.2, 0.4], [-1.1, 1.3]] {
                let (a, n) = (s.gradient(p), numeric_gradient(&s, p));
                for i in 0..2 {
                    assert!(
                        (a[i] - n[i]).abs() <= 1e-5 * n[i].abs().max(1.0),
                        "{s:?} at {p:?}"
                    );
                }
            }
            for &m in s.minima() {
                assert_eq!(s.gradient(m), [0.0, 0.0], "{s:?}");
                assert_eq!(s.distance_to_minimum(m), 0.0);
            }
        }
    }

    #[test]
    fn arrival_is_when_the_path_stays_inside_not_its_first_pass() {
        // The review's case: κ 10, lr 0.05 from (−1.5, 1); μ 0.9 first enters the ball at 78 but stays
        // only from 129; μ 0.99 first enters at 678 and stays from 1,371.
        let q = Surface::Quadratic { kappa: 10.0 };
        for (mu, first, stays) in [(0.9f32, 78usize, 129usize), (0.99, 678, 1371)] {
            let opt = OptimizerConfig {
                momentum: mu,
                ..OptimizerConfig::pytorch(OptimizerKind::Sgd, 0.05)
            };
            let p = path(&q, &opt, [-1.5, 1.0], 5000, 1e-3);
            let (e, a) = (p.first_entry.unwrap(), p.iterations.unwrap());
            println!("μ {mu}: first entry {e}, arrival {a}");
            assert!(
                e.abs_diff(first) <= 3 && a.abs_diff(stays) <= 5,
                "μ {mu}: {e} {a}"
            );
            assert_eq!(p.points.len(), a + 1);
            let d0 = q.distance_to_minimum([-1.5, 1.0]);
            assert!(
                p.points[e..]
                    .iter()
                    .any(|&x| q.distance_to_minimum(x) > 1e-3 * d0)
            );
        }
        // A cap that ends while the path is outside is no arrival.
        let wild = OptimizerConfig {
            momentum: 0.99,
            ..OptimizerConfig::pytorch(OptimizerKind::Sgd, 0.05)
        };
        assert_eq!(path(&q, &wild, [-1.5, 1.0], 1000, 1e-3).iterations, None);
    }

    #[test]
    fn momentums_advantage_grows_with_kappa() {
        // From the page's default start: the ratio the lesson's text quotes (≈ 2× at κ 10, 6× at 100,
        // 18× at 1000) grows with κ and is far below √κ at κ ≤ 10.
        let start = [-1.5, 1.0];
        let mut last = 0.0;
        for kappa in [10.0, 100.0, 1000.0] {
            let q = Surface::Quadratic { kappa };
            let gd = path(&q, &optimal_gradient_descent(kappa), start, 20_000, 1e-3);
            let hb = path(&q, &optimal_heavy_ball(kappa), start, 20_000, 1e-3);
            let (gd, hb) = (gd.iterations.unwrap(), hb.iterations.unwrap());
            let ratio = gd as f64 / hb as f64;
            let (gd_exact, hb_exact) = (
                exact_iterations(kappa, false, start, 1e-3),
                exact_iterations(kappa, true, start, 1e-3),
            );
            println!(
                "κ {kappa}: gd {gd} (exact {gd_exact}), hb {hb} (exact {hb_exact}), ratio {ratio:.1}"
            );
            assert!(ratio > last && ratio < kappa.sqrt(), "κ {kappa}: {ratio}");
            last = ratio;
        }
        for kappa in [1.0, 2.0, 5.0] {
            let q = Surface::Quadratic { kappa };
            let gd = path(&q, &optimal_gradient_descent(kappa), start, 20_000, 1e-3);
            let hb = path(&q, &optimal_heavy_ball(kappa), start, 20_000, 1e-3);
            println!("κ {kappa}: gd {:?}, hb {:?}", gd.iterations, hb.iterations);
        }
    }

    #[test]
    fn the_saddle_counts_both_minima() {
        // Started below the saddle, gradient descent falls to (0, −1), which is as low as (0, 1).
        let opt = OptimizerConfig {
            momentum: 0.0,
            ..OptimizerConfig::pytorch(OptimizerKind::Sgd, 0.1)
        };
        let p = path(&Surface::Saddle, &opt, [1.0, -0.01], 5000, 1e-3);
        let last = *p.points.last().unwrap();
        assert!(p.iterations.is_some() && last[1] < -0.99, "{last:?}");
        assert_eq!(
            Surface::Saddle.value([0.0, -1.0]),
            Surface::Saddle.value([0.0, 1.0])
        );
    }

    #[test]
    fn at_kappa_100_momentum_needs_several_times_fewer_iterations() {
        let q = Surface::Quadratic { kappa: 100.0 };
        let start = [1.0, 1.0];
        let gd = path(&q, &optimal_gradient_descent(100.0), start, 5000, 1e-3);
        let hb = path(&q, &optimal_heavy_ball(100.0), start, 5000, 1e-3);
        let (gd, hb) = (gd.iterations.unwrap(), hb.iterations.unwrap());
        // The asymptotic rates: ≈ 345 and ≈ 34.
        let (gd_rate, hb_rate) = (
            rate_iterations(optimal_rate(100.0, false), 1e-3),
            rate_iterations(optimal_rate(100.0, true), 1e-3),
        );
        assert!((gd_rate - 345.4).abs() < 0.1 && (hb_rate - 34.4).abs() < 0.1);
        // Measured with the engine's f32 rule: gradient descent within 1 % of its rate's count and
        // of its exact closed form; momentum within 5 % of its exact closed form, > 5× fewer.
        assert!((gd as f64 - gd_rate).abs() <= 0.01 * gd_rate, "gd {gd}");
        let gd_exact = exact_iterations(100.0, false, start, 1e-3);
        let hb_exact = exact_iterations(100.0, true, start, 1e-3);
        assert!(gd.abs_diff(gd_exact) <= 3, "gd {gd} vs {gd_exact}");
        assert!(
            (hb as f64 - hb_exact as f64).abs() <= 0.05 * hb_exact as f64,
            "hb {hb} vs {hb_exact}"
        );
        assert!(gd >= 5 * hb, "gd {gd} hb {hb}");
        println!(
            "κ = 100 from (1, 1) to 10⁻³: gradient descent {gd} iterations (rate {gd_rate:.1}, exact \
             {gd_exact}), momentum {hb} (rate {hb_rate:.1}, exact {hb_exact})"
        );
    }

    #[test]
    fn nesterov_converges_at_its_own_optimum_and_diverges_at_heavy_balls() {
        let start = [-1.5, 1.0];
        for kappa in [1.0, 10.0, 100.0, 1000.0] {
            let q = Surface::Quadratic { kappa };
            let own = path(&q, &optimal_nesterov(kappa), start, 20_000, 1e-3);
            assert!(
                own.iterations.is_some(),
                "κ {kappa}: {:?}",
                own.points.last()
            );
            println!(
                "κ = {kappa}: Nesterov at its own optimum {:?}",
                own.iterations
            );
        }
        // The review's case: heavy ball's lr and μ under Nesterov's rule leave any bound at κ = 100.
        let q = Surface::Quadratic { kappa: 100.0 };
        let wrong = OptimizerConfig {
            kind: OptimizerKind::Nesterov,
            ..optimal_heavy_ball(100.0)
        };
        let p = path(&q, &wrong, start, 5000, 1e-3);
        assert!(p.iterations.is_none());
        // At its own optimum: about 72 iterations at κ = 100 (73 from this start, in f32).
        let own = path(&q, &optimal_nesterov(100.0), start, 5000, 1e-3);
        assert!(
            matches!(own.iterations, Some(60..=85)),
            "{:?}",
            own.iterations
        );
    }

    #[test]
    fn every_optimiser_descends_each_surface_and_too_much_momentum_overshoots() {
        for s in [
            Surface::Quadratic { kappa: 10.0 },
            Surface::Rosenbrock,
            Surface::Saddle,
            Surface::Beale,
        ] {
            let start = match s {
                Surface::Beale => [1.0, 1.5],
                Surface::Saddle => [1.0, 0.01],
                _ => [-1.0, 1.5],
            };
            for kind in OptimizerKind::ALL {
                let lr = match (kind, s) {
                    (_, Surface::Rosenbrock) => 1e-3,
                    (OptimizerKind::Sgd | OptimizerKind::Nesterov, Surface::Beale) => 1e-3,
                    (OptimizerKind::Sgd | OptimizerKind::Nesterov, _) => 1e-2,
                    _ => 1e-2,
                };
                let opt = OptimizerConfig::pytorch(kind, lr);
                let p = path(&s, &opt, start, 2000, 1e-9);
                let last = *p.points.last().unwrap();
                assert!(
                    s.value(last) < s.value(start),
                    "{kind:?} on {s:?}: {} → {}",
                    s.value(start),
                    s.value(last)
                );
            }
        }
        // μ = 0.99 on the quadratic: the path swings past the minimum along the flat axis.
        let q = Surface::Quadratic { kappa: 10.0 };
        let wild = OptimizerConfig {
            momentum: 0.99,
            ..OptimizerConfig::pytorch(OptimizerKind::Sgd, 0.05)
        };
        let p = path(&q, &wild, [-1.0, 0.5], 200, 1e-9);
        assert!(p.points.iter().any(|pt| pt[0] > 0.5), "no overshoot");
    }
}
