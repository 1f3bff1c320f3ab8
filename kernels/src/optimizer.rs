//! The named optimisers: the one table of the optimisers the lessons, the command line and the race
//! name (`sgd`, `momentum`, `nesterov`, …), each with its rule, its momentum, its tuned learning rate and
//! the arithmetic of its update. Every list of optimisers in the project reads [`NAMED`].

use serde::{Deserialize, Serialize};

use crate::engine::{OptimizerConfig, OptimizerKind};

/// An optimiser by name. `Momentum` is SGD with heavy-ball momentum (PyTorch's `SGD(momentum=0.9)`);
/// the others are their rule. Its serde form is the variant's name (`"Sgd"`, `"Momentum"`, …), as the
/// train lesson's settings have always crossed the worker protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Optimizer {
    /// Plain SGD (no momentum).
    Sgd,
    /// SGD with momentum.
    Momentum,
    /// SGD with Nesterov momentum.
    Nesterov,
    /// AdaGrad.
    Adagrad,
    /// RMSprop (not centred).
    Rmsprop,
    /// Adam (L2 weight decay).
    Adam,
    /// AdamW (decoupled weight decay).
    AdamW,
}

/// One row of [`NAMED`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Named {
    /// The optimiser.
    pub optimizer: Optimizer,
    /// Its id: the URL's, the command line's (`--optimizer`) and the race's value.
    pub id: &'static str,
    /// Its name on screen and in reports (English; the lessons translate their own).
    pub label: &'static str,
    /// The update rule.
    pub kind: OptimizerKind,
    /// Its momentum μ (heavy-ball and Nesterov 0.9; 0 for every other rule, PyTorch's default).
    pub momentum: f32,
    /// Its tuned learning rate: of the three or four rates `scripts/bench/optimizer-sweep.sh` tries
    /// (784-512-10, batch 64, 3 epochs of MNIST, three seeds), the one with the best mean accuracy on
    /// 5,000 held-out training images (a validation split; the test set is not chosen on). None is at
    /// its grid's edge; the book has the table.
    pub tuned_lr: f32,
    /// FLOPs per parameter of one update without weight decay, counted from [`crate::ops::optim`]'s
    /// rule: SGD w −= lr·g (2); momentum v = μv + g, w −= lr·v (4); Nesterov adds g + μv (6); AdaGrad
    /// v += g² (2), √v + ε (2), w −= lr·g / … (3): 7; RMSprop v = αv + (1−α)·g·g (4), √v + ε (2),
    /// w −= lr·g / … (3): 9; Adam m = β1·m + (1−β1)·g (3), v = β2·v + (1−β2)·g² (4), the two bias
    /// corrections (2), √v̂ + ε and the division (3), w −= lr·… (2): 14; AdamW the same and its decay
    /// w ·= 1 − lr·λ (15).
    pub update_flops: u64,
}

/// Every named optimiser, in the lessons' order (the optimisers lesson's table and race, the command
/// line's list).
pub const NAMED: [Named; 7] = [
    Named {
        optimizer: Optimizer::Sgd,
        id: "sgd",
        label: "SGD",
        kind: OptimizerKind::Sgd,
        momentum: 0.0,
        tuned_lr: 0.1,
        update_flops: 2,
    },
    Named {
        optimizer: Optimizer::Momentum,
        id: "momentum",
        label: "SGD with momentum",
        kind: OptimizerKind::Sgd,
        momentum: 0.9,
        tuned_lr: 0.01,
        update_flops: 4,
    },
    Named {
        optimizer: Optimizer::Nesterov,
        id: "nesterov",
        label: "Nesterov",
        kind: OptimizerKind::Nesterov,
        momentum: 0.9,
        tuned_lr: 0.03,
        update_flops: 6,
    },
    Named {
        optimizer: Optimizer::Adagrad,
        id: "adagrad",
        label: "AdaGrad",
        kind: OptimizerKind::Adagrad,
        momentum: 0.0,
        tuned_lr: 0.01,
        update_flops: 7,
    },
    Named {
        optimizer: Optimizer::Rmsprop,
        id: "rmsprop",
        label: "RMSprop",
        kind: OptimizerKind::Rmsprop,
        momentum: 0.0,
        tuned_lr: 0.0003,
        update_flops: 9,
    },
    Named {
        optimizer: Optimizer::Adam,
        id: "adam",
        label: "Adam",
        kind: OptimizerKind::Adam,
        momentum: 0.0,
        tuned_lr: 0.001,
        update_flops: 14,
    },
    Named {
        optimizer: Optimizer::AdamW,
        id: "adamw",
        label: "AdamW",
        kind: OptimizerKind::AdamW,
        momentum: 0.0,
        tuned_lr: 0.001,
        update_flops: 15,
    },
];

