//! Tests of the lesson's arithmetic on a small made-up batch.
use super::*;
use crate::lessons::live_model::by_hand_batch::engine_step;
use kernels::dataset::Dataset;

/// Runs a future of the CPU engine (ready at once) to completion.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A small batch on a random 784-32-10 network.
fn snapshot() -> Snapshot {
    let model = kernels::Mlp::new(784, &[32], 10, 3).unwrap();
    let inputs: Vec<f32> = (0..ROWS * 784)
        .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
        .collect();
    let before = Params::of(&model);
    let batch = ByHandBatch {
        image: 0,
        rows: ROWS,
        pixels: serde_bytes::ByteBuf::from(vec![0; ROWS * 784]),
        labels: vec![3, 1, 4, 1],
        inputs,
        after: before.clone(),
        before,
        lr: 0.05,
        engine_loss: 2.3,
        step: 0,
    };
    Snapshot::new(batch, Variant::BASE).unwrap()
}

fn grade_all(s: &Snapshot, lines: &[&str]) -> Vec<Option<Graded>> {
    let mut graded: Vec<Option<Graded>> = vec![None; 7];
    for (i, (name, line)) in GRADIENT_NAMES.iter().zip(lines).enumerate() {
        let env = env_for(s, &graded, name);
        graded[i] = Some(grade_line(line, name, &env, &s.reference));
    }
    graded
}

#[test]
fn the_answers_grade_right_and_close_the_loop() {
    let mut s = snapshot();
    let answers = bh::answers(Variant::BASE, 10);
    let lines: Vec<&str> = answers.iter().map(|a| a.line.as_str()).collect();
    let graded = grade_all(&s, &lines);
    for g in &graded {
        let g = g.as_ref().unwrap();
        assert_eq!(g.state(), "right", "{g:?}");
        assert!(g.max_rel_error().unwrap() <= 1e-5);
    }
    // The bare expression is graded the same.
    let env = env_for(&s, &graded, "dW2");
    assert_eq!(
        grade_line("dz2.T @ h", "dW2", &env, &s.reference).state(),
        "right"
    );
    // Against a made-up engine step of exactly the reference's gradients: equal, the loss falls.
    let v = |i: usize| graded[i].as_ref().unwrap().right_value().unwrap();
    let lr = s.batch.lr;
    s.batch.after = Params {
        w1: sgd(&s.batch.before.w1, s.reference.gradient("dW1").unwrap(), lr),
        b1: sgd(&s.batch.before.b1, s.reference.gradient("db1").unwrap(), lr),
        w2: sgd(&s.batch.before.w2, s.reference.gradient("dW2").unwrap(), lr),
        b2: sgd(&s.batch.before.b2, s.reference.gradient("db2").unwrap(), lr),
    };
    let check = step_check(&s, [v(5), v(6), v(1), v(2)]).unwrap();
    assert!(check.max_diff <= 1e-6, "{check:?}");
    assert!(check.loss_after < check.loss_before, "{check:?}");
    let fd = finite_differences(&s, [v(5), v(6), v(1)], 7);
    assert_eq!(fd.len(), 3);
    for r in fd {
        assert!(r.relative() < 1e-4, "{r:?}");
    }
}

#[test]
fn the_usual_mistakes_are_graded_for_what_they_are() {
    let s = snapshot();
    let env = s.env();
    let r = &s.reference;
    let g = grade_line("softmax(z2, 1) - onehot(y, 10)", "dz2", &env, r);
    assert_eq!(g.state(), "values");
    let g = grade_line("dz2 = (softmax(z2, 1) - onehot(y, 10) / B", "dz2", &env, r);
    assert_eq!(g.state(), "error");
    // A wrong line defines nothing: dW2 cannot use dz2 yet.
    assert_eq!(grade_line("h.T @ dz2", "dW2", &env, r).state(), "error");
    let mut graded: Vec<Option<Graded>> = vec![None; 7];
    graded[0] = Some(grade_line(
        "(softmax(z2, 1) - onehot(y, 10)) / B",
        "dz2",
        &env,
        r,
    ));
    let env = env_for(&s, &graded, "dW2");
    let g = grade_line("dW2 = h.T @ dz2", "dW2", &env, r);
    assert_eq!(g.state(), "shape");
    assert!(
        matches!(&g.outcome, Outcome::Graded { grade: Grade::Shape { expected, got }, .. } if *expected == [10, 32] && *got == [32, 10])
    );
    let g = grade_line("db2 = sum(dz2, 0)", "dW2", &env, r);
    assert_eq!(g.outcome, Outcome::WrongName("db2".into()));
    assert_eq!(assignment("z1 == 0"), None);
    assert_eq!(assignment(" dz1 = dh"), Some("dz1"));
}

