//! A line chart as SVG: light on wasm (no plotting library), crisp at any zoom on a projector, and its
//! lines are elements tests and screen readers can reach. Every lesson's curves use it.

use leptos::prelude::*;

use super::i18n::{Lang, Text, tx};

/// Axis titles the lessons share.
pub const STEP: Text = tx("step", "步数");
/// Epoch axis.
pub const EPOCH: Text = tx("epoch", "轮次");
/// Loss axis.
pub const LOSS: Text = tx("loss", "损失");
/// Accuracy axis.
pub const ACCURACY: Text = tx("accuracy", "准确率");

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// `(x, y)` points in data units.
    pub points: Vec<(f64, f64)>,
    /// CSS class (its colour and width live in the stylesheet).
    pub class: &'static str,
    /// Draw a dot at each point.
    pub dots: bool,
}

/// At most `max` points, evenly spaced, so redraws stay cheap on long runs.
pub fn thin(points: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max {
        return points;
    }
    let stride = points.len().div_ceil(max);
    points.into_iter().step_by(stride).collect()
}

/// The drawing width on a narrow screen (a 390 px phone shows a card about 330 px wide).
const NARROW_WIDTH: f64 = 360.0;
/// The least drawing height on a narrow screen, so the plot area does not shrink to a strip.
const NARROW_MIN_HEIGHT: f64 = 240.0;

/// Whether the window is phone-narrow when the chart is made (below 640 CSS px, the stylesheet's
/// narrow-screen break).
fn narrow_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|w| w < 640.0)
}

