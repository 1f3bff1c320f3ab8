//! Choosing the matrix-product kernel per shape by timing every eligible variant on the adapter at hand. The choices are
//! cached on the [`GpuContext`], so every engine on the device uses them.

use super::*;
use crate::ops::linear::{GemmParams, GemmVariant};

/// Seconds of timed dispatches [`GpuEngine::tune`] spends choosing a matrix-product kernel per shape:
/// the lessons' budget, `lesson-bench`'s, and `bench --tune-budget`'s default.
pub const TUNE_SECONDS: f64 = 0.3;

/// Which of a layer's three products.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GemmProduct {
    /// `Y = X·Wᵀ + b`.
    Forward,
    /// `dW = dYᵀ·X` (with `db`).
    GradWeight,
    /// `dX = dY·W` through the ReLU below.
    GradInput,
}

impl GemmProduct {
    /// In English, as `bench` prints it.
    pub fn describe(self) -> &'static str {
        match self {
            GemmProduct::Forward => "forward",
            GemmProduct::GradWeight => "grad weight",
            GemmProduct::GradInput => "grad input",
        }
    }
}

/// One timed shape: what ran, and the seconds per dispatch of each variant (`None`: not timed).
#[derive(Clone, Debug, PartialEq)]
pub struct GemmTiming {
    /// Which product: `fc1 forward`, `fc2 grad weight`, …
    pub role: String,
    /// The layer (0 is fc1).
    pub layer: usize,
    /// Which of its products.
    pub product: GemmProduct,
    /// Its shape and strides.
    pub params: GemmParams,
    /// Seconds per dispatch, in [`GemmVariant::ALL`]'s order (`None`: not timed, because the budget was
    /// spent or the shape was timed before on this device).
    pub seconds: Vec<Option<f64>>,
    /// The kernel chosen.
    pub chosen: GemmVariant,
}

/// A product of a step: layer, which product, parameters, bind group, split-K's bind groups.
type Product<'a> = (
    usize,
    GemmProduct,
    GemmParams,
    &'a wgpu::BindGroup,
    Option<&'a (wgpu::BindGroup, wgpu::BindGroup)>,
);

/// A timed dispatch shorter than this (seconds) is timed again as a batch of dispatches.
const SHORT: f64 = 0.002;

