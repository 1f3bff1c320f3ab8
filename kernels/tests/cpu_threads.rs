//! The CPU engine gives the same bits on any number of threads (issue 33: the threaded wasm build must
//! train the seed recipe exactly as the one-thread build does): losses, final weights, optimiser state,
//! DP-SGD's per-example norms, predictions and input gradients of 2, 3 and 4 threads equal 1 thread's,
//! compared with `to_bits`. The shapes are odd on purpose, and 784-300-37-10 at batch 200 is large
//! enough that every product of the first layers is split into chunks (see `engine/cpu/parallel.rs`),
//! in both directions, with a ragged last chunk.

mod common;

use kernels::dataset::{Dataset, Split};
use kernels::engine::{InputGradient, OptimizerKind};
use kernels::ops::dp::DpConfig;
use kernels::{CpuEngine, Engine, Mlp, OptimizerConfig};

/// One training setting.
struct Case {
    hidden: &'static [usize],
    batch: usize,
    opt: OptimizerConfig,
    /// A layer frozen before training.
    frozen: Option<usize>,
    dp: Option<DpConfig>,
    steps: usize,
}

fn data() -> Dataset {
    common::random_dataset(33, 420, 784, 10)
}

fn sgd_momentum() -> OptimizerConfig {
    OptimizerConfig {
        lr: 0.05,
        momentum: 0.9,
        ..OptimizerConfig::default()
    }
}

fn adam() -> OptimizerConfig {
    OptimizerConfig {
        kind: OptimizerKind::Adam,
        lr: 1e-3,
        weight_decay: 1e-4,
        ..OptimizerConfig::default()
    }
}

/// Everything a run leaves, as bits: losses, weights and biases, optimiser moments, DP norms,
/// predictions and input gradients of a few test rows.
fn run(case: &Case, threads: usize) -> Vec<Vec<u32>> {
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let data = data();
    let mut model = Mlp::new(784, case.hidden, 10, 7).unwrap();
    if let Some(l) = case.frozen {
        model.freeze(l).unwrap();
    }
    let mut engine = CpuEngine::with_threads(&model, case.batch, threads).unwrap();
    let adapter = &engine.info().adapter;
    assert!(
        adapter.starts_with(&format!("CPU ({threads} thread")),
        "{adapter}"
    );
    engine.set_data(Split::Train, &data).unwrap();
    engine.set_data(Split::Test, &data).unwrap();
    engine.set_privacy(case.dp).unwrap();
    let rows: Vec<u32> = (0..data.len() as u32).map(|i| (i * 97) % 420).collect();
    for s in 0..case.steps {
        let start = (s * case.batch) % (rows.len() - case.batch);
        engine
            .train_step(&rows[start..start + case.batch], &case.opt)
            .unwrap();
    }
    let mut out = vec![bits(&pollster::block_on(engine.take_losses()).unwrap())];
    let trained = pollster::block_on(engine.model()).unwrap();
    for layer in &trained.layers {
        out.push(bits(&layer.weight));
        out.push(bits(&layer.bias));
    }
    for state in pollster::block_on(engine.optimizer_state()).unwrap() {
        out.push(bits(&state.momentum));
        out.push(bits(&state.second_moment));
    }
    out.push(bits(
        &pollster::block_on(engine.trace()).unwrap().example_norms,
    ));
    let rows = 29;
    let inputs: Vec<f32> = data.images[..rows * 784]
        .iter()
        .map(|&p| f32::from(p) / 255.0)
        .collect();
    out.push(bits(
        &pollster::block_on(engine.predict(&inputs, rows)).unwrap(),
    ));
    let labels: Vec<u32> = data.labels[..rows].iter().map(|&l| u32::from(l)).collect();
    out.push(bits(
        &pollster::block_on(engine.input_gradients(&inputs, &labels, InputGradient::Loss)).unwrap(),
    ));
    let eval = pollster::block_on(engine.evaluate(Some(300))).unwrap();
    out.push(vec![eval.loss.to_bits()]);
    out
}

fn same_bits_on_1_to_4_threads(case: &Case) {
    let one = run(case, 1);
    assert_eq!(one[0].len(), case.steps, "one loss per step");
    for threads in 2..=4 {
        let many = run(case, threads);
        for (i, (a, b)) in one.iter().zip(&many).enumerate() {
            assert!(a == b, "output {i} differs between 1 and {threads} threads");
        }
    }
}

#[test]
fn momentum_steps_are_bit_identical_on_1_to_4_threads() {
    for batch in [13, 53] {
        same_bits_on_1_to_4_threads(&Case {
            hidden: &[37],
            batch,
            opt: sgd_momentum(),
            frozen: None,
            dp: None,
            steps: 4,
        });
    }
}

#[test]
fn adam_steps_with_split_products_are_bit_identical_on_1_to_4_threads() {
    same_bits_on_1_to_4_threads(&Case {
        hidden: &[300, 37],
        batch: 200,
        opt: adam(),
        frozen: None,
        dp: None,
        steps: 3,
    });
}

#[test]
fn frozen_layer_steps_are_bit_identical_on_1_to_4_threads() {
    for (hidden, batch) in [(&[37][..], 53), (&[300, 37][..], 200)] {
        same_bits_on_1_to_4_threads(&Case {
            hidden,
            batch,
            opt: adam(),
            frozen: Some(0),
            dp: None,
            steps: 3,
        });
    }
}

#[test]
fn dp_sgd_steps_are_bit_identical_on_1_to_4_threads() {
    for (hidden, batch) in [(&[37][..], 53), (&[300, 37][..], 200)] {
        same_bits_on_1_to_4_threads(&Case {
            hidden,
            batch,
            opt: sgd_momentum(),
            frozen: None,
            dp: Some(DpConfig {
                clip: 1.0,
                noise: 1.1,
                expected_lot: batch as f32,
                seed: 5,
            }),
            steps: 2,
        });
    }
}

#[test]
fn thread_counts_out_of_range_are_refused() {
    let model = Mlp::new(784, &[37], 10, 7).unwrap();
    assert!(CpuEngine::with_threads(&model, 8, 0).is_err());
    assert!(CpuEngine::with_threads(&model, 8, 257).is_err());
}
