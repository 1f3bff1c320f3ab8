//! `backprop-lab`: the offline native build. Trains, evaluates and benchmarks the MLP with the WGSL
//! kernels on any wgpu adapter (or the CPU engine), and converts the datasets the app serves.

mod attack;
mod cited;
mod convert;
mod data;
mod finetune;
mod lesson_bench;
mod native_engine;
mod optimizer;
mod plots;
mod privacy;
mod race_bench;
mod serve;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use data::{DataArgs, OutputArgs, load_data};
use indicatif::{ProgressBar, ProgressStyle};
use kernels::dataset::{Dataset, Split, load_split};
use kernels::ops::dp::DpConfig;
use kernels::privacy::{Conversion, dp_sgd_epsilon};
use kernels::training::{EpochBatches, TrainConfig, mean, run_epoch};
use kernels::{
    AdapterOptions, AnyEngine, CpuEngine, Engine, EngineKind, GpuContext, GpuEngine, Mlp,
    OptimizerConfig,
};

#[derive(Parser)]
#[command(
    name = "backprop-lab",
    version,
    about = "Train, evaluate and benchmark Backprop Lab's MLP natively"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum EngineChoice {
    /// A hardware GPU if there is one, else a software adapter (lavapipe), else the CPU engine.
    Auto,
    /// The WGSL kernels on a wgpu adapter (software adapters allowed).
    Gpu,
    /// The CPU engine.
    Cpu,
    /// burn's tensors and autodiff on the same wgpu adapter (the independent reference).
    #[cfg(feature = "burn")]
    Burn,
}

