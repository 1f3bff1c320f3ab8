//! A bar chart per class as SVG: probabilities side by side (p and q), or signed values around a zero
//! line (a gradient q − p). With `on_drag`, a bar follows the pointer or touch and reports its new value.

use leptos::html::Div;
use leptos::prelude::*;

/// One set of bars (one per class).
#[derive(Clone, Debug, PartialEq)]
pub struct BarSeries {
    /// One value per class.
    pub values: Vec<f64>,
    /// CSS class (colour).
    pub class: &'static str,
}

const W: f64 = 440.0;
const H: f64 = 180.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;
/// Room for the value axis's labels.
const LEFT: f64 = 30.0;

/// The chart; `range` is the y axis (`(0, 1)` for probabilities, `(-1, 1)` for a gradient).
#[component]
pub fn BarChart(
    #[prop(into)] series: Signal<Vec<BarSeries>>,
    labels: Vec<String>,
    range: (f64, f64),
    #[prop(optional)] on_drag: Option<Callback<(usize, f64)>>,
    testid: &'static str,
    #[prop(into)] aria: Signal<String>,
) -> impl IntoView {
    let n = labels.len().max(1);
    let slot = (W - LEFT) / n as f64;
    let plot_h = H - BOTTOM - TOP;
    let (lo, hi) = range;
    let y_of = move |v: f64| TOP + plot_h * (1.0 - ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
    let zero = y_of(0.0f64.clamp(lo, hi));
    let host = NodeRef::<Div>::new();
    let dragging = RwSignal::new(None::<usize>);
    let report = move |ev: &web_sys::PointerEvent, class: Option<usize>| {
        let (Some(cb), Some(el)) = (on_drag, host.get()) else {
            return;
        };
        let r = el.get_bounding_client_rect();
        let x = (f64::from(ev.client_x()) - r.left()) / r.width() * W - LEFT;
        let y = (f64::from(ev.client_y()) - r.top()) / r.height() * H;
        let k = class.unwrap_or(((x / slot).floor().max(0.0) as usize).min(n - 1));
        let v = lo + (hi - lo) * (1.0 - (y - TOP) / plot_h);
        dragging.set(Some(k));
        cb.run((k, v.clamp(lo, hi)));
    };
    view! {
        <div class="bars" node_ref=host class:draggable=on_drag.is_some()
            on:pointerdown=move |ev| {
                if on_drag.is_some() {
                    if let Some(el) = host.get() { let _ = el.set_pointer_capture(ev.pointer_id()); }
                    report(&ev, None);
                }
            }
            on:pointermove=move |ev| { if let Some(k) = dragging.get_untracked() { report(&ev, Some(k)) } }
            on:pointerup=move |_| dragging.set(None)
            on:pointercancel=move |_| dragging.set(None)>
            <svg viewBox=format!("0 0 {W} {H}") data-testid=testid role="img" aria-label=move || aria.get()>
                // The value axis: both ends and the middle, with faint grid lines across.
                {[lo, (lo + hi) / 2.0, hi].into_iter().map(|v| view! {
                    <line x1=LEFT x2=W y1=y_of(v) y2=y_of(v) class="grid-line" />
                    <text x=LEFT - 4.0 y=y_of(v) + 4.0 text-anchor="end" class="tick">{axis_label(v)}</text>
                }).collect_view()}
                <line x1=LEFT x2=W y1=zero y2=zero class="axis-line" />
                {move || {
                    let s = series.get();
                    let m = s.len().max(1) as f64;
                    let bar_w = slot * 0.8 / m;
                    s.iter().enumerate().flat_map(|(j, ser)| {
                        ser.values.iter().enumerate().map(move |(k, &v)| {
                            let x = LEFT + k as f64 * slot + slot * 0.1 + j as f64 * bar_w;
                            let y = y_of(v);
                            let (top, height) = if y < zero { (y, zero - y) } else { (zero, y - zero) };
                            view! { <rect x=x y=top width=bar_w height=height.max(0.5) class=ser.class /> }
                        }).collect::<Vec<_>>()
                    }).collect_view()
                }}
                {labels.iter().enumerate().map(|(k, l)| view! {
                    <text x=LEFT + (k as f64 + 0.5) * slot y=H - 6.0 text-anchor="middle" class="tick">{l.clone()}</text>
                }).collect_view()}
            </svg>
        </div>
    }
}

/// A value-axis label: 0, 0.5, 1, −1 (a true minus sign).
fn axis_label(v: f64) -> String {
    let s = format!("{v}");
    s.replace('-', "−")
}
