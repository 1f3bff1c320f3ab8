//! The lesson's configuration, read from and written to the URL so a teacher can share a setup
//! (`?hidden=64&lr=0.05&train=2000`) and tests can choose small sizes.

use kernels::training::TrainConfig;
use kernels::{Optimizer, OptimizerConfig};
use serde::{Deserialize, Serialize};

use crate::settings::{self, Field, Param, accept};
use crate::ui::i18n::tx;
use kernels::engine::Preference;

/// The optimisers the lesson offers, in the form's order (rows of [`kernels::NAMED`]; their ids are
/// the URL's `optimizer=` values).
pub const OPTIMIZERS: [Optimizer; 3] = [Optimizer::Sgd, Optimizer::Momentum, Optimizer::Adam];

/// The learning rate a run starts from with `optimizer`: the seed recipe's 0.01 for SGD, PyTorch's
/// default 0.001 for Adam.
pub fn usual_lr(optimizer: Optimizer) -> f32 {
    match optimizer {
        Optimizer::Adam | Optimizer::AdamW => 0.001,
        _ => 0.01,
    }
}

/// The offered optimiser whose id is `value` (a URL or form value).
fn offered(value: &str) -> Option<Optimizer> {
    Optimizer::parse(value).filter(|o| OPTIMIZERS.contains(o))
}

/// Everything that defines a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// Hidden widths.
    pub hidden: Vec<usize>,
    /// Learning rate.
    pub lr: f32,
    /// Momentum (for `Momentum`).
    pub momentum: f32,
    /// Rows per step.
    pub batch: usize,
    /// Epochs to train.
    pub epochs: usize,
    /// Seed of weights and shuffling.
    pub seed: u64,
    /// Optimiser.
    pub optimizer: Optimizer,
    /// Training samples used (the first N).
    pub train: usize,
    /// Test samples evaluated (the first N).
    pub test: usize,
    /// Engine preference.
    pub engine: Preference,
    /// Steps between evaluations.
    pub eval_every: usize,
}

impl Default for Setup {
    /// The seed recipe ([`TrainConfig::default`]) on the whole of MNIST.
    fn default() -> Self {
        let recipe = TrainConfig::default();
        Self {
            hidden: recipe.hidden,
            lr: recipe.optimizer.lr,
            momentum: recipe.optimizer.momentum,
            batch: recipe.batch_size,
            epochs: recipe.epochs,
            seed: recipe.seed,
            optimizer: Optimizer::Momentum,
            train: 60_000,
            test: 10_000,
            engine: Preference::Auto,
            eval_every: 300,
        }
    }
}

/// Limits that keep a shared URL from asking for something absurd.
pub const MAX_HIDDEN_LAYERS: usize = 4;
/// The widest hidden layer.
pub const MAX_WIDTH: usize = 2048;
/// The largest batch (the worker's engines take this many rows per dispatch).
pub const MAX_BATCH: usize = 1024;

/// One training image in this many is set aside as the dashboard's validation set.
pub const VALIDATION_ONE_IN: usize = 12;

/// How many of the run's `train` training images form its validation set: the first `train / 12`
/// (5,000 of MNIST's 60,000). They are never trained on; the dashboard's accuracy is measured on them,
/// and the test set only once, when the run ends.
pub fn validation_images(train: usize) -> usize {
    train / VALIDATION_ONE_IN
}

/// A learning rate or momentum the engine accepts (its own check, [`OptimizerConfig::validate`]).
fn trainable(lr: f32, momentum: f32) -> bool {
    OptimizerConfig {
        lr,
        momentum,
        ..OptimizerConfig::default()
    }
    .validate()
    .is_ok()
}

