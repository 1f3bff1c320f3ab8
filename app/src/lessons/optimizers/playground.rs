//! The surface playground: a 2-D function drawn as a map, each ticked optimiser's path from the point
//! the student clicks, computed by `kernels::surface::path` — the engine's own update rule — and the
//! iterations each needs; on the quadratic, the closed forms beside the measured counts.

use kernels::surface::{self, Surface};
use kernels::{Optimizer, OptimizerConfig};
use leptos::html::Canvas;
use leptos::prelude::*;

use super::text::ui;
use super::{Choice, Setup, Shown};
use crate::ui::heatmap::paint;
use crate::ui::i18n::Lang;

/// Updates a path may take: more than gradient descent's ≈ 3,450 at its best rate at κ = 1000 (the
/// slider's end), so a best-settings row always arrives within the cap.
pub const MAX_STEPS: usize = 5000;
/// The distance to the minimum, as a fraction of the start's, that counts as arrived.
pub const TOLERANCE: f64 = 1e-3;
/// Canvas pixels.
const W: usize = 480;
const H: usize = 320;

/// The region of the plane a surface is drawn over: (x min, x max, y min, y max).
pub fn region(s: &Surface) -> (f64, f64, f64, f64) {
    match s {
        Surface::Quadratic { .. } => (-2.0, 2.0, -1.333, 1.333),
        Surface::Rosenbrock => (-2.0, 2.0, -1.0, 3.0),
        Surface::Saddle => (-2.0, 2.0, -1.6, 1.6),
        Surface::Beale => (-1.0, 4.5, -1.5, 2.0),
    }
}

/// One optimiser's path and what it did.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Which.
    pub id: Optimizer,
    /// The path.
    pub path: surface::Path,
    /// It left the region of finite numbers.
    pub diverged: bool,
}

/// The paths of every ticked optimiser from `start`.
pub fn runs(setup: &Setup, chosen: &[Choice], start: [f64; 2]) -> Vec<Run> {
    let s = setup.surface();
    chosen
        .iter()
        .filter(|c| c.enabled)
        .map(|c| {
            let path = surface::path(&s, &c.config(), start, MAX_STEPS, TOLERANCE);
            let last = *path.points.last().unwrap_or(&start);
            let diverged = !last.iter().all(|v| v.is_finite() && v.abs() < 1e6);
            Run {
                id: c.id,
                path,
                diverged,
            }
        })
        .collect()
}

fn shade(t: f64) -> [u8; 3] {
    // Low is dark blue, high is pale: t in [0, 1].
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    [lerp(18.0, 236.0), lerp(38.0, 242.0), lerp(89.0, 250.0)]
}

/// Draws the surface (log-scaled height) and the paths.
fn draw(canvas: &web_sys::HtmlCanvasElement, s: &Surface, runs: &[Run], start: [f64; 2]) {
    let (x0, x1, y0, y1) = region(s);
    let at = |px: usize, py: usize| {
        [
            x0 + (px as f64 + 0.5) / W as f64 * (x1 - x0),
            y1 - (py as f64 + 0.5) / H as f64 * (y1 - y0),
        ]
    };
    let low = s.value(s.minima()[0]);
    let heights: Vec<f64> = (0..W * H)
        .map(|i| (s.value(at(i % W, i / W)) - low).max(0.0).ln_1p())
        .collect();
    let top = heights.iter().cloned().fold(f64::MIN, f64::max).max(1e-12);
    let mut rgba = Vec::with_capacity(W * H * 4);
    for h in &heights {
        // Bands every tenth of the height: contour lines without computing them.
        let t = h / top;
        let band = if (t * 10.0).fract() < 0.04 { 0.85 } else { 1.0 };
        let [r, gr, b] = shade(t.sqrt());
        rgba.extend_from_slice(&[
            (f64::from(r) * band) as u8,
            (f64::from(gr) * band) as u8,
            (f64::from(b) * band) as u8,
            255,
        ]);
    }
    let Some(g) = paint(canvas, W, H, &rgba) else {
        return;
    };
    let to_px = |p: [f64; 2]| {
        (
            (p[0] - x0) / (x1 - x0) * W as f64,
            (y1 - p[1]) / (y1 - y0) * H as f64,
        )
    };
    g.set_line_width(2.0);
    for run in runs {
        g.set_stroke_style_str(run.id.colour());
        g.begin_path();
        for (i, p) in run.path.points.iter().enumerate() {
            let (px, py) = to_px(*p);
            let (px, py) = (px.clamp(-1e4, 1e4), py.clamp(-1e4, 1e4));
            if i == 0 {
                g.move_to(px, py);
            } else {
                g.line_to(px, py);
            }
        }
        g.stroke();
    }
    let mark = |p: [f64; 2], colour: &str| {
        let (px, py) = to_px(p);
        g.set_fill_style_str(colour);
        g.begin_path();
        let _ = g.arc(px, py, 5.0, 0.0, std::f64::consts::TAU);
        g.fill();
    };
    for &m in s.minima() {
        mark(m, "#fbbf24");
    }
    mark(start, "#ffffff");
}

