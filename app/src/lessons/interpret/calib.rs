//! Step 7's calibration: the test images' reliability diagram, ECE and NLL before and after
//! temperature scaling, with T cross-fitted on the test images (fitted on the even ones and checked on
//! the odd ones, and the other way round; the worker's [`super::protocol::Query::Calibration`]).

use leptos::prelude::*;

use super::panels::ask;
use super::protocol::Client;
use super::protocol::{CalibrationView, ModelChoice, Query, Reply, Source};
use super::state::State;
use super::text::ui;
use crate::ui::i18n::{Lang, Text, percent};
use kernels::calibration::Bin;

/// Percent with two decimals (ECE values are small), as `lang` writes it.
fn pct(lang: Lang, v: f32) -> String {
    percent(lang, f64::from(v), 2)
}

/// The reliability diagram: per confidence bin, the accuracy before (red) and after (blue)
/// temperature scaling as side-by-side bars, against the diagonal of perfect calibration. Empty bins
/// draw no bar.
fn diagram(before: &[Bin], after: &[Bin], lang: RwSignal<Lang>) -> impl IntoView {
    let (w, h, left, bottom, top) = (360.0f64, 240.0f64, 36.0f64, 28.0f64, 8.0f64);
    let (pw, ph) = (w - left - 8.0, h - bottom - top);
    let k = before.len().max(1) as f64;
    let x = move |v: f64| left + v * pw;
    let y = move |v: f64| top + (1.0 - v) * ph;
    let bars = |bins: &[Bin], offset: f64, colour: &'static str, class: &'static str| {
        bins.iter()
            .enumerate()
            .filter(|(_, b)| b.count > 0)
            .map(|(i, b)| {
                let bw = pw / k / 2.0 - 1.0;
                let x0 = x(i as f64 / k) + offset * (bw + 1.0) + 0.5;
                let top_y = y(f64::from(b.accuracy));
                let (count, accuracy) = (b.count, b.accuracy);
                view! {
                    <rect class=class x=x0 y=top_y width=bw height=(y(0.0) - top_y).max(0.0) fill=colour
                        data-bin=i data-count=b.count data-accuracy=b.accuracy.to_string() data-confidence=b.confidence.to_string()>
                        <title>{move || format!("{i} · n = {count} · {}", percent(lang.get(), f64::from(accuracy), 1))}</title></rect>
                }
            })
            .collect_view()
    };
    let ticks = [0.0, 0.5, 1.0];
    view! {
        <figure>
            <svg class="reliability" data-testid="reliability-diagram" data-bins=before.len() viewBox=format!("0 0 {w} {h}") width=w height=h role="img"
                aria-label=move || ui::RELIABILITY.get(lang.get()).to_string()>
                {bars(before, 0.0, "#c0392b", "before")}
                {bars(after, 1.0, "#2e86c1", "after")}
                <line x1=x(0.0) y1=y(0.0) x2=x(1.0) y2=y(1.0) stroke="#888" stroke-dasharray="4 3" />
                <line x1=x(0.0) y1=y(0.0) x2=x(1.0) y2=y(0.0) stroke="currentColor" />
                <line x1=x(0.0) y1=y(0.0) x2=x(0.0) y2=y(1.0) stroke="currentColor" />
                {ticks.iter().map(|&t| view! {
                    <text x=x(t) y=h - bottom + 14.0 text-anchor="middle" font-size="11" fill="currentColor">{format!("{t}")}</text>
                    <text x=left - 4.0 y=y(t) + 4.0 text-anchor="end" font-size="11" fill="currentColor">{format!("{t}")}</text>
                }).collect_view()}
                <text x=x(0.5) y=h - 2.0 text-anchor="middle" font-size="11" fill="currentColor">{move || ui::CONFIDENCE.get(lang.get())}</text>
            </svg>
            <figcaption>{move || ui::RELIABILITY.get(lang.get())}</figcaption>
        </figure>
    }
}

/// Why T is fitted on the test images, for the model explained: only the shipped models' training
/// images are known.
fn why_test_images(source: Option<Source>) -> Text {
    match source {
        Some(Source::Shipped(ModelChoice::Shipped)) => ui::CAL_SEEN,
        Some(Source::Shipped(ModelChoice::Small)) => ui::CAL_SEEN_SMALL,
        Some(Source::File | Source::Live(_)) | None => ui::CAL_SEEN_UNKNOWN,
    }
}

