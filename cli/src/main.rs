//! `backprop-lab`: the offline native build. Trains, evaluates and benchmarks the MLP with the WGSL
//! kernels on any wgpu adapter (or the CPU engine), and converts the datasets the app serves.

mod attack;
mod bench;
mod cited;
mod class;
mod convert;
mod data;
mod engines;
mod eval;
mod finetune;
mod lesson_bench;
mod native_engine;
mod optimizer;
mod plots;
mod privacy;
mod race_bench;
mod serve;
mod train;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

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

#[derive(Subcommand)]
enum Command {
    /// Train an MLP (the seed recipe by default) and report loss and test accuracy per epoch.
    Train(train::TrainArgs),
    /// Evaluate saved weights on a test set.
    Eval(eval::EvalArgs),
    /// Measure training throughput (samples/s, GFLOP/s) of the seed MLP on every available engine:
    /// the CPU engine, the WGSL kernels and (feature `burn`) burn's autodiff on the same adapter.
    Bench(bench::BenchArgs),
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
    /// Serve the web app and its data for a classroom without internet (loopback unless --lan;
    /// HTTPS with --tls).
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
    /// The figures the pages and the book cite (not computed live): listed, and with --run
    /// reproduced by each one's command (--cheap: the quick ones).
    Cited(cited::CitedArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Finetune(args) => finetune::run(args),
        Command::ConvertData { from, to, chunk } => convert::convert_all(&from, &to, chunk),
        Command::Serve(args) => serve::run(args),
        Command::LessonBench(args) => lesson_bench::run(args),
        Command::Privacy(args) => privacy::run(args),
        Command::Attack(args) => attack::run(args),
        Command::Cited(args) => cited::run(args),
    }
}
