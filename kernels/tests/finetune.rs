//! The fine-tuning recipe on both engines (GPU on lavapipe in CI, and CPU): after the head phase every
//! frozen tensor is bit-identical to the loaded one and its optimiser state untouched; after unfreezing
//! it changes; a k-class head trains; the kernels a frozen step launches skip the frozen work.

mod common;

use kernels::dataset::{Dataset, Split};
use kernels::engine::Task;
use kernels::finetune::{
    FinetuneRecipe, Phase, another_pen_dataset, begin_full_phase, begin_head_phase, first_classes,
    per_class_subset, run_phase, set_splits,
};
use kernels::{CpuEngine, Engine, GpuEngine, Mlp};

/// A small "pretrained" model: a few steps of the seed recipe on clean MNIST.
fn pretrained(train: &Dataset) -> Mlp {
    let model = Mlp::new(784, &[32], 10, 3).unwrap();
    let mut cpu = CpuEngine::new(&model, 64).unwrap();
    cpu.set_data(Split::Train, train).unwrap();
    let recipe = FinetuneRecipe {
        head_lr: 0.05,
        momentum: 0.5,
        batch_size: 32,
        ..FinetuneRecipe::default()
    };
    pollster::block_on(async {
        cpu.set_data(Split::Test, train).unwrap();
        run_phase(
            &mut cpu,
            &recipe,
            Phase::Scratch,
            train.len(),
            2,
            0,
            |_, _, _| {},
        )
        .await
        .unwrap();
        cpu.model().await.unwrap()
    })
}

fn check_recipe<E: Engine>(mut engine: E, loaded: &Mlp, train: &Dataset, test: &Dataset) {
    let who = engine.info().to_string();
    let recipe = FinetuneRecipe {
        new_head: Some(10),
        head_epochs: 2,
        full_epochs: 1,
        batch_size: 16,
        head_lr: 0.01,
        full_lr: 0.01,
        ..FinetuneRecipe::default()
    };
    set_splits(&mut engine, train, test).unwrap();
    pollster::block_on(async {
        // A step before the head phase gives fc1 momentum; the head phase's fresh optimiser clears it.
        engine
            .train_step(&[0, 1, 2, 3], &recipe.optimizer(Phase::Head))
            .unwrap();
        engine.set_model(loaded).unwrap();
        begin_head_phase(&mut engine, &recipe).await.unwrap();
        let start = engine.model().await.unwrap();
        assert!(start.layers[0].weight_frozen && !start.layers[1].weight_frozen);
        assert_ne!(
            start.layers[1].weight, loaded.layers[1].weight,
            "{who}: a new head"
        );
        let head = run_phase(
            &mut engine,
            &recipe,
            Phase::Head,
            train.len(),
            2,
            0,
            |_, _, _| {},
        )
        .await
        .unwrap();
        let after_head = engine.model().await.unwrap();
        assert_eq!(
            after_head.layers[0].weight, loaded.layers[0].weight,
            "{who}: frozen fc1.weight is bit-identical to the loaded one after the head phase"
        );
        assert_eq!(after_head.layers[0].bias, loaded.layers[0].bias, "{who}");
        assert_ne!(after_head.layers[1].weight, start.layers[1].weight, "{who}");
        let state = engine.optimizer_state().await.unwrap();
        assert_eq!(state[0].name, "fc1.weight");
        for s in &state[..2] {
            assert_eq!(s.steps, 0, "{who}: {} was never updated", s.name);
            assert!(
                s.momentum.iter().all(|&v| v == 0.0),
                "{who}: {}'s momentum buffer was touched",
                s.name
            );
        }
        assert!(state[2].steps > 0 && state[2].momentum.iter().any(|&v| v != 0.0));
        // Frozen work is skipped: no fc1 gradient and no input gradient of fc2.
        let launches = engine.last_step_kernels();
        let tasks: Vec<Task> = launches.iter().map(|k| k.task).collect();
        assert!(tasks.contains(&Task::WeightGradient { layer: 1 }));
        assert!(!tasks.contains(&Task::WeightGradient { layer: 0 }));
        assert!(
            !tasks
                .iter()
                .any(|t| matches!(t, Task::InputGradient { .. }))
        );
        assert!(!tasks.contains(&Task::Update {
            layer: 0,
            bias: false
        }));

        begin_full_phase(&mut engine).unwrap();
        run_phase(
            &mut engine,
            &recipe,
            Phase::Full,
            train.len(),
            1,
            2,
            |_, _, _| {},
        )
        .await
        .unwrap();
        let after_full = engine.model().await.unwrap();
        assert_ne!(
            after_full.layers[0].weight, loaded.layers[0].weight,
            "{who}: fc1 trains after unfreezing"
        );
        let tasks: Vec<Task> = engine.last_step_kernels().iter().map(|k| k.task).collect();
        assert!(tasks.contains(&Task::InputGradient { layer: 1 }));
        assert!(tasks.contains(&Task::Update {
            layer: 0,
            bias: false
        }));
        assert!(head[1].train_loss < head[0].train_loss * 1.5);
    });
}

