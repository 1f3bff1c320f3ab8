//! DP-SGD in the training step (GPU on lavapipe in CI, and CPU): the per-example norms equal those of
//! per-example gradients computed one example at a time; the step's gradient is the sum of the clipped
//! per-example gradients over the expected lot size, plus noise of the stated spread; with clipping off
//! and no noise a step is plain SGD; GPU = CPU; the noise is seeded; frozen layers are refused.

mod common;

use kernels::dataset::{Dataset, Split};
use kernels::ops::dp::DpConfig;
use kernels::testing::assert_close;
use kernels::{CpuEngine, Engine, GpuContext, GpuEngine, Mlp, OptimizerConfig};

fn data() -> Dataset {
    common::random_dataset(11, 40, 23, 7)
}

fn model() -> Mlp {
    Mlp::new(23, &[13, 11], 7, 4).unwrap()
}

const ROWS: [u32; 9] = [3, 17, 5, 30, 22, 0, 1, 39, 8];

fn sgd() -> OptimizerConfig {
    OptimizerConfig {
        lr: 0.1,
        momentum: 0.0,
        ..OptimizerConfig::default()
    }
}

/// Every gradient of a trace, flattened in layer order.
fn flat(trace: &kernels::StepTrace) -> Vec<f32> {
    trace
        .gradients
        .iter()
        .flat_map(|g| {
            g.weight
                .clone()
                .unwrap()
                .into_iter()
                .chain(g.bias.clone().unwrap())
        })
        .collect()
}

/// One DP step on `ROWS` and its trace.
fn dp_step(engine: &mut impl Engine, dp: DpConfig) -> kernels::StepTrace {
    engine.set_data(Split::Train, &data()).unwrap();
    engine.set_privacy(Some(dp)).unwrap();
    engine.train_step(&ROWS, &sgd()).unwrap();
    pollster::block_on(engine.trace()).unwrap()
}

