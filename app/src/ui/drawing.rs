//! A drawing pad (mouse, pen and touch through pointer events): the digit is turned into a 28×28
//! MNIST-style input (ink fitted into 20×20, centred by its centre of mass) and classified live.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, PointerEvent};

use super::i18n::{Lang, Text, tx};

const DRAW_HINT: Text = tx("Draw a digit in the box.", "请在方框里写一个数字。");
const SAYS: Text = tx(
    "The model says {digit} (softmax probability {sure} %)",
    "模型认为是 {digit}（softmax 概率 {sure}%）",
);
const CLEAR: Text = tx("Clear", "清除");

/// The pad's size in canvas pixels (every drawing pad of the app).
pub const SIZE: u32 = 280;

fn ctx(canvas: &web_sys::HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    // The pad is read back on every prediction: ask for a CPU-side canvas.
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"willReadFrequently".into(), &true.into()).ok()?;
    canvas
        .get_context_with_context_options("2d", &options)
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// Paints a pad black (no ink).
pub fn clear_pad(canvas: Option<web_sys::HtmlCanvasElement>) {
    if let Some(g) = canvas.as_ref().and_then(ctx) {
        g.set_fill_style_str("black");
        g.fill_rect(0.0, 0.0, f64::from(SIZE), f64::from(SIZE));
    }
}

/// Draws a white, round-capped stroke from `from` to `to` (pad pixels).
fn stroke_pad(canvas: Option<web_sys::HtmlCanvasElement>, from: (f64, f64), to: (f64, f64)) {
    if let Some(g) = canvas.as_ref().and_then(ctx) {
        g.set_stroke_style_str("white");
        g.set_line_width(20.0);
        g.set_line_cap("round");
        g.begin_path();
        g.move_to(from.0, from.1);
        g.line_to(to.0, to.1);
        g.stroke();
    }
}

/// Where a pointer event lies on the pad, in pad pixels (the pad may be scaled by CSS).
fn pad_position(
    canvas: Option<web_sys::HtmlCanvasElement>,
    ev: &PointerEvent,
) -> Option<(f64, f64)> {
    let r = canvas?.get_bounding_client_rect();
    let s = f64::from(SIZE) / r.width().max(1.0);
    Some((
        (f64::from(ev.client_x()) - r.left()) * s,
        (f64::from(ev.client_y()) - r.top()) * s,
    ))
}

/// The pad as an MNIST-style 28×28 input ([`to_mnist`]); `None` when blank.
pub fn read_pad(canvas: Option<web_sys::HtmlCanvasElement>) -> Option<Vec<u8>> {
    let g = ctx(canvas.as_ref()?)?;
    let img = g
        .get_image_data(0.0, 0.0, f64::from(SIZE), f64::from(SIZE))
        .ok()?;
    let grey: Vec<f32> = img
        .data()
        .chunks_exact(4)
        .map(|p| f32::from(p[0]) / 255.0)
        .collect();
    to_mnist(&grey, SIZE as usize)
}

