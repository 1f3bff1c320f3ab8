//! `backprop-lab privacy`: ε of DP-SGD from its sampling rate, noise multiplier, steps and δ, by the
//! accountant in `kernels::privacy` (RDP of the sampled Gaussian mechanism at orders 2…256).

use anyhow::Result;
use clap::{Args, ValueEnum};
use kernels::privacy::{self, Conversion};

/// Which RDP → (ε, δ) conversion to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConversionArg {
    /// ε = RDP(α) − log δ/(α − 1) (Mironov 2017; TensorFlow Privacy's published figures).
    Classic,
    /// The tighter conversion of Balle et al. 2020 (Opacus' today).
    Balle2020,
}

/// Arguments of `privacy`.
#[derive(Args)]
pub struct PrivacyArgs {
    /// Probability that an example is in a step's lot (batch size / training-set size).
    #[arg(long)]
    sampling_rate: f64,
    /// Noise multiplier σ: the noise's standard deviation over the clipping norm.
    #[arg(long)]
    noise: f64,
    /// Training steps.
    #[arg(long)]
    steps: u64,
    /// δ of (ε, δ)-DP.
    #[arg(long, default_value_t = 1e-5)]
    delta: f64,
    /// The conversion (both are printed without --json).
    #[arg(long, value_enum, default_value_t = ConversionArg::Classic)]
    conversion: ConversionArg,
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `privacy`.
pub fn run(args: PrivacyArgs) -> Result<()> {
    let rdp = privacy::rdp(args.sampling_rate, args.noise, args.steps)?;
    let classic = privacy::epsilon(&rdp, args.delta, Conversion::Classic)?;
    let balle = privacy::epsilon(&rdp, args.delta, Conversion::Balle2020)?;
    if args.json {
        let chosen = match args.conversion {
            ConversionArg::Classic => classic,
            ConversionArg::Balle2020 => balle,
        };
        println!(
            "{}",
            serde_json::json!({
                "sampling_rate": args.sampling_rate,
                "noise": args.noise,
                "steps": args.steps,
                "delta": args.delta,
                "conversion": format!("{:?}", args.conversion).to_lowercase(),
                "epsilon": chosen.epsilon,
                "order": chosen.order,
            })
        );
    } else {
        println!(
            "DP-SGD, sampling rate {}, noise multiplier {}, {} steps, δ = {}:",
            args.sampling_rate, args.noise, args.steps, args.delta
        );
        println!(
            "  ε = {:.3} (classic conversion, best order α = {})",
            classic.epsilon, classic.order
        );
        println!(
            "  ε = {:.3} (Balle et al. 2020, best order α = {})",
            balle.epsilon, balle.order
        );
    }
    Ok(())
}
