//! A rollback restores a run exactly: after `set_model` and `set_optimizer_state` from a snapshot, the
//! next steps give bit-for-bit the losses they gave the first time (CPU, and GPU on lavapipe); a state
//! for other tensors is refused.

mod common;

use kernels::dataset::{Dataset, Split};
use kernels::{CpuEngine, Engine, GpuEngine, Mlp, OptimizerConfig};

fn check<E: Engine>(mut engine: E, data: &Dataset) {
    let who = engine.info().to_string();
    engine.set_data(Split::Train, data).unwrap();
    let opt = OptimizerConfig {
        lr: 0.05,
        momentum: 0.9,
        ..OptimizerConfig::default()
    };
    let batches: Vec<Vec<u32>> = (0..6u32).map(|b| (b * 8..b * 8 + 8).collect()).collect();
    pollster::block_on(async {
        for rows in &batches[..3] {
            engine.train_step(rows, &opt).unwrap();
        }
        engine.take_losses().await.unwrap();
        let model = engine.model().await.unwrap();
        let state = engine.optimizer_state().await.unwrap();
        assert!(
            state[0].momentum.iter().any(|&m| m != 0.0),
            "{who}: momentum built up"
        );
        for rows in &batches[3..] {
            engine.train_step(rows, &opt).unwrap();
        }
        let first = engine.take_losses().await.unwrap();
        engine.set_model(&model).unwrap();
        engine.set_optimizer_state(&state).unwrap();
        for rows in &batches[3..] {
            engine.train_step(rows, &opt).unwrap();
        }
        let again = engine.take_losses().await.unwrap();
        assert_eq!(first, again, "{who}: the same steps after a rollback");
        // Without the optimiser state the momentum is gone and the losses differ.
        engine.set_model(&model).unwrap();
        for rows in &batches[3..] {
            engine.train_step(rows, &opt).unwrap();
        }
        assert_ne!(engine.take_losses().await.unwrap(), first, "{who}");
        let mut wrong = state.clone();
        wrong.pop();
        assert!(engine.set_optimizer_state(&wrong).is_err());
    });
}

#[test]
fn a_snapshot_restores_the_run_bit_for_bit() {
    let model = Mlp::new(784, &[24], 10, 5).unwrap();
    let data = common::mnist(Split::Train, 64);
    check(CpuEngine::new(&model, 16).unwrap(), &data);
    if let Some(ctx) = common::gpu() {
        check(GpuEngine::new(&ctx, &model, 16).unwrap(), &data);
    }
}