/// Every setting, in the form's order: the one place its URL key, form field, label, range and
/// default live. URL parsing, the shared link and the form's fields and validation derive from it.
pub const SETTINGS: &[Param<Setup>] = &[
    Param {
        key: "lr",
        label: tx("Learning rate", "学习率"),
        field: Field::Number("any"),
        live: true,
        applies: |_| true,
        get: |c| c.lr.to_string(),
        set: |c, v| accept(v, |&x| trainable(x, 0.0), |x| c.lr = x),
    },
    Param {
        key: "momentum",
        label: tx("Momentum", "动量"),
        field: Field::Number("0.05"),
        live: true,
        // Plain SGD has none; Adam's β₁ = 0.9 is fixed.
        applies: |c| c.optimizer == Optimizer::Momentum,
        get: |c| c.momentum.to_string(),
        set: |c, v| accept(v, |&x| trainable(0.01, x), |x| c.momentum = x),
    },
    Param {
        key: "batch",
        label: tx("Batch size", "批大小"),
        field: Field::Number("1"),
        live: false,
        applies: |_| true,
        get: |c| c.batch.to_string(),
        set: |c, v| accept(v, |x| (1..=MAX_BATCH).contains(x), |x| c.batch = x),
    },
    Param {
        key: "epochs",
        label: tx("Epochs", "轮次"),
        field: Field::Number("1"),
        live: false,
        applies: |_| true,
        get: |c| c.epochs.to_string(),
        set: |c, v| accept(v, |x| (1..=100).contains(x), |x| c.epochs = x),
    },
    Param {
        key: "seed",
        label: tx("Seed", "随机种子"),
        field: Field::Number("1"),
        live: false,
        applies: |_| true,
        get: |c| c.seed.to_string(),
        set: |c, v| accept(v, |_: &u64| true, |x| c.seed = x),
    },
    Param {
        key: "hidden",
        label: tx("Hidden widths", "隐藏层宽度"),
        field: Field::List,
        live: false,
        applies: |_| true,
        get: |c| {
            c.hidden
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        },
        set: |c, v| {
            let widths = v
                .replace("%2C", ",")
                .replace("%2c", ",")
                .split(',')
                .map(|w| w.trim().parse::<usize>())
                .collect::<Result<Vec<_>, _>>();
            match widths {
                Ok(h)
                    if !h.is_empty()
                        && h.len() <= MAX_HIDDEN_LAYERS
                        && h.iter().all(|w| (1..=MAX_WIDTH).contains(w)) =>
                {
                    c.hidden = h;
                    true
                }
                _ => false,
            }
        },
    },
    Param {
        key: "optimizer",
        label: tx("Optimiser", "优化器"),
        field: Field::Choice,
        live: false,
        applies: |_| true,
        get: |c| c.optimizer.id().to_string(),
        set: |c, v| offered(v).map(|o| c.optimizer = o).is_some(),
    },
    Param {
        key: "train",
        label: tx("Training images", "训练图像数"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |c| c.train.to_string(),
        set: |c, v| accept(v, |x| (1..=60_000).contains(x), |x| c.train = x),
    },
    Param {
        key: "test",
        label: tx("Test images", "测试图像数"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |c| c.test.to_string(),
        set: |c, v| accept(v, |x| (1..=10_000).contains(x), |x| c.test = x),
    },
    Param {
        key: "eval",
        label: tx("Steps between evaluations", "两次评估之间的步数"),
        field: Field::UrlOnly,
        live: false,
        applies: |_| true,
        get: |c| c.eval_every.to_string(),
        set: |c, v| accept(v, |x| (1..=100_000).contains(x), |x| c.eval_every = x),
    },
    settings::engine_param(),
];

impl Setup {
    /// Reads a query string (`?a=1&b=2`), keeping defaults for missing keys and collecting a message
    /// for every value that cannot be used.
    pub fn from_query(query: &str) -> (Self, Vec<String>) {
        settings::from_query(SETTINGS, query)
    }

    /// The query string that reproduces this configuration (only values that differ from defaults).
    pub fn to_query(&self) -> String {
        settings::to_query(SETTINGS, self)
    }

    /// The engine's optimiser configuration.
    pub fn optimizer_config(&self) -> OptimizerConfig {
        match self.optimizer {
            Optimizer::Sgd => OptimizerConfig {
                lr: self.lr,
                momentum: 0.0,
                ..OptimizerConfig::default()
            },
            Optimizer::Momentum => OptimizerConfig {
                lr: self.lr,
                momentum: self.momentum,
                ..OptimizerConfig::default()
            },
            Optimizer::Adam => OptimizerConfig::adam(self.lr),
            // Not offered ([`OPTIMIZERS`]); a setup that names one anyway runs it at its own momentum.
            other => other.config(self.lr),
        }
    }
}

settings::engine_field!(Setup);

#[cfg(test)]
mod tests {
    use super::*;

    /// The setting of URL key `key`.
    fn param(key: &str) -> Option<&'static Param<Setup>> {
        SETTINGS.iter().find(|p| p.key == key)
    }

    #[test]
    fn the_url_takes_the_pages_engines_only() {
        let engine = |q| Setup::from_query(q);
        assert_eq!(engine("?engine=webgpu").0.engine, Preference::Gpu);
        assert_eq!(engine("?engine=auto").0.engine, Preference::Auto);
        // burn is the command line's engine: the page refuses it as any unknown value.
        let (c, problems) = engine("?engine=burn");
        assert_eq!((c.engine, problems.len()), (Preference::Auto, 1));
    }

    #[test]
    fn query_round_trip_and_bad_values() {
        let (c, problems) =
            Setup::from_query("?hidden=64,32&lr=0.05&train=2000&engine=cpu&optimizer=adam");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            (c.hidden.clone(), c.lr, c.train, c.engine, c.optimizer),
            (vec![64, 32], 0.05, 2000, Preference::Cpu, Optimizer::Adam)
        );
        assert_eq!(Setup::from_query(&c.to_query()).0, c);
        let (d, problems) = Setup::from_query("?lr=-3&hidden=0&batch=abc&bogus=1");
        assert_eq!(d, Setup::default());
        assert_eq!(problems.len(), 4);
        assert_eq!(Setup::default().to_query(), "");
        // The form's rule is the URL's: the same table.
        let mut c = Setup::default();
        assert!(!(param("lr").unwrap().set)(&mut c, "11"));
        assert!((param("lr").unwrap().set)(&mut c, "10"));
        assert!(!(param("momentum").unwrap().set)(&mut c, "1"));
        assert!(!(param("batch").unwrap().set)(
            &mut c,
            &(MAX_BATCH + 1).to_string()
        ));
        assert!((param("hidden").unwrap().set)(&mut c, "64%2C32"));
        assert_eq!(c.hidden, vec![64, 32]);
    }

    #[test]
    fn the_validation_split_is_the_first_twelfth_and_leaves_the_training_chunks() {
        assert_eq!(validation_images(60_000), 5_000);
        assert_eq!(validation_images(2_000), 166);
        assert_eq!(validation_images(11), 0);
        assert_eq!(
            kernels::training::chunks_without_first(&[5_000, 5_000, 5_000], 5_000),
            vec![5_000, 5_000]
        );
        assert_eq!(
            kernels::training::chunks_without_first(&[5_000, 5_000], 1_250),
            vec![3_750, 5_000]
        );
        assert_eq!(
            kernels::training::chunks_without_first(&[100, 50], 120),
            vec![30]
        );
        assert_eq!(kernels::training::chunks_without_first(&[64], 0), vec![64]);
    }

    #[test]
    fn every_setting_has_one_row_and_its_default_reads_back() {
        crate::settings::check_table(SETTINGS);
    }
}

#[cfg(test)]
mod fuzz_corpus {
    use super::Setup;

    /// Replays `fuzz/corpus/url_config` (grown by `fuzz/run.sh`): every query parses to a valid
    /// configuration, and that configuration survives its own URL form.
    #[test]
    fn the_url_corpus_parses_and_round_trips() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/url_config");
        let entries = std::fs::read_dir(&dir).expect("fuzz/corpus/url_config");
        let mut n = 0;
        for entry in entries {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            let Ok(query) = std::str::from_utf8(&data) else {
                continue;
            };
            let (config, _) = Setup::from_query(query);
            let (again, problems) = Setup::from_query(&config.to_query());
            assert!(problems.is_empty(), "{problems:?} for {query:?}");
            assert_eq!(again, config, "{query:?}");
            n += 1;
        }
        assert!(n > 0);
    }
}
