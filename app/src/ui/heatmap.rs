//! Tensors as pictures on a canvas: a weight matrix, a batch of δ, or a layer's weights as one 28×28
//! tile per unit — a diverging colour map (blue below zero, red above), a cell picked by pointer, touch
//! or arrow keys, and a digit image in grey. The canvas is drawn at a few pixels per cell and scaled by
//! CSS, so it stays sharp on a projector.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};

/// How a `[rows, cols]` tensor is laid out on the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Row r, column c at (c, r).
    Matrix {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
    },
    /// Each row is a `side × side` image (a hidden unit's incoming weights), `per_row` tiles a line.
    Tiles {
        /// Rows of the tensor (tiles).
        tiles: usize,
        /// Image side; columns = side².
        side: usize,
        /// Tiles per line.
        per_row: usize,
    },
}

/// Gap between tiles, in cells.
const GAP: usize = 1;

impl Layout {
    /// `(rows, cols)` of the tensor.
    pub fn shape(self) -> (usize, usize) {
        match self {
            Layout::Matrix { rows, cols } => (rows, cols),
            Layout::Tiles { tiles, side, .. } => (tiles, side * side),
        }
    }

    /// Canvas size in cells.
    pub fn cells(self) -> (usize, usize) {
        match self {
            Layout::Matrix { rows, cols } => (cols, rows),
            Layout::Tiles {
                tiles,
                side,
                per_row,
            } => {
                let lines = tiles.div_ceil(per_row.max(1));
                (
                    per_row * (side + GAP) - GAP,
                    lines * (side + GAP) - GAP.min(lines),
                )
            }
        }
    }

    /// The cell of tensor element (r, c).
    pub fn position(self, r: usize, c: usize) -> (usize, usize) {
        match self {
            Layout::Matrix { .. } => (c, r),
            Layout::Tiles { side, per_row, .. } => (
                (r % per_row) * (side + GAP) + c % side,
                (r / per_row) * (side + GAP) + c / side,
            ),
        }
    }

    /// The tensor element at cell (x, y), if any.
    pub fn element(self, x: usize, y: usize) -> Option<(usize, usize)> {
        match self {
            Layout::Matrix { rows, cols } => (x < cols && y < rows).then_some((y, x)),
            Layout::Tiles {
                tiles,
                side,
                per_row,
            } => {
                let (tx, ty) = (x / (side + GAP), y / (side + GAP));
                let (ix, iy) = (x % (side + GAP), y % (side + GAP));
                let tile = ty * per_row + tx;
                (tx < per_row && ix < side && iy < side && tile < tiles)
                    .then_some((tile, iy * side + ix))
            }
        }
    }

    /// The element an arrow key moves to from (r, c): Left/Right and Up/Down in the picture,
    /// PageUp/PageDown to the previous/next tile.
    pub fn step(self, (r, c): (usize, usize), key: &str) -> Option<(usize, usize)> {
        let (rows, cols) = self.shape();
        let side = match self {
            Layout::Tiles { side, .. } => side,
            Layout::Matrix { .. } => 0,
        };
        let next = match (self, key) {
            (_, "ArrowLeft") => (r, c.checked_sub(1)?),
            (_, "ArrowRight") => (r, c + 1),
            (Layout::Matrix { .. }, "ArrowUp") => (r.checked_sub(1)?, c),
            (Layout::Matrix { .. }, "ArrowDown") => (r + 1, c),
            (Layout::Tiles { .. }, "ArrowUp") => (r, c.checked_sub(side)?),
            (Layout::Tiles { .. }, "ArrowDown") => (r, c + side),
            (Layout::Tiles { .. }, "PageUp") => (r.checked_sub(1)?, c),
            (Layout::Tiles { .. }, "PageDown") => (r + 1, c),
            _ => return None,
        };
        (next.0 < rows && next.1 < cols).then_some(next)
    }
}

/// Diverging colour of `v` on the scale `±max`: blue, white at zero, red.
pub fn diverging(v: f32, max: f32) -> [u8; 3] {
    let t = if max > 0.0 {
        (v / max).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let fade = |x: f32| (255.0 * (1.0 - x.abs())) as u8;
    if t >= 0.0 {
        [255, fade(t), fade(t)]
    } else {
        [fade(t), fade(t), 255]
    }
}

/// Sizes `canvas` to `w`×`h` pixels, fills it with `rgba` and returns its 2-D context for drawing on
/// top (`None` when the browser gives no context).
pub fn paint(
    canvas: &web_sys::HtmlCanvasElement,
    w: usize,
    h: usize,
    rgba: &[u8],
) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let g = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())?;
    if let Ok(img) =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), w as u32, h as u32)
    {
        let _ = g.put_image_data(&img, 0.0, 0.0);
    }
    Some(g)
}

