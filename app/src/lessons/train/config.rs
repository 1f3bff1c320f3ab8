//! The lesson's configuration, read from and written to the URL so a teacher can share a setup
//! (`?hidden=64&lr=0.05&train=2000`) and tests can choose small sizes.

use serde::{Deserialize, Serialize};

use crate::protocol::EnginePreference;

/// Optimiser choice in the lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LessonOptimizer {
    /// Plain SGD (momentum forced to 0).
    Sgd,
    /// SGD with momentum.
    Momentum,
    /// Adam.
    Adam,
}

impl LessonOptimizer {
    /// URL / form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sgd => "sgd",
            Self::Momentum => "momentum",
            Self::Adam => "adam",
        }
    }

    /// Parses a URL / form value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sgd" => Some(Self::Sgd),
            "momentum" => Some(Self::Momentum),
            "adam" => Some(Self::Adam),
            _ => None,
        }
    }
}

/// Everything that defines a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonConfig {
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
    pub optimizer: LessonOptimizer,
    /// Training samples used (the first N).
    pub train: usize,
    /// Test samples evaluated (the first N).
    pub test: usize,
    /// Engine preference.
    pub engine: EnginePreference,
    /// Steps between evaluations.
    pub eval_every: usize,
}

impl Default for LessonConfig {
    /// The seed recipe on the whole of MNIST.
    fn default() -> Self {
        Self {
            hidden: vec![512],
            lr: 0.01,
            momentum: 0.5,
            batch: 64,
            epochs: 10,
            seed: 1,
            optimizer: LessonOptimizer::Momentum,
            train: 60_000,
            test: 10_000,
            engine: EnginePreference::Auto,
            eval_every: 300,
        }
    }
}

/// Limits that keep a shared URL from asking for something absurd.
pub const MAX_HIDDEN_LAYERS: usize = 4;

impl LessonConfig {
    /// Reads a query string (`?a=1&b=2`), keeping defaults for missing keys and collecting a message
    /// for every value that cannot be used.
    pub fn from_query(query: &str) -> (Self, Vec<String>) {
        let mut c = Self::default();
        let mut problems = Vec::new();
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = value.replace("%2C", ",").replace("%2c", ",");
            let bad = |problems: &mut Vec<String>| problems.push(format!("ignored {key}={value}"));
            match key {
                "hidden" => match value
                    .split(',')
                    .map(|v| v.trim().parse::<usize>())
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(h)
                        if !h.is_empty()
                            && h.len() <= MAX_HIDDEN_LAYERS
                            && h.iter().all(|&w| (1..=2048).contains(&w)) =>
                    {
                        c.hidden = h
                    }
                    _ => bad(&mut problems),
                },
                "lr" => match value.parse::<f32>() {
                    Ok(v) if v > 0.0 && v <= 10.0 => c.lr = v,
                    _ => bad(&mut problems),
                },
                "momentum" => match value.parse::<f32>() {
                    Ok(v) if (0.0..1.0).contains(&v) => c.momentum = v,
                    _ => bad(&mut problems),
                },
                "batch" => match value.parse::<usize>() {
                    Ok(v) if (1..=1024).contains(&v) => c.batch = v,
                    _ => bad(&mut problems),
                },
                "epochs" => match value.parse::<usize>() {
                    Ok(v) if (1..=100).contains(&v) => c.epochs = v,
                    _ => bad(&mut problems),
                },
                "seed" => match value.parse::<u64>() {
                    Ok(v) => c.seed = v,
                    _ => bad(&mut problems),
                },
                "optimizer" => match LessonOptimizer::parse(&value) {
                    Some(o) => c.optimizer = o,
                    None => bad(&mut problems),
                },
                "train" => match value.parse::<usize>() {
                    Ok(v) if (1..=60_000).contains(&v) => c.train = v,
                    _ => bad(&mut problems),
                },
                "test" => match value.parse::<usize>() {
                    Ok(v) if (1..=10_000).contains(&v) => c.test = v,
                    _ => bad(&mut problems),
                },
                "eval" => match value.parse::<usize>() {
                    Ok(v) if (1..=100_000).contains(&v) => c.eval_every = v,
                    _ => bad(&mut problems),
                },
                "engine" => match EnginePreference::parse(&value) {
                    Some(engine) => c.engine = engine,
                    None => bad(&mut problems),
                },
                // The shell's keys (language, lesson, step, presenter mode).
                "lang" | "lesson" | "step" | "present" | "debug" => {}
                _ => problems.push(format!("unknown setting {key}")),
            }
        }
        (c, problems)
    }

    /// The query string that reproduces this configuration (only values that differ from defaults).
    pub fn to_query(&self) -> String {
        let d = Self::default();
        let mut parts = Vec::new();
        if self.hidden != d.hidden {
            parts.push(format!(
                "hidden={}",
                self.hidden
                    .iter()
                    .map(|h| h.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        let mut push = |cond: bool, s: String| {
            if cond {
                parts.push(s);
            }
        };
        push(self.lr != d.lr, format!("lr={}", self.lr));
        push(
            self.momentum != d.momentum,
            format!("momentum={}", self.momentum),
        );
        push(self.batch != d.batch, format!("batch={}", self.batch));
        push(self.epochs != d.epochs, format!("epochs={}", self.epochs));
        push(self.seed != d.seed, format!("seed={}", self.seed));
        push(
            self.optimizer != d.optimizer,
            format!("optimizer={}", self.optimizer.as_str()),
        );
        push(self.train != d.train, format!("train={}", self.train));
        push(self.test != d.test, format!("test={}", self.test));
        push(
            self.eval_every != d.eval_every,
            format!("eval={}", self.eval_every),
        );
        push(
            self.engine != d.engine,
            format!("engine={}", self.engine.key()),
        );
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The engine's optimiser configuration.
    pub fn optimizer_config(&self) -> kernels::OptimizerConfig {
        use kernels::OptimizerConfig;
        match self.optimizer {
            LessonOptimizer::Sgd => OptimizerConfig {
                lr: self.lr,
                momentum: 0.0,
                ..OptimizerConfig::default()
            },
            LessonOptimizer::Momentum => OptimizerConfig {
                lr: self.lr,
                momentum: self.momentum,
                ..OptimizerConfig::default()
            },
            LessonOptimizer::Adam => OptimizerConfig::adam(self.lr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trip_and_bad_values() {
        let (c, problems) =
            LessonConfig::from_query("?hidden=64,32&lr=0.05&train=2000&engine=cpu&optimizer=adam");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            (c.hidden.clone(), c.lr, c.train, c.engine, c.optimizer),
            (
                vec![64, 32],
                0.05,
                2000,
                EnginePreference::Cpu,
                LessonOptimizer::Adam
            )
        );
        assert_eq!(LessonConfig::from_query(&c.to_query()).0, c);
        let (d, problems) = LessonConfig::from_query("?lr=-3&hidden=0&batch=abc&bogus=1");
        assert_eq!(d, LessonConfig::default());
        assert_eq!(problems.len(), 4);
        assert_eq!(LessonConfig::default().to_query(), "");
    }
}

#[cfg(test)]
mod fuzz_corpus {
    use super::LessonConfig;

    /// Replays `fuzz/corpus/url_config` (grown by `scripts/fuzz.sh`): every query parses to a valid
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
            let (config, _) = LessonConfig::from_query(query);
            let (again, problems) = LessonConfig::from_query(&config.to_query());
            assert!(problems.is_empty(), "{problems:?} for {query:?}");
            assert_eq!(again, config, "{query:?}");
            n += 1;
        }
        assert!(n > 0);
    }
}
