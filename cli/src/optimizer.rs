//! `train`'s optimiser flags: the rule and its settings, each defaulting to PyTorch's default for the
//! rule (SGD's momentum defaults to the seed recipe's 0.5).

use anyhow::{Result, bail};
use kernels::{NAMED, Optimizer, OptimizerConfig, OptimizerKind};

/// The optimiser: `sgd`, `momentum` (SGD with momentum), `nesterov`, `adagrad`, `rmsprop`, `adam`,
/// `adamw`, with PyTorch's semantics.
#[derive(clap::Args, Debug, Clone)]
pub struct OptimizerArgs {
    /// Optimiser: sgd, momentum (SGD with momentum), nesterov, adagrad, rmsprop, adam, adamw.
    #[arg(long, default_value = "sgd", value_parser = parse_optimizer)]
    optimizer: Optimizer,
    /// Learning rate.
    #[arg(long, default_value_t = 0.01)]
    lr: f32,
    /// Momentum μ (SGD and momentum: 0.5, the seed recipe's; nesterov: 0.9; rmsprop: 0).
    #[arg(long)]
    momentum: Option<f32>,
    /// Adam's and AdamW's β1 (0.9).
    #[arg(long)]
    beta1: Option<f32>,
    /// Adam's and AdamW's β2 (0.999).
    #[arg(long)]
    beta2: Option<f32>,
    /// RMSprop's smoothing constant α (0.99).
    #[arg(long)]
    alpha: Option<f32>,
    /// ε (adagrad: 1e-10; rmsprop, adam, adamw: 1e-8).
    #[arg(long)]
    eps: Option<f32>,
    /// Weight decay: L2 for every rule but adamw, whose decay is decoupled (adamw: 0.01; others: 0).
    #[arg(long)]
    weight_decay: Option<f32>,
}

/// `--optimizer`'s value: an id of [`kernels::NAMED`].
fn parse_optimizer(s: &str) -> Result<Optimizer, String> {
    Optimizer::parse(s).ok_or_else(|| {
        let ids: Vec<_> = NAMED.iter().map(|n| n.id).collect();
        format!("unknown optimiser {s:?} ({})", ids.join(", "))
    })
}

impl OptimizerArgs {
    /// The configuration the flags describe.
    pub fn config(&self) -> Result<OptimizerConfig> {
        let kind = self.optimizer.kind();
        let mut opt = OptimizerConfig::pytorch(kind, self.lr);
        if kind == OptimizerKind::Sgd {
            opt.momentum = 0.5;
        }
        if let Some(m) = self.momentum {
            opt.momentum = m;
        }
        if self.optimizer == Optimizer::Momentum && opt.momentum <= 0.0 {
            bail!(
                "--optimizer momentum needs --momentum above 0 (use --optimizer sgd for plain SGD)"
            );
        }
        if self.alpha.is_some() && kind != OptimizerKind::Rmsprop {
            bail!("--alpha is RMSprop's; --optimizer is {}", kind.name());
        }
        opt.beta1 = self.beta1.unwrap_or(opt.beta1);
        opt.beta2 = self.alpha.or(self.beta2).unwrap_or(opt.beta2);
        opt.eps = self.eps.unwrap_or(opt.eps);
        opt.weight_decay = self.weight_decay.unwrap_or(opt.weight_decay);
        opt.validate()?;
        Ok(opt)
    }
}

/// The settings that matter for `opt`'s rule, for the run's header line.
pub fn describe(opt: &OptimizerConfig) -> String {
    let mut s = format!("{} lr {}", opt.kind, opt.lr);
    match opt.kind {
        OptimizerKind::Sgd | OptimizerKind::Nesterov => s += &format!(" momentum {}", opt.momentum),
        OptimizerKind::Adagrad => s += &format!(" eps {}", opt.eps),
        OptimizerKind::Rmsprop => {
            s += &format!(
                " alpha {} eps {} momentum {}",
                opt.beta2, opt.eps, opt.momentum
            )
        }
        OptimizerKind::Adam | OptimizerKind::AdamW => {
            s += &format!(" betas ({}, {}) eps {}", opt.beta1, opt.beta2, opt.eps)
        }
    }
    if opt.weight_decay != 0.0 {
        s += &format!(" weight decay {}", opt.weight_decay);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        optimizer: OptimizerArgs,
    }

    fn config(args: &[&str]) -> Result<OptimizerConfig> {
        let flags = Flags::try_parse_from([&["train"], args].concat())?;
        flags.optimizer.config()
    }

    #[test]
    fn every_named_optimiser_is_a_value_and_momentum_is_sgd_with_momentum() {
        for n in NAMED {
            let c = config(&["--optimizer", n.id]).unwrap();
            assert_eq!(c.kind, n.kind, "{}", n.id);
        }
        // SGD's momentum is the seed recipe's 0.5, named or not; `momentum` refuses none.
        assert_eq!(config(&["--optimizer", "sgd"]).unwrap().momentum, 0.5);
        assert_eq!(config(&[]).unwrap().momentum, 0.5);
        assert_eq!(config(&["--optimizer", "momentum"]).unwrap().momentum, 0.5);
        assert!(config(&["--optimizer", "momentum", "--momentum", "0"]).is_err());
        let refused = config(&["--optimizer", "lion"]).unwrap_err().to_string();
        assert!(
            refused.contains("adagrad") && refused.contains("momentum"),
            "{refused}"
        );
    }
}
