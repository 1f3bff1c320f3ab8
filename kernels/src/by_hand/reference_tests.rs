//! The reference against central finite differences (f64) for every variant and against the CPU engine's
//! trace for the base one; the correct lines reproduce it; typical mistakes grade as they should.

use super::reference::{compute, head, linear};
use super::*;
use crate::rng::SeededRng;

fn variants() -> [Variant; 5] {
    let v = |activation, loss, label_smoothing| Variant {
        activation,
        loss,
        label_smoothing,
    };
    [
        Variant::BASE,
        v(Activation::Tanh, Loss::CrossEntropy, 0.0),
        v(Activation::Relu, Loss::MseSoftmax, 0.0),
        v(Activation::Relu, Loss::CrossEntropy, 0.1),
        v(Activation::Tanh, Loss::MseSoftmax, 0.2),
    ]
}

fn random(rng: &mut SeededRng, shape: &[usize], scale: f32) -> Tensor {
    let n = shape.iter().product::<usize>();
    let data = (0..n)
        .map(|_| f64::from(rng.uniform(-scale, scale)))
        .collect();
    Tensor::from_f64(shape, data).unwrap()
}

/// A network B × in → hid → out with random values; `w2_scale` large makes a confident model.
fn network(seed: u64, [b, inp, hid, out]: [usize; 4], w2_scale: f32) -> Network {
    let mut rng = SeededRng::new(seed);
    let labels = (0..b).map(|_| rng.below(out) as f64).collect();
    Network {
        x: random(&mut rng, &[b, inp], 2.0),
        y: Tensor::from_f64(&[b], labels).unwrap(),
        w1: random(&mut rng, &[hid, inp], 1.0 / (inp as f32).sqrt()),
        b1: random(&mut rng, &[hid], 0.1),
        w2: random(&mut rng, &[out, hid], w2_scale / (hid as f32).sqrt()),
        b2: random(&mut rng, &[out], 0.1),
    }
}

/// Central differences of `loss` at `point`, one coordinate at a time.
fn numeric(point: &[f64], loss: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let mut p = point.to_vec();
    (0..p.len())
        .map(|i| {
            let h = 1e-6 * p[i].abs().max(1.0);
            let v = p[i];
            p[i] = v + h;
            let up = loss(&p);
            p[i] = v - h;
            let down = loss(&p);
            p[i] = v;
            (up - down) / (2.0 * h)
        })
        .collect()
}

fn assert_agrees(what: &str, analytic: &Tensor, numeric: &[f64]) {
    for (i, (&a, &n)) in analytic.data().iter().zip(numeric).enumerate() {
        assert!(
            (a - n).abs() <= 1e-7 + 1e-5 * n.abs(),
            "{what}[{i}]: analytic {a:e}, numeric {n:e}"
        );
    }
    assert_eq!(analytic.len(), numeric.len(), "{what}");
}

#[test]
fn gradients_match_finite_differences_for_every_variant() {
    let dims = [3, 5, 4, 3];
    let [_, _, hid, out] = dims;
    for (seed, variant) in variants().into_iter().enumerate() {
        let net = network(seed as u64 + 1, dims, 1.0);
        // No ReLU kink within the differences' reach.
        assert!(
            compute(&net, variant, false)
                .unwrap()
                .z1
                .data()
                .iter()
                .all(|z| z.abs() > 1e-4)
        );
        let r = compute(&net, variant, false).unwrap();
        let g = |name| r.gradient(name).unwrap();
        let act = |z: &[f64]| -> Vec<f64> {
            z.iter()
                .map(|&z| match variant.activation {
                    Activation::Relu => z.max(0.0),
                    Activation::Tanh => z.tanh(),
                })
                .collect()
        };
        let y = net.y.data();
        let from_z2 = |z2: &[f64]| head(z2, y, out, variant).0;
        let from_h = |h: &[f64]| from_z2(&linear(h, net.w2.data(), net.b2.data(), hid));
        let from_z1 = |z1: &[f64]| from_h(&act(z1));
        assert_agrees("dz2", g("dz2"), &numeric(r.z2.data(), from_z2));
        assert_agrees("dh", g("dh"), &numeric(r.h.data(), from_h));
        assert_agrees("dz1", g("dz1"), &numeric(r.z1.data(), from_z1));
        let with = |which: usize| {
            let net = &net;
            move |p: &[f64]| {
                let mut n = net.clone();
                let slot = [&mut n.w1, &mut n.b1, &mut n.w2, &mut n.b2]
                    .into_iter()
                    .nth(which)
                    .unwrap();
                *slot = Tensor::from_f64(slot.shape(), p.to_vec()).unwrap();
                compute(&n, variant, false).unwrap().loss
            }
        };
        assert_agrees("dW1", g("dW1"), &numeric(net.w1.data(), with(0)));
        assert_agrees("db1", g("db1"), &numeric(net.b1.data(), with(1)));
        assert_agrees("dW2", g("dW2"), &numeric(net.w2.data(), with(2)));
        assert_agrees("db2", g("db2"), &numeric(net.b2.data(), with(3)));
    }
}

