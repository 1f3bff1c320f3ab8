//! Live plots (SVG line charts), the weight grid, and the confusion matrix.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::i18n::{self, Lang, Text, tx};
use super::line_chart::{ACCURACY, LOSS, LineChart, STEP, Series, thin};
use crate::history::LossHistory;

const UNITS_SHOWN: Text = tx("{n} hidden units shown", "显示了 {n} 个隐藏单元");
const AFTER_EVALUATION: Text = tx("Appears after the first evaluation.", "第一次评估后显示。");
const CLICK_A_CELL: Text = tx(
    "Click a cell to see its validation images.",
    "点击格子查看对应的验证集图像。",
);
const CELL: Text = tx(
    "{total} validation images of {truth} predicted as {predicted}",
    "{total} 张真实为 {truth}、被预测为 {predicted} 的验证集图像",
);
const FIRST_SHOWN: Text = tx(" (first {count} shown)", "（显示前 {count} 张）");
const CELL_BUTTON: Text = tx(
    "{n} validation images of {truth} predicted as {predicted}",
    "{n} 张真实为 {truth}、被预测为 {predicted} 的验证集图像",
);
const WEIGHTS_LABEL: Text = tx("first-layer weights", "第一层权重");
const TRUE_ARROW: Text = tx("true ↓", "真实↓");
const PREDICTED_ARROW: Text = tx("predicted →", "预测→");
const LEGEND_RAW: Text = tx(
    "each step's loss (one batch: noisy)",
    "每一步的损失（一个批次：有噪声）",
);
const LEGEND_SMOOTHED: Text = tx(
    "smoothed (exponential moving average: it starts at the first losses and lags behind while they fall fast)",
    "平滑后（指数移动平均：从最初的损失开始，在损失快速下降时会滞后）",
);

/// First-layer weights as an RGBA image.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightsImage {
    pub width: u32,
    pub height: u32,
    pub units: usize,
    pub rgba: Vec<u8>,
}

/// The test images of one confusion-matrix cell.
#[derive(Clone, Debug, PartialEq)]
pub struct CellView {
    pub truth: u8,
    pub predicted: u8,
    pub pixels: Vec<u8>,
    pub count: usize,
    pub total: usize,
}

/// Training loss per step: raw (light) and smoothed (dark).
#[component]
pub fn LossPlot(losses: RwSignal<LossHistory>) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let series = Signal::derive(move || {
        losses.with(|history| {
            let raw = history.points();
            let alpha = (20.0 / history.len().max(20) as f32).clamp(0.01, 0.3);
            // One bucket holds `width` steps: smooth as strongly per step as a loss-by-loss curve would.
            let width = history.len() as f64 / raw.len().max(1) as f64;
            let alpha = 1.0 - (1.0 - alpha).powf(width as f32);
            let means: Vec<f32> = raw.iter().map(|&(_, m)| m as f32).collect();
            let smoothed = kernels::training::smooth(&means, alpha)
                .into_iter()
                .zip(&raw)
                .map(|(v, &(x, _))| (x, f64::from(v)))
                .collect();
            vec![
                Series {
                    points: thin(raw, 1500),
                    class: "raw",
                    dots: false,
                },
                Series {
                    points: thin(smoothed, 1500),
                    class: "smoothed",
                    dots: false,
                },
            ]
        })
    });
    view! {
        <LineChart series=series x_label=STEP y_label=LOSS testid="loss-plot"
            aria=i18n::tx("training loss per step, raw and smoothed", "每一步的训练损失，原始与平滑") width=760.0 height=300.0 />
        <p class="legend" data-testid="loss-legend">
            <span class="swatch raw"></span>{move || LEGEND_RAW.get(lang.get())}
            <span class="swatch smoothed"></span>{move || LEGEND_SMOOTHED.get(lang.get())}
        </p>
    }
}

/// Test accuracy per evaluation.
#[component]
pub fn AccuracyPlot(evals: RwSignal<Vec<(u64, f32, f32)>>) -> impl IntoView {
    let series = Signal::derive(move || {
        evals.with(|e| {
            vec![Series {
                points: e
                    .iter()
                    .map(|&(step, acc, _)| (step as f64, f64::from(acc)))
                    .collect(),
                class: "accuracy",
                dots: true,
            }]
        })
    });
    view! {
        <LineChart series=series y_top=1.0 y_percent=true zoom=true x_label=STEP y_label=ACCURACY
            testid="accuracy-plot" aria=i18n::tx("test accuracy per evaluation", "每次评估的测试准确率") width=460.0 height=300.0 />
    }
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

fn put_rgba(canvas: &HtmlCanvasElement, w: u32, h: u32, rgba: &[u8]) {
    canvas.set_width(w);
    canvas.set_height(h);
    if let (Some(ctx), Ok(img)) = (
        context(canvas),
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), w, h),
    ) {
        let _ = ctx.put_image_data(&img, 0.0, 0.0);
    }
}

/// The first layer's weights as tiles.
#[component]
pub fn WeightsGrid(weights: RwSignal<Option<WeightsImage>>) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        weights.with(|w| {
            if let (Some(c), Some(img)) = (canvas.get(), w) {
                put_rgba(&c, img.width, img.height, &img.rgba);
            }
        })
    });
    view! {
        <canvas node_ref=canvas class="pixelated weights" data-testid="weights" aria-label=move || WEIGHTS_LABEL.get(lang.get())></canvas>
        <p class="caption" data-testid="weights-caption">{move || weights.with(|w| w.as_ref().map_or(String::new(), |img| UNITS_SHOWN.get(lang.get()).replace("{n}", &img.units.to_string())))}</p>
    }
}