#[derive(Subcommand)]
enum Command {
    /// Train an MLP (the seed recipe by default) and report loss and test accuracy per epoch.
    Train {
        #[command(flatten)]
        data: DataArgs,
        /// Passes over the training set.
        #[arg(long, default_value_t = 10)]
        epochs: usize,
        /// Rows per step.
        #[arg(long, default_value_t = 64)]
        batch_size: usize,
        #[command(flatten)]
        optimizer: optimizer::OptimizerArgs,
        /// Hidden layer widths, comma-separated (e.g. 512 or 256,128).
        #[arg(long, default_value = "512", value_delimiter = ',')]
        hidden: Vec<usize>,
        /// Seed of the initial weights and the shuffling.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Engine.
        #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
        engine: EngineChoice,
        /// Start from these weights (safetensors) instead of a fresh initialisation.
        #[arg(long)]
        init: Option<PathBuf>,
        /// DP-SGD: clip each example's gradient to this norm C (lots are Poisson-sampled with rate
        /// batch-size / training-set size, and ε is printed after each epoch).
        #[arg(long, requires = "dp_noise")]
        dp_clip: Option<f32>,
        /// DP-SGD: the noise multiplier σ (noise N(0, σ²C²) on each summed gradient coordinate).
        #[arg(long, requires = "dp_clip")]
        dp_noise: Option<f32>,
        /// DP-SGD: δ of the (ε, δ) guarantee printed.
        #[arg(long, default_value_t = 1e-5)]
        dp_delta: f64,
        /// The batches' order: `shuffled` (each epoch shuffles the whole set) or `streamed` (the
        /// app's "Train a network": the first epoch visits the dataset's chunks in order, each
        /// shuffled on its own, as they arrive in the browser; `EpochBatches::streamed`).
        #[arg(long, value_enum, default_value_t = Order::Shuffled)]
        order: Order,
        /// Also write every step's loss here (a JSON array, in order).
        #[arg(long)]
        losses: Option<PathBuf>,
        /// Hold out the first N training samples (never trained on), as "Train a network" holds out
        /// its validation split (the first twelfth of the images a run uses); the streamed order then
        /// starts after them, as the page's does. Each epoch also reports the held-out samples' loss
        /// and accuracy (`val_loss`, `val_accuracy`): the figure to choose settings on.
        #[arg(long, default_value_t = 0)]
        holdout_first: usize,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Evaluate saved weights on a test set.
    Eval {
        /// Weights (safetensors).
        model: PathBuf,
        #[command(flatten)]
        data: DataArgs,
        /// Engine.
        #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
        engine: EngineChoice,
    },
    /// Measure training throughput (samples/s, GFLOP/s) of the seed MLP on every available engine:
    /// the CPU engine, the WGSL kernels and (feature `burn`) burn's autodiff on the same adapter.
    Bench {
        /// Batch sizes to measure.
        #[arg(long, default_value = "64,512", value_delimiter = ',')]
        batches: Vec<usize>,
        /// Seconds to measure each configuration (after a warm-up).
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
        /// Hidden widths of the benchmarked MLP.
        #[arg(long, default_value = "512", value_delimiter = ',')]
        hidden: Vec<usize>,
        /// Write the results as JSON here as well.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Folder of converted datasets.
        #[arg(long, default_value = "static/data")]
        data_dir: PathBuf,
        /// Seconds of timed dispatches for choosing our matrix-product kernel per shape (the app's budget).
        #[arg(long, default_value_t = 0.3)]
        tune_budget: f64,
        /// Also run the PyTorch peer (`scripts/bench_pytorch.py`) with this Python, right after ours, so
        /// the ratio is always side by side (e.g. `--with-pytorch /var/tmp/torchenv/bin/python`).
        #[arg(long)]
        with_pytorch: Option<PathBuf>,
    },
    /// Fine-tune a pretrained model: freeze the body, train a (new) head, unfreeze, fine-tune all at a
    /// lower learning rate; optionally compared with training from scratch.
    Finetune(finetune::FinetuneArgs),
    /// Convert ../shared/data (IDX and CIFAR originals) into the app's chunked assets, and make
    /// "MNIST with another pen" (static/data/mnist-pen) from MNIST.
    ConvertData {
        /// Folder with mnist/, fashion-mnist/ and cifar10-subset/.
        #[arg(long, default_value = "../shared/data")]
        from: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "static/data")]
        to: PathBuf,
        /// Samples per chunk.
        #[arg(long, default_value_t = 5000)]
        chunk: usize,
    },
    /// Serve the web app and its data for a classroom without internet (loopback unless --lan).
    Serve(serve::ServeArgs),
    /// "Train a network"'s speed as the page sees it with `serve --native-engine`, without a browser:
    /// the lesson's worker behind the same WebSocket, driven with the page's messages, beside the bare
    /// engine on the same shape in the same run.
    LessonBench(lesson_bench::LessonBenchArgs),
    /// ε of DP-SGD (sampling rate, noise multiplier, steps, δ) from the Rényi-DP accountant.
    Privacy(privacy::PrivacyArgs),
    /// Test accuracy under FGSM or PGD at each ε: every test image perturbed by at most ε per pixel
    /// (0–1 range) in the direction that raises its loss.
    Attack(attack::AttackArgs),
    /// The figures the pages and the README cite (not computed live): listed, and with --run
    /// reproduced by each one's command (--cheap: the quick ones).
    Cited(cited::CitedArgs),
}

