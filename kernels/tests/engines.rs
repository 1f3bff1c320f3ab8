//! The GPU engine against the CPU engine on whole training steps: golden runs, freezing, head
//! replacement, traces, evaluation, prediction and bad input.

mod common;

use kernels::dataset::{Dataset, Split};
use kernels::ops::optim;
use kernels::testing::assert_close;
use kernels::training::EpochBatches;
use kernels::{
    CpuEngine, Engine, EngineError, Freezing, GpuContext, GpuEngine, Mlp, OptimizerConfig,
};

fn engines(
    ctx: &GpuContext,
    model: &Mlp,
    max_rows: usize,
    train: &Dataset,
    test: &Dataset,
) -> (GpuEngine, CpuEngine) {
    let mut gpu = GpuEngine::new(ctx, model, max_rows).unwrap();
    let mut cpu = CpuEngine::new(model, max_rows).unwrap();
    for e in [&mut gpu as &mut dyn DataSink, &mut cpu] {
        e.put(Split::Train, train);
        e.put(Split::Test, test);
    }
    (gpu, cpu)
}

/// `Engine` has async methods and is not object safe; this tiny trait lets the setup loop over both.
trait DataSink {
    fn put(&mut self, split: Split, data: &Dataset);
}
impl<E: Engine> DataSink for E {
    fn put(&mut self, split: Split, data: &Dataset) {
        self.set_data(split, data).unwrap();
    }
}

fn golden_run(opt: OptimizerConfig, hidden: &[usize], batch: usize) {
    golden_run_with_classes(opt, hidden, batch, 10);
}

fn golden_run_with_classes(opt: OptimizerConfig, hidden: &[usize], batch: usize, classes: usize) {
    let Some(ctx) = common::gpu() else { return };
    let train = common::mnist(Split::Train, 700);
    let test = common::mnist(Split::Test, 300);
    let model = Mlp::new(784, hidden, classes, 42).unwrap();
    let (mut gpu, mut cpu) = engines(&ctx, &model, batch, &train, &test);
    let batches = EpochBatches::new(train.len(), batch, 42, 0);
    for i in 0..10 {
        gpu.train_step(batches.batch(i), &opt).unwrap();
        cpu.train_step(batches.batch(i), &opt).unwrap();
    }
    let (lg, lc) = pollster::block_on(async {
        (
            gpu.take_losses().await.unwrap(),
            cpu.take_losses().await.unwrap(),
        )
    });
    assert_eq!(lg.len(), 10);
    assert_close("golden losses (gpu vs cpu)", &lg, &lc, 1e-4, 1e-6);
    assert!(lc[9] < lc[0], "the loss should fall over 10 steps: {lc:?}");
    let (mg, mc) =
        pollster::block_on(async { (gpu.model().await.unwrap(), cpu.model().await.unwrap()) });
    for (a, b) in mg.layers.iter().zip(&mc.layers) {
        assert_close("weights after 10 steps", &a.weight, &b.weight, 1e-3, 1e-5);
        assert_close("biases after 10 steps", &a.bias, &b.bias, 1e-3, 1e-5);
    }
    let (eg, ec) = pollster::block_on(async {
        (
            gpu.evaluate(None).await.unwrap(),
            cpu.evaluate(None).await.unwrap(),
        )
    });
    assert_eq!(eg.total, 300);
    assert!(
        (eg.correct as i64 - ec.correct as i64).abs() <= 1,
        "gpu {} vs cpu {} correct",
        eg.correct,
        ec.correct
    );
    assert_close("test loss", &[eg.loss], &[ec.loss], 1e-4, 1e-6);
}

#[test]
fn golden_run_sgd_momentum_matches_cpu() {
    golden_run(
        OptimizerConfig {
            lr: 0.05,
            momentum: 0.5,
            ..OptimizerConfig::default()
        },
        &[37, 19],
        33,
    );
}