/// The map with its paths; a click sets the start.
#[component]
pub fn SurfaceMap(
    setup: RwSignal<Setup>,
    runs: Memo<Vec<Run>>,
    start: RwSignal<[f64; 2]>,
    #[prop(into)] aria: Signal<String>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let s = setup.get().surface();
        let at = start.get();
        runs.with(|r| {
            if let Some(c) = canvas.get() {
                draw(&c, &s, r, at);
            }
        });
    });
    let pick = move |ev: web_sys::PointerEvent| {
        let Some(c) = canvas.get() else { return };
        let r = c.get_bounding_client_rect();
        let (x0, x1, y0, y1) = region(&setup.get_untracked().surface());
        let fx = (f64::from(ev.client_x()) - r.left()) / r.width();
        let fy = (f64::from(ev.client_y()) - r.top()) / r.height();
        if (0.0..=1.0).contains(&fx) && (0.0..=1.0).contains(&fy) {
            let round = |v: f64| (v * 100.0).round() / 100.0;
            start.set([round(x0 + fx * (x1 - x0)), round(y1 - fy * (y1 - y0))]);
        }
    };
    view! {
        <canvas node_ref=canvas class="surface-map" data-testid="opt-surface" role="img"
            aria-label=move || aria.get() on:pointerdown=pick
            data-start=move || { let s = start.get(); format!("{},{}", s[0], s[1]) }></canvas>
    }
}

/// What a run's count cell says.
pub fn count_text(run: Option<&Run>, lang: Lang) -> String {
    match run {
        None => "–".into(),
        Some(r) if r.diverged => ui::DIVERGED.get(lang).into(),
        Some(r) => match r.path.iterations {
            Some(n) => n.to_string(),
            None => ui::NOT_REACHED
                .get(lang)
                .replace("{n}", &MAX_STEPS.to_string()),
        },
    }
}

/// Gradient descent's and momentum's closed forms on the quadratic at their best settings, from
/// `start`: (rate-based count, exact count) each.
pub fn theory(kappa: f64, start: [f64; 2]) -> [(f64, usize); 2] {
    [false, true].map(|momentum| {
        (
            surface::rate_iterations(surface::optimal_rate(kappa, momentum), TOLERANCE),
            surface::exact_iterations(kappa, momentum, start, TOLERANCE),
        )
    })
}

/// The best settings for the quadratic: gradient descent's, heavy-ball momentum's and Nesterov's own
/// optima (each rule has its own; heavy ball's makes Nesterov diverge). The adaptive rules have no
/// closed-form optimum here and keep their untuned rows.
pub fn optimal(kappa: f64, id: Optimizer) -> Option<OptimizerConfig> {
    match id {
        Optimizer::Sgd => Some(surface::optimal_gradient_descent(kappa)),
        Optimizer::Momentum => Some(surface::optimal_heavy_ball(kappa)),
        Optimizer::Nesterov => Some(surface::optimal_nesterov(kappa)),
        _ => None,
    }
}

/// `x` to four significant digits: what the table's boxes show (0.1818, not 0.18181819 cut to
/// 0.18181), and therefore what the rows run with.
pub fn four_digits(x: f32) -> f32 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(3 - f64::from(x.abs()).log10().floor() as i32);
    ((f64::from(x) * scale).round() / scale) as f32
}
