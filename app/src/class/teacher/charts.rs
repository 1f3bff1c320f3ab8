//! The dashboard's own drawings: the pooled scatter charts (learning rate or ε on a log axis against
//! accuracy, one dot per student run), a student's sparkline, and the join URL's QR code. SVG with attributes only (the page's CSP allows no inline styles).

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::model::{Figure, Point};
use super::text;
use crate::ui::i18n::{Lang, Text, grouped, percent};

/// Where `v` falls between `lo` and `hi` on a log axis, from 0 to 1 (clamped).
pub fn log_position(v: f64, lo: f64, hi: f64) -> f64 {
    if !(v > 0.0 && lo > 0.0 && hi > lo) {
        return 0.0;
    }
    ((v.ln() - lo.ln()) / (hi.ln() - lo.ln())).clamp(0.0, 1.0)
}

/// A log axis's ends: whole decades around the data, at least `lo`..`hi`.
pub fn log_range(values: impl Iterator<Item = f64>, lo: f64, hi: f64) -> (f64, f64) {
    values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((lo, hi), |(a, b), v| {
            (
                a.min(10f64.powf(v.log10().floor())),
                b.max(10f64.powf(v.log10().ceil())),
            )
        })
}

/// The decades from `lo` to `hi` (both powers of ten), for the log axis's ticks.
pub fn decades(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (lo.log10().round() as i32, hi.log10().round() as i32);
    (a..=b).map(|e| 10f64.powi(e)).collect()
}