/// Each example's gradient, one example at a time, by the plain CPU engine (the oracle).
fn per_example_gradients() -> Vec<Vec<f32>> {
    ROWS.iter()
        .map(|&r| {
            let mut cpu = CpuEngine::new(&model(), 16).unwrap();
            cpu.set_data(Split::Train, &data()).unwrap();
            cpu.train_step(&[r], &sgd()).unwrap();
            flat(&pollster::block_on(cpu.trace()).unwrap())
        })
        .collect()
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

fn check_clipping(engine: &mut impl Engine, name: &str) {
    let per = per_example_gradients();
    let norms: Vec<f32> = per.iter().map(|g| norm(g)).collect();
    // A clip norm between the smallest and largest per-example norm: some are clipped, some not.
    let mut sorted = norms.clone();
    sorted.sort_by(f32::total_cmp);
    let clip = sorted[sorted.len() / 2];
    let lot = 12.0;
    let trace = dp_step(
        engine,
        DpConfig {
            clip,
            noise: 0.0,
            expected_lot: lot,
            seed: 1,
        },
    );
    assert_close(
        &format!("{name}: per-example norms"),
        &trace.example_norms,
        &norms,
        1e-4,
        1e-6,
    );
    let mut expected = vec![0.0f32; per[0].len()];
    for g in &per {
        let f = (clip / norm(g)).min(1.0) / lot;
        expected.iter_mut().zip(g).for_each(|(e, v)| *e += f * v);
    }
    assert_close(
        &format!("{name}: clipped sum / L"),
        &flat(&trace),
        &expected,
        1e-4,
        1e-6,
    );
}

fn gpu() -> Option<GpuContext> {
    common::gpu()
}

#[test]
fn per_example_norms_and_the_clipped_sum_match_one_example_at_a_time() {
    check_clipping(&mut CpuEngine::new(&model(), 16).unwrap(), "CPU");
    if let Some(ctx) = gpu() {
        check_clipping(&mut GpuEngine::new(&ctx, &model(), 16).unwrap(), "GPU");
    }
}

fn after_steps(engine: &mut impl Engine, dp: Option<DpConfig>) -> Mlp {
    engine.set_data(Split::Train, &data()).unwrap();
    engine.set_privacy(dp).unwrap();
    let opt = OptimizerConfig {
        lr: 0.1,
        momentum: 0.5,
        ..OptimizerConfig::default()
    };
    for _ in 0..3 {
        engine.train_step(&ROWS, &opt).unwrap();
    }
    pollster::block_on(engine.model()).unwrap()
}

fn assert_models_close(what: &str, a: &Mlp, b: &Mlp, rtol: f32, atol: f32) {
    for (x, y) in a.layers.iter().zip(&b.layers) {
        assert_close(
            &format!("{what}: weights"),
            &x.weight,
            &y.weight,
            rtol,
            atol,
        );
        assert_close(&format!("{what}: biases"), &x.bias, &y.bias, rtol, atol);
    }
}

#[test]
fn with_clipping_off_and_no_noise_a_step_is_plain_sgd() {
    let off = DpConfig {
        clip: 1e30,
        noise: 0.0,
        expected_lot: ROWS.len() as f32,
        seed: 1,
    };
    let plain = after_steps(&mut CpuEngine::new(&model(), 16).unwrap(), None);
    let dp = after_steps(&mut CpuEngine::new(&model(), 16).unwrap(), Some(off));
    assert_models_close("CPU", &dp, &plain, 1e-5, 1e-7);
    if let Some(ctx) = gpu() {
        let dp = after_steps(&mut GpuEngine::new(&ctx, &model(), 16).unwrap(), Some(off));
        assert_models_close("GPU", &dp, &plain, 1e-4, 1e-6);
    }
}

#[test]
fn the_noise_is_seeded_has_the_stated_spread_and_the_gpu_draws_what_the_cpu_draws() {
    let noisy = |seed| DpConfig {
        clip: 0.5,
        noise: 1.3,
        expected_lot: 8.0,
        seed,
    };
    let cpu = |seed| {
        after_steps(
            &mut CpuEngine::new(&model(), 16).unwrap(),
            Some(noisy(seed)),
        )
    };
    let (a, b, c) = (cpu(7), cpu(7), cpu(8));
    assert_eq!(a, b, "same seed, same steps");
    assert_ne!(a, c, "another seed, other noise");
    if let Some(ctx) = gpu() {
        let g = after_steps(
            &mut GpuEngine::new(&ctx, &model(), 16).unwrap(),
            Some(noisy(7)),
        );
        assert_models_close("GPU vs CPU with noise", &g, &a, 1e-3, 1e-5);
    }
    // One step's gradient minus its noiseless gradient is the noise: N(0, (σC/L)²) per coordinate.
    let grad = |noise| {
        let mut e = CpuEngine::new(&model(), 16).unwrap();
        flat(&dp_step(&mut e, DpConfig { noise, ..noisy(3) }))
    };
    let (with, without) = (grad(1.3), grad(0.0));
    let diff: Vec<f64> = with
        .iter()
        .zip(&without)
        .map(|(a, b)| f64::from(a - b))
        .collect();
    let sd = (diff.iter().map(|d| d * d).sum::<f64>() / diff.len() as f64).sqrt();
    let expected = 1.3 * 0.5 / 8.0;
    assert!(
        (sd / expected - 1.0).abs() < 0.1,
        "noise sd {sd} vs σC/L = {expected} over {} values",
        diff.len()
    );
}

#[test]
fn dp_sgd_refuses_frozen_layers_and_bad_settings() {
    let mut m = model();
    m.layers[0].weight_frozen = true;
    let mut cpu = CpuEngine::new(&m, 16).unwrap();
    cpu.set_data(Split::Train, &data()).unwrap();
    let ok = DpConfig {
        clip: 1.0,
        noise: 1.0,
        expected_lot: 8.0,
        seed: 0,
    };
    cpu.set_privacy(Some(ok)).unwrap();
    let err = cpu.train_step(&ROWS, &sgd()).unwrap_err();
    assert!(err.to_string().contains("unfreeze"), "{err}");
    assert!(
        cpu.set_privacy(Some(DpConfig {
            clip: f32::NAN,
            ..ok
        }))
        .is_err()
    );
    if let Some(ctx) = gpu() {
        let mut g = GpuEngine::new(&ctx, &m, 16).unwrap();
        g.set_data(Split::Train, &data()).unwrap();
        g.set_privacy(Some(ok)).unwrap();
        assert!(g.train_step(&ROWS, &sgd()).is_err());
    }
}

/// One step on both engines (walked part by part or whole), then the GPU encoder's count, the GPU
/// plan's and the GPU launch list's against `expected`, and the CPU engine's list against the GPU's.
fn check_dispatches(
    (gpu, cpu): (&mut GpuEngine, &mut CpuEngine),
    what: &str,
    expected: usize,
    walk: bool,
) {
    let rows: Vec<u32> = (0..32).collect();
    if walk {
        for part in kernels::engine::StepPart::ALL {
            gpu.train_step_part(&rows, &sgd(), part).unwrap();
            cpu.train_step_part(&rows, &sgd(), part).unwrap();
        }
    } else {
        gpu.train_step(&rows, &sgd()).unwrap();
        cpu.train_step(&rows, &sgd()).unwrap();
    }
    let listed = kernels::KernelLaunch::dispatches(&gpu.last_step_kernels());
    assert_eq!(
        (gpu.last_step_encoded(), gpu.last_step_dispatches(), listed),
        (expected, expected, expected),
        "{what}: encoded, planned, listed"
    );
    // The CPU engine lists the GPU engine's plan of the step (it dispatches nothing itself).
    assert_eq!(cpu.last_step_kernels(), gpu.last_step_kernels(), "{what}");
}

/// The dispatches the GPU encoder really issues (counted as it issues them) are the step plan's,
/// and the launch list both engines give is the plan's: for the seed MLP (784-128-10), a head-only
/// step, DP-SGD steps with and without noise (before the step plan the list under-reported these),
/// and a step walked part by part (its head runs unfused).
#[test]
fn the_encoder_issues_the_dispatches_the_plan_lists() {
    let Some(ctx) = gpu() else { return };
    let data = common::random_dataset(5, 48, 784, 10);
    let model = Mlp::new(784, &[128], 10, 3).unwrap();
    let mut gpu = GpuEngine::new(&ctx, &model, 32).unwrap();
    let mut cpu = CpuEngine::new(&model, 32).unwrap();
    gpu.set_data(Split::Train, &data).unwrap();
    cpu.set_data(Split::Train, &data).unwrap();
    // gather, fc1, head (fc2 + loss + fc2's input gradient), fc2 dW+db, fc1 dW+db, update.
    check_dispatches((&mut gpu, &mut cpu), "seed MLP", 6, false);
    // The same walked: fc2 forward, softmax and fc2's input gradient run apart.
    check_dispatches((&mut gpu, &mut cpu), "seed MLP walked", 8, true);
    // Head only: no fc1 gradient, no input gradient.
    gpu.set_frozen(0, true).unwrap();
    cpu.set_frozen(0, true).unwrap();
    check_dispatches((&mut gpu, &mut cpu), "head only", 5, false);
    gpu.set_frozen(0, false).unwrap();
    cpu.set_frozen(0, false).unwrap();
    // DP-SGD: gather, 2 forward, softmax, fc2's input gradient, 2 norms, 2 clips, 2 dW+db, 2 noise,
    // update.
    let dp = DpConfig {
        clip: 1.0,
        noise: 1.1,
        expected_lot: 32.0,
        seed: 9,
    };
    gpu.set_privacy(Some(dp)).unwrap();
    cpu.set_privacy(Some(dp)).unwrap();
    check_dispatches((&mut gpu, &mut cpu), "DP-SGD", 14, false);
    let clip_only = DpConfig { noise: 0.0, ..dp };
    gpu.set_privacy(Some(clip_only)).unwrap();
    cpu.set_privacy(Some(clip_only)).unwrap();
    check_dispatches((&mut gpu, &mut cpu), "DP-SGD without noise", 12, false);
}
