//! The chain rule on the live model. For one weight w_ij of layer l (input i, output unit j),
//!
//! ```text
//! ∂L/∂w_ij = Σ_rows ∂L/∂y_j · ∂y_j/∂z_j · ∂z_j/∂w_ij
//! ```
//!
//! with z_j the unit's pre-activation and y_j its output. For a hidden unit ∂y_j/∂z_j is ReLU's 0 or 1
//! and ∂L/∂y_j = Σ_k W_{l+1}[k, j] δ_{l+1, k}; at the output softmax and cross-entropy combine, so the
//! first two factors are δ = (q − p) / rows and the second is shown as 1. ∂z_j/∂w_ij is the input x_i.
//!
//! Everything here runs on a *probe* engine that holds a copy of the live model, never on the engine that
//! trains: its step's named intermediates (inputs, activations, δ, gradients) are read right after the
//! step, and its parameters may be perturbed for a finite difference without touching the live run.

use crate::dataset::{Dataset, Split};
use crate::engine::{Engine, OptimizerConfig, StepTrace};
use crate::error::EngineError;
use crate::model::Mlp;

/// One weight of the model: `layers[layer].weight[out * in_features + input]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightRef {
    /// Layer (0 = fc1).
    pub layer: usize,
    /// Output unit j (row of the weight matrix).
    pub out: usize,
    /// Input i (column).
    pub input: usize,
}

impl WeightRef {
    /// Index into the layer's row-major `[out, in]` weights, if the weight exists in `model`.
    pub fn index(&self, model: &Mlp) -> Result<usize, EngineError> {
        let layer = model.layers.get(self.layer).ok_or_else(|| {
            EngineError::InvalidInput(format!("the model has no layer {}", self.layer + 1))
        })?;
        if self.out >= layer.out_features || self.input >= layer.in_features {
            return Err(EngineError::InvalidInput(format!(
                "fc{} has {}×{} weights; there is no ({}, {})",
                self.layer + 1,
                layer.out_features,
                layer.in_features,
                self.out,
                self.input
            )));
        }
        Ok(self.out * layer.in_features + self.input)
    }

    /// PyTorch's notation, e.g. `fc1.weight[3, 400]`.
    pub fn name(&self) -> String {
        format!("fc{}.weight[{}, {}]", self.layer + 1, self.out, self.input)
    }
}

/// The three factors of the chain rule for one weight and one row of the batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChainFactors {
    /// ∂L/∂y_j (at the output: δ = (q − p) / rows, softmax and cross-entropy together).
    pub dl_dy: f32,
    /// ∂y_j/∂z_j: ReLU′ (0 or 1) for a hidden unit, 1 at the output.
    pub dy_dz: f32,
    /// ∂z_j/∂w_ij: the input x_i of the row.
    pub dz_dw: f32,
}

impl ChainFactors {
    /// The row's contribution to the gradient.
    pub fn product(&self) -> f64 {
        f64::from(self.dl_dy) * f64::from(self.dy_dz) * f64::from(self.dz_dw)
    }
}

/// Everything the chain-rule panel shows for one weight on one batch.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightGradient {
    /// Which weight.
    pub weight: WeightRef,
    /// Its value.
    pub value: f32,
    /// Per row of the batch.
    pub factors: Vec<ChainFactors>,
    /// Σ over rows of the factors' product.
    pub product: f64,
    /// The gradient the engine's backward kernels computed (read back).
    pub kernel: f32,
    /// (L(w + ε) − L(w − ε)) / 2ε from two engine evaluations.
    pub finite_difference: f64,
    /// The ε used.
    pub eps: f32,
    /// Mean loss of the batch at the unperturbed weights (the probe step's, from the loss kernel).
    pub loss: f64,
    /// How finely f32 resolves a row's loss at these logits ([`loss_resolution`]).
    pub loss_resolution: f64,
}

/// Whether two computations of one quantity say the same, decided from what their arithmetic can
/// resolve (the lessons' `agreement` panels show this, never a fixed "they agree").
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Agreement {
    /// Equal within the resolution plus the relative tolerance.
    Agree,
    /// Farther apart than f32 and the method explain.
    Differ,
    /// Both are within the resolution of zero: nothing is left to compare.
    Underflow,
}

/// `a` and `b` compared: [`Agreement::Underflow`] when both lie within `resolution` of zero, else
/// [`Agreement::Agree`] when `|a − b| ≤ resolution + relative · max(|a|, |b|)`.
pub fn compare(a: f64, b: f64, resolution: f64, relative: f64) -> Agreement {
    let scale = a.abs().max(b.abs());
    if !(a.is_finite() && b.is_finite()) {
        Agreement::Differ
    } else if scale <= resolution {
        Agreement::Underflow
    } else if (a - b).abs() <= resolution + relative * scale {
        Agreement::Agree
    } else {
        Agreement::Differ
    }
}

