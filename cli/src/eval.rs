//! `backprop-lab eval`: saved weights measured on a test set, with the confusion matrix.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use kernels::dataset::{Dataset, Split};
use kernels::{Engine, Mlp};

use crate::data::{DataArgs, load_data};
use crate::engines::make_engine;
use kernels::engine::Preference;

/// `eval`'s arguments.
#[derive(Args)]
pub struct EvalArgs {
    /// Weights (safetensors).
    model: PathBuf,
    #[command(flatten)]
    data: DataArgs,
    /// Engine.
    #[arg(long, value_enum, default_value_t = Preference::Auto)]
    engine: Preference,
}

/// Runs `eval`.
pub fn run(args: EvalArgs) -> Result<()> {
    let EvalArgs {
        model,
        data,
        engine,
    } = args;

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