impl GpuEngine {
    /// Every matrix product a training step dispatches at `rows` rows: (layer, product, parameters,
    /// bind group, split-K's bind groups). A fused head (`head.wgsl`) does its layer's forward and input
    /// gradient itself.
    fn step_products(&self, rows: usize) -> Vec<Product<'_>> {
        let r = rows as u32;
        let top = self.res.layers.len() - 1;
        let unfused = |l: usize| l < top || self.res.head.is_none();
        let mut out = Vec::new();
        for (l, layer) in self.res.layers.iter().enumerate() {
            if unfused(l) {
                out.push((
                    l,
                    GemmProduct::Forward,
                    self.forward_params(l, rows),
                    &layer.fwd_group,
                    layer.fwd_split.as_ref(),
                ));
            }
            out.push((
                l,
                GemmProduct::GradWeight,
                layer.grad_weight_params(r),
                &layer.dw_group,
                None,
            ));
            if let Some(dx) = layer.dx_group.as_ref().filter(|_| unfused(l)) {
                out.push((
                    l,
                    GemmProduct::GradInput,
                    layer.grad_input_params(r),
                    dx,
                    layer.dx_split.as_ref(),
                ));
            }
        }
        out
    }

    /// Times every eligible matrix-product kernel ([`GpuContext::gemm_eligible`]) on every product of
    /// a training step at `rows` rows and keeps the fastest per shape on the context. `clock` gives
    /// seconds (the caller's: `Instant` natively, `performance.now()` in a browser); timing stops once
    /// `budget` seconds of timed dispatches are spent, and shapes not reached keep
    /// [`GpuContext::default_gemm`]. Each kernel runs once to warm up (its first dispatch may compile
    /// it; not counted), then once per shape, waited for by a readback, and when that took under 2 ms,
    /// again as a batch of up to 64 in one submission (the average counts). The products write only
    /// activation and gradient buffers, which the next step overwrites: weights and optimiser state are
    /// untouched. Shapes already timed on the device are not timed again.
    pub async fn tune(
        &mut self,
        rows: usize,
        clock: &dyn Fn() -> f64,
        budget: f64,
    ) -> Result<Vec<GemmTiming>, EngineError> {
        let rows = rows.clamp(1, self.max_rows);
        let started = clock();
        // The step's plan names each product's kernel: the next step plans with the new choices.
        self.plan = None;
        self.set_rows(rows, None, self.res.gather_train_slot, 0, true);
        self.res.arena.flush(&self.ctx.queue);
        type Owned = (
            usize,
            GemmProduct,
            GemmParams,
            wgpu::BindGroup,
            Option<(wgpu::BindGroup, wgpu::BindGroup)>,
        );
        let products: Vec<Owned> = self
            .step_products(rows)
            .into_iter()
            .map(|(l, what, p, g, split)| (l, what, p, g.clone(), split.cloned()))
            .collect();
        let mut timings = Vec::new();
        let mut warmed = std::collections::HashSet::new();
        let mut spent_warming = 0.0;
        for (layer, product, p, group, split) in products {
            // Split-K needs its scratch and does not write row sums.
            let eligible = |v: GemmVariant| {
                self.ctx.gemm_eligible(v)
                    && (v != GemmVariant::Split
                        || (split.is_some() && p.flags & crate::ops::linear::FLAG_ROW_SUMS == 0))
            };
            let role = format!("fc{} {}", layer + 1, product.describe());
            // A shape timed before on this device (by this engine or another) keeps its choice.
            let known = self
                .ctx
                .gemm_choices
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&p)
                .copied();
            if let Some(chosen) = known {
                timings.push(GemmTiming {
                    role,
                    layer,
                    product,
                    params: p,
                    seconds: vec![None; GemmVariant::ALL.len()],
                    chosen,
                });
                continue;
            }
            let mut seconds = Vec::new();
            for variant in GemmVariant::ALL {
                if !eligible(variant) || clock() - started - spent_warming > budget {
                    seconds.push(None);
                    continue;
                }
                // A kernel's first dispatch may compile it (hundreds of ms on a software adapter, paid on
                // first use anyway): warm each variant up once, outside the budget.
                if warmed.insert(variant) {
                    let w0 = clock();
                    self.dispatch_products(&p, &group, split.as_ref(), variant, 1)
                        .await?;
                    spent_warming += clock() - w0;
                }
                let t0 = clock();
                self.dispatch_products(&p, &group, split.as_ref(), variant, 1)
                    .await?;
                let mut once = clock() - t0;
                // On a fast GPU one dispatch is shorter than the submission and readback around it:
                // time a batch of them instead, so the choice follows the kernel, not the overhead.
                if once < SHORT {
                    let reps = ((SHORT / once.max(1e-5)).ceil() as u32).clamp(2, 64);
                    let t1 = clock();
                    self.dispatch_products(&p, &group, split.as_ref(), variant, reps)
                        .await?;
                    once = (clock() - t1) / f64::from(reps);
                }
                seconds.push(Some(once));
            }
            // The fastest variant, once every eligible variant of the shape was timed.
            let fastest = GemmVariant::ALL
                .iter()
                .zip(&seconds)
                .filter(|(v, _)| eligible(**v))
                .map(|(&v, s)| s.map(|s| (v, s)))
                .collect::<Option<Vec<_>>>()
                .and_then(|t| t.into_iter().min_by(|a, b| a.1.total_cmp(&b.1)));
            let chosen = match fastest {
                Some((v, _)) => {
                    self.ctx
                        .gemm_choices
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(p, v);
                    v
                }
                _ => self.ctx.gemm_variant(&p),
            };
            timings.push(GemmTiming {
                role,
                layer,
                product,
                params: p,
                seconds,
                chosen,
            });
        }
        self.last_rows = 0;
        Ok(timings)
    }

    /// Runs one product with `variant` `reps` times in one submission and waits for it.
    async fn dispatch_products(
        &self,
        p: &GemmParams,
        group: &wgpu::BindGroup,
        split: Option<&(wgpu::BindGroup, wgpu::BindGroup)>,
        variant: GemmVariant,
        reps: u32,
    ) -> Result<(), EngineError> {
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("gemm timing"),
            });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("gemm timing"),
                timestamp_writes: None,
            });
            for _ in 0..reps {
                self.encode_variant(&mut pass, p, variant, group, split);
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        // A readback waits for the queue, so the time measured is work done.
        self.ctx.read(&[(&self.empty, 0, 4)]).await?;
        Ok(())
    }
}
