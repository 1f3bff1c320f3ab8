//! Step 3: the backward pass, stage by stage, each tensor read back from the kernels and shown next to
//! the shipped WGSL that computed it.

use leptos::prelude::*;

use super::panels::FC1;
use super::text::ui;
use super::{Choice, HIDDEN};
use crate::lessons::live_model::ImagePicker;
use crate::lessons::live_model::live_answer;
use crate::lessons::live_model::protocol::{BackwardView, Query, Reply};
use crate::ui::formula::{Formula, num, tex};
use crate::ui::heatmap::{Heatmap, Layout};
use crate::ui::i18n::Lang;

/// WGSL as the kernels ship it: comments dimmed, keywords bold, and the lines that contain one of
/// `marks` highlighted (the product this stage is about).
#[component]
pub fn KernelSource(
    file: &'static str,
    source: &'static str,
    marks: &'static [&'static str],
) -> impl IntoView {
    const KEYWORDS: [&str; 12] = [
        "fn",
        "let",
        "var",
        "struct",
        "for",
        "if",
        "return",
        "override",
        "select",
        "@compute",
        "@workgroup_size",
        "workgroupBarrier",
    ];
    let line = |l: &'static str| {
        let marked = marks.iter().any(|m| l.contains(m));
        let body = if l.trim_start().starts_with("//") {
            view! { <span class="comment">{l}</span> }.into_any()
        } else {
            l.split_inclusive(|c: char| !(c.is_alphanumeric() || c == '_' || c == '@'))
                .map(|tok| {
                    let word = tok
                        .trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_' || c == '@'));
                    if KEYWORDS.contains(&word) {
                        let rest = &tok[word.len()..];
                        view! { <b>{word}</b>{rest} }.into_any()
                    } else {
                        view! { {tok} }.into_any()
                    }
                })
                .collect_view()
                .into_any()
        };
        view! { <span class="line" class:marked=marked>{body}"\n"</span> }
    };
    let lang = expect_context::<RwSignal<Lang>>();
    // Said as what ran: on the CPU engine this WGSL is what the GPU engine would have run.
    let live = expect_context::<crate::lessons::live_model::Live>();
    let kind = move || live.status.engine.get().map(|e| e.kind);
    let caption = move || match kind() {
        Some(kernels::EngineKind::Gpu) | None => ui::SOURCE,
        Some(_) => ui::SOURCE_ON_CPU,
    };
    view! {
        <figure class="kernel-source" data-testid="kernel-source" data-file=file
            data-engine=move || kind().map(crate::client::engine_label)>
            <figcaption>{move || caption().get(lang.get())} ": " <code>{format!("kernels/shaders/{file}")}</code></figcaption>
            <pre tabindex="0" aria-label=file><code>{source.lines().map(line).collect_view()}</code></pre>
        </figure>
    }
}