/// RGBA pixels of a tensor under `layout`, `px` canvas pixels per cell, the selected element framed.
pub fn render(
    values: &[f32],
    layout: Layout,
    px: usize,
    selected: Option<(usize, usize)>,
) -> (usize, usize, Vec<u8>) {
    let (cw, ch) = layout.cells();
    let (w, h) = (cw * px, ch * px);
    let mut rgba = vec![255u8; w * h * 4];
    let max = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let (rows, cols) = layout.shape();
    for r in 0..rows {
        for c in 0..cols {
            let Some(&v) = values.get(r * cols + c) else {
                continue;
            };
            let [cr, cg, cb] = diverging(v, max);
            let (x, y) = layout.position(r, c);
            for dy in 0..px {
                let row = ((y * px + dy) * w + x * px) * 4;
                for dx in 0..px {
                    rgba[row + dx * 4..row + dx * 4 + 3].copy_from_slice(&[cr, cg, cb]);
                }
            }
        }
    }
    if let Some((r, c)) = selected.filter(|&(r, c)| r < rows && c < cols) {
        // Two frames around the element, black inside amber, each half a cell thick (at least one
        // pixel) and one cell apart: easy to find on any colour, even around a one-pixel cell.
        let (x, y) = layout.position(r, c);
        let t = (px / 2).max(1);
        for (gap, colour) in [(1, [0, 0, 0]), (2, [240, 180, 41])] {
            let (x0, y0) = (
                (x * px).saturating_sub(gap * px),
                (y * px).saturating_sub(gap * px),
            );
            let (x1, y1) = (
                ((x + 1 + gap) * px).min(w) - 1,
                ((y + 1 + gap) * px).min(h) - 1,
            );
            for yy in y0..=y1 {
                for xx in x0..=x1 {
                    let edge = yy < y0 + t || yy + t > y1 || xx < x0 + t || xx + t > x1;
                    if edge {
                        rgba[(yy * w + xx) * 4..(yy * w + xx) * 4 + 3].copy_from_slice(&colour);
                    }
                }
            }
        }
    }
    (w, h, rgba)
}

/// A tensor as a heat-map; with `on_pick`, a click, a touch or the arrow keys pick an element.
#[component]
pub fn Heatmap(
    #[prop(into)] values: Signal<Vec<f32>>,
    layout: Layout,
    /// Canvas pixels per cell.
    px: usize,
    #[prop(optional, into)] selected: Option<Signal<Option<(usize, usize)>>>,
    #[prop(optional)] on_pick: Option<Callback<(usize, usize)>>,
    testid: &'static str,
    #[prop(into)] aria: Signal<String>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let sel = selected.and_then(|s| s.get());
        values.with(|v| {
            if let Some(c) = canvas.get() {
                let (w, h, rgba) = render(v, layout, px, sel);
                paint(&c, w, h, &rgba);
            }
        });
    });
    let pick = move |ev: web_sys::PointerEvent| {
        let (Some(cb), Some(c)) = (on_pick, canvas.get()) else {
            return;
        };
        let r = c.get_bounding_client_rect();
        let (cw, ch) = layout.cells();
        let x = (f64::from(ev.client_x()) - r.left()) / r.width() * cw as f64;
        let y = (f64::from(ev.client_y()) - r.top()) / r.height() * ch as f64;
        if x >= 0.0
            && y >= 0.0
            && let Some(e) = layout.element(x as usize, y as usize)
        {
            cb.run(e);
        }
    };
    let key = move |ev: web_sys::KeyboardEvent| {
        let Some(cb) = on_pick else { return };
        let from = selected.and_then(|s| s.get_untracked()).unwrap_or((0, 0));
        if let Some(next) = layout.step(from, &ev.key()) {
            ev.prevent_default();
            cb.run(next);
        }
    };
    let interactive = on_pick.is_some();
    view! {
        <canvas node_ref=canvas class="heatmap" class:pickable=interactive data-testid=testid
            role="img" aria-label=move || aria.get() tabindex=interactive.then_some("0")
            on:pointerdown=pick on:keydown=key></canvas>
    }
}

/// A greyscale image (ink high, drawn light on dark as the drawing pads are).
#[component]
pub fn DigitImage(
    #[prop(into)] pixels: Signal<Vec<u8>>,
    #[prop(default = 28)] side: usize,
    /// 1: grey values; 3: colour planes one after another (CIFAR-10's channel-first layout).
    #[prop(default = 1)]
    channels: usize,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(into)] aria: Signal<String>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        pixels.with(|p| {
            let n = side * side;
            if let Some(c) = canvas.get()
                && p.len() == n * channels
            {
                let rgba: Vec<u8> = if channels == 3 {
                    (0..n)
                        .flat_map(|i| [p[i], p[n + i], p[2 * n + i], 255])
                        .collect()
                } else {
                    p.iter().flat_map(|&v| [v, v, v, 255]).collect()
                };
                paint(&c, side, side, &rgba);
            }
        });
    });
    view! { <canvas node_ref=canvas class="digit" data-testid=testid role="img" aria-label=move || aria.get()></canvas> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_map_cells_to_elements_and_back() {
        let l = Layout::Tiles {
            tiles: 5,
            side: 3,
            per_row: 2,
        };
        assert_eq!(l.cells(), (7, 11));
        for r in 0..5 {
            for c in 0..9 {
                let (x, y) = l.position(r, c);
                assert_eq!(l.element(x, y), Some((r, c)));
            }
        }
        // Gaps and the missing sixth tile pick nothing.
        assert_eq!(l.element(3, 0), None);
        assert_eq!(l.element(4, 8), None);
        assert_eq!(l.step((0, 4), "ArrowDown"), Some((0, 7)));
        assert_eq!(l.step((0, 7), "ArrowDown"), None);
        assert_eq!(l.step((4, 0), "PageDown"), None);
        let m = Layout::Matrix { rows: 2, cols: 3 };
        assert_eq!(m.element(2, 1), Some((1, 2)));
        assert_eq!(m.step((1, 2), "ArrowUp"), Some((0, 2)));
        let (w, h, rgba) = render(&[1.0, -1.0, 0.0, 0.5, 0.0, 0.0], m, 2, Some((0, 0)));
        assert_eq!((w, h, rgba.len()), (6, 4, 96));
        assert_eq!(diverging(1.0, 1.0), [255, 0, 0]);
        assert_eq!(diverging(-1.0, 1.0), [0, 0, 255]);
    }
}
