//! The hand-written backward pass against burn's automatic differentiation, on the same wgpu device:
//! every parameter's gradient (relative error ≤ 1e-4), with a frozen layer, after `replace_head`, and
//! 10 training steps of losses. Needs the `burn` feature (on for the workspace through the CLI).
#![cfg(feature = "burn")]

mod common;

use kernels::dataset::Split;
use kernels::testing::assert_close;
use kernels::training::EpochBatches;
use kernels::{BurnEngine, Engine, GpuEngine, Mlp, OptimizerConfig, OptimizerKind, StepTrace};

const RTOL: f32 = 1e-4;
const ATOL: f32 = 1e-6;

fn compare_gradients(ours: &StepTrace, burn: &StepTrace, what: &str) {
    assert_eq!(ours.gradients.len(), burn.gradients.len());
    for (l, (a, b)) in ours.gradients.iter().zip(&burn.gradients).enumerate() {
        let name = |t: &str| format!("{what}: fc{}.{t}", l + 1);
        match (&a.weight, &b.weight) {
            (Some(x), Some(y)) => assert_close(&name("weight gradient"), x, y, RTOL, ATOL),
            (None, None) => {}
            _ => panic!("{}: computed by one engine only", name("weight gradient")),
        }
        match (&a.bias, &b.bias) {
            (Some(x), Some(y)) => assert_close(&name("bias gradient"), x, y, RTOL, ATOL),
            (None, None) => {}
            _ => panic!("{}: computed by one engine only", name("bias gradient")),
        }
    }
    assert_close(
        &format!("{what}: loss"),
        &[ours.loss],
        &[burn.loss],
        RTOL,
        ATOL,
    );
    for (l, (a, b)) in ours.activations.iter().zip(&burn.activations).enumerate() {
        assert_close(&format!("{what}: activations {l}"), a, b, RTOL, 1e-5);
    }
}

#[test]
fn gradients_match_autodiff_plain_frozen_and_after_head_replacement() {
    let Some(ctx) = common::gpu() else { return };
    let train = common::mnist(Split::Train, 300);
    let model = Mlp::new(784, &[45, 23], 10, 8).unwrap();
    let mut ours = GpuEngine::new(&ctx, &model, 64).unwrap();
    let mut burn = BurnEngine::new(&ctx, &model, 64).unwrap();
    ours.set_data(Split::Train, &train).unwrap();
    burn.set_data(Split::Train, &train).unwrap();
    let opt = OptimizerConfig::default();
    let batches = EpochBatches::new(train.len(), 57, 3, 0);
    pollster::block_on(async {
        // 1. Every parameter of a three-layer MLP.
        ours.train_step(batches.batch(0), &opt).unwrap();
        burn.train_step(batches.batch(0), &opt).unwrap();
        let (a, b) = (ours.trace().await.unwrap(), burn.trace().await.unwrap());
        assert!(
            a.gradients
                .iter()
                .all(|g| g.weight.is_some() && g.bias.is_some())
        );
        compare_gradients(&a, &b, "all trainable");

        // 2. fc1 frozen: neither engine computes its gradients; the rest still agree.
        ours.set_frozen(0, true).unwrap();
        burn.set_frozen(0, true).unwrap();
        ours.train_step(batches.batch(1), &opt).unwrap();
        burn.train_step(batches.batch(1), &opt).unwrap();
        let (a, b) = (ours.trace().await.unwrap(), burn.trace().await.unwrap());
        assert!(a.gradients[0].weight.is_none() && b.gradients[0].weight.is_none());
        compare_gradients(&a, &b, "fc1 frozen");

        // 3. A new head (same seed on both), body frozen: the head-replacement recipe.
        ours.replace_head(10, 99).await.unwrap();
        burn.replace_head(10, 99).await.unwrap();
        ours.set_frozen(1, true).unwrap();
        burn.set_frozen(1, true).unwrap();
        ours.train_step(batches.batch(2), &opt).unwrap();
        burn.train_step(batches.batch(2), &opt).unwrap();
        let (a, b) = (ours.trace().await.unwrap(), burn.trace().await.unwrap());
        assert!(a.gradients[2].weight.is_some() && a.gradients[1].weight.is_none());
        compare_gradients(&a, &b, "after replace_head");
    });
}

