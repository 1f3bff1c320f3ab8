//! `backprop-lab train`: the seed recipe (or any MLP) trained natively, loss and test accuracy per
//! epoch; optionally DP-SGD with ε, a held-out validation split, the app's streamed batch order.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use kernels::dataset::{Dataset, Split};
use kernels::ops::dp::DpConfig;
use kernels::privacy::{Conversion, dp_sgd_epsilon};
use kernels::training::{EpochBatches, TrainConfig, mean, run_epoch};
use kernels::{Engine, Mlp};

use crate::data::{DataArgs, OutputArgs, load_data};
use crate::engines::make_engine;
use crate::{optimizer, plots};
use kernels::engine::Preference;

/// `train`'s arguments.
#[derive(Args)]
pub struct TrainArgs {
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
    #[arg(long, value_enum, default_value_t = Preference::Auto)]
    engine: Preference,
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
}

/// Runs `train`.
pub fn run(args: TrainArgs) -> Result<()> {
    let TrainArgs {
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
    } = args;

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
        let rest = train_set.select(&(holdout_first as u32..loaded as u32).collect::<Vec<_>>());
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
                &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
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
            Order::Streamed => Some(kernels::training::chunks_without_first(
                &chunk_sizes(&data, loaded)?,
                holdout_first,
            )),
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