#[test]
fn the_base_variant_matches_the_cpu_engines_trace() {
    use crate::dataset::{Dataset, Split};
    use crate::engine::{Engine, OptimizerConfig};
    let (features, classes) = (12, 5);
    let mut rng = SeededRng::new(9);
    let data = Dataset {
        name: "random".into(),
        height: 1,
        width: features,
        channels: 1,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
        mean: 0.3,
        std: 0.4,
        images: (0..20 * features)
            .map(|_| (rng.next_u64() >> 56) as u8)
            .collect(),
        labels: (0..20).map(|_| rng.below(classes) as u8).collect(),
    };
    let model = Mlp::new(features, &[7], classes, 3).unwrap();
    let mut engine = crate::CpuEngine::new(&model, 8).unwrap();
    engine.set_data(Split::Train, &data).unwrap();
    engine
        .train_step(&[4, 11, 0, 17], &OptimizerConfig::default())
        .unwrap();
    let trace = pollster::block_on(engine.trace()).unwrap();
    let net = Network::from_mlp(&model, &trace.inputs, &trace.labels).unwrap();
    let r = reference(&net, Variant::BASE).unwrap();
    let close = |what: &str, ours: &Tensor, engine: &[f32]| {
        crate::testing::assert_close(what, &ours.to_f32(), engine, 1e-4, 1e-6);
    };
    let grads = &trace.gradients;
    close("z2", &r.z2, &trace.activations[1]);
    close("h", &r.h, &trace.activations[0]);
    close(
        "dz2",
        r.gradient("dz2").unwrap(),
        trace.deltas[1].as_ref().unwrap(),
    );
    close(
        "dW2",
        r.gradient("dW2").unwrap(),
        grads[1].weight.as_ref().unwrap(),
    );
    close(
        "db2",
        r.gradient("db2").unwrap(),
        grads[1].bias.as_ref().unwrap(),
    );
    close(
        "dW1",
        r.gradient("dW1").unwrap(),
        grads[0].weight.as_ref().unwrap(),
    );
    close(
        "db1",
        r.gradient("db1").unwrap(),
        grads[0].bias.as_ref().unwrap(),
    );
    if let Some(dz1) = &trace.deltas[0] {
        close("dz1", r.gradient("dz1").unwrap(), dz1);
    }
    assert!((r.loss as f32 - trace.loss).abs() <= 1e-5 * trace.loss.abs().max(1.0));
}

use crate::model::Mlp;

/// Evaluates the correct lines in order, each result added to the environment, and grades each.
fn run_answers(net: &Network, variant: Variant) -> Env {
    let r = reference(net, variant).unwrap();
    let mut env = net.env(&r, variant);
    let classes = net.b2.len();
    for answer in answers(variant, classes) {
        let (name, value) =
            eval_line(&answer.line, &env).unwrap_or_else(|e| panic!("{}: {e}", answer.line));
        assert_eq!(name, answer.name);
        let grade = grade(&value, r.gradient(answer.name).unwrap());
        assert!(grade.is_right(), "{variant:?} {}: {grade:?}", answer.line);
        env.insert(name, value);
    }
    env
}

#[test]
fn the_correct_lines_reproduce_the_reference_for_every_variant() {
    for (seed, variant) in variants().into_iter().enumerate() {
        run_answers(&network(seed as u64 + 20, [4, 784, 512, 10], 1.0), variant);
        // A confident model (p of the true class all but 1, so p − onehot cancels) still grades right.
        run_answers(&network(seed as u64 + 40, [4, 30, 16, 10], 300.0), variant);
    }
}

#[test]
fn other_correct_spellings_grade_right_too() {
    let variant = Variant {
        activation: Activation::Tanh,
        ..Variant::BASE
    };
    let net = network(5, [4, 20, 16, 10], 1.0);
    let r = reference(&net, variant).unwrap();
    let env = run_answers(&net, variant);
    for (line, name) in [
        (
            "dz2 = softmax(z2, dim=1) / B - F.one_hot(y, num_classes=10) / B",
            "dz2",
        ),
        (
            "dz2 = (exp(z2) / sum(exp(z2), 1, keepdim=True) - onehot(y, 10)) / 4",
            "dz2",
        ),
        ("dW2 = (h.T @ dz2).T", "dW2"),
        ("db2 = mean(dz2, 0) * B", "db2"),
        ("dz1 = dh * (1 - tanh(z1) ** 2)", "dz1"),
        ("dz1 = dh - dh * h * h", "dz1"),
        (
            "dW1 = (x.T @ dz1).T + 0 * torch.sum(dz1, dim=0, keepdim=True).T",
            "dW1",
        ),
    ] {
        let (_, value) = eval_line(line, &env).unwrap_or_else(|e| panic!("{line}: {e}"));
        let g = grade(&value, r.gradient(name).unwrap());
        assert!(g.is_right(), "{line}: {g:?}");
    }
}

