//! Input gradients and adversarial examples: ∂L/∂x and ∂logit/∂x against central finite differences
//! (f64 reference forward) and GPU (lavapipe in CI) against CPU on odd shapes; FGSM and PGD on the
//! shipped 784-32-10 model: ε = 0 changes nothing, accuracy falls as ε grows, PGD is at least as
//! strong as FGSM, and the GPU engine agrees with the CPU engine.

mod common;

use kernels::attack::{Attack, adversarial_accuracy};
use kernels::dataset::Split;
use kernels::testing::assert_close;
use kernels::{CpuEngine, Engine, GpuEngine, InputGradient, Mlp};

fn odd_model() -> Mlp {
    Mlp::new(23, &[13, 11], 7, 4).unwrap()
}

/// Each row's loss or logit in f64 from the model's weights (the finite differences' forward).
fn f64_outputs(m: &Mlp, x: &[f64], label: usize, target: InputGradient) -> f64 {
    let mut a = x.to_vec();
    for (l, layer) in m.layers.iter().enumerate() {
        let (i, o) = (layer.in_features, layer.out_features);
        let mut z: Vec<f64> = (0..o)
            .map(|r| {
                f64::from(layer.bias[r])
                    + (0..i)
                        .map(|c| f64::from(layer.weight[r * i + c]) * a[c])
                        .sum::<f64>()
            })
            .collect();
        if l + 1 < m.layers.len() {
            z.iter_mut().for_each(|v| *v = v.max(0.0));
        }
        a = z;
    }
    match target {
        InputGradient::Logit(c) => a[c],
        InputGradient::Loss => {
            let max = a.iter().copied().fold(f64::MIN, f64::max);
            let lse = max + a.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            lse - a[label]
        }
    }
}

fn inputs(rows: usize, n: usize) -> Vec<f32> {
    let mut rng = kernels::rng::SeededRng::new(5);
    common::random(&mut rng, rows * n, 1.5)
}

#[test]
fn input_gradients_match_finite_differences_and_the_gpu_matches_the_cpu() {
    let m = odd_model();
    let rows = 5;
    let x = inputs(rows, 23);
    let labels: Vec<u32> = vec![0, 6, 3, 3, 1];
    let mut cpu = CpuEngine::new(&m, 16).unwrap();
    for target in [InputGradient::Loss, InputGradient::Logit(2)] {
        let g = pollster::block_on(cpu.input_gradients(&x, &labels, target)).unwrap();
        let h = 1e-4;
        let mut fd = Vec::new();
        for r in 0..rows {
            let row: Vec<f64> = x[r * 23..(r + 1) * 23]
                .iter()
                .map(|&v| f64::from(v))
                .collect();
            for c in 0..23 {
                let (mut up, mut down) = (row.clone(), row.clone());
                up[c] += h;
                down[c] -= h;
                let l = labels[r] as usize;
                fd.push(
                    ((f64_outputs(&m, &up, l, target) - f64_outputs(&m, &down, l, target))
                        / (2.0 * h)) as f32,
                );
            }
        }
        assert_close(
            &format!("{target:?}: CPU vs finite differences"),
            &g,
            &fd,
            1e-3,
            1e-5,
        );
        if let Some(ctx) = common::gpu() {
            let mut gpu = GpuEngine::new(&ctx, &m, 16).unwrap();
            let gg = pollster::block_on(gpu.input_gradients(&x, &labels, target)).unwrap();
            assert_close(&format!("{target:?}: GPU vs CPU"), &gg, &g, 1e-4, 1e-6);
        }
    }
    let err =
        pollster::block_on(cpu.input_gradients(&x, &labels, InputGradient::Logit(7))).unwrap_err();
    assert!(err.to_string().contains("logit 7"), "{err}");
    assert!(
        pollster::block_on(cpu.input_gradients(&x[1..], &labels, InputGradient::Loss)).is_err()
    );
}

fn shipped() -> Mlp {
    let path = common::data_dir("mnist").join("../../models/live-mnist-mlp-784-32-10.safetensors");
    Mlp::from_safetensors(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn fgsm_and_pgd_on_the_shipped_model_fool_it_more_as_epsilon_grows() {
    let test = common::mnist(Split::Test, 300);
    let m = shipped();
    let mut cpu = CpuEngine::new(&m, 128).unwrap();
    let acc = |e: &mut CpuEngine, epsilon, steps| {
        pollster::block_on(adversarial_accuracy(
            e,
            &test,
            Attack { epsilon, steps },
            128,
        ))
        .unwrap()
    };
    cpu.set_data(Split::Test, &test).unwrap();
    let clean = pollster::block_on(cpu.evaluate(None)).unwrap().accuracy();
    assert_eq!(acc(&mut cpu, 0.0, 1), clean, "ε = 0 is the clean accuracy");
    let curve: Vec<f32> = [0.05, 0.1, 0.2]
        .iter()
        .map(|&e| acc(&mut cpu, e, 1))
        .collect();
    assert!(clean > 0.8, "{clean}");
    assert!(
        curve[0] < clean && curve[1] < curve[0] && curve[2] < curve[1],
        "{clean} {curve:?}"
    );
    assert!(curve[2] < 0.2, "ε = 0.2 fools the MLP: {curve:?}");
    let pgd = acc(&mut cpu, 0.1, 10);
    assert!(
        pgd <= curve[1],
        "PGD ({pgd}) at least as strong as FGSM ({})",
        curve[1]
    );
    if let Some(ctx) = common::gpu() {
        let mut gpu = GpuEngine::new(&ctx, &m, 128).unwrap();
        let g = pollster::block_on(adversarial_accuracy(
            &mut gpu,
            &test,
            Attack {
                epsilon: 0.1,
                steps: 1,
            },
            128,
        ))
        .unwrap();
        // A gradient within rounding of zero may take another sign: a pixel or two may differ.
        assert!(
            (g - curve[1]).abs() <= 2.0 / 300.0,
            "GPU {g} vs CPU {}",
            curve[1]
        );
    }
}

#[test]
fn adversarial_training_makes_the_model_sturdier_than_the_same_steps_on_clean_images() {
    use kernels::attack::mixed_step;
    use kernels::{OptimizerConfig, OptimizerKind};
    let train = common::mnist(Split::Train, 3200);
    let test = common::mnist(Split::Test, 500);
    let opt = OptimizerConfig {
        kind: OptimizerKind::Sgd,
        lr: 0.02,
        momentum: 0.9,
        ..OptimizerConfig::default()
    };
    let fgsm = Attack {
        epsilon: 0.1,
        steps: 1,
    };
    let mut arms = Vec::new();
    for adversarial in [false, true] {
        let mut cpu = CpuEngine::new(&shipped(), 128).unwrap();
        for start in (0..train.len()).step_by(64) {
            let rows: Vec<u32> = (start as u32..(start + 64).min(train.len()) as u32).collect();
            pollster::block_on(mixed_step(
                &mut cpu,
                &train.select(&rows),
                0.1,
                &opt,
                adversarial,
            ))
            .unwrap();
        }
        arms.push(pollster::block_on(adversarial_accuracy(&mut cpu, &test, fgsm, 128)).unwrap());
    }
    let before = pollster::block_on(adversarial_accuracy(
        &mut CpuEngine::new(&shipped(), 128).unwrap(),
        &test,
        fgsm,
        128,
    ))
    .unwrap();
    assert!(
        arms[1] > arms[0] + 0.1 && arms[1] > before + 0.1,
        "at ε = 0.1: before {before}, clean fine-tuning {}, adversarial {}",
        arms[0],
        arms[1]
    );
}