/// The engine `--engine` asks for: `auto` takes a hardware GPU, else a software adapter (with a note),
/// else the CPU engine.
pub(crate) async fn make_engine(
    choice: EngineChoice,
    model: &Mlp,
    max_rows: usize,
) -> Result<AnyEngine> {
    let gpu =
        |allow_software| async move { GpuContext::new(AdapterOptions { allow_software }).await };
    match choice {
        EngineChoice::Cpu => Ok(AnyEngine::new(EngineKind::Cpu, None, model, max_rows)?),
        #[cfg(feature = "burn")]
        EngineChoice::Burn => {
            let ctx = gpu(true)
                .await
                .context("--engine burn needs a wgpu adapter")?;
            Ok(AnyEngine::new(
                EngineKind::Burn,
                Some(&ctx),
                model,
                max_rows,
            )?)
        }
        EngineChoice::Gpu => {
            let ctx = gpu(true)
                .await
                .context("--engine gpu needs a wgpu adapter")?;
            Ok(AnyEngine::new(
                EngineKind::Gpu,
                Some(&ctx),
                model,
                max_rows,
            )?)
        }
        EngineChoice::Auto => match gpu(false).await {
            Ok(ctx) => Ok(AnyEngine::new(
                EngineKind::Gpu,
                Some(&ctx),
                model,
                max_rows,
            )?),
            Err(hw) => match gpu(true).await {
                Ok(ctx) => {
                    eprintln!(
                        "note: no hardware GPU ({hw}); using the software adapter {} — correct but slow; --engine cpu is usually faster here",
                        ctx.adapter_info.name
                    );
                    Ok(AnyEngine::new(
                        EngineKind::Gpu,
                        Some(&ctx),
                        model,
                        max_rows,
                    )?)
                }
                Err(sw) => {
                    eprintln!("note: no wgpu adapter ({sw}); using the CPU engine");
                    Ok(AnyEngine::new(EngineKind::Cpu, None, model, max_rows)?)
                }
            },
        },
    }
}

/// What one epoch reached.
#[derive(serde::Serialize)]
struct EpochLine {
    epoch: usize,
    train_loss: f32,
    test_loss: f32,
    test_accuracy: f32,
    /// With `--holdout-first`: the held-out training samples' loss and accuracy.
    #[serde(skip_serializing_if = "Option::is_none")]
    val_loss: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    val_accuracy: Option<f32>,
    samples_per_second: f64,
    seconds: f64,
    /// With DP-SGD: ε after this epoch at `--dp-delta` (classic conversion).
    #[serde(skip_serializing_if = "Option::is_none")]
    epsilon: Option<f64>,
}

/// DP-SGD's settings for `train`.
#[derive(Clone, Copy, Debug)]
struct Private {
    dp: DpConfig,
    /// Poisson sampling rate q = expected lot / training-set size.
    rate: f64,
    delta: f64,
}

