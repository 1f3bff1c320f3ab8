//! `backprop-lab attack`: a model's test accuracy when every test image is attacked by FGSM (or PGD
//! with `--pgd-steps`) at each ε, from `kernels::attack` on the chosen engine.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use kernels::attack::{Attack, adversarial_accuracy};
use kernels::{Engine, Mlp};

use crate::data::{DataArgs, load_data};
use crate::{EngineChoice, make_engine};

/// Arguments of `attack`.
#[derive(Args)]
pub struct AttackArgs {
    /// Weights (safetensors).
    #[arg(long)]
    model: PathBuf,
    /// Attack strengths: the largest change of any pixel, in units of the 0–1 pixel range.
    #[arg(
        long,
        default_value = "0,0.05,0.1,0.15,0.2,0.25,0.3",
        value_delimiter = ','
    )]
    eps: Vec<f32>,
    /// PGD steps (1: FGSM).
    #[arg(long, default_value_t = 1)]
    pgd_steps: usize,
    #[command(flatten)]
    data: DataArgs,
    /// Engine.
    #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
    engine: EngineChoice,
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
    let (_, test) = load_data(&DataArgs {
        train_limit: Some(0),
        ..args.data
    })?;
    const CHUNK: usize = 1000;
    pollster::block_on(async {
        let mut engine = make_engine(args.engine, &model, CHUNK).await?;
        if !args.json {
            println!("engine: {}", engine.info());
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
            let accuracy = adversarial_accuracy(&mut engine, &test, attack, CHUNK).await?;
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({
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
    })
}