#[test]
fn typical_mistakes_grade_as_shape_or_values() {
    let net = network(7, [4, 784, 512, 10], 1.0);
    let r = reference(&net, Variant::BASE).unwrap();
    let env = run_answers(&net, Variant::BASE);
    let check = |line: &str| {
        let (name, value) = eval_line(line, &env).unwrap();
        grade(&value, r.gradient(&name).unwrap())
    };
    assert_eq!(
        check("dW2 = h.T @ dz2"),
        Grade::Shape {
            expected: vec![10, 512],
            got: vec![512, 10]
        }
    );
    assert!(matches!(check("db2 = sum(dz2, 1)"), Grade::Shape { .. }));
    let Grade::Values { max_rel_error, .. } = check("dz2 = softmax(z2, 1) - onehot(y, 10)") else {
        panic!("dz2 without / B must be wrong values")
    };
    assert!(max_rel_error > 1.0);
    assert!(matches!(check("dz1 = dh * (z1 < 0)"), Grade::Values { .. }));
    assert!(matches!(
        check("dh = dz2 @ W2 * 1.001"),
        Grade::Values { .. }
    ));
    // Errors of the line itself, before grading: the transposed product the other way round.
    let e = eval_line("dW2 = dz2 @ h", &env).unwrap_err();
    assert!(e.message(Lang::En).contains("[4, 10] @ [4, 512]"), "{e}");
}

#[test]
fn reference_refuses_shapes_that_do_not_chain() {
    let mut net = network(1, [3, 5, 4, 3], 1.0);
    net.b2 = Tensor::from_f64(&[4], vec![0.0; 4]).unwrap();
    assert!(reference(&net, Variant::BASE).is_err());
    let mut net = network(1, [3, 5, 4, 3], 1.0);
    net.y = Tensor::from_f64(&[3], vec![0.0, 1.0, 3.0]).unwrap();
    assert!(reference(&net, Variant::BASE).is_err());
    let model = Mlp::new(4, &[3, 3], 2, 1).unwrap();
    assert!(Network::from_mlp(&model, &[0.0; 4], &[1]).is_err());
}

#[test]
fn the_fuzzing_seed_that_uses_every_operator_evaluates() {
    let env = run_answers(&network(3, [4, 6, 5, 3], 1.0), Variant::BASE);
    // The seed `every-operator` that fuzz/run.sh writes (the corpus may be minimised without it).
    let line = "q = -sum(relu(tanh(exp(log(h ** 2 + 1)))) * (z1 > 0), dim=0, keepdim=True).T @ mean(F.one_hot(y, num_classes=3) @ W2, 0, True) / 2.5e-1 - (W1 @ x.T >= 0) @ x @ W1.T";
    let (_, q) = eval_line(line, &env).unwrap_or_else(|e| panic!("{}\n{e}", e.caret(line)));
    assert_eq!(q.shape(), &[5, 5]);
}

#[test]
fn saturated_tanh_and_a_literal_smoothing_grade_right() {
    // A large fc1 saturates tanh (|z1| far above 1): `tanh(z1)` and `h` must still be one tensor.
    let tanh = Variant {
        activation: Activation::Tanh,
        ..Variant::BASE
    };
    let mut net = network(11, [4, 30, 16, 10], 1.0);
    let big: Vec<f64> = net.w1.data().iter().map(|w| 20.0 * w).collect();
    net.w1 = Tensor::from_f64(net.w1.shape(), big).unwrap();
    let r = reference(&net, tanh).unwrap();
    assert!(r.z1.data().iter().any(|z| z.abs() > 5.0), "not saturated");
    let env = run_answers(&net, tanh);
    let (_, value) = eval_line("dz1 = dh * (1 - tanh(z1) ** 2)", &env).unwrap();
    let g = grade(&value, r.gradient("dz1").unwrap());
    assert!(g.is_right(), "{g:?}");

    // The page prints eps = 0.1: a student who types 0.1 computes the reference's target exactly.
    let smooth = Variant {
        label_smoothing: 0.1,
        ..Variant::BASE
    };
    for seed in 0..20 {
        let net = network(seed + 60, [4, 30, 16, 10], 3.0);
        let r = reference(&net, smooth).unwrap();
        let env = run_answers(&net, smooth);
        let (_, value) = eval_line(
            "dz2 = (softmax(z2, 1) - ((1 - 0.1) * onehot(y, 10) + 0.1 / 10)) / B",
            &env,
        )
        .unwrap();
        let g = grade(&value, r.gradient("dz2").unwrap());
        assert!(g.is_right(), "{g:?}");
    }
}
