//! A training step walked one part at a time (`train_step_part`, the loop's lines lit in a lesson)
//! does what `train_step` does: on the CPU engine bit for bit, on the GPU engine (lavapipe in CI) to
//! rounding (the walk runs the output layer's product and the loss as two dispatches where a step fuses
//! them); parts out of order are refused without losing the walk; both optimisers; a frozen layer.

mod common;

use kernels::dataset::Split;
use kernels::engine::StepPart;
use kernels::testing::assert_close;
use kernels::{CpuEngine, Engine, GpuEngine, Mlp, OptimizerConfig};

const STEPS: usize = 3;

fn batches() -> Vec<Vec<u32>> {
    vec![
        vec![3, 17, 5, 40, 22],
        vec![0, 1, 2],
        vec![41, 8, 30, 12, 9, 33, 2],
    ]
}

/// Runs the batches whole on `a` and walked on `b`; returns both models and losses.
fn run(a: &mut impl Engine, b: &mut impl Engine, opt: &OptimizerConfig) -> [(Mlp, Vec<f32>); 2] {
    let data = common::random_dataset(9, 45, 23, 7);
    for e in [&mut *a as &mut dyn SetData, &mut *b] {
        e.set(&data);
    }
    for rows in batches().iter().take(STEPS) {
        a.train_step(rows, opt).unwrap();
        for part in StepPart::ALL {
            b.train_step_part(rows, opt, part).unwrap();
        }
    }
    pollster::block_on(async {
        [
            (a.model().await.unwrap(), a.take_losses().await.unwrap()),
            (b.model().await.unwrap(), b.take_losses().await.unwrap()),
        ]
    })
}

/// Object-safe data setter (the `Engine` trait has async methods).
trait SetData {
    fn set(&mut self, data: &kernels::dataset::Dataset);
}
impl<E: Engine> SetData for E {
    fn set(&mut self, data: &kernels::dataset::Dataset) {
        self.set_data(Split::Train, data).unwrap();
    }
}

fn optimisers() -> [OptimizerConfig; 2] {
    [
        OptimizerConfig {
            lr: 0.1,
            momentum: 0.5,
            ..OptimizerConfig::default()
        },
        OptimizerConfig {
            weight_decay: 1e-3,
            ..OptimizerConfig::adam(1e-2)
        },
    ]
}

fn model(frozen_first: bool) -> Mlp {
    let mut m = Mlp::new(23, &[13, 11], 7, 4).unwrap();
    m.layers[0].weight_frozen = frozen_first;
    m
}

#[test]
fn a_walked_step_on_the_cpu_engine_is_a_step_bit_for_bit() {
    for opt in optimisers() {
        for frozen in [false, true] {
            let m = model(frozen);
            let [(ma, la), (mb, lb)] = run(
                &mut CpuEngine::new(&m, 16).unwrap(),
                &mut CpuEngine::new(&m, 16).unwrap(),
                &opt,
            );
            assert_eq!(la.len(), STEPS);
            assert_eq!(la, lb, "{opt:?} frozen {frozen}");
            assert_eq!(ma, mb, "{opt:?} frozen {frozen}");
        }
    }
}

#[test]
fn a_walked_step_on_the_gpu_engine_matches_a_step_and_the_cpu_engine() {
    let Some(ctx) = common::gpu() else { return };
    for opt in optimisers() {
        for frozen in [false, true] {
            let m = model(frozen);
            let [(ma, la), (mb, lb)] = run(
                &mut GpuEngine::new(&ctx, &m, 16).unwrap(),
                &mut GpuEngine::new(&ctx, &m, 16).unwrap(),
                &opt,
            );
            let [(mc, lc), _] = run(
                &mut CpuEngine::new(&m, 16).unwrap(),
                &mut CpuEngine::new(&m, 16).unwrap(),
                &opt,
            );
            assert_close("GPU walk vs step: losses", &lb, &la, 1e-5, 1e-6);
            assert_close("GPU walk vs CPU: losses", &lb, &lc, 1e-4, 1e-5);
            for ((a, b), c) in ma.layers.iter().zip(&mb.layers).zip(&mc.layers) {
                assert_close(
                    "GPU walk vs step: weights",
                    &b.weight,
                    &a.weight,
                    1e-5,
                    1e-6,
                );
                assert_close("GPU walk vs step: biases", &b.bias, &a.bias, 1e-5, 1e-6);
                assert_close("GPU walk vs CPU: weights", &b.weight, &c.weight, 1e-4, 1e-5);
            }
            if frozen {
                assert_eq!(
                    mb.layers[0].weight, m.layers[0].weight,
                    "a frozen weight stays"
                );
            }
        }
    }
}

fn refuses_out_of_order(e: &mut impl Engine, name: &str) {
    let data = common::random_dataset(9, 45, 23, 7);
    e.set_data(Split::Train, &data).unwrap();
    let opt = optimisers()[0];
    let rows = [1u32, 2, 3];
    assert!(
        e.train_step_part(&rows, &opt, StepPart::Loss).is_err(),
        "{name}: no step begun"
    );
    e.train_step_part(&rows, &opt, StepPart::Gather).unwrap();
    let err = e.train_step_part(&rows, &opt, StepPart::Loss).unwrap_err();
    assert!(err.to_string().contains("Forward next"), "{name}: {err}");
    // The walk survived the refusal.
    for part in &StepPart::ALL[1..] {
        e.train_step_part(&rows, &opt, *part).unwrap();
    }
    assert!(
        e.train_step_part(&rows, &opt, StepPart::Update).is_err(),
        "{name}: the step is complete"
    );
    // A walk begun and dropped by a whole step: the whole step runs as usual.
    e.train_step_part(&rows, &opt, StepPart::Gather).unwrap();
    e.train_step(&rows, &opt).unwrap();
    let losses = pollster::block_on(e.take_losses()).unwrap();
    assert_eq!(
        losses.len(),
        2,
        "{name}: one walked step and one whole step"
    );
    assert!(losses.iter().all(|l| l.is_finite()), "{name}");
}

#[test]
fn parts_out_of_order_are_refused_and_the_walk_goes_on() {
    refuses_out_of_order(&mut CpuEngine::new(&model(false), 16).unwrap(), "CPU");
    if let Some(ctx) = common::gpu() {
        refuses_out_of_order(&mut GpuEngine::new(&ctx, &model(false), 16).unwrap(), "GPU");
    }
}