#[test]
fn every_variation_is_graded_against_its_own_reference() {
    let base = snapshot();
    for choice in crate::lessons::by_hand::variants::CHOICES {
        let s = Snapshot::new(base.batch.clone(), choice.variant).unwrap();
        let answers = bh::answers(choice.variant, 10);
        let lines: Vec<&str> = answers.iter().map(|a| a.line.as_str()).collect();
        for g in grade_all(&s, &lines) {
            let g = g.unwrap();
            assert_eq!(g.state(), "right", "{}: {g:?}", choice.key);
        }
        // The article's dz2 is wrong for every other loss or target.
        let g = grade_line(
            "(softmax(z2, 1) - onehot(y, 10)) / B",
            "dz2",
            &s.env(),
            &s.reference,
        );
        let base_loss =
            choice.variant.loss == bh::Loss::CrossEntropy && choice.variant.label_smoothing == 0.0;
        assert_eq!(g.state() == "right", base_loss, "{}", choice.key);
    }
    let problems = crate::lessons::by_hand::variants::url_problems;
    assert!(problems("?lesson=by-hand&variant=tanh").is_empty());
    assert_eq!(
        problems("?lesson=by-hand&variant=sigmoid"),
        vec!["variant=sigmoid"]
    );
}

#[test]
fn the_students_step_equals_the_cpu_engines() {
    // Four made-up 28×28 images through a fresh 784-32-10 model on the CPU engine.
    let labels = vec![7, 2, 1, 0];
    let data = Dataset {
        name: "t".into(),
        height: 28,
        width: 28,
        channels: 1,
        class_names: (0..10).map(|c| c.to_string()).collect(),
        mean: 0.13,
        std: 0.31,
        images: (0..ROWS * 784).map(|i| ((i * 7919) % 256) as u8).collect(),
        labels,
    };
    let model = kernels::Mlp::new(784, &[32], 10, 1).unwrap();
    let mut probe = kernels::CpuEngine::new(&model, 64).unwrap();
    let batch = block_on(engine_step(&mut probe, &model, &data, 0, 0.05, 0)).unwrap();
    let s = Snapshot::new(batch, Variant::BASE).unwrap();
    let answers = bh::answers(Variant::BASE, 10);
    let lines: Vec<&str> = answers.iter().map(|a| a.line.as_str()).collect();
    let graded = grade_all(&s, &lines);
    let v = |i: usize| graded[i].as_ref().unwrap().right_value().unwrap();
    let check = step_check(&s, [v(5), v(6), v(1), v(2)]).unwrap();
    assert!(check.max_diff <= 1e-6, "{check:?}");
    assert!(
        check.same * 4 >= check.all * 3,
        "most parameters equal to the bit: {check:?}"
    );
    assert!(check.loss_after < check.loss_before, "{check:?}");
    assert!(
        (check.loss_after - check.loss_engine).abs() < 1e-5,
        "{check:?}"
    );
    assert!(
        (f64::from(s.batch.engine_loss) - check.loss_before).abs() < 1e-4,
        "{check:?}"
    );
}

#[test]
fn a_line_past_the_page_bounds_is_an_error_not_a_freeze() {
    let s = snapshot();
    let env = env_for(&s, &[None, None, None, None, None, None, None], "dz2");
    // 784³ ≈ 482 M multiply-adds: far past the page's 16 Mi, refused before it is computed.
    let g = grade_line("dz2 = (x.T @ x) @ (x.T @ x)", "dz2", &env, &s.reference);
    match &g.outcome {
        Outcome::Error(e) => assert!(
            matches!(e.kind, bh::ErrorKind::TooCostly { max } if max == PAGE_LIMITS.max_madds),
            "{e:?}"
        ),
        other => panic!("{other:?}"),
    }
    // x.T @ x itself (the largest result a line may reasonably make) is within them.
    let g = grade_line("dz2 = x.T @ x", "dz2", &env, &s.reference);
    assert!(
        matches!(
            &g.outcome,
            Outcome::Graded {
                grade: Grade::Shape { .. },
                ..
            }
        ),
        "{g:?}"
    );
}
