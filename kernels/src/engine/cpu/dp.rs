//! The CPU engine's DP-SGD backward part: every layer's δ first (the input-gradient chain), each
//! example's gradient norm over all layers from two row norms per layer, the δ rows scaled by the clip
//! factors and 1/L, then the weight and bias gradients and the seeded noise (`ops::dp`'s references,
//! which `dp.wgsl` computes on the GPU).

use super::step::PendingStep;
use super::*;
use crate::ops::dp;

impl CpuEngine {
    pub(super) fn dp_backward(&mut self, step: &mut PendingStep) {
        let cfg = self.dp.expect("called with DP-SGD on");
        let b = step.rows;
        let layers = self.model.layers.len();
        let acts = &step.acts;
        // δ of every layer, unscaled (each example's own loss gradient).
        let mut deltas: Vec<Vec<f32>> = vec![Vec::new(); layers];
        deltas[layers - 1] = std::mem::take(&mut step.grad);
        for l in (1..layers).rev() {
            let layer = &self.model.layers[l];
            let (i, o) = (layer.in_features, layer.out_features);
            let mut dx = vec![0.0; b * i];
            par_sgemm(
                b,
                o,
                i,
                1.0,
                Strided::row_major(&deltas[l], o),
                Strided::row_major(&layer.weight, i),
                0.0,
                &mut dx,
            );
            parallel::zip_chunks(&mut dx, &acts[l], |dx, a| relu_backward::reference(a, dx));
            deltas[l - 1] = dx;
        }
        // ‖g_r‖² = Σ_l ‖δ_r^l‖²·(‖a_r^l‖² + 1).
        let mut norms = vec![0.0f32; b];
        for (l, layer) in self.model.layers.iter().enumerate() {
            let share =
                dp::layer_norms(&deltas[l], layer.out_features, &acts[l], layer.in_features);
            norms.iter_mut().zip(share).for_each(|(n, s)| *n += s);
        }
        let inv_lot = 1.0 / cfg.expected_lot;
        for (l, layer) in self.model.layers.iter().enumerate() {
            let o = layer.out_features;
            for (row, &n) in deltas[l].chunks_exact_mut(o).zip(&norms) {
                let f = dp::clip_factor(n, cfg.clip, inv_lot);
                row.iter_mut().for_each(|v| *v *= f);
            }
        }
        let noise_std = cfg.noise * cfg.clip * inv_lot;
        for (l, layer) in self.model.layers.iter().enumerate() {
            let (i, o) = (layer.in_features, layer.out_features);
            let (ws, bs) = &mut self.state[l];
            par_sgemm(
                o,
                b,
                i,
                1.0,
                Strided::transposed(&deltas[l], o),
                Strided::row_major(&acts[l], i),
                0.0,
                &mut ws.grad,
            );
            parallel::column_sums(&deltas[l], &mut bs.grad);
            if noise_std > 0.0 {
                for (t, grad) in [(2 * l, &mut ws.grad), (2 * l + 1, &mut bs.grad)] {
                    for (j, g) in grad.iter_mut().enumerate() {
                        *g += noise_std
                            * dp::gaussian(cfg.seed, step.index as u32, t as u32, j as u32);
                    }
                }
            }
        }
        self.computed = vec![(true, true); layers];
        self.example_norms = norms.iter().map(|n| n.sqrt()).collect();
        step.deltas = deltas.into_iter().map(Some).collect();
    }
}