/// How finely f32 resolves a softmax cross-entropy `log Σ exp z − z_label` computed from `logits`:
/// a few units in the last place of the largest logit (the two terms cancel; a loss below this is
/// rounding, not information).
pub fn loss_resolution(logits: &[f32]) -> f64 {
    let largest = logits.iter().fold(1.0f32, |m, z| m.max(z.abs()));
    4.0 * f64::from(f32::EPSILON) * f64::from(largest)
}

impl WeightGradient {
    /// The factors' product against the backward kernel's gradient. Both are f32 arithmetic on the same
    /// δ and inputs; the kernel sums the rows in another order, so each row's product may differ by a
    /// few units in its last place.
    pub fn kernel_agreement(&self) -> Agreement {
        let rows: f64 = self.factors.iter().map(|f| f.product().abs()).sum();
        let resolution = 8.0 * f64::from(f32::EPSILON) * rows + f64::from(f32::MIN_POSITIVE);
        compare(self.product, f64::from(self.kernel), resolution, 1e-4)
    }

    /// The finite difference against the kernel's gradient, within
    /// [`WeightGradient::difference_resolution`]; the central difference's own error is O(ε²) away
    /// from ReLU's kink (allowed as 1 % relative).
    pub fn difference_agreement(&self) -> Agreement {
        let resolution = self.difference_resolution();
        // A finite difference that cannot resolve the gradient to a quarter of its size compares
        // nothing: underflow rather than a vacuous "agree".
        if f64::from(self.kernel.abs()).max(self.finite_difference.abs()) <= 4.0 * resolution {
            return Agreement::Underflow;
        }
        compare(
            self.finite_difference,
            f64::from(self.kernel),
            resolution,
            1e-2,
        )
    }

    /// What a central difference of f32 losses resolves here: each loss is good to
    /// [`WeightGradient::loss_resolution`], so their difference over 2ε is good to that over ε.
    pub fn difference_resolution(&self) -> f64 {
        self.loss_resolution / f64::from(self.eps)
    }

    /// All three: underflow when the finite difference cannot resolve the gradient; agree when both
    /// pairs agree.
    pub fn agreement(&self) -> Agreement {
        match (self.kernel_agreement(), self.difference_agreement()) {
            (Agreement::Differ, _) | (_, Agreement::Differ) => Agreement::Differ,
            (_, Agreement::Underflow) | (Agreement::Underflow, _) => Agreement::Underflow,
            _ => Agreement::Agree,
        }
    }
}

/// A learning rate so small that `w − lr · g` rounds back to `w` (the engines reject 0).
const PROBE_LR: f32 = f32::MIN_POSITIVE;

/// Forward and backward on every sample of `data` through `engine`'s kernels with `model`'s
/// parameters: the step's named intermediates. `engine` is a probe (its state is replaced); the trace's
/// `model` is the one the gradients were computed at.
pub async fn probe<E: Engine>(
    engine: &mut E,
    model: &Mlp,
    data: &Dataset,
) -> Result<StepTrace, EngineError> {
    if data.is_empty() || data.len() > engine.max_rows() {
        return Err(EngineError::InvalidInput(format!(
            "a probe takes 1 to {} samples, not {}",
            engine.max_rows(),
            data.len()
        )));
    }
    engine.set_model(model)?;
    engine.set_data(Split::Train, data)?;
    let rows: Vec<u32> = (0..data.len() as u32).collect();
    let opt = OptimizerConfig {
        lr: PROBE_LR,
        momentum: 0.0,
        weight_decay: 0.0,
        ..OptimizerConfig::default()
    };
    engine.train_step(&rows, &opt)?;
    let mut trace = engine.trace().await?;
    trace.model = model.clone();
    Ok(trace)
}

