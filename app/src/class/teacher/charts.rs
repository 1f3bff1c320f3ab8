//! The dashboard's own drawings: the pooled scatter charts (learning rate on a log axis, or ε on a
//! linear one, against accuracy, one dot per student run), a student's sparkline, and the join URL's
//! QR code. SVG with attributes only (the page's CSP allows no inline styles).

use leptos::prelude::*;

use crate::ui::i18n::{Lang, Text};

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

fn tick_label(v: f64) -> String {
    // 0.001 … 10 as written in a form, not 1e-3.
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

const W: f64 = 640.0;
const H: f64 = 300.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 36.0;

/// A scatter chart of `(x, accuracy, student)` points; `log` puts x on a log axis.
#[component]
pub fn Scatter(
    #[prop(into)] points: Signal<Vec<(f64, f64, u32)>>,
    log: bool,
    x_label: Text,
    y_label: Text,
    testid: &'static str,
    aria: Text,
) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let range = move || {
        points.with(|p| {
            if log {
                log_range(p.iter().map(|q| q.0), 1e-3, 10.0)
            } else {
                let hi = p.iter().map(|q| q.0).fold(1.0f64, f64::max);
                (0.0, (hi * 1.1).ceil())
            }
        })
    };
    let x_of = move |v: f64, (lo, hi): (f64, f64)| {
        LEFT + pw
            * if log {
                log_position(v, lo, hi)
            } else {
                ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
            }
    };
    let y_of = move |a: f64| TOP + ph * (1.0 - a.clamp(0.0, 1.0));
    view! {
        <svg class="line-chart class-scatter" data-testid=testid viewBox=format!("0 0 {W} {H}") role="img"
            data-points=move || points.with(Vec::len).to_string() aria-label=move || aria.get(lang.get())>
            {move || {
                let r = range();
                let x_ticks: Vec<f64> = if log {
                    decades(r.0, r.1)
                } else {
                    let step = ((r.1 - r.0) / 5.0).max(1.0).ceil();
                    (0..=((r.1 - r.0) / step) as usize).map(|i| r.0 + i as f64 * step).collect()
                };
                view! {
                    {[0.0, 0.25, 0.5, 0.75, 1.0].into_iter().map(|a| {
                        let y = y_of(a);
                        view! {
                            <line x1=LEFT x2=W - RIGHT y1=y y2=y class="grid" />
                            <text x=LEFT - 6.0 y=y + 4.0 class="tick" text-anchor="end">{format!("{:.0}%", a * 100.0)}</text>
                        }
                    }).collect_view()}
                    {x_ticks.into_iter().map(|v| {
                        let x = x_of(v, r);
                        view! {
                            <line x1=x x2=x y1=TOP y2=TOP + ph class="grid" />
                            <text x=x y=H - BOTTOM + 16.0 class="tick" text-anchor="middle">{tick_label(v)}</text>
                        }
                    }).collect_view()}
                    <text x=LEFT + pw / 2.0 y=H - 4.0 class="axis" text-anchor="middle">{move || x_label.get(lang.get())}</text>
                    <text x="12" y=TOP + ph / 2.0 class="axis" text-anchor="middle"
                        transform=format!("rotate(-90 12 {})", TOP + ph / 2.0)>{move || y_label.get(lang.get())}</text>
                    {points.get().into_iter().map(|(x, a, student)| view! {
                        <circle cx=x_of(x, r) cy=y_of(a) r="6" class="class-point" data-student=student.to_string()
                            data-x=x.to_string() data-y=a.to_string()>
                            <title>{format!("{} · {:.1}%", tick_label(x), a * 100.0)}</title>
                        </circle>
                    }).collect_view()}
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
