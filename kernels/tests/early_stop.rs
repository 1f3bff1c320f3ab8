//! Early stopping on real MNIST, on the CPU engine and the GPU engine (lavapipe in CI): a model
//! trained on a few hundred images overfits (its validation loss rises while its training loss falls),
//! patience runs out, the restored weights measure exactly the best evaluation's validation figures, and
//! the test set is measured once, at the end.

mod common;

use kernels::dataset::Split;
use kernels::early_stop::{OverfitRun, OverfitSettings, Verdict};
use kernels::{CpuEngine, Engine, GpuEngine, Mlp};

fn settings() -> OverfitSettings {
    OverfitSettings {
        train: 200,
        validation: 300,
        patience: 3,
        max_epochs: 60,
        batch: 25,
        ..OverfitSettings::default()
    }
}

fn check(engine: &mut impl Engine, name: &str) {
    let training = common::mnist(Split::Train, 1_000);
    let test = common::mnist(Split::Test, 500);
    let s = settings();
    let mut run = OverfitRun::begin(engine, &training, s).unwrap();
    let mut verdicts = Vec::new();
    pollster::block_on(async {
        while !run.finished() {
            verdicts.push(run.epoch(engine).await.unwrap().1);
        }
        let outcome = run.finish(engine, &test).await.unwrap();
        let h = &run.history;
        let best = outcome.best;
        assert!(
            outcome.stopped_early,
            "{name}: patience ran out within {} epochs",
            s.max_epochs
        );
        assert_eq!(outcome.stopped_at, best.epoch + s.patience, "{name}");
        assert_eq!(verdicts.last(), Some(&Verdict::Stop), "{name}");
        // The best is the lowest validation loss of all evaluations, and it overfitted after it.
        assert!(
            h.iter().all(|m| m.validation_loss >= best.validation_loss),
            "{name}"
        );
        let last = h.last().unwrap();
        assert!(
            last.train_loss < best.train_loss,
            "{name}: training loss kept falling"
        );
        assert!(last.validation_loss >= best.validation_loss, "{name}");
        assert!(
            last.train_accuracy > last.validation_accuracy,
            "{name}: a gap opens"
        );
        // Restored: the same weights measure the same figures, exactly.
        assert_eq!(
            outcome.restored_validation,
            (best.validation_loss, best.validation_accuracy),
            "{name}"
        );
        assert_eq!(outcome.test_images, test.len(), "{name}");
        assert!(
            outcome.test.0 > 0.6,
            "{name}: test accuracy {}",
            outcome.test.0
        );
        eprintln!(
            "{name}: best epoch {} (val loss {:.4}), stopped at {}, test accuracy {:.3}",
            best.epoch, best.validation_loss, outcome.stopped_at, outcome.test.0
        );
    });
}

#[test]
fn early_stopping_restores_the_best_weights_on_the_cpu_engine() {
    let model = Mlp::new(784, &[64], 10, 5).unwrap();
    check(&mut CpuEngine::new(&model, 512).unwrap(), "CPU");
}

#[test]
fn early_stopping_restores_the_best_weights_on_the_gpu_engine() {
    let Some(ctx) = common::gpu() else { return };
    let model = Mlp::new(784, &[64], 10, 5).unwrap();
    check(&mut GpuEngine::new(&ctx, &model, 512).unwrap(), "GPU");
}

#[test]
fn the_split_needs_enough_training_images_and_settings_in_range() {
    let training = common::mnist(Split::Train, 400);
    let model = Mlp::new(784, &[16], 10, 5).unwrap();
    let mut cpu = CpuEngine::new(&model, 64).unwrap();
    let err = OverfitRun::begin(&mut cpu, &training, settings())
        .err()
        .unwrap();
    assert!(err.to_string().contains("400 are loaded"), "{err}");
    let bad = OverfitSettings {
        patience: 0,
        ..settings()
    };
    assert!(OverfitRun::begin(&mut cpu, &training, bad).is_err());
}