#[test]
fn head_phase_keeps_the_body_bit_identical_and_unfreezing_trains_it() {
    let clean = common::mnist(Split::Train, 600);
    let loaded = pretrained(&clean);
    let pen_train = per_class_subset(&another_pen_dataset(&clean, 0), 6);
    let pen_test = another_pen_dataset(&common::mnist(Split::Test, 200), 1_000_000);
    check_recipe(
        CpuEngine::new(&loaded, 64).unwrap(),
        &loaded,
        &pen_train,
        &pen_test,
    );
    let Some(ctx) = common::gpu() else { return };
    check_recipe(
        GpuEngine::new(&ctx, &loaded, 64).unwrap(),
        &loaded,
        &pen_train,
        &pen_test,
    );
}

fn check_k_class_head<E: Engine>(mut engine: E, train: &Dataset) {
    let recipe = FinetuneRecipe {
        new_head: Some(3),
        head_lr: 0.05,
        batch_size: 15,
        ..FinetuneRecipe::default()
    };
    set_splits(&mut engine, train, train).unwrap();
    pollster::block_on(async {
        begin_head_phase(&mut engine, &recipe).await.unwrap();
        assert_eq!(engine.widths(), vec![784, 32, 3]);
        let epochs = run_phase(
            &mut engine,
            &recipe,
            Phase::Head,
            train.len(),
            8,
            0,
            |_, _, _| {},
        )
        .await
        .unwrap();
        let (first, last) = (&epochs[0], &epochs[epochs.len() - 1]);
        assert!(
            last.train_loss < first.train_loss,
            "{}: the 3-class head learns: {epochs:?}",
            engine.info()
        );
        assert!(last.test_accuracy > 0.6, "{epochs:?}");
        let logits = engine
            .predict(&vec![0.0; 784], 1)
            .await
            .expect("a 3-class prediction");
        assert_eq!(logits.len(), 3);
    });
}

#[test]
fn a_three_class_head_trains_on_both_engines() {
    let clean = common::mnist(Split::Train, 600);
    let loaded = pretrained(&clean);
    let three = per_class_subset(&first_classes(&clean, 3), 20);
    check_k_class_head(CpuEngine::new(&loaded, 64).unwrap(), &three);
    let Some(ctx) = common::gpu() else { return };
    check_k_class_head(GpuEngine::new(&ctx, &loaded, 64).unwrap(), &three);
}

#[test]
fn augmented_training_is_the_same_on_both_engines() {
    use kernels::ops::gather_normalize::Augmentation;
    let Some(ctx) = common::gpu() else { return };
    let train = common::random_dataset(5, 96, 3 * 8 * 8, 4);
    let train = Dataset {
        height: 8,
        width: 8,
        channels: 3,
        ..train
    };
    let model = Mlp::new(192, &[16], 4, 2).unwrap();
    let aug = Some(Augmentation {
        flip: true,
        crop_pad: 2,
        seed: 9,
    });
    let mut gpu = GpuEngine::new(&ctx, &model, 32).unwrap();
    let mut cpu = CpuEngine::new(&model, 32).unwrap();
    let opt = kernels::OptimizerConfig::default();
    let rows: Vec<u32> = (0..32).collect();
    gpu.set_data(Split::Train, &train).unwrap();
    cpu.set_data(Split::Train, &train).unwrap();
    gpu.set_augmentation(aug).unwrap();
    cpu.set_augmentation(aug).unwrap();
    for _ in 0..4 {
        gpu.train_step(&rows, &opt).unwrap();
        cpu.train_step(&rows, &opt).unwrap();
    }
    let lg = pollster::block_on(gpu.take_losses()).unwrap();
    let lc = pollster::block_on(cpu.take_losses()).unwrap();
    kernels::testing::assert_close("augmented losses (gpu vs cpu)", &lg, &lc, 1e-4, 1e-6);
    // Without augmentation the same rows give other losses: the flips and crops took effect.
    let mut plain = CpuEngine::new(&model, 32).unwrap();
    plain.set_data(Split::Train, &train).unwrap();
    for _ in 0..4 {
        plain.train_step(&rows, &opt).unwrap();
    }
    let lp = pollster::block_on(plain.take_losses()).unwrap();
    assert_ne!(lp, lc);
}