#[test]
fn golden_run_adam_with_weight_decay_matches_cpu() {
    golden_run(
        OptimizerConfig {
            weight_decay: 1e-3,
            ..OptimizerConfig::adam(1e-3)
        },
        &[64],
        64,
    );
}

#[test]
fn golden_run_with_a_head_too_wide_to_fuse_matches_cpu() {
    // 40 outputs > head::MAX_CLASSES: the GPU engine runs the unfused forward, softmax and grad input.
    const { assert!(40 > kernels::ops::head::MAX_CLASSES) };
    golden_run_with_classes(
        OptimizerConfig {
            lr: 0.05,
            momentum: 0.5,
            ..OptimizerConfig::default()
        },
        &[23, 17],
        29,
        40,
    );
}

#[test]
fn split_k_and_wide_products_train_like_the_cpu_engine() {
    use kernels::ops::linear::{GemmParams, GemmVariant};
    let Some(ctx) = common::gpu() else { return };
    let (batch, hidden) = (33u32, [37u32, 19]);
    let widths = [784, hidden[0], hidden[1], 10];
    // Every forward and input-gradient product split over K; the weight gradients wide.
    for l in 0..3 {
        let (i, o) = (widths[l], widths[l + 1]);
        ctx.set_gemm_variant(GemmParams::forward(batch, i, o, l < 2), GemmVariant::Split);
        ctx.set_gemm_variant(
            GemmParams::grad_input(batch, i, o).with_relu_mask(),
            GemmVariant::Split,
        );
        ctx.set_gemm_variant(
            GemmParams::grad_weight(batch, i, o).with_row_sums(),
            GemmVariant::Wide,
        );
    }
    let train = common::mnist(Split::Train, 700);
    let test = common::mnist(Split::Test, 300);
    let model = Mlp::new(784, &[37, 19], 10, 42).unwrap();
    let (mut gpu, mut cpu) = engines(&ctx, &model, batch as usize, &train, &test);
    let opt = OptimizerConfig {
        lr: 0.05,
        momentum: 0.5,
        ..OptimizerConfig::default()
    };
    let batches = EpochBatches::new(train.len(), batch as usize, 42, 0);
    for i in 0..10 {
        gpu.train_step(batches.batch(i), &opt).unwrap();
        cpu.train_step(batches.batch(i), &opt).unwrap();
    }
    // gather, fc1 and fc2 forward, head, 3 × dW+db, fc2's input gradient, update: 9, and a second
    // dispatch for each of the three split products.
    assert_eq!(gpu.last_step_dispatches(), 9 + 3);
    // The plan the train lesson announces after tuning is the one the step ran.
    let shape = kernels::engine::StepShape::of(&model, batch as usize, opt.kind);
    assert_eq!(gpu.step_plan(&shape).dispatches(), 9 + 3);
    let (lg, lc) = pollster::block_on(async {
        (
            gpu.take_losses().await.unwrap(),
            cpu.take_losses().await.unwrap(),
        )
    });
    assert_close("losses with split-K (gpu vs cpu)", &lg, &lc, 1e-4, 1e-6);
    let (mg, mc) =
        pollster::block_on(async { (gpu.model().await.unwrap(), cpu.model().await.unwrap()) });
    for (a, b) in mg.layers.iter().zip(&mc.layers) {
        assert_close("weights with split-K", &a.weight, &b.weight, 1e-3, 1e-5);
    }
}

