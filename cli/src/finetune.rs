//! `backprop-lab finetune`: the head-replacement recipe on a pretrained model — freeze the body, train a
//! (new) head, unfreeze, fine-tune everything at a lower rate — optionally against the same data and
//! seed trained from scratch, with per-epoch lines, progress bars, JSON and a comparison plot.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use kernels::dataset::Dataset;
use kernels::finetune::{
    FinetuneRecipe, Phase, PhaseEpoch, begin_full_phase, begin_head_phase, per_class_subset,
    run_phase, set_splits,
};
use kernels::{Engine, Mlp};

use crate::data::OutputArgs;
use crate::data::{DataArgs, load_data};
use crate::engines::make_engine;
use kernels::engine::Preference;

/// The `finetune` subcommand's options.
#[derive(clap::Args, Debug)]
pub struct FinetuneArgs {
    /// The pretrained weights (safetensors, PyTorch names).
    #[arg(long)]
    init: PathBuf,
    #[command(flatten)]
    data: DataArgs,
    /// Use only the first N training samples of each class (few-shot fine-tuning).
    #[arg(long)]
    per_class: Option<usize>,
    /// Layers frozen during the head phase (e.g. fc1); default: every layer below the head.
    #[arg(long, value_delimiter = ',')]
    freeze: Vec<String>,
    /// Replace the head by a fresh one with K outputs (default: the dataset's class count when it
    /// differs from the model's, else keep the pretrained head).
    #[arg(long)]
    new_head: Option<usize>,
    /// Epochs of the head phase.
    #[arg(long, default_value_t = 5)]
    head_epochs: usize,
    /// Learning rate of the head phase.
    #[arg(long, default_value_t = 0.001)]
    head_lr: f32,
    /// Epochs of the full phase (0: stop after the head).
    #[arg(long, default_value_t = 5)]
    full_epochs: usize,
    /// Learning rate of the full phase.
    #[arg(long, default_value_t = 0.0001)]
    full_lr: f32,
    /// SGD momentum of both phases.
    #[arg(long, default_value_t = 0.9)]
    momentum: f32,
    /// Rows per step.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Seed of the new head, of the scratch model and of the shuffling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also train the same architecture from scratch (same data, seed and number of epochs as both
    /// phases, at --scratch-lr and --scratch-momentum) and compare.
    #[arg(long)]
    compare_scratch: bool,
    /// Learning rate of the from-scratch baseline (the seed recipe's, as the lesson uses).
    #[arg(long, default_value_t = 0.01)]
    scratch_lr: f32,
    /// SGD momentum of the from-scratch baseline.
    #[arg(long, default_value_t = 0.5)]
    scratch_momentum: f32,
    /// Engine.
    #[arg(long, value_enum, default_value_t = Preference::Auto)]
    engine: Preference,
    #[command(flatten)]
    output: OutputArgs,
}

/// The run's outcome, printed as JSON with `--json`.
#[derive(serde::Serialize)]
struct Summary {
    pretrained_accuracy: f32,
    after_head_accuracy: f32,
    final_accuracy: f32,
    scratch_accuracy: Option<f32>,
    epochs: Vec<PhaseEpoch>,
}

fn layer_index(name: &str, layers: usize) -> Result<usize> {
    let n: usize = name
        .strip_prefix("fc")
        .and_then(|d| d.parse().ok())
        .filter(|&n| (1..=layers).contains(&n))
        .with_context(|| format!("--freeze {name}: the layers are fc1 … fc{layers}"))?;
    Ok(n - 1)
}

fn bar(phase: Phase, epochs: usize) -> ProgressBar {
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} steps {per_sec}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("{} (epochs: {epochs})", phase.name()));
    bar
}

fn print_epoch(e: &PhaseEpoch, json: bool) -> Result<()> {
    println!(
        "{:<7} epoch {:>3}  loss {:.4}  test loss {:.4}  test accuracy {:.2}%",
        e.phase,
        e.epoch,
        e.train_loss,
        e.test_loss,
        100.0 * e.test_accuracy
    );
    if json {
        println!("{}", serde_json::to_string(e)?);
    }
    Ok(())
}