/// MNIST preprocessing of a grey image (`side × side`, ink high): bounding box → 20×20 (aspect kept,
/// area-averaged) → pasted into 28×28 so that the centre of mass sits at the centre. None when blank.
pub fn to_mnist(grey: &[f32], side: usize) -> Option<Vec<u8>> {
    let (mut x0, mut y0, mut x1, mut y1) = (side, side, 0, 0);
    for y in 0..side {
        for x in 0..side {
            if grey[y * side + x] > 0.05 {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
    }
    if x1 < x0 {
        return None;
    }
    let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
    let scale = 20.0 / bw.max(bh);
    let (tw, th) = (
        ((bw * scale).round() as usize).clamp(1, 20),
        ((bh * scale).round() as usize).clamp(1, 20),
    );
    let mut small = vec![0f32; tw * th];
    for ty in 0..th {
        for tx in 0..tw {
            let (sx0, sx1) = (
                x0 as f32 + tx as f32 / scale,
                x0 as f32 + (tx + 1) as f32 / scale,
            );
            let (sy0, sy1) = (
                y0 as f32 + ty as f32 / scale,
                y0 as f32 + (ty + 1) as f32 / scale,
            );
            let (mut sum, mut n) = (0.0, 0.0);
            for y in (sy0 as usize)..(sy1.ceil() as usize).min(side) {
                for x in (sx0 as usize)..(sx1.ceil() as usize).min(side) {
                    sum += grey[y * side + x];
                    n += 1.0;
                }
            }
            small[ty * tw + tx] = if n > 0.0 { sum / n } else { 0.0 };
        }
    }
    let total: f32 = small.iter().sum::<f32>().max(1e-6);
    let cx = small
        .iter()
        .enumerate()
        .map(|(i, v)| (i % tw) as f32 * v)
        .sum::<f32>()
        / total;
    let cy = small
        .iter()
        .enumerate()
        .map(|(i, v)| (i / tw) as f32 * v)
        .sum::<f32>()
        / total;
    let (ox, oy) = ((14.0 - cx).round() as i32, (14.0 - cy).round() as i32);
    let mut out = vec![0u8; 784];
    for ty in 0..th {
        for tx in 0..tw {
            let (x, y) = (tx as i32 + ox, ty as i32 + oy);
            if (0..28).contains(&x) && (0..28).contains(&y) {
                out[(y * 28 + x) as usize] = (small[ty * tw + tx].clamp(0.0, 1.0) * 255.0) as u8;
            }
        }
    }
    Some(out)
}

/// The pen of a drawing pad: pointer down starts a stroke (capturing the pointer), moves extend it, up
/// ends it. Shared by every pad of the app.
#[derive(Clone, Copy)]
pub struct PadPen {
    canvas: NodeRef<Canvas>,
    drawing: RwSignal<bool>,
    last: RwSignal<(f64, f64)>,
}

impl PadPen {
    /// A pen drawing on `canvas`.
    pub fn new(canvas: NodeRef<Canvas>) -> Self {
        Self {
            canvas,
            drawing: RwSignal::new(false),
            last: RwSignal::new((0.0, 0.0)),
        }
    }

    fn stroke_to(&self, to: (f64, f64)) {
        stroke_pad(self.canvas.get(), self.last.get_untracked(), to);
        self.last.set(to);
    }

    /// Pointer down: a dot, and the start of a stroke.
    pub fn down(&self, ev: &PointerEvent) {
        ev.prevent_default();
        if let Some(p) = pad_position(self.canvas.get(), ev) {
            if let Some(c) = self.canvas.get() {
                let _ = c.set_pointer_capture(ev.pointer_id());
            }
            self.drawing.set(true);
            self.last.set(p);
            self.stroke_to(p);
        }
    }

    /// Pointer move: extends the stroke; true while drawing.
    pub fn moved(&self, ev: &PointerEvent) -> bool {
        if !self.drawing.get_untracked() {
            return false;
        }
        ev.prevent_default();
        if let Some(p) = pad_position(self.canvas.get(), ev) {
            self.stroke_to(p);
        }
        true
    }

    /// Pointer up or cancel: ends the stroke; true when one was being drawn.
    pub fn up(&self) -> bool {
        let was = self.drawing.get_untracked();
        self.drawing.set(false);
        was
    }
}

/// A pad that classifies what is drawn: `on_digit` gets the 28×28 input a few times a second while
/// drawing and when the stroke ends; `prediction` (softmax probabilities) is shown beside it.
#[component]
pub fn DrawingPad(
    prediction: RwSignal<Vec<f32>>,
    on_digit: Callback<Vec<u8>>,
    /// The prompt shown while the pad is empty (default: "Draw a digit in the box."); a step that
    /// asks for something else sets its own.
    #[prop(optional)]
    hint: Option<Text>,
) -> impl IntoView {
    let hint = hint.unwrap_or(DRAW_HINT);
    let lang = expect_context::<RwSignal<Lang>>();
    let canvas = NodeRef::<Canvas>::new();
    let pen = PadPen::new(canvas);
    let last_sent = RwSignal::new(0.0f64);
    let clear = move || {
        clear_pad(canvas.get());
        prediction.set(Vec::new());
    };
    Effect::new(move |_| {
        if canvas.get().is_some() {
            clear();
        }
    });
    let classify = move || {
        if let Some(pixels) = read_pad(canvas.get()) {
            on_digit.run(pixels);
        }
    };
    let down = move |ev: PointerEvent| pen.down(&ev);
    let moved = {
        move |ev: PointerEvent| {
            // Live prediction while drawing, a few times a second.
            let now = js_sys::Date::now();
            if pen.moved(&ev) && now - last_sent.get_untracked() > 150.0 {
                last_sent.set(now);
                classify();
            }
        }
    };
    let up = move |_: PointerEvent| {
        if pen.up() {
            classify();
        }
    };
    view! {
        <div class="drawing">
            <canvas node_ref=canvas data-testid="draw-canvas" width=SIZE height=SIZE class="pad" aria-label="drawing pad: draw a digit"
                on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointercancel=up></canvas>
            <div class="probabilities" data-testid="probabilities" aria-live="polite">
                {move || {
                    let p = prediction.get();
                    let best = p.iter().enumerate().fold((0, f32::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b }).0;
                    (0..10).map(|d| {
                        let v = p.get(d).copied().unwrap_or(0.0);
                        let is_best = !p.is_empty() && d == best;
                        view! {
                            <div class="bar-row" class:best=is_best data-testid=format!("prob-{d}")>
                                <span class="digit">{d}</span>
                                <span class="bar"><span class="fill" style:width=format!("{:.1}%", v * 100.0)></span></span>
                                // Nothing drawn yet: no distribution to show (ten "0.0 %" read as a bug).
                                <span class="pct">{if p.is_empty() { "–".to_string() } else { crate::ui::i18n::percent(lang.get(), f64::from(v), 1) }}</span>
                            </div>
                        }
                    }).collect_view()
                }}
                <p class="caption" data-testid="prediction">{move || {
                    let p = prediction.get();
                    let lang = lang.get();
                    if p.is_empty() { hint.get(lang).to_string() } else {
                        let (i, v) = p.iter().enumerate().fold((0, f32::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
                        SAYS.get(lang).replace("{digit}", &i.to_string()).replace("{sure}", &format!("{:.0}", v * 100.0))
                    }
                }}</p>
            </div>
        </div>
        <button data-testid="clear" on:click=move |_| clear()>{move || CLEAR.get(lang.get())}</button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_survive_translation() {
        assert!(SAYS.zh.contains("{digit}") && SAYS.zh.contains("{sure}"));
    }

    #[test]
    fn blank_is_none_and_ink_is_centred() {
        assert!(to_mnist(&vec![0.0; 100], 10).is_none());
        let mut g = vec![0.0; 100 * 100];
        for y in 10..30 {
            for x in 60..70 {
                g[y * 100 + x] = 1.0;
            }
        }
        let m = to_mnist(&g, 100).unwrap();
        let total: f32 = m.iter().map(|&v| v as f32).sum();
        let cx = m
            .iter()
            .enumerate()
            .map(|(i, &v)| (i % 28) as f32 * v as f32)
            .sum::<f32>()
            / total;
        let cy = m
            .iter()
            .enumerate()
            .map(|(i, &v)| (i / 28) as f32 * v as f32)
            .sum::<f32>()
            / total;
        assert!(
            (cx - 14.0).abs() < 1.0 && (cy - 14.0).abs() < 1.0,
            "centre of mass ({cx}, {cy})"
        );
        assert_eq!(
            m.iter().filter(|&&v| v > 0).count(),
            20 * 10,
            "a 20-tall, 10-wide bar"
        );
    }
}