#[test]
fn step_traces_agree_between_engines() {
    let Some(ctx) = common::gpu() else { return };
    let train = common::mnist(Split::Train, 200);
    let model = Mlp::new(784, &[31], 10, 3).unwrap();
    let (mut gpu, mut cpu) = engines(&ctx, &model, 50, &train, &train);
    let rows: Vec<u32> = (0..50).map(|i| i * 3 + 1).collect();
    let opt = OptimizerConfig::default();
    gpu.train_step(&rows, &opt).unwrap();
    cpu.train_step(&rows, &opt).unwrap();
    let (tg, tc) =
        pollster::block_on(async { (gpu.trace().await.unwrap(), cpu.trace().await.unwrap()) });
    assert_eq!((tg.rows, &tg.labels), (50, &tc.labels));
    assert_close("inputs", &tg.inputs, &tc.inputs, 1e-5, 1e-6);
    for (l, (a, b)) in tg.activations.iter().zip(&tc.activations).enumerate() {
        assert_close(&format!("activations {l}"), a, b, 1e-4, 1e-5);
    }
    for (l, (a, b)) in tg.gradients.iter().zip(&tc.gradients).enumerate() {
        assert_close(
            &format!("fc{} weight grad", l + 1),
            a.weight.as_ref().unwrap(),
            b.weight.as_ref().unwrap(),
            1e-4,
            1e-6,
        );
        assert_close(
            &format!("fc{} bias grad", l + 1),
            a.bias.as_ref().unwrap(),
            b.bias.as_ref().unwrap(),
            1e-4,
            1e-6,
        );
    }
    assert_close("trace loss", &[tg.loss], &[tc.loss], 1e-5, 1e-6);
    let norms = tg.gradient_norms();
    assert_eq!(
        norms.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    );
    assert!(norms.iter().all(|(_, v)| *v > 0.0 && v.is_finite()));
}

fn check_freezing<E: Engine>(mut engine: E, train: &Dataset) {
    let opt = OptimizerConfig {
        lr: 0.1,
        momentum: 0.9,
        ..OptimizerConfig::default()
    };
    let before = pollster::block_on(engine.model()).unwrap();
    engine.set_frozen(0, true).unwrap();
    let batches = EpochBatches::new(train.len(), 32, 5, 0);
    for i in 0..5 {
        engine.train_step(batches.batch(i), &opt).unwrap();
    }
    let after = pollster::block_on(engine.model()).unwrap();
    assert!(after.layers[0].weight_frozen);
    assert_eq!(
        after.layers[0].weight,
        before.layers[0].weight,
        "{}: frozen fc1.weight changed",
        engine.info()
    );
    assert_eq!(
        after.layers[0].bias,
        before.layers[0].bias,
        "{}: frozen fc1.bias changed",
        engine.info()
    );
    assert_ne!(
        after.layers[1].weight,
        before.layers[1].weight,
        "{}: fc2 should train",
        engine.info()
    );
    // No gradient is computed for a frozen layer with nothing trainable below it.
    let trace = pollster::block_on(engine.trace()).unwrap();
    assert!(trace.gradients[0].weight.is_none() && trace.gradients[0].bias.is_none());
    assert!(trace.gradients[1].weight.is_some());
    // Unfreezing resumes training of fc1.
    engine.set_frozen(0, false).unwrap();
    engine.train_step(batches.batch(5), &opt).unwrap();
    let resumed = pollster::block_on(engine.model()).unwrap();
    assert_ne!(resumed.layers[0].weight, before.layers[0].weight);
}