/// The three factors of `w` for every row of a probe trace.
pub fn factors(trace: &StepTrace, w: WeightRef) -> Result<Vec<ChainFactors>, EngineError> {
    w.index(&trace.model)?;
    let layers = &trace.model.layers;
    let last = layers.len() - 1;
    let missing = |what: &str| EngineError::InvalidInput(format!("the trace has no {what}"));
    let input_of = |l: usize| -> Option<&Vec<f32>> {
        if l == 0 {
            Some(&trace.inputs)
        } else {
            trace.activations.get(l - 1)
        }
    };
    let x = input_of(w.layer).ok_or_else(|| missing("input activations"))?;
    let in_f = layers[w.layer].in_features;
    let mut out = Vec::with_capacity(trace.rows);
    for r in 0..trace.rows {
        let dz_dw = x[r * in_f + w.input];
        let (dl_dy, dy_dz) = if w.layer == last {
            let d = trace.deltas[last]
                .as_ref()
                .ok_or_else(|| missing("output δ"))?;
            (d[r * layers[last].out_features + w.out], 1.0)
        } else {
            let next = &layers[w.layer + 1];
            let d = trace.deltas[w.layer + 1]
                .as_ref()
                .ok_or_else(|| missing("δ of the layer above"))?;
            let dl_dy: f64 = (0..next.out_features)
                .map(|k| {
                    f64::from(next.weight[k * next.in_features + w.out])
                        * f64::from(d[r * next.out_features + k])
                })
                .sum();
            let a = trace.activations[w.layer][r * layers[w.layer].out_features + w.out];
            (dl_dy as f32, if a > 0.0 { 1.0 } else { 0.0 })
        };
        out.push(ChainFactors {
            dl_dy,
            dy_dz,
            dz_dw,
        });
    }
    Ok(out)
}

/// Mean loss of every sample of `data` under `model`, evaluated by `engine` (a probe), in f64.
pub async fn mean_loss<E: Engine>(
    engine: &mut E,
    model: &Mlp,
    data: &Dataset,
) -> Result<f64, EngineError> {
    engine.set_model(model)?;
    engine.set_data(Split::Test, data)?;
    let eval = engine.evaluate(None).await?;
    let sum: f64 = eval.losses.iter().map(|&l| f64::from(l)).sum();
    Ok(sum / eval.losses.len().max(1) as f64)
}

/// Central difference of the mean loss in `w`, both losses from `engine` (a probe). The step is the
/// one actually representable in f32, so rounding of `w ± ε` does not bias the estimate.
pub async fn finite_difference<E: Engine>(
    engine: &mut E,
    model: &Mlp,
    data: &Dataset,
    w: WeightRef,
    eps: f32,
) -> Result<f64, EngineError> {
    let i = w.index(model)?;
    let w0 = model.layers[w.layer].weight[i];
    let mut perturbed = model.clone();
    perturbed.layers[w.layer].weight[i] = w0 + eps;
    let up = mean_loss(engine, &perturbed, data).await?;
    perturbed.layers[w.layer].weight[i] = w0 - eps;
    let down = mean_loss(engine, &perturbed, data).await?;
    let step = f64::from(w0 + eps) - f64::from(w0 - eps);
    Ok((up - down) / step)
}

/// The chain-rule panel's figures for `w` on `data`: the probe's trace and the factors, the kernels'
/// gradient, and the finite difference. Leaves `engine` (a probe) holding `model` again.
pub async fn weight_gradient<E: Engine>(
    engine: &mut E,
    model: &Mlp,
    data: &Dataset,
    w: WeightRef,
    eps: f32,
) -> Result<(StepTrace, WeightGradient), EngineError> {
    let i = w.index(model)?;
    let trace = probe(engine, model, data).await?;
    let factors = factors(&trace, w)?;
    let kernel = trace.gradients[w.layer]
        .weight
        .as_ref()
        .ok_or_else(|| EngineError::InvalidInput(format!("{} is frozen", w.name())))?[i];
    let finite_difference = finite_difference(engine, model, data, w, eps).await?;
    engine.set_model(model)?;
    let product = factors.iter().map(ChainFactors::product).sum();
    let loss = f64::from(trace.loss);
    let loss_resolution = loss_resolution(trace.activations.last().map_or(&[], Vec::as_slice));
    Ok((
        trace,
        WeightGradient {
            weight: w,
            value: model.layers[w.layer].weight[i],
            factors,
            product,
            kernel,
            finite_difference,
            eps,
            loss,
            loss_resolution,
        },
    ))
}

#[cfg(test)]
mod agreement_tests {
    use super::*;

    #[test]
    fn agreement_is_decided_by_the_resolution() {
        assert_eq!(compare(0.5, 0.5000001, 1e-7, 1e-5), Agreement::Agree);
        assert_eq!(compare(0.5, 0.51, 1e-7, 1e-5), Agreement::Differ);
        // A trained model's loss of 2e-12 against the kernel's 0: both rounding, not a disagreement.
        assert_eq!(compare(2.1e-12, 0.0, 1e-6, 1e-5), Agreement::Underflow);
        assert_eq!(compare(f64::NAN, 0.0, 1e-6, 1e-5), Agreement::Differ);
        assert!(loss_resolution(&[0.1, -20.0, 3.0]) > loss_resolution(&[0.1, -0.2]));
    }
}
