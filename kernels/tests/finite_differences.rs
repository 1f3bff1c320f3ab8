//! The CPU references of every backward op against central finite differences, in f64.

mod common;

use kernels::ops::{linear, relu_backward, softmax_cross_entropy};
use kernels::rng::SeededRng;

const EPS: f64 = 1e-6;
const TOL: f64 = 1e-3;

fn rand64(rng: &mut SeededRng, n: usize) -> Vec<f64> {
    (0..n).map(|_| f64::from(rng.uniform(-1.0, 1.0))).collect()
}

/// d(f)/d(x[i]) by central differences.
fn numeric(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let mut p = x.to_vec();
            p[i] += EPS;
            let up = f(&p);
            p[i] -= 2.0 * EPS;
            (up - f(&p)) / (2.0 * EPS)
        })
        .collect()
}

fn assert_grad(what: &str, analytic: &[f64], numeric: &[f64]) {
    assert_eq!(analytic.len(), numeric.len());
    for (i, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        let rel = (a - n).abs() / n.abs().max(1e-6);
        assert!(
            rel <= TOL || (a - n).abs() < 1e-9,
            "{what}[{i}]: analytic {a:e} vs numeric {n:e} (relative error {rel:e})"
        );
    }
}

/// Projects an output onto fixed random weights, so one scalar checks every element's gradient.
fn project(y: &[f64], r: &[f64]) -> f64 {
    y.iter().zip(r).map(|(a, b)| a * b).sum()
}

#[test]
fn linear_backward_matches_finite_differences() {
    let mut rng = SeededRng::new(11);
    let (rows, in_f, out_f) = (5, 7, 3);
    let x = rand64(&mut rng, rows * in_f);
    let w = rand64(&mut rng, out_f * in_f);
    let b = rand64(&mut rng, out_f);
    let r = rand64(&mut rng, rows * out_f); // dL/dy for L = Σ r ⊙ y
    let dx = linear::reference_grad_input(&r, &w, rows, in_f, out_f);
    let dw = linear::reference_grad_weight(&r, &x, rows, in_f, out_f);
    let db = linear::reference_grad_bias(&r, rows, out_f);
    assert_grad(
        "dX",
        &dx,
        &numeric(
            &|x| {
                project(
                    &linear::reference_forward(x, &w, &b, rows, in_f, out_f, false),
                    &r,
                )
            },
            &x,
        ),
    );
    assert_grad(
        "dW",
        &dw,
        &numeric(
            &|w| {
                project(
                    &linear::reference_forward(&x, w, &b, rows, in_f, out_f, false),
                    &r,
                )
            },
            &w,
        ),
    );
    assert_grad(
        "db",
        &db,
        &numeric(
            &|b| {
                project(
                    &linear::reference_forward(&x, &w, b, rows, in_f, out_f, false),
                    &r,
                )
            },
            &b,
        ),
    );
}

#[test]
fn relu_backward_matches_finite_differences() {
    let mut rng = SeededRng::new(12);
    // Keep inputs away from the kink at 0, where the derivative is undefined.
    let x: Vec<f64> = rand64(&mut rng, 40)
        .into_iter()
        .map(|v| if v.abs() < 0.01 { 0.5 } else { v })
        .collect();
    let r = rand64(&mut rng, 40);
    let relu = |x: &[f64]| x.iter().map(|v| v.max(0.0)).collect::<Vec<_>>();
    let mut g = r.clone();
    relu_backward::reference(&relu(&x), &mut g);
    assert_grad("relu", &g, &numeric(&|x| project(&relu(x), &r), &x));
    assert!(g.iter().zip(&x).all(|(g, x)| *x > 0.0 || *g == 0.0));
}