impl Optimizer {
    /// Every optimiser, in [`NAMED`]'s order.
    pub const ALL: [Optimizer; 7] = [
        Self::Sgd,
        Self::Momentum,
        Self::Nesterov,
        Self::Adagrad,
        Self::Rmsprop,
        Self::Adam,
        Self::AdamW,
    ];

    /// Its row of [`NAMED`].
    pub fn named(self) -> &'static Named {
        &NAMED[self as usize]
    }

    /// Its id (`sgd`, `momentum`, …).
    pub fn id(self) -> &'static str {
        self.named().id
    }

    /// Its update rule.
    pub fn kind(self) -> OptimizerKind {
        self.named().kind
    }

    /// The optimiser whose id is `id`.
    pub fn parse(id: &str) -> Option<Self> {
        NAMED.iter().find(|n| n.id == id).map(|n| n.optimizer)
    }

    /// Its configuration at learning rate `lr`: its momentum, PyTorch's defaults for the rest.
    pub fn config(self, lr: f32) -> OptimizerConfig {
        let mut c = OptimizerConfig::pytorch(self.kind(), lr);
        c.momentum = self.named().momentum;
        c
    }

    /// Its configuration at its tuned learning rate.
    pub fn tuned(self) -> OptimizerConfig {
        self.config(self.named().tuned_lr)
    }
}

impl std::fmt::Display for Optimizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_its_optimisers_and_its_id_reads_back() {
        for (i, o) in Optimizer::ALL.into_iter().enumerate() {
            assert_eq!(NAMED[i].optimizer, o);
            assert_eq!(Optimizer::parse(o.id()), Some(o));
            o.tuned().validate().unwrap();
        }
        assert_eq!(Optimizer::parse("gd"), None);
        // The ids the rules share are the rules' own names (the command line's and the kernels').
        for n in NAMED.iter().filter(|n| n.optimizer != Optimizer::Momentum) {
            assert_eq!(n.id, n.kind.name());
        }
    }

    #[test]
    fn the_tuned_configurations_are_the_sweeps_choices() {
        let momentum = Optimizer::Momentum.tuned();
        assert_eq!(
            (momentum.kind, momentum.lr, momentum.momentum),
            (OptimizerKind::Sgd, 0.01, 0.9)
        );
        let rmsprop = Optimizer::Rmsprop.tuned();
        assert_eq!(
            (rmsprop.lr, rmsprop.momentum, rmsprop.beta2),
            (0.0003, 0.0, 0.99)
        );
        assert_eq!(Optimizer::Sgd.tuned().lr, 0.1);
        assert_eq!(Optimizer::AdamW.tuned().weight_decay, 0.01);
    }

    #[test]
    fn a_configuration_crosses_json_field_by_field() {
        let c = Optimizer::Adam.tuned();
        let text = serde_json::to_string(&c).unwrap();
        assert!(text.starts_with(r#"{"kind":"Adam","lr":0.001,"momentum":0.0,"beta1":0.9"#));
        assert_eq!(serde_json::from_str::<OptimizerConfig>(&text).unwrap(), c);
        assert_eq!(
            serde_json::to_string(&Optimizer::Momentum).unwrap(),
            "\"Momentum\""
        );
    }
}