#[allow(
    clippy::too_many_arguments,
    reason = "the train subcommand's options, passed through once"
)]
async fn train<E: Engine>(
    mut engine: E,
    cfg: &TrainConfig,
    train: &Dataset,
    test: &Dataset,
    val: Option<&Dataset>,
    out: Option<&Path>,
    plot_dir: Option<&Path>,
    json: bool,
    private: Option<Private>,
    schedule: Schedule<'_>,
) -> Result<()> {
    println!("engine: {}", engine.info());
    println!(
        "model: {:?}  data: {} ({} train, {} test)  optimiser: {}  batch {}  seed {}",
        engine.widths(),
        train.name,
        train.len(),
        test.len(),
        optimizer::describe(&cfg.optimizer),
        cfg.batch_size,
        cfg.seed
    );
    engine.set_data(Split::Train, train)?;
    engine.set_data(Split::Test, test)?;
    if let Some(p) = private {
        engine.set_privacy(Some(p.dp))?;
        println!(
            "DP-SGD: clip norm C {}  noise multiplier σ {}  Poisson sampling, rate q = {}/{} = {:.6} (lots vary; the sum is divided by {})  δ {}",
            p.dp.clip,
            p.dp.noise,
            cfg.batch_size,
            train.len(),
            p.rate,
            p.dp.expected_lot,
            p.delta
        );
    }
    let mut step_losses = Vec::new();
    let mut accuracies = Vec::new();
    let mut steps = 0u64;
    for epoch in 1..=cfg.epochs {
        let batches = match (private, &schedule.streamed) {
            (Some(p), _) => EpochBatches::poisson(train.len(), p.rate, cfg.seed, epoch - 1),
            (None, Some(chunks)) => {
                EpochBatches::streamed(chunks, cfg.batch_size, cfg.seed, epoch - 1)
            }
            (None, None) => EpochBatches::new(train.len(), cfg.batch_size, cfg.seed, epoch - 1),
        };
        if let Some(i) = (0..batches.len()).find(|&i| batches.batch(i).is_empty()) {
            // A noise-only step would be the faithful mechanism; the engines take at least one row, and
            // skipping the step silently would not be what the accountant assumes.
            bail!(
                "lot {} of epoch {epoch} is empty (Poisson sampling; probability (1 − q)^N per lot): use a larger --batch-size",
                i + 1
            );
        }
        steps += batches.len() as u64;
        let bar = ProgressBar::new(batches.len() as u64).with_style(
            ProgressStyle::with_template(
                "epoch {prefix} [{bar:30}] {pos}/{len} steps {per_sec} eta {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(format!("{epoch}/{}", cfg.epochs));
        let t0 = Instant::now();
        let losses = run_epoch(&mut engine, &batches, &cfg.optimizer, |done, _| {
            bar.set_position(done as u64)
        })
        .await?;
        let seconds = t0.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let val_eval = match val {
            // The engine evaluates its test split: the held-out samples stand in for it, then the
            // test images go back.
            Some(v) => {
                engine.set_data(Split::Test, v)?;
                let e = engine.evaluate(None).await?;
                engine.set_data(Split::Test, test)?;
                Some(e)
            }
            None => None,
        };
        let eval = engine.evaluate(None).await?;
        let epsilon = match private {
            Some(p) => Some(
                dp_sgd_epsilon(
                    p.rate,
                    f64::from(p.dp.noise),
                    steps,
                    p.delta,
                    Conversion::Classic,
                )?
                .epsilon,
            ),
            None => None,
        };
        let line = EpochLine {
            epoch,
            train_loss: mean(&losses),
            test_loss: eval.loss,
            test_accuracy: eval.accuracy(),
            val_loss: val_eval.as_ref().map(|e| e.loss),
            val_accuracy: val_eval.as_ref().map(|e| e.accuracy()),
            samples_per_second: train.len() as f64 / seconds,
            seconds,
            epsilon,
        };
        println!(
            "epoch {:>2}/{}  loss {:.4}  test loss {:.4}  test accuracy {:.2}%  {:>9.0} samples/s  ({:.1} s)",
            epoch,
            cfg.epochs,
            line.train_loss,
            line.test_loss,
            100.0 * line.test_accuracy,
            line.samples_per_second,
            seconds
        );
        if let Some(v) = &val_eval {
            println!(
                "           validation ({} held-out training samples): loss {:.4}  accuracy {:.2}%",
                v.total,
                v.loss,
                100.0 * v.accuracy()
            );
        }
        if let (Some(e), Some(p)) = (epsilon, private) {
            println!(
                "           ε = {e:.3} at δ = {} after {steps} steps (classic conversion)",
                p.delta
            );
        }
        if json {
            println!("{}", serde_json::to_string(&line)?);
        }
        step_losses.extend(losses);
        accuracies.push(eval.accuracy());
    }
    if let Some(path) = schedule.losses {
        std::fs::write(path, serde_json::to_string(&step_losses)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = out {
        let model = engine.model().await?;
        std::fs::write(path, model.to_safetensors()?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("weights written to {}", path.display());
    }
    if let Some(dir) = plot_dir {
        std::fs::create_dir_all(dir)?;
        plots::loss_plot(&dir.join("loss.png"), &step_losses)?;
        plots::accuracy_plot(&dir.join("accuracy.png"), &accuracies)?;
        println!(
            "plots written to {}/loss.png and accuracy.png",
            dir.display()
        );
    }
    Ok(())
}

async fn eval<E: Engine>(mut engine: E, test: &Dataset) -> Result<()> {
    println!("engine: {}", engine.info());
    engine.set_data(Split::Test, test)?;
    let t0 = Instant::now();
    let e = engine.evaluate(None).await?;
    println!(
        "{}: {} test samples  loss {:.4}  accuracy {:.2}% ({}/{})  in {:.2} s",
        test.name,
        e.total,
        e.loss,
        100.0 * e.accuracy(),
        e.correct,
        e.total,
        t0.elapsed().as_secs_f64()
    );
    let cm = e.confusion_matrix(&test.labels, test.classes());
    println!("confusion matrix (rows: true class, columns: predicted):");
    for (name, row) in test.class_names.iter().zip(&cm) {
        println!(
            "{name:>12} {}",
            row.iter().map(|c| format!("{c:>5}")).collect::<String>()
        );
    }
    Ok(())
}

/// The order of the training batches (`train --order`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Order {
    /// Each epoch shuffles the whole training set.
    Shuffled,
    /// The app's streamed order (the first epoch chunk by chunk).
    Streamed,
}

/// `train`'s batch order and per-step loss file.
struct Schedule<'a> {
    /// Samples of each training chunk in use (the streamed order), or `None` (shuffled).
    streamed: Option<Vec<usize>>,
    losses: Option<&'a Path>,
}

/// Samples of each of the training split's chunks the first `len` samples use, the last one cut: the
/// chunk sizes the app's streamed order is built from.
fn chunk_sizes(data: &DataArgs, len: usize) -> Result<Vec<usize>> {
    let path = data.data_dir.join(&data.dataset).join("manifest.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let manifest = kernels::dataset::Manifest::from_json(&text)?;
    let mut left = len;
    Ok(manifest
        .train
        .chunks
        .iter()
        .map(|c| {
            let n = c.count.min(left);
            left -= n;
            n
        })
        .filter(|&n| n > 0)
        .collect())
}

/// Chunk sizes with the first `n` samples taken out (the app's `without_validation`): chunks they
/// empty are dropped, the one they cut is shortened.
fn without_first(chunks: &[usize], n: usize) -> Vec<usize> {
    let mut left = n;
    chunks
        .iter()
        .filter_map(|&c| {
            let taken = c.min(left);
            left -= taken;
            (c > taken).then_some(c - taken)
        })
        .collect()
}

/// One benchmark measurement.
#[derive(serde::Serialize)]
pub(crate) struct BenchRow {
    engine: String,
    adapter: String,
    batch: usize,
    steps: usize,
    samples_per_second: f64,
    gflops: f64,
    /// Kernel dispatches (launches) of one training step.
    dispatches: usize,
    /// Our GPU engine: the matrix-product kernel timed fastest for each product of the step.
    gemm: Vec<GemmChoiceRow>,
}

/// One product's timing in `bench`.
#[derive(serde::Serialize)]
struct GemmChoiceRow {
    role: String,
    m: u32,
    n: u32,
    k: u32,
    tiled_ms: Option<f64>,
    registers_ms: Option<f64>,
    wide_ms: Option<f64>,
    split_ms: Option<f64>,
    chosen: String,
}

/// FLOPs of one training step per sample: forward (2·in·out per layer), the weight gradient (same) and
/// the input gradient of every layer above the first (same).
fn flops_per_sample(widths: &[usize]) -> f64 {
    widths
        .windows(2)
        .enumerate()
        .map(|(l, w)| 2.0 * (w[0] * w[1]) as f64 * if l == 0 { 2.0 } else { 3.0 })
        .sum()
}

/// `bench`'s loop: `seconds` of training steps back to back after a warm-up, losses read back every
/// ten steps.
pub(crate) async fn bench_engine<E: Engine>(
    mut engine: E,
    train: &Dataset,
    batch: usize,
    seconds: f64,
) -> Result<BenchRow> {
    engine.set_data(Split::Train, train)?;
    let opt = OptimizerConfig::default();
    let batches = EpochBatches::new(train.len(), batch, 7, 0);
    // Only full batches are timed (`bench` checked there are at least two).
    let full = train.len() / batch;
    // Warm-up: pipelines, caches, clocks.
    for i in 0..3 {
        engine.train_step(batches.batch(i % full), &opt)?;
    }
    engine.take_losses().await?;
    let t0 = Instant::now();
    let mut steps = 0;
    while t0.elapsed().as_secs_f64() < seconds || steps < 5 {
        for _ in 0..10 {
            engine.train_step(batches.batch(steps % full), &opt)?;
            steps += 1;
        }
        // Reading the losses back waits for the GPU, so the time covers finished work.
        engine.take_losses().await?;
    }
    let secs = t0.elapsed().as_secs_f64();
    let sps = (steps * batch) as f64 / secs;
    Ok(BenchRow {
        engine: engine.info().kind.to_string(),
        adapter: engine.info().adapter.clone(),
        batch,
        steps,
        samples_per_second: sps,
        gflops: sps * flops_per_sample(&engine.widths()) / 1e9,
        dispatches: engine.last_step_dispatches(),
        gemm: Vec::new(),
    })
}

/// The PyTorch peer's rows: `scripts/bench_pytorch.py` run with `python` (it measures batch 64 and 512).
fn pytorch_rows(python: &Path, seconds: f64, batches: &[usize]) -> Result<Vec<BenchRow>> {
    #[derive(serde::Deserialize)]
    struct Row {
        engine: String,
        adapter: String,
        batch: usize,
        steps: usize,
        samples_per_second: f64,
        gflops: f64,
    }
    let out = std::process::Command::new(python)
        .args(["scripts/bench_pytorch.py", &seconds.to_string()])
        .output()
        .with_context(|| format!("running {} scripts/bench_pytorch.py", python.display()))?;
    if !out.status.success() {
        bail!(
            "the PyTorch peer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let json = text
        .find("\n[")
        .map(|i| &text[i + 1..])
        .context("no JSON in the PyTorch peer's output")?;
    let rows: Vec<Row> = serde_json::from_str(json).context("reading the PyTorch peer's JSON")?;
    Ok(rows
        .into_iter()
        .filter(|r| batches.contains(&r.batch))
        .map(|r| BenchRow {
            engine: r.engine,
            adapter: r.adapter,
            batch: r.batch,
            steps: r.steps,
            samples_per_second: r.samples_per_second,
            gflops: r.gflops,
            dispatches: 0,
            gemm: Vec::new(),
        })
        .collect())
}

async fn bench(
    batches: &[usize],
    seconds: f64,
    tune_budget: f64,
    python: Option<&Path>,
    hidden: &[usize],
    json: Option<&Path>,
    data_dir: &Path,
) -> Result<()> {
    let train = load_split(&data_dir.join("mnist"), Split::Train, Some(20_000))
        .context("reading MNIST for the benchmark")?;
    let model = Mlp::new(train.features(), hidden, 10, 1)?;
    let max_batch = batches.iter().copied().max().unwrap_or(64);
    let gpu = GpuContext::new(AdapterOptions {
        allow_software: true,
    })
    .await;
    if let Err(e) = &gpu {
        eprintln!("note: no wgpu adapter ({e}); measuring the CPU engine only");
    }
    let mut rows = Vec::new();
    for &batch in batches {
        if batch == 0 || batch > max_batch {
            bail!("batch size {batch} is out of range");
        }
        if batch > train.len() / 2 {
            bail!(
                "batch size {batch} is too large for the benchmark: it times full batches of the {} \
                 MNIST training images it reads, and needs at least two (at most {})",
                train.len(),
                train.len() / 2
            );
        }
        rows.push(bench_engine(CpuEngine::new(&model, batch)?, &train, batch, seconds).await?);
        if let Ok(ctx) = &gpu {
            let mut engine = GpuEngine::new(ctx, &model, batch)?;
            let clock = Instant::now();
            let timings = engine
                .tune(batch, &|| clock.elapsed().as_secs_f64(), tune_budget)
                .await?;
            let mut row = bench_engine(engine, &train, batch, seconds).await?;
            row.gemm = timings
                .into_iter()
                .map(|t| GemmChoiceRow {
                    role: t.role,
                    m: t.params.m,
                    n: t.params.n,
                    k: t.params.k,
                    tiled_ms: t.seconds[0].map(|s| s * 1e3),
                    registers_ms: t.seconds[1].map(|s| s * 1e3),
                    wide_ms: t.seconds[2].map(|s| s * 1e3),
                    split_ms: t.seconds[3].map(|s| s * 1e3),
                    chosen: format!("{:?}", t.chosen).to_lowercase(),
                })
                .collect();
            rows.push(row);
            #[cfg(feature = "burn")]
            rows.push(
                bench_engine(
                    kernels::BurnEngine::new(ctx, &model, batch)?,
                    &train,
                    batch,
                    seconds,
                )
                .await?,
            );
        }
    }
    // The optimisers' race at the first batch size: seven models on one stream against one alone.
    let race_batch = batches.first().copied().unwrap_or(64);
    let mut race = vec![
        race_bench::measure(
            || Ok(CpuEngine::new(&model, race_batch)?),
            &train,
            race_batch,
            seconds,
        )
        .await?,
    ];
    if let Ok(ctx) = &gpu {
        race.push(
            race_bench::measure(
                || Ok(GpuEngine::new(ctx, &model, race_batch)?),
                &train,
                race_batch,
                seconds,
            )
            .await?,
        );
    }
    if let Some(python) = python {
        rows.extend(pytorch_rows(python, seconds, batches)?);
    }
    println!(
        "{:<6} {:<48} {:>6} {:>14} {:>9} {:>10}",
        "engine", "adapter", "batch", "samples/s", "GFLOP/s", "dispatches"
    );
    for r in &rows {
        println!(
            "{:<6} {:<48} {:>6} {:>14.0} {:>9.2} {:>10}",
            r.engine, r.adapter, r.batch, r.samples_per_second, r.gflops, r.dispatches
        );
    }
    for r in rows.iter().filter(|r| !r.gemm.is_empty()) {
        println!(
            "our GPU kernels at batch {}: the matrix product chosen per shape (ms per dispatch)",
            r.batch
        );
        for g in &r.gemm {
            let ms = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
            println!(
                "  {:<18} {:>5}×{:<5}×{:>5}  tiled {:>8}  registers {:>8}  wide {:>8}  split {:>8}  → {}",
                g.role,
                g.m,
                g.n,
                g.k,
                ms(g.tiled_ms),
                ms(g.registers_ms),
                ms(g.wide_ms),
                ms(g.split_ms),
                g.chosen
            );
        }
    }
    race_bench::print(&race);
    let text = serde_json::to_string_pretty(&rows)?;
    println!("{text}");
    if let Some(path) = json {
        std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Train {
            data,
            epochs,
            batch_size,
            optimizer,
            hidden,
            seed,
            engine,
            init,
            dp_clip,
            dp_noise,
            dp_delta,
            order,
            losses,
            holdout_first,
            output,
        } => {
            let cfg = TrainConfig {
                hidden,
                batch_size,
                epochs,
                seed,
                optimizer: optimizer.config()?,
            };
            cfg.validate()?;
            let (train_set, test_set) = load_data(&data)?;
            let loaded = train_set.len();
            if holdout_first >= loaded {
                bail!("--holdout-first {holdout_first} leaves no training sample of {loaded}");
            }
            let (train_set, val_set) = if holdout_first > 0 {
                let val = train_set.select(&(0..holdout_first as u32).collect::<Vec<_>>());
                let rest =
                    train_set.select(&(holdout_first as u32..loaded as u32).collect::<Vec<_>>());
                (rest, Some(val))
            } else {
                (train_set, None)
            };
            let private = match (dp_clip, dp_noise) {
                (Some(clip), Some(noise)) => {
                    let dp = DpConfig {
                        clip,
                        noise,
                        expected_lot: cfg.batch_size as f32,
                        seed: cfg.seed as u32,
                    };
                    dp.validate()?;
                    if !(dp_delta > 0.0 && dp_delta < 1.0) {
                        bail!("--dp-delta must be in (0, 1), got {dp_delta}");
                    }
                    if !data.augment.is_empty() {
                        bail!("DP-SGD here trains on the images as they are: drop --augment");
                    }
                    Some(Private {
                        dp,
                        rate: cfg.batch_size as f64 / train_set.len().max(1) as f64,
                        delta: dp_delta,
                    })
                }
                _ => None,
            };
            let model = match &init {
                Some(path) => {
                    let m = Mlp::from_safetensors(
                        &std::fs::read(path)
                            .with_context(|| format!("reading {}", path.display()))?,
                    )
                    .with_context(|| format!("loading {}", path.display()))?;
                    println!("starting from {} ({:?})", path.display(), m.widths());
                    m
                }
                None => Mlp::new(
                    train_set.features(),
                    &cfg.hidden,
                    train_set.classes(),
                    cfg.seed,
                )?,
            };
            // Poisson lots vary around the batch size: room for ten standard deviations above it.
            let max_rows = if private.is_some() {
                let l = cfg.batch_size as f64;
                (l + 10.0 * l.sqrt() + 16.0) as usize
            } else {
                cfg.batch_size
            }
            .max(1000);
            let augmentation = data.augmentation(cfg.seed)?;
            let schedule = Schedule {
                streamed: match order {
                    Order::Streamed if private.is_some() => {
                        bail!("--order streamed has no Poisson lots: drop it for DP-SGD")
                    }
                    Order::Streamed => {
                        Some(without_first(&chunk_sizes(&data, loaded)?, holdout_first))
                    }
                    Order::Shuffled => None,
                },
                losses: losses.as_deref(),
            };
            pollster::block_on(async {
                let mut any = make_engine(engine, &model, max_rows).await?;
                any.set_augmentation(augmentation)?;
                train(
                    any,
                    &cfg,
                    &train_set,
                    &test_set,
                    val_set.as_ref(),
                    output.out.as_deref(),
                    output.plots.as_deref(),
                    output.json,
                    private,
                    schedule,
                )
                .await
            })
        }
        Command::Eval {
            model,
            data,
            engine,
        } => {
            let m = Mlp::from_safetensors(
                &std::fs::read(&model).with_context(|| format!("reading {}", model.display()))?,
            )
            .with_context(|| format!("loading {}", model.display()))?;
            if !data.augment.is_empty() {
                bail!("--augment applies to training; eval measures the test images as they are");
            }
            let (_, test_set) = load_data(&DataArgs {
                train_limit: Some(0),
                ..data
            })?;
            pollster::block_on(async {
                let any = make_engine(engine, &m, 1000).await?;
                eval(any, &test_set).await
            })
        }
        Command::Bench {
            batches,
            seconds,
            hidden,
            json,
            data_dir,
            tune_budget,
            with_pytorch,
        } => pollster::block_on(bench(
            &batches,
            seconds,
            tune_budget,
            with_pytorch.as_deref(),
            &hidden,
            json.as_deref(),
            &data_dir,
        )),
        Command::Finetune(args) => finetune::run(args),
        Command::ConvertData { from, to, chunk } => convert::convert_all(&from, &to, chunk),
        Command::Serve(args) => serve::run(args),
        Command::LessonBench(args) => lesson_bench::run(args),
        Command::Privacy(args) => privacy::run(args),
        Command::Attack(args) => attack::run(args),
        Command::Cited(args) => cited::run(args),
    }
}
