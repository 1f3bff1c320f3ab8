//! The "Train a network" lesson's checkpoint: everything a reloaded page needs to continue a run exactly
//! as if it had never stopped — weights, optimiser state, the position in the epochs, the configuration
//! and the curves. The shuffling has no hidden generator state: epoch `e`'s order is a function of the
//! seed, `e` and the data's chunks (`EpochBatches::streamed`), so (epoch, step within it) is the random
//! state. Saved in IndexedDB ([`crate::store`]) at every evaluation and on pause.

use kernels::{Mlp, TensorOptimizerState};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::history::LossHistory;
use crate::lessons::train::protocol::SavedRun;
use crate::lessons::train::setup::Setup;
use crate::store::{bytes_f32, f32_bytes};

/// Key of the lesson's entry in the store.
pub const KEY: &str = "train";
/// Bumped when the layout changes; an older checkpoint is not offered.
const VERSION: u32 = 2;

/// One tensor's optimiser state, as little-endian f32 bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SavedTensorState {
    name: String,
    momentum: ByteBuf,
    /// Empty when all zeros (SGD keeps no second moment).
    second_moment: ByteBuf,
    steps: u64,
}

/// A saved run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    version: u32,
    /// The run's configuration (learning rate and momentum as last set).
    pub config: Setup,
    /// Steps taken.
    pub step: u64,
    /// Epoch (1-based).
    pub epoch: usize,
    /// Whether the epoch's order had been drawn (false only before the first step).
    pub has_batches: bool,
    /// Steps taken in the epoch.
    pub batch_index: usize,
    /// The configured epochs were done.
    pub finished: bool,
    /// The model as `.safetensors`.
    model: ByteBuf,
    optimizer: Vec<SavedTensorState>,
    /// The loss curve.
    pub history: LossHistory,
    /// The evaluations: (step, accuracy, loss).
    pub evals: Vec<(u64, f32, f32)>,
    /// ms since 1970.
    pub saved_at: f64,
    /// `WebGPU` or `CPU`.
    pub engine: String,
    /// Training and test samples the run used (a page loading other subsets cannot continue it).
    pub data: (usize, usize),
}

/// Where a checkpoint comes from, for [`Checkpoint::new`].
pub struct Origin<'a> {
    /// `WebGPU` or `CPU`.
    pub engine: &'a str,
    /// Training and test samples the run uses.
    pub data: (usize, usize),
    /// When (ms since 1970).
    pub saved_at: f64,
}

/// Where a run stands, for [`Checkpoint::new`].
pub struct Position {
    pub step: u64,
    pub epoch: usize,
    pub has_batches: bool,
    pub batch_index: usize,
    pub finished: bool,
}

impl Checkpoint {
    /// A checkpoint of `model` and `optimizer` at `at`, with the run's curves.
    pub fn new(
        config: &Setup,
        at: Position,
        model: &Mlp,
        optimizer: &[TensorOptimizerState],
        (history, evals): (&LossHistory, &[(u64, f32, f32)]),
        origin: Origin<'_>,
    ) -> Result<Self, String> {
        Ok(Self {
            version: VERSION,
            config: config.clone(),
            step: at.step,
            epoch: at.epoch,
            has_batches: at.has_batches,
            batch_index: at.batch_index,
            finished: at.finished,
            model: ByteBuf::from(model.to_safetensors().map_err(|e| e.to_string())?),
            optimizer: optimizer
                .iter()
                .map(|t| SavedTensorState {
                    name: t.name.clone(),
                    momentum: f32_bytes(&t.momentum),
                    second_moment: if t.second_moment.iter().all(|&v| v == 0.0) {
                        ByteBuf::new()
                    } else {
                        f32_bytes(&t.second_moment)
                    },
                    steps: t.steps,
                })
                .collect(),
            history: history.clone(),
            evals: evals.to_vec(),
            saved_at: origin.saved_at,
            engine: origin.engine.into(),
            data: origin.data,
        })
    }

    /// Whether this build can read it.
    pub fn readable(&self) -> bool {
        self.version == VERSION
    }

    /// The weights.
    pub fn model(&self) -> Result<Mlp, String> {
        Mlp::from_safetensors(&self.model).map_err(|e| e.to_string())
    }

    /// The optimiser state, per tensor.
    pub fn optimizer(&self) -> Vec<TensorOptimizerState> {
        self.optimizer
            .iter()
            .map(|t| {
                let momentum = bytes_f32(&t.momentum);
                let second_moment = if t.second_moment.is_empty() {
                    vec![0.0; momentum.len()]
                } else {
                    bytes_f32(&t.second_moment)
                };
                TensorOptimizerState {
                    name: t.name.clone(),
                    momentum,
                    second_moment,
                    steps: t.steps,
                }
            })
            .collect()
    }

    /// What the page offers; `data` is what this page loads.
    pub fn summary(&self, data: (usize, usize)) -> SavedRun {
        SavedRun {
            step: self.step,
            epoch: self.epoch,
            config: self.config.clone(),
            saved_at: self.saved_at,
            engine: self.engine.clone(),
            compatible: self.data == data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_gives_back_the_run_it_saved() {
        let model = Mlp::new(6, &[5], 3, 2).unwrap();
        let mut optimizer = kernels::engine::fresh_optimizer_state(&model);
        optimizer[0].momentum[3] = 0.25;
        optimizer[0].steps = 7;
        // Adam's second moment in one tensor; the others stay zero and are stored empty.
        optimizer[1].second_moment[1] = 1e-6;
        let mut history = LossHistory::new();
        history.extend(&[2.3, 2.1, 1.9]);
        let evals = [(3, 0.5, 1.8)];
        let config = Setup::default();
        let c = Checkpoint::new(
            &config,
            Position {
                step: 3,
                epoch: 1,
                has_batches: true,
                batch_index: 3,
                finished: false,
            },
            &model,
            &optimizer,
            (&history, &evals),
            Origin {
                engine: "CPU",
                data: (2000, 500),
                saved_at: 1.0,
            },
        )
        .unwrap();
        assert!(c.readable());
        assert_eq!(c.model().unwrap(), model);
        assert_eq!(c.optimizer(), optimizer);
        assert!(c.optimizer[0].second_moment.is_empty());
        assert_eq!(c.history, history);
        let offer = c.summary((2000, 500));
        assert!(offer.compatible && offer.step == 3 && offer.engine == "CPU");
        assert!(!c.summary((60000, 10000)).compatible);
    }
}
