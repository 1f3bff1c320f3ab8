//! The live model kept in this browser (IndexedDB, key `live-model`): its weights, SGD momentum and
//! position in the epochs, written after every step, pause and limit, and taken up again when a concept
//! lesson opens — so a reload does not send a class back to an untrained model. Nothing leaves the
//! browser.

use crate::store::{bytes_f32, f32_bytes};
use kernels::engine::fresh_optimizer_state;
use kernels::{Mlp, TensorOptimizerState};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// The store's key.
pub const KEY: &str = "live-model";
/// Bumped when the layout changes (an older entry is then ignored).
const VERSION: u32 = 1;

/// The live model at a step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedLive {
    version: u32,
    /// The initialisation and shuffling seed it was started from.
    pub seed: u64,
    /// Steps taken.
    pub steps: u64,
    /// Epochs completed.
    pub epoch: usize,
    /// Steps taken in the epoch.
    pub index: usize,
    /// The model as `.safetensors`.
    model: ByteBuf,
    /// SGD's momentum buffer per tensor, in the optimiser state's order.
    momentum: Vec<ByteBuf>,
    /// Updates applied per tensor.
    updates: Vec<u64>,
}

impl SavedLive {
    /// The live model `model` with optimiser state `optimizer` at a position.
    pub fn new(
        seed: u64,
        (steps, epoch, index): (u64, usize, usize),
        model: &Mlp,
        optimizer: &[TensorOptimizerState],
    ) -> Result<Self, String> {
        Ok(Self {
            version: VERSION,
            seed,
            steps,
            epoch,
            index,
            model: ByteBuf::from(model.to_safetensors().map_err(|e| e.to_string())?),
            momentum: optimizer.iter().map(|t| f32_bytes(&t.momentum)).collect(),
            updates: optimizer.iter().map(|t| t.steps).collect(),
        })
    }

    /// The model alone (another lesson explains it), if this entry is of this version.
    pub fn model(&self) -> Option<Mlp> {
        (self.version == VERSION)
            .then(|| Mlp::from_safetensors(&self.model).ok())
            .flatten()
    }

    /// The model and its optimiser state, if this entry fits a live model of `widths` from `seed`.
    pub fn restore(&self, widths: &[usize], seed: u64) -> Option<(Mlp, Vec<TensorOptimizerState>)> {
        if self.version != VERSION || self.seed != seed {
            return None;
        }
        let model = Mlp::from_safetensors(&self.model).ok()?;
        if model.widths() != widths {
            return None;
        }
        let mut state = fresh_optimizer_state(&model);
        if state.len() != self.momentum.len() {
            return None;
        }
        for ((t, m), n) in state.iter_mut().zip(&self.momentum).zip(&self.updates) {
            let m = bytes_f32(m);
            if m.len() != t.momentum.len() {
                return None;
            }
            t.momentum = m;
            t.steps = *n;
        }
        Some((model, state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_live_model_round_trips_and_refuses_another_shape_or_seed() {
        let model = Mlp::new(784, &[32], 10, 3).unwrap();
        let mut opt = fresh_optimizer_state(&model);
        opt[0].momentum[5] = 0.25;
        opt[0].steps = 7;
        let saved = SavedLive::new(3, (40, 0, 40), &model, &opt).unwrap();
        let (m, o) = saved.restore(&[784, 32, 10], 3).unwrap();
        assert_eq!(m.layers[0].weight, model.layers[0].weight);
        assert_eq!((o[0].momentum[5], o[0].steps), (0.25, 7));
        assert!(saved.restore(&[784, 64, 10], 3).is_none());
        assert!(saved.restore(&[784, 32, 10], 4).is_none());
    }
}