/// Freezing by zeroing gradients: after three unfrozen steps (momentum built up), fc1 is frozen with
/// [`Freezing::ZeroGradient`]; it keeps moving exactly as SGD's reference moves a tensor whose gradient
/// is zero (momentum and weight decay), its gradient is still not computed, and fc2 trains as before.
fn check_zero_gradient_freezing<E: Engine>(mut engine: E, train: &Dataset) -> Mlp {
    let opt = OptimizerConfig {
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 0.01,
        ..OptimizerConfig::default()
    };
    let batches = EpochBatches::new(train.len(), 16, 3, 0);
    for i in 0..3 {
        engine.train_step(batches.batch(i), &opt).unwrap();
    }
    let before = pollster::block_on(engine.model()).unwrap();
    let state = pollster::block_on(engine.optimizer_state()).unwrap();
    engine.set_frozen(0, true).unwrap();
    engine.set_freezing(Freezing::ZeroGradient).unwrap();
    for i in 3..7 {
        engine.train_step(batches.batch(i), &opt).unwrap();
    }
    let after = pollster::block_on(engine.model()).unwrap();
    let sgd = |values: &[f32], momentum: &[f32]| {
        let (mut w, mut m) = (values.to_vec(), momentum.to_vec());
        let hyper = opt.hyper();
        let mut unused = vec![0.0; w.len()];
        for step in 1..=4 {
            let t = optim::TensorStep::new(opt.kind, opt.lr, &hyper, step);
            optim::tensor(
                opt.kind,
                &hyper,
                &t,
                &vec![0.0; w.len()],
                &mut w,
                &mut m,
                &mut unused,
            );
        }
        w
    };
    let what = engine.info().to_string();
    let expected = sgd(&before.layers[0].weight, &state[0].momentum);
    assert_ne!(
        expected, before.layers[0].weight,
        "momentum and decay move it"
    );
    assert_close(
        &format!("{what}: fc1.weight"),
        &after.layers[0].weight,
        &expected,
        1e-5,
        1e-7,
    );
    let expected = sgd(&before.layers[0].bias, &state[1].momentum);
    assert_close(
        &format!("{what}: fc1.bias"),
        &after.layers[0].bias,
        &expected,
        1e-5,
        1e-7,
    );
    let trace = pollster::block_on(engine.trace()).unwrap();
    assert!(
        trace.gradients[0].weight.is_none(),
        "{what}: not computed, taken as zero"
    );
    assert!(trace.gradients[1].weight.is_some());
    // Back to skipping: the frozen layer stands still.
    engine.set_freezing(Freezing::Skip).unwrap();
    engine.train_step(batches.batch(7), &opt).unwrap();
    let skipped = pollster::block_on(engine.model()).unwrap();
    assert_eq!(skipped.layers[0].weight, after.layers[0].weight);
    skipped
}

#[test]
fn freezing_by_zeroing_gradients_still_moves_a_frozen_layer_on_both_engines() {
    let train = common::mnist(Split::Train, 200);
    let model = Mlp::new(784, &[37, 13], 10, 4).unwrap();
    let mut cpu = CpuEngine::new(&model, 16).unwrap();
    cpu.set_data(Split::Train, &train).unwrap();
    let on_cpu = check_zero_gradient_freezing(cpu, &train);
    let Some(ctx) = common::gpu() else { return };
    let mut gpu = GpuEngine::new(&ctx, &model, 16).unwrap();
    gpu.set_data(Split::Train, &train).unwrap();
    let on_gpu = check_zero_gradient_freezing(gpu, &train);
    for (g, c) in on_gpu.layers.iter().zip(&on_cpu.layers) {
        assert_close("gpu vs cpu weights", &g.weight, &c.weight, 1e-3, 1e-5);
    }
}

#[test]
fn frozen_layers_stay_bit_identical_on_both_engines() {
    let train = common::mnist(Split::Train, 200);
    let model = Mlp::new(784, &[40], 10, 9).unwrap();
    let mut cpu = CpuEngine::new(&model, 32).unwrap();
    cpu.set_data(Split::Train, &train).unwrap();
    check_freezing(cpu, &train);
    let Some(ctx) = common::gpu() else { return };
    let mut gpu = GpuEngine::new(&ctx, &model, 32).unwrap();
    gpu.set_data(Split::Train, &train).unwrap();
    check_freezing(gpu, &train);
}

