//! Every figure a page or the book cites that is not computed live: one row each, with what it is
//! (both languages), the command in this repository that reproduces it and what that command prints,
//! or — for a published figure — where it was published, and when and on which engine it was measured.
//! Texts read their figure from here (`crate::cited::mnist_mlp_accuracy!()` inside a `concat!`, or a
//! row's [`Cited::number`]); `backprop-lab cited --run [--cheap]` (`scripts/check/cited-figures.sh`) re-runs
//! the commands and checks each row's figure in their output, and the cheap rows are re-run by
//! `cli/tests/cli.rs` in CI. A unit test refuses a row without a command (or, for a published figure,
//! without its address).

#![cfg_attr(
    target_arch = "wasm32",
    allow(
        dead_code,
        reason = "the page reads a few figures; the table is walked natively (its tests, `backprop-lab cited`)"
    )
)]

mod runs;

use crate::ui::i18n::{Lang, Text, tx};

/// Where a row's command prints its figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// A published figure: nothing to run.
    Published,
    /// The number after the `n`-th occurrence of `after` (from 0; −1: the last), rounded to the
    /// row's decimals, is the row's value.
    After(&'static str, i32),
    /// `scripts/bench/optimizer-sweep.sh`'s choice: its last line names, per optimiser, the rate with the
    /// best mean validation accuracy (held-out training images; the test column is never chosen on).
    BestRate(&'static str),
}

/// One cited figure.
#[derive(Clone, Copy, Debug)]
pub struct Cited {
    /// A stable name (`mnist-mlp-accuracy`).
    pub id: &'static str,
    /// The figure as measured (a decimal; percentages in percent).
    pub value: &'static str,
    /// Its unit: `%`, `ε` (δ = 10⁻⁵), `lr`.
    pub unit: &'static str,
    /// What it is.
    pub what: Text,
    /// The command that reproduces it, run from the repository's root (`backprop-lab …` is the release
    /// binary; `scripts/…` a script here). Empty only for a published figure.
    pub command: &'static str,
    /// Where the command prints the figure: the text just before it, and which of its occurrences
    /// ([`Check`]).
    pub check: Check,
    /// Where a published figure was published (empty for ours).
    pub source: &'static str,
    /// When it was measured (or published).
    pub measured: &'static str,
    /// On which engine and machine.
    pub engine: &'static str,
    /// Seconds, not minutes, in a release build: re-run in CI.
    pub cheap: bool,
}

impl Cited {
    /// The figure as a number (`value` parsed at compile time where a constant needs it).
    pub const fn number(&self) -> f64 {
        let b = self.value.as_bytes();
        let (mut int, mut scale, mut seen_point, mut i) = (0f64, 1f64, false, 0);
        while i < b.len() {
            match b[i] {
                b'.' => seen_point = true,
                d @ b'0'..=b'9' => {
                    int = int * 10.0 + (d - b'0') as f64;
                    if seen_point {
                        scale *= 10.0;
                    }
                }
                _ => panic!("a cited value is a plain decimal"),
            }
            i += 1;
        }
        int / scale
    }

    /// A percentage as a fraction (98.1 → 0.981).
    pub const fn fraction(&self) -> f32 {
        (self.number() / 100.0) as f32
    }

    /// The figure as a sentence shows it, rounded to `decimals`: "91.7 %" ("91.7%" in Chinese), a
    /// bare number for other units.
    pub fn show(&self, lang: Lang, decimals: usize) -> String {
        let n = format!("{:.decimals$}", self.number());
        match (self.unit, lang) {
            ("%", Lang::En) => format!("{n} %"),
            ("%", Lang::Zh) => format!("{n}%"),
            _ => n,
        }
    }
}

/// The shipped MNIST model's test accuracy, as a literal for `concat!` (its row: [`MNIST_MLP`]).
macro_rules! mnist_mlp_accuracy {
    () => {
        "97.66"
    };
}
pub(crate) use mnist_mlp_accuracy;

/// The shipped CIFAR-10 animals model's test accuracy, as a literal for `concat!` ([`CIFAR_ANIMALS_MLP`]).
macro_rules! cifar_animals_accuracy {
    () => {
        "41.65"
    };
}

const SHIPPED: Cited = Cited {
    id: "",
    value: "",
    unit: "%",
    what: Text { en: "", zh: "" }, // a template: every row sets its own
    command: "",
    check: Check::Published,
    source: "",
    measured: "2026-11-29",
    engine: "CPU engine, native (the same on lavapipe)",
    cheap: true,
};

/// The shipped MNIST model (784-512-10) on MNIST's 10,000 test images.
pub const MNIST_MLP: Cited = Cited {
    id: "mnist-mlp-accuracy",
    value: mnist_mlp_accuracy!(),
    what: tx(
        "test accuracy of the shipped MNIST MLP (784-512-10, static/models/mnist-mlp-784-512-10.safetensors) on MNIST's 10,000 test images",
        "自带的 MNIST 多层感知机（784-512-10，static/models/mnist-mlp-784-512-10.safetensors）在 MNIST 的 10000 张测试图像上的测试准确率",
    ),
    command: "backprop-lab eval static/models/mnist-mlp-784-512-10.safetensors --engine cpu",
    check: Check::After("accuracy", -1),
    ..SHIPPED
};

/// The shipped CIFAR-10 animals model (3072-512-6) on the six animal classes' test images.
pub const CIFAR_ANIMALS_MLP: Cited = Cited {
    id: "cifar-animals-mlp-accuracy",
    value: cifar_animals_accuracy!(),
    what: tx(
        "test accuracy of the shipped CIFAR-10 animals MLP (3072-512-6) on the 593 test images of its six animal classes",
        "自带的 CIFAR-10 动物多层感知机（3072-512-6）在六类动物的 593 张测试图像上的测试准确率",
    ),
    command: "backprop-lab eval static/models/cifar10-animals-mlp-3072-512-6.safetensors --dataset cifar10 --classes bird,cat,deer,dog,frog,horse --normalize 0.5,0.5 --engine cpu",
    check: Check::After("accuracy", -1),
    ..SHIPPED
};

/// The book's CIFAR-10 transfer run: the animals model's features fine-tuned to four vehicle classes,
/// against a model trained from scratch (1,582 training and 407 held-out images, 20 epochs each).
pub const CIFAR_VEHICLES: [Cited; 2] = [
    Cited {
        id: "cifar-vehicles-finetuned",
        value: "53.56",
        what: tx(
            "the CIFAR-10 animals MLP fine-tuned to four vehicle classes (new head 10 epochs, then all 10): held-out accuracy",
            "CIFAR-10 动物多层感知机微调到四类交通工具（新分类头 10 轮，再全部 10 轮）：留出集准确率",
        ),
        command: "backprop-lab finetune --init static/models/cifar10-animals-mlp-3072-512-6.safetensors --dataset cifar10 --classes airplane,automobile,ship,truck --normalize 0.5,0.5 --augment flip,crop4 --new-head 4 --head-epochs 10 --full-epochs 10 --compare-scratch --engine cpu",
        check: Check::After("after fine-tuning", -1),
        measured: "2026-12-01",
        ..SHIPPED
    },
    Cited {
        id: "cifar-vehicles-scratch",
        value: "57.74",
        what: tx(
            "the same four vehicle classes trained from scratch (lr 0.01, momentum 0.5, 20 epochs): held-out accuracy",
            "同样四类交通工具从头训练（学习率 0.01，动量 0.5，20 轮）：留出集准确率",
        ),
        command: "backprop-lab finetune --init static/models/cifar10-animals-mlp-3072-512-6.safetensors --dataset cifar10 --classes airplane,automobile,ship,truck --normalize 0.5,0.5 --augment flip,crop4 --new-head 4 --head-epochs 10 --full-epochs 10 --compare-scratch --engine cpu",
        check: Check::After("from scratch", -1),
        measured: "2026-12-01",
        ..SHIPPED
    },
];

const LENET: Cited = Cited {
    id: "",
    value: "",
    unit: "%",
    what: Text { en: "", zh: "" }, // a template: every row sets its own
    command: "",
    check: Check::Published,
    source: "https://pytorch.org/tutorials/beginner/fgsm_tutorial.html",
    measured: "published (PyTorch's FGSM tutorial)",
    engine: "PyTorch, the tutorial's own LeNet and training (not run here)",
    cheap: false,
};

/// The PyTorch FGSM tutorial's LeNet: test accuracy at ε = 0, 0.1, 0.2, 0.3 (published, not ours).
pub const LENET_FGSM: [Cited; 4] = [
    Cited {
        id: "lenet-fgsm-0",
        value: "98.1",
        what: tx(
            "the PyTorch FGSM tutorial's LeNet on MNIST, ε = 0 (published)",
            "PyTorch FGSM 教程中的 LeNet 在 MNIST 上的准确率，ε = 0（已发表）",
        ),
        ..LENET
    },
    Cited {
        id: "lenet-fgsm-0.1",
        value: "85.1",
        what: tx(
            "the PyTorch FGSM tutorial's LeNet under FGSM, ε = 0.1 (published)",
            "PyTorch FGSM 教程中的 LeNet 在 FGSM 攻击下的准确率，ε = 0.1（已发表）",
        ),
        ..LENET
    },
    Cited {
        id: "lenet-fgsm-0.2",
        value: "43.0",
        what: tx(
            "the PyTorch FGSM tutorial's LeNet under FGSM, ε = 0.2 (published)",
            "PyTorch FGSM 教程中的 LeNet 在 FGSM 攻击下的准确率，ε = 0.2（已发表）",
        ),
        ..LENET
    },
    Cited {
        id: "lenet-fgsm-0.3",
        value: "8.7",
        what: tx(
            "the PyTorch FGSM tutorial's LeNet under FGSM, ε = 0.3 (published)",
            "PyTorch FGSM 教程中的 LeNet 在 FGSM 攻击下的准确率，ε = 0.3（已发表）",
        ),
        ..LENET
    },
];

/// The tutorial's curve as (ε, accuracy as a fraction), for the interpretability lesson's chart.
pub const LENET_CURVE: [(f32, f32); 4] = [
    (0.0, LENET_FGSM[0].fraction()),
    (0.1, LENET_FGSM[1].fraction()),
    (0.2, LENET_FGSM[2].fraction()),
    (0.3, LENET_FGSM[3].fraction()),
];

/// Whether `out`, a command's output, shows the figure `value` where `check` says; the reason if not.
pub fn found(out: &str, check: Check, value: &str) -> Result<(), String> {
    let decimals = value.split_once('.').map_or(0, |(_, d)| d.len());
    match check {
        Check::Published => Err("a published figure: nothing to check".into()),
        Check::After(after, nth) => {
            let hits: Vec<usize> = out.match_indices(after).map(|(i, _)| i).collect();
            let at = if nth < 0 {
                hits.len().checked_sub(nth.unsigned_abs() as usize)
            } else {
                Some(nth as usize)
            };
            let Some(&start) = at.and_then(|i| hits.get(i)) else {
                return Err(format!("{after:?} printed {} times", hits.len()));
            };
            let rest = out[start + after.len()..].trim_start_matches([' ', ':', '=']);
            let number: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let shown = number
                .parse::<f64>()
                .map(|n| format!("{n:.decimals$}"))
                .map_err(|_| format!("no number after {after:?}: {rest:.40}"))?;
            if shown == value {
                Ok(())
            } else {
                Err(format!("printed {number} after {after:?}, cited {value}"))
            }
        }
        Check::BestRate(name) => {
            let chosen = out
                .lines()
                .find_map(|l| l.strip_prefix("Tuned on validation"))
                .and_then(|l| l.split_once(':'))
                .ok_or("no \"Tuned on validation\" line")?
                .1;
            let lr = chosen
                .split(';')
                .filter_map(|pair| {
                    pair.split_whitespace()
                        .collect::<Vec<_>>()
                        .get(..2)
                        .map(<[_]>::to_vec)
                })
                .find(|pair| pair[0] == name)
                .map(|pair| pair[1].to_string())
                .ok_or_else(|| format!("no rate chosen for {name}"))?;
            if lr.parse::<f64>().ok() == value.parse::<f64>().ok() {
                Ok(())
            } else {
                Err(format!(
                    "{name}: the sweep chose {lr} on validation, cited {value}"
                ))
            }
        }
    }
}

/// Every row, in one list (the tests, `backprop-lab cited` and the book walk it).
pub fn all() -> Vec<Cited> {
    let mut rows = vec![MNIST_MLP, CIFAR_ANIMALS_MLP];
    rows.extend(CIFAR_VEHICLES);
    rows.extend(LENET_FGSM);
    rows.extend(runs::DP_FULL_MNIST);
    rows.extend(runs::TUNED_RATES);
    rows.extend(runs::ATTACK);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_says_how_to_reproduce_it_or_where_it_was_published() {
        let rows = all();
        assert!(rows.len() >= 30, "{}", rows.len());
        let mut ids = std::collections::HashSet::new();
        for r in &rows {
            assert!(ids.insert(r.id), "{}: two rows with one id", r.id);
            assert!(!r.id.is_empty() && !r.value.is_empty(), "{r:?}");
            assert!(r.number().is_finite(), "{}", r.id);
            assert!(!r.what.en.is_empty() && !r.what.zh.is_empty(), "{}", r.id);
            assert!(!r.measured.is_empty() && !r.engine.is_empty(), "{}", r.id);
            if r.command.is_empty() || r.check == Check::Published {
                // A published figure: its address, and nothing to re-run.
                assert!(
                    r.source.starts_with("https://"),
                    "{}: no command and no source",
                    r.id
                );
                assert!(
                    r.command.is_empty() && r.check == Check::Published,
                    "{}",
                    r.id
                );
                assert!(!r.cheap, "{}", r.id);
            } else {
                let program = r.command.split_whitespace().next().unwrap_or("");
                assert!(
                    program == "backprop-lab" || program.starts_with("scripts/"),
                    "{}: not a command of this repository: {}",
                    r.id,
                    r.command
                );
                if let Some(script) = program.strip_prefix("scripts/") {
                    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/");
                    assert!(
                        std::path::Path::new(&format!("{path}{script}")).exists(),
                        "{}: {program} is not in scripts/",
                        r.id
                    );
                }
                assert!(r.source.is_empty(), "{}: ours, or published?", r.id);
                if let Check::After(after, _) = r.check {
                    assert!(!after.is_empty(), "{}", r.id);
                }
            }
            assert!(!r.what.zh.contains(" %"), "{}", r.id);
        }
    }

    #[test]
    fn a_figure_is_found_in_the_output_as_the_command_prints_it() {
        let out = "epoch 1/2  test accuracy 96.20%\nepoch 2/2  test accuracy 97.744%  3 samples/s";
        assert_eq!(
            found(out, Check::After("test accuracy", -1), "97.74"),
            Ok(())
        );
        assert!(found(out, Check::After("test accuracy", 0), "97.74").is_err());
        assert_eq!(found(out, Check::After("test accuracy", 0), "96.2"), Ok(()));
        assert!(found(out, Check::After("loss", -1), "1").is_err());
        // The script's table, then its choice; the test column (the last %) is never what is chosen.
        let sweep = "| sgd | 0.1 | 97.66 % (97.54–97.82) | 97.50 % | 23 |\n| sgd | 0.3 | 97.63 % (97.52–97.80) | 97.90 % | 19 |\n\nTuned on validation (best mean validation accuracy): sgd 0.1; adam 0.001;";
        assert_eq!(found(sweep, Check::BestRate("sgd"), "0.1"), Ok(()));
        assert!(found(sweep, Check::BestRate("sgd"), "0.3").is_err());
        assert_eq!(found(sweep, Check::BestRate("adam"), "0.001"), Ok(()));
        assert!(found(sweep, Check::BestRate("adagrad"), "0.01").is_err());
        assert!(found("| sgd | 0.3 | 97.9 % |", Check::BestRate("sgd"), "0.3").is_err());
        assert_eq!(
            found("  ε = 2.7164 at", Check::After("ε =", 0), "2.72"),
            Ok(())
        );
    }

    #[test]
    fn the_figures_texts_read_are_the_rows() {
        assert_eq!(MNIST_MLP.number(), 97.66);
        assert_eq!(MNIST_MLP.show(Lang::En, 1), "97.7 %");
        assert_eq!(MNIST_MLP.show(Lang::Zh, 2), "97.66%");
        assert_eq!(CIFAR_ANIMALS_MLP.number(), 41.65);
        assert_eq!(LENET_CURVE[0], (0.0, 0.981));
        assert_eq!(LENET_CURVE[3], (0.3, 0.087));
        // The race's tuned rates are the rows' (a re-tuned rate needs its row, date and figure anew).
        for (row, named) in super::runs::TUNED_RATES.iter().zip(kernels::NAMED) {
            assert!(row.id.ends_with(named.id), "{} / {}", row.id, named.id);
            assert_eq!(row.number() as f32, named.tuned_lr, "{}", row.id);
        }
        assert_eq!(super::runs::TUNED_RATES.len(), kernels::NAMED.len());
    }
}