/// A tick's or tooltip's number as a form writes it: 0.001 … 10, not 1e-3; below 0.0001 the 1e-7 form
/// (a fixed number of decimals would print a small rate as 0).
pub fn tick_label(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-4 {
        return format!("{v:e}");
    }
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What hovering a dot says: who, the x value, the step, and which figure ("test 91.0 %", "validation
/// 45.0 %", or "diverged at step 40").
pub fn tooltip(p: &Point, name: &str, x_name: &str, lang: Lang) -> String {
    let x = format!("{x_name} {}", tick_label(p.x));
    let figure = match p.figure {
        Figure::Test => format!("{} {}", text::TEST_WORD.get(lang), percent(lang, p.y, 1)),
        Figure::Validation => format!("{} {}", text::VALIDATION.get(lang), percent(lang, p.y, 1)),
        Figure::Diverged => {
            return format!(
                "{name} · {x} · {}",
                text::DIVERGED_AT_STEP
                    .get(lang)
                    .replace("{n}", &grouped(p.step as usize))
            );
        }
    };
    let step = text::STEP
        .get(lang)
        .replace("{n}", &grouped(p.step as usize));
    format!("{name} · {x} · {step} · {figure}")
}

/// The mark of a dot: its shape says the optimiser (circle SGD, square momentum, triangle Adam), its fill
/// the figure (filled test, hollow validation), a × a divergence.
fn mark(p: &Point, cx: f64, cy: f64) -> AnyView {
    let class = match p.figure {
        Figure::Test => "class-point test",
        Figure::Validation => "class-point validation",
        Figure::Diverged => "class-point diverged",
    };
    let r = 5.5;
    match (p.figure, p.optimizer.as_str()) {
        (Figure::Diverged, _) => view! {
            <path class=class d=format!("M{} {}L{} {}M{} {}L{} {}", cx - r, cy - r, cx + r, cy + r, cx - r, cy + r, cx + r, cy - r) />
        }
        .into_any(),
        (_, "momentum") => view! {
            <rect class=class x=cx - r y=cy - r width=2.0 * r height=2.0 * r />
        }
        .into_any(),
        (_, "adam") => view! {
            <path class=class d=format!("M{} {}L{} {}L{} {}Z", cx, cy - r * 1.15, cx + r * 1.1, cy + r * 0.8, cx - r * 1.1, cy + r * 0.8) />
        }
        .into_any(),
        _ => view! { <circle class=class cx=cx cy=cy r=r /> }.into_any(),
    }
}

const W: f64 = 640.0;
const H: f64 = 300.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 36.0;

/// A scatter chart of dots on a log x axis (learning rate or ε) against accuracy. `data-points` counts
/// the dots drawn; `runs`, when given, becomes `data-runs`. `names` gives each student's shown name.
#[component]
pub fn Scatter(
    #[prop(into)] points: Signal<Vec<Point>>,
    #[prop(into)] names: Signal<BTreeMap<u32, String>>,
    #[prop(optional, into)] runs: Option<Signal<usize>>,
    /// The lower end the log axis shows at least, and the upper.
    axis: (f64, f64),
    /// The x value's short name in a tooltip ("lr", "ε").
    x_name: Text,
    x_label: Text,
    y_label: Text,
    testid: &'static str,
    aria: Text,
) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let range = move || points.with(|p| log_range(p.iter().map(|q| q.x), axis.0, axis.1));
    let x_of = move |v: f64, (lo, hi): (f64, f64)| LEFT + pw * log_position(v, lo, hi);
    let y_of = move |a: f64| TOP + ph * (1.0 - a.clamp(0.0, 1.0));
    let diverged = move || points.with(|p| p.iter().any(|q| q.figure == Figure::Diverged));
    view! {
        <svg class="line-chart class-scatter" data-testid=testid viewBox=format!("0 0 {W} {H}") role="img"
            data-points=move || points.with(Vec::len).to_string()
            data-runs=move || runs.map(|r| r.get().to_string())
            aria-label=move || aria.get(lang.get())>
            {move || {
                let r = range();
                let lang = lang.get();
                view! {
                    {[0.0, 0.25, 0.5, 0.75, 1.0].into_iter().map(|a| {
                        let y = y_of(a);
                        view! {
                            <line x1=LEFT x2=W - RIGHT y1=y y2=y class="grid" />
                            <text x=LEFT - 6.0 y=y + 4.0 class="tick" text-anchor="end">{percent(lang, a, 0)}</text>
                        }
                    }).collect_view()}
                    {decades(r.0, r.1).into_iter().map(|v| {
                        let x = x_of(v, r);
                        view! {
                            <line x1=x x2=x y1=TOP y2=TOP + ph class="grid" />
                            <text x=x y=H - BOTTOM + 16.0 class="tick" text-anchor="middle">{tick_label(v)}</text>
                        }
                    }).collect_view()}
                    <text x=LEFT + pw / 2.0 y=H - 4.0 class="axis" text-anchor="middle">{x_label.get(lang)}</text>
                    <text x="12" y=TOP + ph / 2.0 class="axis" text-anchor="middle"
                        transform=format!("rotate(-90 12 {})", TOP + ph / 2.0)>{y_label.get(lang)}</text>
                    {names.with(|names| points.get().into_iter().map(|p| {
                        let name = names.get(&p.student).cloned().unwrap_or_else(|| p.student.to_string());
                        let tip = tooltip(&p, &name, x_name.get(lang), lang);
                        view! {
                            <g class="class-dot-mark" data-student=p.student.to_string() data-run=p.run.to_string()
                                data-x=p.x.to_string() data-y=p.y.to_string() data-figure=format!("{:?}", p.figure).to_lowercase()>
                                <title>{tip}</title>
                                {mark(&p, x_of(p.x, r), y_of(p.y))}
                            </g>
                        }
                    }).collect_view())}
                    {diverged().then(|| view! {
                        <text x=W - RIGHT - 4.0 y=TOP + ph - 6.0 class="tick class-legend" text-anchor="end">
                            {text::LEGEND_DIVERGED.get(lang)}</text>
                    })}
                }
            }}
        </svg>
    }
}

/// A student's validation accuracy as a small line (0 to 100 %).
pub fn sparkline(points: &[(u32, f64)]) -> impl IntoView + use<> {
    let last_step = points.last().map_or(1.0, |p| f64::from(p.0).max(1.0));
    let line = points
        .iter()
        .map(|&(s, a)| {
            format!(
                "{:.1},{:.1}",
                100.0 * f64::from(s) / last_step,
                22.0 - 20.0 * a.clamp(0.0, 1.0)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="class-spark" viewBox="0 0 100 24" preserveAspectRatio="none" aria-hidden="true">
            <polyline points=line />
        </svg>
    }
}

/// The QR code of `url` as SVG markup (the qrcode crate's own renderer), or `None` for a URL too long
/// to encode.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build();
    // Inline in HTML: the XML declaration is not wanted.
    Some(match svg.find("<svg") {
        Some(at) => svg[at..].to_string(),
        None => svg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_axis_puts_decades_evenly() {
        assert_eq!(log_position(0.001, 0.001, 10.0), 0.0);
        assert_eq!(log_position(10.0, 0.001, 10.0), 1.0);
        assert!((log_position(0.1, 0.001, 10.0) - 0.5).abs() < 1e-12);
        assert_eq!(log_position(1e-9, 0.001, 10.0), 0.0, "clamped");
        assert_eq!(log_position(0.0, 0.001, 10.0), 0.0);
        // The axis grows to whole decades around the data.
        assert_eq!(
            log_range([0.0005, 3.0].into_iter(), 1e-3, 10.0),
            (1e-4, 10.0)
        );
        assert_eq!(
            log_range([20.0, f64::NAN].into_iter(), 1e-3, 10.0),
            (1e-3, 100.0)
        );
        let d = decades(1e-3, 10.0);
        assert_eq!(d.len(), 5);
        assert_eq!(
            d.iter().map(|&v| tick_label(v)).collect::<Vec<_>>(),
            ["0.001", "0.01", "0.1", "1", "10"]
        );
    }

    #[test]
    fn small_rates_are_not_printed_as_zero() {
        assert_eq!(tick_label(1e-7), "1e-7");
        assert_eq!(tick_label(3.2e-5), "3.2e-5");
        assert_eq!(tick_label(0.0001), "0.0001");
        assert_eq!(tick_label(0.0316), "0.0316");
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(
            decades(1e-7, 1e-5)
                .iter()
                .map(|&v| tick_label(v))
                .collect::<Vec<_>>(),
            ["1e-7", "1e-6", "1e-5"]
        );
    }

    #[test]
    fn a_dot_says_who_when_and_which_figure() {
        let mut p = Point {
            x: 0.1,
            y: 0.91,
            student: 3,
            run: 2,
            step: 9375,
            figure: Figure::Test,
            optimizer: "sgd".into(),
        };
        assert_eq!(
            tooltip(&p, "Blue Otter", "lr", Lang::En),
            "Blue Otter · lr 0.1 · step 9,375 · test 91.0 %"
        );
        p.figure = Figure::Validation;
        assert_eq!(
            tooltip(&p, "蓝水獭", "学习率", Lang::Zh),
            "蓝水獭 · 学习率 0.1 · 第 9,375 步 · 验证 91.0%"
        );
        p.figure = Figure::Diverged;
        p.step = 40;
        assert_eq!(
            tooltip(&p, "Blue Otter", "lr", Lang::En),
            "Blue Otter · lr 0.1 · diverged at step 40"
        );
    }

    #[test]
    fn the_join_url_becomes_an_svg_qr_code() {
        let svg = qr_svg("http://192.168.1.20:8080/?class=ABCDEF").unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<path"),
            "{}",
            &svg[..80]
        );
        assert!(
            !svg.contains("style="),
            "the page's CSP allows no inline styles"
        );
    }
}