#[test]
fn head_replacement_then_fine_tuning_agrees_between_engines() {
    let Some(ctx) = common::gpu() else { return };
    let train = common::mnist(Split::Train, 256);
    let model = Mlp::new(784, &[24], 10, 1).unwrap();
    let (mut gpu, mut cpu) = engines(&ctx, &model, 64, &train, &train);
    let opt = OptimizerConfig::default();
    let rows: Vec<u32> = (0..64).collect();
    pollster::block_on(async {
        for e in [&mut gpu as &mut dyn StepOnce, &mut cpu] {
            e.step(&rows, &opt);
        }
        let before = gpu.model().await.unwrap();
        gpu.replace_head(10, 77).await.unwrap();
        cpu.replace_head(10, 77).await.unwrap();
        gpu.set_frozen(0, true).unwrap();
        cpu.set_frozen(0, true).unwrap();
        for e in [&mut gpu as &mut dyn StepOnce, &mut cpu] {
            e.step(&rows, &opt);
        }
        let (mg, mc) = (gpu.model().await.unwrap(), cpu.model().await.unwrap());
        assert_eq!(
            mg.layers[0].weight, before.layers[0].weight,
            "the frozen body keeps its trained weights"
        );
        assert_close(
            "fine-tuned head",
            &mg.layers[1].weight,
            &mc.layers[1].weight,
            1e-4,
            1e-6,
        );
        let (lg, lc) = (
            gpu.take_losses().await.unwrap(),
            cpu.take_losses().await.unwrap(),
        );
        assert_close("losses across head replacement", &lg, &lc, 1e-4, 1e-6);
    });
}

trait StepOnce {
    fn step(&mut self, rows: &[u32], opt: &OptimizerConfig);
}
impl<E: Engine> StepOnce for E {
    fn step(&mut self, rows: &[u32], opt: &OptimizerConfig) {
        self.train_step(rows, opt).unwrap();
    }
}

#[test]
fn predict_set_data_and_safetensors_round_trip_on_gpu() {
    let Some(ctx) = common::gpu() else { return };
    let train = common::mnist(Split::Train, 128);
    let model = Mlp::new(784, &[16], 10, 4).unwrap();
    let mut gpu = GpuEngine::new(&ctx, &model, 64).unwrap();
    gpu.set_data(Split::Train, &train).unwrap();
    let rows: Vec<u32> = (0..64).collect();
    gpu.train_step(&rows, &OptimizerConfig::default()).unwrap();
    let trained = pollster::block_on(gpu.model()).unwrap();
    assert_ne!(trained, model);
    // Setting the test split rebuilds bind groups but keeps the trained parameters.
    gpu.set_data(Split::Test, &train).unwrap();
    assert_eq!(pollster::block_on(gpu.model()).unwrap(), trained);
    let (x, _) = kernels::ops::gather_normalize::reference(
        &train.images,
        &train.labels,
        784,
        &[3, 4],
        train.mean,
        train.std,
    );
    let logits = pollster::block_on(gpu.predict(&x, 2)).unwrap();
    assert_close(
        "predict",
        &logits,
        &trained.forward_reference(&x, 2),
        1e-4,
        1e-5,
    );
    let reloaded = Mlp::from_safetensors(&trained.to_safetensors().unwrap()).unwrap();
    assert_eq!(reloaded, trained);
}