/// Grey images (`count × 784` bytes) as an RGBA grid, 8 per row.
fn images_rgba(pixels: &[u8], count: usize) -> (u32, u32, Vec<u8>) {
    let per_row = count.clamp(1, 8);
    let rows = count.div_ceil(per_row).max(1);
    let (w, h) = (per_row * 30, rows * 30);
    let mut rgba = vec![255u8; w * h * 4];
    for (n, img) in pixels.chunks_exact(784).take(count).enumerate() {
        let (ox, oy) = ((n % per_row) * 30 + 1, (n / per_row) * 30 + 1);
        for (i, &p) in img.iter().enumerate() {
            let at = ((oy + i / 28) * w + ox + i % 28) * 4;
            let v = 255 - p;
            rgba[at..at + 4].copy_from_slice(&[v, v, v, 255]);
        }
    }
    (w as u32, h as u32, rgba)
}

/// A confusion matrix (`classes × classes` counts, row = true class) whose cells ask for their images
/// through `on_cell(truth, predicted)`; `cell` holds the images last received.
#[component]
pub fn Confusion(
    confusion: RwSignal<(Vec<u32>, usize)>,
    cell: RwSignal<Option<CellView>>,
    on_cell: Callback<(u8, u8)>,
) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        cell.with(|cell| {
            if let (Some(c), Some(cell)) = (canvas.get(), cell) {
                let (w, h, rgba) = images_rgba(&cell.pixels, cell.count);
                put_rgba(&c, w, h, &rgba);
            }
        })
    });
    // One tab stop for the whole matrix (roving focus): Tab enters at the last focused cell, the arrow
    // keys move within it, Enter or Space opens a cell.
    let focus = RwSignal::new((0usize, 0usize));
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        let k = confusion.with_untracked(|c| c.1);
        let (t, p) = focus.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowUp" => (t.saturating_sub(1), p),
            "ArrowDown" => ((t + 1).min(k.saturating_sub(1)), p),
            "ArrowLeft" => (t, p.saturating_sub(1)),
            "ArrowRight" => (t, (p + 1).min(k.saturating_sub(1))),
            "Home" => (t, 0),
            "End" => (t, k.saturating_sub(1)),
            _ => return,
        };
        ev.prevent_default();
        // The arrows move in the matrix, not between the lesson's steps.
        ev.stop_propagation();
        focus.set(next);
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!("[data-testid=cell-{}-{}]", next.0, next.1))
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    };
    view! {
        {move || {
            let (m, k) = confusion.get();
            if m.len() != k * k || k == 0 {
                return view! { <p class="hint">{move || AFTER_EVALUATION.get(lang.get())}</p> }.into_any();
            }
            view! {
                <div class="scroll-x"><table class="confusion" data-testid="confusion" on:keydown=keys>
                    <thead><tr><th scope="col" class="corner"><span>{move || TRUE_ARROW.get(lang.get())}</span> <span>{move || PREDICTED_ARROW.get(lang.get())}</span></th>{(0..k).map(|p| view! { <th scope="col">{p}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {(0..k).map(|t| {
                            let row_total: u32 = m[t * k..(t + 1) * k].iter().sum::<u32>().max(1);
                            view! {
                                <tr><th scope="row">{t}</th>
                                {(0..k).map(|p| {
                                    let v = m[t * k + p];
                                    let frac = v as f32 / row_total as f32;
                                    // Set through the CSSOM (`style:`), which the content security policy allows.
                                    let background = if t == p {
                                        format!("rgba(40,160,80,{:.2})", 0.15 + 0.85 * frac)
                                    } else {
                                        format!("rgba(220,60,60,{:.2})", (frac * 4.0).min(1.0))
                                    };
                                    let label = move || CELL_BUTTON.get(lang.get()).replace("{n}", &v.to_string())
                                        .replace("{truth}", &t.to_string()).replace("{predicted}", &p.to_string());
                                    view! {
                                        <td style:background=background>
                                            <button data-testid=format!("cell-{t}-{p}") aria-label=label
                                                tabindex=move || if focus.get() == (t, p) { "0" } else { "-1" }
                                                on:click=move |_| { focus.set((t, p)); on_cell.run((t as u8, p as u8)) }>{v}</button>
                                        </td>
                                    }
                                }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any()
        }}
        <p class="caption" data-testid="cell-caption">{move || cell.with(|c| c.as_ref().map_or(CLICK_A_CELL.get(lang.get()).to_string(), |c| {
            let lang = lang.get();
            let first = if c.count < c.total { FIRST_SHOWN.get(lang).replace("{count}", &c.count.to_string()) } else { String::new() };
            CELL.get(lang).replace("{total}", &c.total.to_string()).replace("{truth}", &c.truth.to_string())
                .replace("{predicted}", &c.predicted.to_string()) + &first
        }))}</p>
        <canvas node_ref=canvas class="pixelated cell-images" data-testid="cell-images"></canvas>
    }
}
