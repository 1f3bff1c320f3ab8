//! `backprop-lab bench`: training throughput (samples/s, GFLOP/s) of the seed MLP on every engine here,
//! with the PyTorch peer in the same run when asked.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use kernels::dataset::{Dataset, Split, load_split};
use kernels::training::EpochBatches;
use kernels::{AdapterOptions, CpuEngine, Engine, GpuContext, GpuEngine, Mlp, OptimizerConfig};

use crate::race_bench;

/// `bench`'s arguments.
#[derive(Args)]
pub struct BenchArgs {
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
    #[arg(long, default_value_t = kernels::engine::gpu::TUNE_SECONDS)]
    tune_budget: f64,
    /// Also run the PyTorch peer (`scripts/pytorch/bench_pytorch.py`) with this Python, right after ours, so
    /// the ratio is always side by side (e.g. `--with-pytorch /var/tmp/torchenv/bin/python`).
    #[arg(long)]
    with_pytorch: Option<PathBuf>,
}

/// Runs `bench`.
pub fn run(args: BenchArgs) -> Result<()> {
    let BenchArgs {
        batches,
        seconds,
        hidden,
        json,
        data_dir,
        tune_budget,
        with_pytorch,
    } = args;
    pollster::block_on(bench(
        &batches,
        seconds,
        tune_budget,
        with_pytorch.as_deref(),
        &hidden,
        json.as_deref(),
        &data_dir,
    ))
}

/// One benchmark measurement.
#[derive(serde::Serialize)]
pub(crate) struct BenchRow {
    pub(crate) engine: String,
    pub(crate) adapter: String,
    pub(crate) batch: usize,
    pub(crate) steps: usize,
    pub(crate) samples_per_second: f64,
    pub(crate) gflops: f64,
    /// Kernel dispatches (launches) of one training step.
    pub(crate) dispatches: usize,
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

/// The PyTorch peer's rows: `scripts/pytorch/bench_pytorch.py` run with `python` (it measures batch 64 and 512).
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
        .args(["scripts/pytorch/bench_pytorch.py", &seconds.to_string()])
        .output()
        .with_context(|| {
            format!(
                "running {} scripts/pytorch/bench_pytorch.py",
                python.display()
            )
        })?;
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