#[test]
fn bad_input_gets_clear_errors() {
    let train = common::mnist(Split::Train, 100);
    let model = Mlp::new(784, &[8], 10, 1).unwrap();
    let mut cpu = CpuEngine::new(&model, 16).unwrap();
    assert!(matches!(
        cpu.train_step(&[0], &OptimizerConfig::default()),
        Err(EngineError::InvalidInput(_))
    ));
    cpu.set_data(Split::Train, &train).unwrap();
    assert!(matches!(
        cpu.train_step(&[100], &OptimizerConfig::default()),
        Err(EngineError::InvalidInput(_))
    ));
    assert!(matches!(
        cpu.train_step(&[0; 17], &OptimizerConfig::default()),
        Err(EngineError::InvalidInput(_))
    ));
    let absurd = OptimizerConfig {
        lr: f32::INFINITY,
        ..OptimizerConfig::default()
    };
    assert!(matches!(
        cpu.train_step(&[0], &absurd),
        Err(EngineError::Hyperparameter(_))
    ));
    let wrong_shape = Mlp::new(100, &[8], 10, 1).unwrap();
    assert!(
        CpuEngine::new(&wrong_shape, 16)
            .unwrap()
            .set_data(Split::Train, &train)
            .is_err()
    );
    // Weights so large that the logits overflow f32: the loss is NaN and the epoch runner says so
    // (rather than training on garbage).
    let mut huge = Mlp::new(784, &[64], 10, 1).unwrap();
    huge.layers[0].weight.iter_mut().for_each(|w| *w *= 1e37);
    let mut wild = CpuEngine::new(&huge, 64).unwrap();
    wild.set_data(Split::Train, &train).unwrap();
    let r = pollster::block_on(kernels::training::run_epoch(
        &mut wild,
        &EpochBatches::new(100, 10, 1, 0),
        &OptimizerConfig::default(),
        |_, _| {},
    ));
    assert!(matches!(r, Err(EngineError::Diverged { .. })), "{r:?}");
    let Some(ctx) = common::gpu() else { return };
    let mut gpu = GpuEngine::new(&ctx, &model, 16).unwrap();
    assert!(matches!(
        gpu.train_step(&[0], &OptimizerConfig::default()),
        Err(EngineError::InvalidInput(_))
    ));
    gpu.set_data(Split::Train, &train).unwrap();
    assert!(matches!(
        gpu.train_step(&[1000], &OptimizerConfig::default()),
        Err(EngineError::InvalidInput(_))
    ));
    assert!(matches!(
        pollster::block_on(gpu.predict(&[0.0; 3], 1)),
        Err(EngineError::InvalidInput(_))
    ));
    // A model that does not fit the data already set is refused, on every engine.
    let wrong_input = Mlp::new(100, &[8], 10, 1).unwrap();
    let too_few_classes = Mlp::new(784, &[8], 5, 1).unwrap();
    for m in [&wrong_input, &too_few_classes] {
        assert!(matches!(
            gpu.set_model(m),
            Err(EngineError::InvalidInput(_))
        ));
        assert!(matches!(
            cpu.set_model(m),
            Err(EngineError::InvalidInput(_))
        ));
    }
}

/// The race on the GPU: three optimisers on one device from one batch stream start from the same loss to
/// the bit, an arm raced beside others runs exactly as it runs alone, and the arms track the CPU
/// engine's race.
#[test]
fn a_race_on_one_device_shares_the_stream_and_leaves_each_arm_as_it_runs_alone() {
    use kernels::OptimizerKind;
    use kernels::race::Race;
    let Some(ctx) = common::gpu() else { return };
    let train = common::mnist(Split::Train, 600);
    let model = Mlp::new(784, &[64], 10, 4).unwrap();
    let configs = [
        OptimizerConfig::pytorch(OptimizerKind::Sgd, 0.1),
        OptimizerConfig::pytorch(OptimizerKind::Adam, 1e-3),
        OptimizerConfig::pytorch(OptimizerKind::Rmsprop, 1e-3),
    ];
    let run = |configs: &[OptimizerConfig], gpu: bool| -> Vec<Vec<f32>> {
        let arms: Vec<_> = configs
            .iter()
            .map(|&c| {
                let e = if gpu {
                    kernels::AnyEngine::new(kernels::EngineKind::Gpu, Some(&ctx), &model, 32)
                } else {
                    kernels::AnyEngine::new(kernels::EngineKind::Cpu, None, &model, 32)
                };
                (c, e.unwrap())
            })
            .collect();
        let mut race = Race::new(arms, &train, None, 32, 7).unwrap();
        for _ in 0..40 {
            race.step().unwrap();
        }
        pollster::block_on(race.take_losses()).unwrap()
    };
    let raced = run(&configs, true);
    assert!(raced.iter().all(|l| l.len() == 40));
    assert!(
        raced
            .iter()
            .all(|l| l[0].to_bits() == raced[0][0].to_bits())
    );
    let alone = run(&configs[1..2], true);
    assert_eq!(alone[0], raced[1], "Adam raced beside others = Adam alone");
    let cpu = run(&configs, false);
    for (g, c) in raced.iter().zip(&cpu) {
        assert_close("race losses, GPU vs CPU", g, c, 1e-3, 1e-4);
    }
}
