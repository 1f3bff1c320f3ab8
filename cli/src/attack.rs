//! `backprop-lab attack`: a model's test accuracy when every test image is attacked by FGSM (or PGD
//! with `--pgd-steps`) at each ε, from `kernels::attack` on the chosen engine.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use kernels::attack::{
    Attack, CURVE_EPSILONS, FINE_TUNE, FINE_TUNE_BATCH, FINE_TUNE_EPSILON, adversarial_accuracy,
    mixed_step,
};
use kernels::{Engine, Mlp};

use crate::data::{DataArgs, load_data};
use crate::engines::make_engine;
use kernels::engine::Preference;

/// Arguments of `attack`.
#[derive(Args)]
pub struct AttackArgs {
    /// Weights (safetensors).
    #[arg(long)]
    model: PathBuf,
    /// Attack strengths: the largest change of any pixel, in units of the 0–1 pixel range.
    #[arg(long, default_values_t = CURVE_EPSILONS, value_delimiter = ',')]
    eps: Vec<f32>,
    /// PGD steps (1: FGSM).
    #[arg(long, default_value_t = 1)]
    pgd_steps: usize,
    #[command(flatten)]
    data: DataArgs,
    /// Engine.
    #[arg(long, value_enum, default_value_t = Preference::Auto)]
    engine: Preference,
    /// Also fine-tune two copies on the first N training images (one epoch, batches of 64 clean
    /// images): one with their FGSM images mixed in (adversarial training), one with the clean images
    /// taken twice (the control); then measure all three models.
    #[arg(long)]
    harden: Option<usize>,
    /// ε of adversarial training's FGSM images.
    #[arg(long, default_value_t = FINE_TUNE_EPSILON)]
    harden_eps: f32,
    /// One JSON object per ε instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `attack`.
pub fn run(args: AttackArgs) -> Result<()> {
    if let Some(bad) = args.eps.iter().find(|e| !(0.0..=1.0).contains(*e)) {
        bail!("ε must be in [0, 1] (a fraction of the pixel range), got {bad}");
    }
    if !(1..=1000).contains(&args.pgd_steps) {
        bail!("--pgd-steps must be 1 to 1000, got {}", args.pgd_steps);
    }
    if !args.data.augment.is_empty() {
        bail!("--augment applies to training; attack measures the test images");
    }
    let model = Mlp::from_safetensors(
        &std::fs::read(&args.model).with_context(|| format!("reading {}", args.model.display()))?,
    )
    .with_context(|| format!("loading {}", args.model.display()))?;
    if let Some(n) = args.harden
        && !(64..=60_000).contains(&n)
    {
        bail!("--harden takes 64 to 60000 training images, got {n}");
    }
    if !(0.0..=0.5).contains(&args.harden_eps) {
        bail!("--harden-eps must be in [0, 0.5], got {}", args.harden_eps);
    }
    let (train, test) = load_data(&DataArgs {
        train_limit: Some(args.harden.unwrap_or(0)),
        ..args.data.clone()
    })?;
    const CHUNK: usize = 1000;
    pollster::block_on(async {
        let mut arms = vec![("model", model.clone())];
        if args.harden.is_some() {
            for (name, adversarial) in [("clean", false), ("adversarial", true)] {
                let t0 = Instant::now();
                let mut engine = make_engine(args.engine, &model, CHUNK).await?;
                for start in (0..train.len()).step_by(FINE_TUNE_BATCH) {
                    let end = (start + FINE_TUNE_BATCH).min(train.len());
                    let rows: Vec<u32> = (start as u32..end as u32).collect();
                    mixed_step(
                        &mut engine,
                        &train.select(&rows),
                        args.harden_eps,
                        &FINE_TUNE,
                        adversarial,
                    )
                    .await?;
                }
                if !args.json {
                    println!(
                        "fine-tuned {name}: {} images, ε {} ({:.1} s)",
                        train.len(),
                        args.harden_eps,
                        t0.elapsed().as_secs_f64()
                    );
                }
                arms.push((name, engine.model().await?));
            }
        }
        for (arm, model) in arms {
            measure(&args, arm, &model, &test).await?;
        }
        Ok(())
    })
}

/// Prints one model's accuracy at each ε.
async fn measure(
    args: &AttackArgs,
    arm: &str,
    model: &Mlp,
    test: &kernels::dataset::Dataset,
) -> Result<()> {
    const CHUNK: usize = 1000;
    {
        let mut engine = make_engine(args.engine, model, CHUNK).await?;
        if !args.json {
            println!("{arm}: engine {}", engine.info());
            println!(
                "{}: {} test images; {}",
                test.name,
                test.len(),
                if args.pgd_steps == 1 {
                    "FGSM".to_string()
                } else {
                    format!("PGD, {} steps of 2.5·ε/{}", args.pgd_steps, args.pgd_steps)
                }
            );
        }
        for &epsilon in &args.eps {
            let t0 = Instant::now();
            let attack = Attack {
                epsilon,
                steps: args.pgd_steps,
            };
            let accuracy = adversarial_accuracy(&mut engine, test, attack, CHUNK).await?;
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({
                        "model": arm,
                        "epsilon": epsilon,
                        "steps": args.pgd_steps,
                        "accuracy": accuracy,
                        "images": test.len(),
                    })
                );
            } else {
                println!(
                    "ε = {epsilon:<5}  accuracy {:>6.2}%  ({:.1} s)",
                    100.0 * accuracy,
                    t0.elapsed().as_secs_f64()
                );
            }
        }
        Ok(())
    }
}