#[test]
fn softmax_cross_entropy_backward_matches_finite_differences() {
    let mut rng = SeededRng::new(13);
    let (rows, classes) = (6, 10);
    // Large logits too: the log-sum-exp form must not overflow.
    let mut logits = rand64(&mut rng, rows * classes);
    logits[3] = 80.0;
    logits[15] = -60.0;
    let labels: Vec<u32> = (0..rows).map(|_| rng.below(classes) as u32).collect();
    let mean_loss = |z: &[f64]| {
        let (l, _) = softmax_cross_entropy::reference(z, &labels, rows, classes, 1.0);
        l.iter().sum::<f64>() / rows as f64
    };
    let (losses, d) =
        softmax_cross_entropy::reference(&logits, &labels, rows, classes, 1.0 / rows as f64);
    assert!(losses.iter().all(|l| l.is_finite() && *l >= 0.0));
    assert_grad("dlogits", &d, &numeric(&mean_loss, &logits));
    // Each row of (softmax − onehot) sums to zero.
    for row in d.chunks(classes) {
        assert!(row.iter().sum::<f64>().abs() < 1e-12);
    }
}

#[test]
fn mlp_gradients_of_the_cpu_engine_match_finite_differences() {
    // End to end through the CPU engine (f32): the loss as a function of fc1.weight[i] and fc2.bias[j].
    use kernels::dataset::Split;
    use kernels::{CpuEngine, Engine, Mlp, OptimizerConfig};
    let data = common::random_dataset(5, 16, 9, 4);
    let model = Mlp::new(9, &[6], 4, 2).unwrap();
    let rows: Vec<u32> = (0..16).collect();
    let loss_of = |m: &Mlp| -> f64 {
        let (x, y) = kernels::ops::gather_normalize::reference(
            &data.images,
            &data.labels,
            9,
            &rows,
            data.mean,
            data.std,
        );
        let x64: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
        let to64 = |v: &[f32]| v.iter().map(|&a| f64::from(a)).collect::<Vec<f64>>();
        let h = linear::reference_forward(
            &x64,
            &to64(&m.layers[0].weight),
            &to64(&m.layers[0].bias),
            16,
            9,
            6,
            true,
        );
        let z = linear::reference_forward(
            &h,
            &to64(&m.layers[1].weight),
            &to64(&m.layers[1].bias),
            16,
            6,
            4,
            false,
        );
        let (l, _) = softmax_cross_entropy::reference(&z, &y, 16, 4, 1.0);
        l.iter().sum::<f64>() / 16.0
    };
    let mut engine = CpuEngine::new(&model, 16).unwrap();
    engine.set_data(Split::Train, &data).unwrap();
    // A tiny learning rate: the trace's gradients are those of the step's starting point.
    engine
        .train_step(
            &rows,
            &OptimizerConfig {
                lr: 1e-30,
                momentum: 0.0,
                ..OptimizerConfig::default()
            },
        )
        .unwrap();
    let trace = pollster::block_on(engine.trace()).unwrap();
    for (layer, is_weight, index) in [
        (0, true, 0),
        (0, true, 17),
        (0, false, 3),
        (1, true, 5),
        (1, false, 2),
    ] {
        let analytic = {
            let g = &trace.gradients[layer];
            f64::from(if is_weight {
                g.weight.as_ref().unwrap()[index]
            } else {
                g.bias.as_ref().unwrap()[index]
            })
        };
        let eps = 1e-3f32;
        let mut up = model.clone();
        let mut down = model.clone();
        let (pu, pd) = if is_weight {
            (&mut up.layers[layer].weight, &mut down.layers[layer].weight)
        } else {
            (&mut up.layers[layer].bias, &mut down.layers[layer].bias)
        };
        pu[index] += eps;
        pd[index] -= eps;
        let numeric = (loss_of(&up) - loss_of(&down)) / (2.0 * f64::from(eps));
        let rel = (analytic - numeric).abs() / numeric.abs().max(1e-4);
        assert!(
            rel < 2e-3,
            "layer {layer} {} [{index}]: engine {analytic:e}, numeric {numeric:e}",
            if is_weight { "weight" } else { "bias" }
        );
    }
}
