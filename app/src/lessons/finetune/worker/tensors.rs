//! What freezing does, made visible: the freezing panel's figures (gradient norms, ‖ΔW‖ since the
//! phase began, momentum norms, the kernels the last step launched), freezing a layer and replacing
//! the head.

use kernels::engine::{l2_distance, l2_norm};
use kernels::{Engine, EngineError, Freezing, KernelLaunch};

use super::{Worker, engine_for};
use crate::lessons::finetune::protocol::{Event, KernelRow, MessageCode, Slot, TensorRow, fnv1a};
use crate::store::f32_bytes;

impl Worker {
    /// The freezing panel's figures: gradient norms of the last step, ‖ΔW‖ since the phase began,
    /// momentum norms, and the kernels the last step launched.
    pub(super) async fn tensors(&mut self) -> Result<(), EngineError> {
        self.tensors_with(true).await
    }

    /// The freezing panel's figures; with `read_trace` false the last step's gradients are not read
    /// (after early stopping restored its best epoch's weights, that step's gradients are not those
    /// of the weights now held, and the validation evaluation has reused the step's buffers), so the
    /// trainable tensors' gradients say "no step since this changed" while ‖ΔW‖ and fc1's fingerprint
    /// describe the restored weights.
    pub(super) async fn tensors_with(&mut self, read_trace: bool) -> Result<(), EngineError> {
        let start = self.phase_start.clone();
        let Some(engine) = self.tuned.as_mut() else {
            return Ok(());
        };
        let model = engine.model().await?;
        let state = engine.optimizer_state().await?;
        let launches: Vec<KernelLaunch> = engine.last_step_kernels();
        // The trace is valid right after a step; after an evaluation or a change it is not, and the
        // trainable tensors' gradient norms are then unknown (frozen ones are 0 either way).
        let trace = if launches.is_empty() || !read_trace {
            None
        } else {
            match engine.trace().await {
                Ok(t) => Some(t),
                Err(EngineError::InvalidInput(_)) => None,
                Err(e) => return Err(e),
            }
        };
        // Frozen by zeroing: the gradient was taken as 0 (not computed) and the tensor still updated.
        let zeroed = self.freezing == Freezing::ZeroGradient && !launches.is_empty();
        let mut rows = Vec::new();
        for (l, layer) in model.layers.iter().enumerate() {
            let grads = trace.as_ref().map(|t| &t.gradients[l]);
            let before = start.as_ref().and_then(|m| m.layers.get(l));
            for (k, (values, frozen, grad, old)) in [
                (
                    &layer.weight,
                    layer.weight_frozen,
                    grads.and_then(|g| g.weight.as_ref()),
                    before.map(|b| &b.weight),
                ),
                (
                    &layer.bias,
                    layer.bias_frozen,
                    grads.and_then(|g| g.bias.as_ref()),
                    before.map(|b| &b.bias),
                ),
            ]
            .into_iter()
            .enumerate()
            {
                let opt = &state[2 * l + k];
                rows.push(TensorRow {
                    name: opt.name.clone(),
                    count: values.len(),
                    frozen,
                    // A frozen tensor's gradient is never computed: PyTorch's `p.grad` is None, not 0.
                    grad_norm: if frozen && zeroed {
                        Some(0.0)
                    } else {
                        grad.filter(|_| !frozen).map(|g| l2_norm(g))
                    },
                    // A new head has no "before" of its shape: its change is measured from its init.
                    weight_change: old.and_then(|o| l2_distance(values, o)).unwrap_or(0.0),
                    momentum_norm: l2_norm(&opt.momentum),
                    zeroed: frozen && zeroed,
                });
            }
        }
        let shares = KernelLaunch::shares(&launches);
        // The GPU engine's plan, which both engines list.
        let dispatches = KernelLaunch::dispatches(&launches);
        self.out.post(&Event::Tensors {
            rows,
            kernels: launches
                .into_iter()
                .zip(shares)
                .map(|(k, share)| KernelRow {
                    kernel: k.kernel.into(),
                    task: k.task,
                    share,
                    dispatch: k.dispatch,
                })
                .collect(),
            dispatches,
            fc1_digest: fnv1a(&f32_bytes(&model.layers[0].weight)),
        });
        Ok(())
    }

    pub(super) async fn set_frozen(
        &mut self,
        slot: Slot,
        layer: usize,
        frozen: bool,
    ) -> Result<(), EngineError> {
        let Some(engine) = self.slot(slot) else {
            self.out.say(MessageCode::NotReady, "no model is loaded");
            return Ok(());
        };
        engine.set_frozen(layer, frozen)?;
        let model = engine.model().await?;
        self.post_model(slot, &model);
        if slot == Slot::Tuned {
            self.tensors().await?;
        }
        Ok(())
    }

    pub(super) async fn replace_head(
        &mut self,
        slot: Slot,
        classes: usize,
        seed: u64,
    ) -> Result<(), EngineError> {
        if classes < 2 {
            // A classifier of one class (or none) has nothing to decide: the page keeps its button
            // disabled until there are examples of at least two classes.
            self.out.say(
                MessageCode::NotReady,
                format!("a head needs at least 2 classes ({classes} given)"),
            );
            return Ok(());
        }
        let gpu = self.gpu.for_kind(self.kind).cloned();
        let augmentation = self.augmentation;
        let Some(engine) = self.slot(slot) else {
            self.out.say(MessageCode::NotReady, "no model is loaded");
            return Ok(());
        };
        let mut model = engine.model().await?;
        model.replace_head(classes, seed)?;
        // set_model checks the data still fits; with drawn symbols the data may only now fit.
        match engine.set_model(&model) {
            Ok(()) => {}
            Err(EngineError::InvalidInput(_)) => {
                *engine = engine_for(gpu.as_ref(), &model, augmentation)?;
            }
            Err(e) => return Err(e),
        }
        self.post_model(slot, &model);
        if slot == Slot::Tuned {
            self.head_epochs = 0;
            self.phase_start = Some(model);
            self.set_data()?;
            self.evaluate(Slot::Tuned, None, 0).await?;
            self.tensors().await?;
        }
        Ok(())
    }
}
