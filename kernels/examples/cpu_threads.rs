//! The CPU engine's training speed per thread count, side by side in one run (issue 33: 2 threads should
//! reach ≥ 1.7× one thread at batch 512 and ≥ 1.4× at batch 64):
//!
//! ```text
//! cargo run --release -p backprop-kernels --example cpu_threads -- \
//!     --threads 1,2 --batches 64,512 --hidden 128 --seconds 3 --rounds 3
//! ```
//!
//! Each arm trains the seed recipe (SGD, momentum 0.5) on the first 20,000 MNIST training images with
//! `bench`'s loop (three warm-up steps, losses read every ten steps). The arms take turns, `--rounds`
//! times `--seconds` each, so a neighbour's load on a shared machine falls on every arm alike; the table
//! gives each arm's best and median round and its ratio to the first thread count's best.

use std::path::PathBuf;
use std::time::Instant;

use kernels::dataset::{Dataset, Split, load_split};
use kernels::training::EpochBatches;
use kernels::{CpuEngine, Engine, Mlp, OptimizerConfig};

/// The command line: `--name a,b,c` lists.
struct Args {
    threads: Vec<usize>,
    batches: Vec<usize>,
    hidden: Vec<usize>,
    seconds: f64,
    rounds: usize,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        threads: vec![1, 2],
        batches: vec![64, 512],
        hidden: vec![128],
        seconds: 3.0,
        rounds: 3,
    };
    let list = |v: &str| -> Result<Vec<usize>, String> {
        v.split(',')
            .map(|x| x.trim().parse().map_err(|e| format!("{x}: {e}")))
            .collect()
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--threads" => args.threads = list(&value)?,
            "--batches" => args.batches = list(&value)?,
            "--hidden" => args.hidden = list(&value)?,
            "--seconds" => args.seconds = value.parse().map_err(|e| format!("{value}: {e}"))?,
            "--rounds" => args.rounds = value.parse().map_err(|e| format!("{value}: {e}"))?,
            _ => {
                return Err(format!(
                    "unknown {flag}; takes --threads, --batches, --hidden, --seconds, --rounds"
                ));
            }
        }
    }
    Ok(args)
}

/// Samples per second of `seconds` of training steps on `engine`.
fn measure(engine: &mut CpuEngine, train: &Dataset, batch: usize, seconds: f64) -> f64 {
    let opt = OptimizerConfig::default();
    let batches = EpochBatches::new(train.len(), batch, 7, 0);
    let full = train.len() / batch;
    for i in 0..3 {
        engine.train_step(batches.batch(i % full), &opt).unwrap();
    }
    pollster::block_on(engine.take_losses()).unwrap();
    let t0 = Instant::now();
    let mut steps = 0;
    while t0.elapsed().as_secs_f64() < seconds || steps < 5 {
        for _ in 0..10 {
            engine
                .train_step(batches.batch(steps % full), &opt)
                .unwrap();
            steps += 1;
        }
        pollster::block_on(engine.take_losses()).unwrap();
    }
    (steps * batch) as f64 / t0.elapsed().as_secs_f64()
}

fn main() {
    let args = parse().unwrap_or_else(|e| {
        eprintln!("cpu_threads: {e}");
        std::process::exit(2);
    });
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static/data/mnist");
    let train = load_split(&dir, Split::Train, Some(20_000)).expect("static/data/mnist");
    let model = Mlp::new(train.features(), &args.hidden, 10, 1).unwrap();
    let widths = model.widths();
    println!(
        "CPU engine, MLP {widths:?}, seed recipe; {} rounds × {} s per arm",
        args.rounds, args.seconds
    );
    println!(
        "{:>6} {:>8} {:>12} {:>12} {:>8}  adapter",
        "batch", "threads", "best/s", "median/s", "ratio"
    );
    for &batch in &args.batches {
        let mut engines: Vec<CpuEngine> = args
            .threads
            .iter()
            .map(|&t| {
                let mut e = CpuEngine::with_threads(&model, batch, t).unwrap();
                e.set_data(Split::Train, &train).unwrap();
                e
            })
            .collect();
        let mut samples = vec![Vec::new(); engines.len()];
        for _ in 0..args.rounds {
            for (engine, s) in engines.iter_mut().zip(&mut samples) {
                s.push(measure(engine, &train, batch, args.seconds));
            }
        }
        let mut base = None;
        for ((engine, s), threads) in engines.iter().zip(&mut samples).zip(&args.threads) {
            s.sort_by(f64::total_cmp);
            let (best, median) = (s[s.len() - 1], s[s.len() / 2]);
            let base = *base.get_or_insert(best);
            println!(
                "{batch:>6} {threads:>8} {best:>12.0} {median:>12.0} {:>7.2}×  {}",
                best / base,
                engine.info().adapter
            );
        }
    }
}