/// The calibration panel: asked once when the step opens.
pub fn calibration(client: Client, state: State, lang: RwSignal<Lang>) -> impl IntoView {
    let view_ = RwSignal::new(None::<CalibrationView>);
    ask(&client, Query::Calibration, move |r| {
        if let Reply::Calibration(c) = r {
            view_.set(Some(*c));
        }
    });
    view! {
        <h3>{move || ui::CALIBRATION.get(lang.get())}</h3>
        {move || match view_.get() {
            None => view! { <p class="hint" data-testid="calibration-wait">{move || ui::CAL_MEASURING.get(lang.get())}</p> }.into_any(),
            Some(c) => {
                let (before, fit, held) = c.ece;
                let (nb, nf, nh) = c.nll;
                let (te, to) = c.temperature;
                let t = (te + to) / 2.0;
                let (lo, hi) = c.change_band;
                let change = held - before;
                // A change counts only when its bootstrap interval leaves 0 out.
                let (better, worse) = (hi < 0.0, lo > 0.0);
                let acc = c.test_accuracy;
                let n = c.test;
                let side = |t: f32| if t > 1.05 { 1 } else if t < 0.95 { -1 } else { 0 };
                let t_line = match (side(te), side(to)) {
                    (1, 1) => ui::CAL_OVER,
                    (-1, -1) => ui::CAL_UNDER,
                    (0, 0) => ui::CAL_CALIBRATED,
                    _ => ui::CAL_MIXED,
                };
                let verdict = if better { ui::CAL_TEST_BETTER } else if worse { ui::CAL_TEST_WORSE } else { ui::CAL_TEST_NOISE };
                let points = |v: f32| format!("{:+.2}", v * 100.0);
                view! {
                    <table class="numbers" data-testid="calibration-ece" data-value=before.to_string()
                        data-val-before=before.to_string() data-val-after=fit.to_string()
                        data-test-before=before.to_string() data-test-after=held.to_string()
                        data-change-lo=lo.to_string() data-change-hi=hi.to_string()
                        data-nll-before=nb.to_string() data-nll-after=nh.to_string() data-temperature=t.to_string()>
                        <thead><tr><th>{move || ui::CAL_SPLIT.get(lang.get())}</th><th>"ECE"</th><th>"NLL"</th></tr></thead>
                        <tbody>
                            <tr><td>{move || ui::CAL_ROW_BEFORE.get(lang.get())}{format!(" (n = {n})")}</td>
                                <td data-testid="calibration-ece-test-before" data-value=before.to_string()>{move || pct(lang.get(), before)}</td>
                                <td data-testid="calibration-nll-before" data-value=nb.to_string()>{format!("{nb:.4}")}</td></tr>
                            <tr><td>{move || ui::CAL_ROW_FIT.get(lang.get())}</td>
                                <td data-testid="calibration-ece-val-after" data-value=fit.to_string()>{move || pct(lang.get(), fit)}</td>
                                <td data-testid="calibration-nll-fit" data-value=nf.to_string()>{format!("{nf:.4}")}</td></tr>
                            <tr><td>{move || ui::CAL_ROW_HELD.get(lang.get())}</td>
                                <td data-testid="calibration-ece-test-after" data-value=held.to_string()>{move || pct(lang.get(), held)}</td>
                                <td data-testid="calibration-nll-after" data-value=nh.to_string()>{format!("{nh:.4}")}</td></tr>
                        </tbody>
                        <caption>{format!("ECE, {} bins · {:.0} ms", kernels::calibration::BINS, c.ms)}</caption>
                    </table>
                    <p data-testid="calibration-temperature" data-value=t.to_string() data-even=te.to_string() data-odd=to.to_string()>
                        {move || ui::CAL_T.get(lang.get())}{format!(" {te:.2}; ")}{move || ui::CAL_T_ODD.get(lang.get())}{format!(" {to:.2}. ")}
                        {move || t_line.get(lang.get())}</p>
                    <p data-testid="calibration-verdict" data-better=better.to_string() data-worse=worse.to_string()
                        class=if better { "good" } else if worse { "bad" } else { "" }>
                        {move || ui::CAL_CHANGE.get(lang.get()).replace("{d}", &points(change)).replace("{lo}", &points(lo))
                            .replace("{hi}", &points(hi)).replace("{n}", &c.draws.to_string())}
                        {move || if lang.get() == Lang::En { " " } else { "" }}{move || verdict.get(lang.get())}{move || match lang.get() {
                            Lang::En => format!(" {}.", percent(Lang::En, f64::from(acc), 1)),
                            Lang::Zh => format!("{}。", percent(Lang::Zh, f64::from(acc), 1)),
                        }}</p>
                    <p class="hint" data-testid="calibration-seen">{move || why_test_images(state.source.get()).get(lang.get())}</p>
                    {diagram(&c.bins.0, &c.bins.1, lang)}
                }.into_any()
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::{ModelChoice, Source, why_test_images};

    #[test]
    fn only_the_shipped_model_is_said_to_have_seen_all_60000_training_images() {
        assert!(
            why_test_images(Some(Source::Shipped(ModelChoice::Shipped)))
                .en
                .contains("60,000")
        );
        for s in [
            Some(Source::Shipped(ModelChoice::Small)),
            Some(Source::File),
            Some(Source::Live(10)),
            None,
        ] {
            let t = why_test_images(s);
            assert!(
                !t.en.contains("60,000") && !t.zh.contains("60,000"),
                "{}",
                t.en
            );
        }
        assert!(why_test_images(Some(Source::File)).en.contains("not known"));
    }
}