fn ten_steps(opt: OptimizerConfig) {
    let Some(ctx) = common::gpu() else { return };
    let train = common::mnist(Split::Train, 640);
    let model = Mlp::new(784, &[64], 10, 5).unwrap();
    let mut ours = GpuEngine::new(&ctx, &model, 64).unwrap();
    let mut burn = BurnEngine::new(&ctx, &model, 64).unwrap();
    ours.set_data(Split::Train, &train).unwrap();
    burn.set_data(Split::Train, &train).unwrap();
    let batches = EpochBatches::new(train.len(), 64, 5, 0);
    for i in 0..10 {
        ours.train_step(batches.batch(i), &opt).unwrap();
        burn.train_step(batches.batch(i), &opt).unwrap();
    }
    let (a, b) = pollster::block_on(async {
        (
            ours.take_losses().await.unwrap(),
            burn.take_losses().await.unwrap(),
        )
    });
    assert_eq!((a.len(), b.len()), (10, 10));
    assert_close("10 steps of losses (ours vs burn)", &a, &b, RTOL, ATOL);
    assert!(a[9] < a[0]);
}

#[test]
fn ten_sgd_momentum_steps_give_the_same_losses() {
    ten_steps(OptimizerConfig {
        lr: 0.05,
        ..OptimizerConfig::default()
    });
}

#[test]
fn ten_adam_steps_give_the_same_losses() {
    ten_steps(OptimizerConfig::adam(1e-3));
}

#[test]
fn ten_steps_of_every_other_optimiser_give_the_same_losses() {
    // burn's rules are written from PyTorch's formulas, not from `ops::optim` (engine/burn.rs).
    for (kind, lr) in [
        (OptimizerKind::Nesterov, 0.05),
        (OptimizerKind::Adagrad, 0.05),
        (OptimizerKind::Rmsprop, 1e-3),
        (OptimizerKind::AdamW, 1e-3),
    ] {
        ten_steps(OptimizerConfig {
            weight_decay: 1e-3,
            ..OptimizerConfig::pytorch(kind, lr)
        });
    }
    ten_steps(OptimizerConfig {
        momentum: 0.9,
        ..OptimizerConfig::pytorch(OptimizerKind::Rmsprop, 1e-3)
    });
}

#[test]
fn burn_engine_evaluates_and_predicts_like_ours() {
    let Some(ctx) = common::gpu() else { return };
    let data = common::mnist(Split::Test, 1500);
    let model = Mlp::from_safetensors(
        &std::fs::read(common::data_dir(
            "../models/mnist-mlp-784-512-10.safetensors",
        ))
        .unwrap(),
    )
    .unwrap();
    let mut ours = GpuEngine::new(&ctx, &model, 512).unwrap();
    let mut burn = BurnEngine::new(&ctx, &model, 512).unwrap();
    ours.set_data(Split::Test, &data).unwrap();
    burn.set_data(Split::Test, &data).unwrap();
    let (a, b) = pollster::block_on(async {
        (
            ours.evaluate(None).await.unwrap(),
            burn.evaluate(None).await.unwrap(),
        )
    });
    assert_eq!(a.predictions, b.predictions);
    assert!(a.accuracy() > 0.95, "the shipped model: {}", a.accuracy());
    assert_close("test loss", &[a.loss], &[b.loss], RTOL, ATOL);
    // A model that does not fit the data is refused (not left to fail inside a matmul).
    assert!(
        burn.set_model(&Mlp::new(100, &[8], 10, 1).unwrap())
            .is_err()
    );
    assert!(burn.set_model(&Mlp::new(784, &[8], 5, 1).unwrap()).is_err());
}
