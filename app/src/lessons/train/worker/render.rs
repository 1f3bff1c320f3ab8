//! The first layer's weights as an image: one tile per hidden unit, drawn in the worker so the page gets
//! pixels, not a model.

use kernels::Mlp;
use serde_bytes::ByteBuf;

use crate::lessons::train::protocol::Event;
use crate::ui::heatmap::diverging;

/// Renders up to 64 first-layer units as 28×28 tiles in the heat-maps' colours (blue negative, white
/// zero, red positive), each unit scaled by its own largest magnitude.
pub(super) fn weights_grid(model: &Mlp) -> Event {
    let layer = &model.layers[0];
    let side = (layer.in_features as f64).sqrt() as usize;
    if side * side != layer.in_features {
        return Event::Weights {
            width: 0,
            height: 0,
            units: 0,
            rgba: ByteBuf::new(),
        };
    }
    let units = layer.out_features.min(64);
    let cols = (units as f64).sqrt().ceil() as usize;
    let rows = units.div_ceil(cols);
    let tile = side + 2;
    let (w, h) = (cols * tile, rows * tile);
    let mut rgba = vec![255u8; w * h * 4];
    for u in 0..units {
        let ws = &layer.weight[u * layer.in_features..(u + 1) * layer.in_features];
        let scale = ws.iter().fold(1e-12f32, |m, v| m.max(v.abs()));
        let (ox, oy) = ((u % cols) * tile + 1, (u / cols) * tile + 1);
        for (i, &v) in ws.iter().enumerate() {
            let [r, g, b] = diverging(v, scale);
            let at = ((oy + i / side) * w + ox + i % side) * 4;
            rgba[at..at + 4].copy_from_slice(&[r, g, b, 255]);
        }
    }
    Event::Weights {
        width: w as u32,
        height: h as u32,
        units,
        rgba: ByteBuf::from(rgba),
    }
}