/// A round step for about `n` ticks over `0..max`.
fn tick_step(max: f64, n: f64) -> f64 {
    let raw = (max / n).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

fn label(v: f64, percent: bool) -> String {
    if percent {
        format!("{:.0}%", v * 100.0)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The chart: `y_top` fixes the top of the y axis (accuracy: 1.0), else it follows the data.
#[component]
pub fn LineChart(
    #[prop(into)] series: Signal<Vec<Series>>,
    #[prop(optional)] y_top: Option<f64>,
    /// Fixes the right end of the x axis (an ε axis ends at 0.3), else it follows the data from 1.
    #[prop(optional)]
    x_top: Option<f64>,
    #[prop(optional)] y_percent: bool,
    x_label: Text,
    y_label: Text,
    testid: &'static str,
    aria: Text,
    /// The drawing's width in SVG units (its 12-unit labels scale with it): a chart shown in half a
    /// card, one of a pair side by side, uses about 420 so its labels stay about 12 px.
    #[prop(default = 640.0)]
    width: f64,
    #[prop(default = 260.0)] height: f64,
    /// Vertical marks at these x positions, labelled (where a phase starts).
    #[prop(optional, into)]
    marks: Option<Signal<Vec<(f64, Text)>>>,
    /// Start the y axis at a round value below the data instead of 0 (an accuracy climbing from 90 %
    /// to 96 % is not flattened against the bottom).
    #[prop(optional)]
    zoom: bool,
) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    // On a phone the chart is drawn in a narrower coordinate system (about its real width in CSS px), so
    // its 12 px tick labels stay about 12 px on screen instead of shrinking with a desktop-wide drawing.
    let narrow = narrow_screen();
    let (width, height) = if narrow {
        (
            NARROW_WIDTH,
            (height * NARROW_WIDTH / width).max(NARROW_MIN_HEIGHT),
        )
    } else {
        (width, height)
    };
    let x_tick_count = if narrow { 4.0 } else { 6.0 };
    let (left, right, top, bottom) = (52.0, 12.0, 10.0, 34.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let ranges = move || {
        series.with(|s| {
            let pts = s.iter().flat_map(|l| l.points.iter());
            let x_max = x_top.unwrap_or_else(|| pts.clone().map(|p| p.0).fold(1.0f64, f64::max));
            let ys = || pts.clone().map(|p| p.1).filter(|v| v.is_finite());
            let y_max = y_top.unwrap_or_else(|| ys().fold(0.1f64, f64::max) * 1.05);
            let y_min = if zoom {
                zoom_floor(ys().fold(f64::INFINITY, f64::min), y_max)
            } else {
                0.0
            };
            (x_max, y_min, y_max)
        })
    };
    let project = move |(x, y): (f64, f64), (x_max, y_min, y_max): (f64, f64, f64)| {
        (
            left + plot_w * x / x_max,
            top + plot_h * (1.0 - ((y - y_min) / (y_max - y_min)).clamp(0.0, 1.0)),
        )
    };
    view! {
        <svg class="line-chart" data-testid=testid viewBox=format!("0 0 {width} {height}") role="img" aria-label=move || aria.get(lang.get())>
            {move || {
                let r = ranges();
                let (x_max, y_min, y_max) = r;
                let ys = tick_step(y_max - y_min, 4.0);
                let xs = tick_step(x_max, x_tick_count);
                let y_ticks = (0..=((y_max - y_min) / ys + 1e-9).floor() as usize).map(move |i| y_min + i as f64 * ys);
                let x_ticks = (0..=(x_max / xs + 1e-9).floor() as usize).map(|i| i as f64 * xs);
                view! {
                    {y_ticks.map(|v| {
                        let (_, y) = project((0.0, v), r);
                        view! {
                            <line x1=left x2=width - right y1=y y2=y class="grid" />
                            <text x=left - 6.0 y=y + 4.0 class="tick" text-anchor="end">{label(v, y_percent)}</text>
                        }
                    }).collect_view()}
                    {x_ticks.map(|v| {
                        let (x, _) = project((v, 0.0), r);
                        // A tick at the right edge is right-aligned, so its label is not cut off.
                        let anchor = if x > width - right - 24.0 { "end" } else { "middle" };
                        view! { <text x=x y=height - bottom + 16.0 class="tick" text-anchor=anchor>{label(v, false)}</text> }
                    }).collect_view()}
                    <text x=left + plot_w / 2.0 y=height - 4.0 class="axis" text-anchor="middle">{x_label.get(lang.get())}</text>
                    <text x="12" y=top + plot_h / 2.0 class="axis" text-anchor="middle"
                        transform=format!("rotate(-90 12 {})", top + plot_h / 2.0)>{y_label.get(lang.get())}</text>
                    {marks.map(|m| m.get().into_iter().map(|(at, name)| {
                        let (x, _) = project((at, 0.0), r);
                        view! {
                            <line x1=x x2=x y1=top y2=top + plot_h class="mark" data-testid="chart-mark" data-x=at.to_string() />
                            <text x=x + 4.0 y=top + 12.0 class="mark-label">{name.get(lang.get())}</text>
                        }
                    }).collect_view())}
                    {series.get().into_iter().map(|s| {
                        let pts: Vec<(f64, f64)> = s.points.iter().filter(|p| p.1.is_finite()).map(|&p| project(p, r)).collect();
                        let line = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
                        let class = s.class;
                        view! {
                            <polyline points=line class=class />
                            {s.dots.then(|| pts.into_iter().map(|(x, y)| view! { <circle cx=x cy=y r="3.5" class=class /> }).collect_view())}
                        }
                    }).collect_view()}
                }
            }}
        </svg>
    }
}

/// A round start for a zoomed y axis: a tenth of the axis's top below the lowest value, rounded down
/// to a tenth (0 when the data reach near it, or there are none).
fn zoom_floor(lowest: f64, top: f64) -> f64 {
    if !lowest.is_finite() {
        return 0.0;
    }
    let step = top / 10.0;
    (((lowest - step) / step).floor() * step).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zoomed_axis_starts_at_a_round_value_below_the_data() {
        // Accuracy from 90.2 % up, on a 0–100 % axis: from 80 %.
        assert!((zoom_floor(0.902, 1.0) - 0.8).abs() < 1e-9);
        assert_eq!(zoom_floor(0.05, 1.0), 0.0);
        assert_eq!(zoom_floor(f64::INFINITY, 1.0), 0.0);
    }

    #[test]
    fn ticks_are_round_and_thinning_keeps_the_shape() {
        assert_eq!(tick_step(1.0, 4.0), 0.5);
        assert_eq!(tick_step(2.4, 4.0), 1.0);
        assert_eq!(tick_step(1000.0, 6.0), 200.0);
        let pts: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, 1.0)).collect();
        let t = thin(pts, 1500);
        assert!(t.len() <= 1500 && t[0] == (0.0, 1.0));
        assert_eq!(label(0.25, true), "25%");
    }
}