/// The three stages.
#[component]
pub fn BackwardPanel(choice: Choice) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let stage = RwSignal::new(1usize);
    let Choice { image, rows, .. } = choice;
    let tensors = live_answer(
        move || Some((image.get(), rows.get())),
        |&(image, rows)| Query::Backward { image, rows },
        |r| match r {
            Reply::Backward(v) => Some(v),
            _ => None,
        },
    );
    let pick = move |f: fn(&BackwardView) -> Vec<f32>| {
        Signal::derive(move || tensors.get().map(|t| f(&t)).unwrap_or_default())
    };
    let n = move || tensors.get().map_or(rows.get_untracked(), |t| t.rows);
    let aria = move |t: ui::TextRef| Signal::derive(move || t.get(lang.get()).to_string());
    // What a heat-map's rows and columns are, and the value its deepest red and blue stand for.
    let caption = move |what: ui::TextRef, values: Signal<Vec<f32>>, testid: &'static str| {
        let max = move || values.with(|v| v.iter().fold(0.0f32, |m, x| m.max(x.abs())));
        view! {
            <p class="caption" data-testid=testid data-value=move || max().to_string()>
                {move || what.get(lang.get())} " · "
                {move || ui::SCALE.get(lang.get()).replace("{max}", &num(f64::from(max())))}
            </p>
        }
    };
    let stage_view = move || {
        let b = n();
        match stage.get() {
            1 => view! {
                <Formula mathml=tex::DELTA_OUTPUT />
                <Heatmap values=pick(|t| t.delta_out.clone()) layout=Layout::Matrix { rows: b, cols: 10 } px=16
                    testid="delta-out" aria=aria(ui::DELTA_OUT_ARIA) />
                {caption(ui::DELTA_OUT_ARIA, pick(|t| t.delta_out.clone()), "delta-out-scale")}
                <KernelSource file="head.wgsl" source=kernels::ops::head::SOURCE
                    marks=&["dlogits[", "grad_scale"] />
            }.into_any(),
            2 => view! {
                <Formula mathml=tex::DELTA_HIDDEN />
                <Heatmap values=pick(|t| t.delta_hidden.clone()) layout=Layout::Matrix { rows: b, cols: HIDDEN } px=10
                    testid="delta-hidden" aria=aria(ui::DELTA_HIDDEN_ARIA) />
                {caption(ui::DELTA_HIDDEN_ARIA, pick(|t| t.delta_hidden.clone()), "delta-hidden-scale")}
                <KernelSource file="head.wgsl" source=kernels::ops::head::SOURCE
                    marks=&["dx[r, k]", "g = fma(z[c]", "dx[x0 + k]"] />
            }.into_any(),
            _ => view! {
                <Formula mathml=tex::WEIGHT_GRADIENT />
                <div class="two">
                    <div>
                        <Heatmap values=pick(|t| t.grad_fc2.clone()) layout=Layout::Matrix { rows: 10, cols: HIDDEN } px=12
                            testid="grad-fc2" aria=aria(ui::GRAD_FC2_ARIA) />
                        {caption(ui::GRAD_FC2_ARIA, pick(|t| t.grad_fc2.clone()), "grad-fc2-scale")}
                    </div>
                    <div>
                        <Heatmap values=pick(|t| t.grad_fc1.clone()) layout=FC1 px=3
                            testid="grad-fc1" aria=aria(ui::GRAD_FC1_ARIA) />
                        {caption(ui::GRAD_FC1_ARIA, pick(|t| t.grad_fc1.clone()), "grad-fc1-scale")}
                    </div>
                </div>
                <KernelSource file="linear.wgsl" source=kernels::ops::linear::SOURCE
                    marks=&["grad weight", "FLAG_ROW_SUMS   sums"] />
            }.into_any(),
        }
    };
    let titles = [ui::STAGE_OUT, ui::STAGE_HIDDEN, ui::STAGE_WEIGHTS];
    let at_first = move || stage.get() <= 1;
    let at_last = move || stage.get() >= 3;
    view! {
        <div class="panel wide">
            <div class="fields">
                <ImagePicker image=image />
            </div>
            <ol class="stages">
                {titles.iter().enumerate().map(|(i, t)| {
                    let t = *t;
                    view! { <li class:current=move || stage.get() == i + 1>{move || t.get(lang.get())}</li> }
                }).collect_view()}
            </ol>
            <div class="buttons">
                <button data-testid="backward-back" disabled=at_first on:click=move |_| stage.update(|s| *s = s.saturating_sub(1).max(1))>
                    {move || ui::PREV_STAGE.get(lang.get())}</button>
                <button data-testid="backward-step" disabled=at_last on:click=move |_| stage.update(|s| *s = (*s + 1).min(3))>
                    {move || ui::NEXT_STAGE.get(lang.get())}</button>
            </div>
            <p class="hint" data-testid="backward-stage" data-value=move || stage.get().to_string()>{move || ui::COLOURS.get(lang.get())}</p>
            {stage_view}
        </div>
    }
}