async fn phase<E: Engine>(
    engine: &mut E,
    recipe: &FinetuneRecipe,
    phase: Phase,
    train_len: usize,
    epochs: usize,
    offset: usize,
    json: bool,
) -> Result<Vec<PhaseEpoch>> {
    let pb = bar(phase, epochs);
    let out = run_phase(
        engine,
        recipe,
        phase,
        train_len,
        epochs,
        offset,
        |_, done, total| {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
        },
    )
    .await?;
    pb.finish_and_clear();
    for e in &out {
        print_epoch(e, json)?;
    }
    Ok(out)
}

async fn finetune<E: Engine>(
    mut engine: E,
    args: &FinetuneArgs,
    recipe: &FinetuneRecipe,
    freeze: Option<Vec<usize>>,
    train: &Dataset,
    test: &Dataset,
) -> Result<Summary> {
    println!("engine: {}", engine.info());
    set_splits(&mut engine, train, test)?;
    let pretrained = engine.evaluate(None).await?.accuracy();
    println!(
        "pretrained model on {} (before any change): test accuracy {:.2}%",
        test.name,
        100.0 * pretrained
    );
    begin_head_phase(&mut engine, recipe).await?;
    if let Some(layers) = &freeze {
        for l in 0..engine.widths().len() - 1 {
            engine.set_frozen(l, layers.contains(&l))?;
        }
    }
    let body = engine.model().await?;
    let frozen: Vec<String> = body
        .layers
        .iter()
        .enumerate()
        .filter(|(_, l)| l.weight_frozen)
        .map(|(i, _)| format!("fc{}", i + 1))
        .collect();
    println!(
        "head phase: model {:?}, frozen: {}, lr {} momentum {}",
        engine.widths(),
        if frozen.is_empty() {
            "none".into()
        } else {
            frozen.join(", ")
        },
        recipe.head_lr,
        recipe.momentum
    );
    let mut epochs = phase(
        &mut engine,
        recipe,
        Phase::Head,
        train.len(),
        recipe.head_epochs,
        0,
        args.output.json,
    )
    .await?;
    let after_head = epochs.last().map_or(pretrained, |e| e.test_accuracy);
    if recipe.full_epochs > 0 {
        begin_full_phase(&mut engine)?;
        println!("full phase: everything unfrozen, lr {}", recipe.full_lr);
        epochs.extend(
            phase(
                &mut engine,
                recipe,
                Phase::Full,
                train.len(),
                recipe.full_epochs,
                recipe.head_epochs,
                args.output.json,
            )
            .await?,
        );
    }
    let final_accuracy = epochs.last().map_or(pretrained, |e| e.test_accuracy);
    if let Some(path) = &args.output.out {
        let mut model = engine.model().await?;
        for l in 0..model.layers.len() {
            model.unfreeze(l)?;
        }
        std::fs::write(path, model.to_safetensors()?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("weights written to {}", path.display());
    }
    let scratch_accuracy = if args.compare_scratch {
        let widths = engine.widths();
        let scratch = Mlp::new(
            widths[0],
            &widths[1..widths.len() - 1],
            widths[widths.len() - 1],
            recipe.seed,
        )?;
        engine.set_model(&scratch)?;
        let total = recipe.head_epochs + recipe.full_epochs;
        println!(
            "from scratch: same model shape, data and seed, {total} epochs at lr {}, momentum {}",
            recipe.scratch_lr, recipe.scratch_momentum
        );
        let s = phase(
            &mut engine,
            recipe,
            Phase::Scratch,
            train.len(),
            total,
            0,
            args.output.json,
        )
        .await?;
        let acc = s.last().map(|e| e.test_accuracy);
        epochs.extend(s);
        acc
    } else {
        None
    };
    Ok(Summary {
        pretrained_accuracy: pretrained,
        after_head_accuracy: after_head,
        final_accuracy,
        scratch_accuracy,
        epochs,
    })
}

/// Runs the subcommand.
pub fn run(args: FinetuneArgs) -> Result<()> {
    let bytes =
        std::fs::read(&args.init).with_context(|| format!("reading {}", args.init.display()))?;
    let model = Mlp::from_safetensors(&bytes)
        .with_context(|| format!("loading {}", args.init.display()))?;
    let (train, test) = load_data(&args.data)?;
    let train = match args.per_class {
        Some(0) => bail!("--per-class must be at least 1"),
        Some(n) => per_class_subset(&train, n),
        None => train,
    };
    if train.is_empty() {
        bail!("no training samples selected");
    }
    let new_head = match args.new_head {
        Some(k) => Some(k),
        None if train.classes() != model.classes() => Some(train.classes()),
        None => None,
    };
    if let Some(k) = new_head
        && k < train.classes()
    {
        bail!(
            "--new-head {k}: the dataset has {} classes",
            train.classes()
        );
    }
    let layers = model.layers.len();
    let freeze = if args.freeze.is_empty() {
        None
    } else {
        Some(
            args.freeze
                .iter()
                .map(|n| layer_index(n, layers))
                .collect::<Result<Vec<_>>>()?,
        )
    };
    if freeze.as_ref().is_some_and(|f| f.contains(&(layers - 1))) {
        bail!("--freeze fc{layers}: the head is what the head phase trains");
    }
    let recipe = FinetuneRecipe {
        freeze_body: true,
        new_head,
        head_epochs: args.head_epochs,
        head_lr: args.head_lr,
        full_epochs: args.full_epochs,
        full_lr: args.full_lr,
        momentum: args.momentum,
        scratch_lr: args.scratch_lr,
        scratch_momentum: args.scratch_momentum,
        batch_size: args.batch_size,
        seed: args.seed,
    };
    recipe.validate()?;
    println!(
        "fine-tuning {} {:?} on {} ({} train, {} test)",
        args.init.display(),
        model.widths(),
        train.name,
        train.len(),
        test.len()
    );
    let augmentation = args.data.augmentation(args.seed)?;
    let summary = pollster::block_on(async {
        let mut any = make_engine(args.engine, &model, args.batch_size.max(1000)).await?;
        any.set_augmentation(augmentation)?;
        finetune(any, &args, &recipe, freeze.clone(), &train, &test).await
    })?;
    let pct = |a: f32| format!("{:.2}%", 100.0 * a);
    print!(
        "summary: pretrained {} → after the head phase {} → after fine-tuning {}",
        pct(summary.pretrained_accuracy),
        pct(summary.after_head_accuracy),
        pct(summary.final_accuracy)
    );
    match summary.scratch_accuracy {
        Some(s) => println!(
            "; from scratch {} (fine-tuned − scratch: {:+.2} points; compare the pretrained model too)",
            pct(s),
            100.0 * (summary.final_accuracy - s)
        ),
        None => println!(),
    }
    if args.output.json {
        println!("{}", serde_json::to_string(&summary)?);
    }
    if let Some(dir) = &args.output.plots {
        std::fs::create_dir_all(dir)?;
        let series = |names: &[&str]| -> Vec<f32> {
            summary
                .epochs
                .iter()
                .filter(|e| names.contains(&e.phase))
                .map(|e| e.test_accuracy)
                .collect()
        };
        let path = dir.join("finetune-vs-scratch.png");
        crate::plots::comparison_plot(
            &path,
            summary.pretrained_accuracy,
            &series(&["head", "full"]),
            recipe.head_epochs,
            &series(&["scratch"]),
        )?;
        println!("plot written to {}", path_display(&path));
    }
    Ok(())
}

fn path_display(p: &Path) -> String {
    p.display().to_string()
}
