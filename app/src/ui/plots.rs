//! Live plots (plotters' canvas backend), the weight grid, and the confusion matrix.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::State;
use crate::protocol::ToWorker;

/// At most `max` points, evenly spaced, so redraws stay cheap on long runs.
fn thin(points: Vec<(usize, f32)>, max: usize) -> Vec<(usize, f32)> {
    if points.len() <= max {
        return points;
    }
    let stride = points.len().div_ceil(max);
    points.into_iter().step_by(stride).collect()
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

fn draw_loss(canvas: HtmlCanvasElement, losses: &[f32]) -> Result<(), String> {
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let finite: Vec<f32> = losses.iter().copied().filter(|v| v.is_finite()).collect();
    let top = finite.iter().copied().fold(0.5f32, f32::max).min(10.0) * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(52)
        .build_cartesian_2d(0..losses.len().max(10), 0f32..top)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("loss")
        .label_style(("sans-serif", 15))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(|e| e.to_string())?;
    let raw = thin(losses.iter().copied().enumerate().collect(), 1500);
    chart
        .draw_series(LineSeries::new(raw, RGBColor(160, 195, 235)))
        .map_err(|e| e.to_string())?;
    let alpha = (20.0 / losses.len().max(20) as f32).clamp(0.01, 0.3);
    let smoothed = thin(
        kernels::training::smooth(losses, alpha)
            .into_iter()
            .enumerate()
            .collect(),
        1500,
    );
    chart
        .draw_series(LineSeries::new(smoothed, BLUE.stroke_width(3)))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

fn draw_accuracy(canvas: HtmlCanvasElement, evals: &[(u64, f32, f32)]) -> Result<(), String> {
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let last = evals.last().map_or(10, |e| e.0 as usize).max(10);
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(52)
        .build_cartesian_2d(0..last, 0f32..100f32)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("accuracy %")
        .label_style(("sans-serif", 15))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(|e| e.to_string())?;
    let pts: Vec<(usize, f32)> = evals.iter().map(|e| (e.0 as usize, e.1 * 100.0)).collect();
    chart
        .draw_series(LineSeries::new(pts.clone(), RED.stroke_width(3)))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(pts.into_iter().map(|p| Circle::new(p, 4, RED.filled())))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

#[component]
pub fn LossPlot(state: State) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let losses = state.losses.get();
        if let Some(c) = canvas.get() {
            if let Err(e) = draw_loss(c, &losses) {
                web_sys::console::warn_1(&format!("loss plot: {e}").into());
            }
        }
    });
    view! { <canvas node_ref=canvas data-testid="loss-plot" width="760" height="300" aria-label="training loss per step, raw and smoothed"></canvas> }
}

#[component]
pub fn AccuracyPlot(state: State) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let evals = state.evals.get();
        if let Some(c) = canvas.get() {
            if let Err(e) = draw_accuracy(c, &evals) {
                web_sys::console::warn_1(&format!("accuracy plot: {e}").into());
            }
        }
    });
    view! { <canvas node_ref=canvas data-testid="accuracy-plot" width="460" height="300" aria-label="test accuracy per evaluation"></canvas> }
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

#[component]
pub fn WeightsGrid(state: State) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        state.weights.with(|w| {
            if let (Some(c), Some(img)) = (canvas.get(), w) {
                put_rgba(&c, img.width, img.height, &img.rgba);
            }
        })
    });
    view! {
        <canvas node_ref=canvas class="pixelated weights" data-testid="weights" aria-label="first-layer weights"></canvas>
        <p class="caption" data-testid="weights-caption">{move || state.weights.with(|w| w.as_ref().map_or(String::new(), |img| format!("{} {}", img.units, super::i18n::t(state.lang.get(), "hidden units shown"))))}</p>
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

#[component]
pub fn Confusion(
    state: State,
    send: impl Fn(ToWorker) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        state.cell.with(|cell| {
            if let (Some(c), Some(cell)) = (canvas.get(), cell) {
                let (w, h, rgba) = images_rgba(&cell.pixels, cell.count);
                put_rgba(&c, w, h, &rgba);
            }
        })
    });
    view! {
        {move || {
            let (m, k) = state.confusion.get();
            if m.len() != k * k || k == 0 {
                return view! { <p class="hint">{move || super::i18n::t(state.lang.get(), "Appears after the first evaluation.")}</p> }.into_any();
            }
            let send = send.clone();
            view! {
                <table class="confusion" data-testid="confusion">
                    <thead><tr><th scope="col" title="true ↓ / predicted →">"t\\p"</th>{(0..k).map(|p| view! { <th scope="col">{p}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {(0..k).map(|t| {
                            let row_total: u32 = m[t * k..(t + 1) * k].iter().sum::<u32>().max(1);
                            let send = send.clone();
                            view! {
                                <tr><th scope="row">{t}</th>
                                {(0..k).map(|p| {
                                    let v = m[t * k + p];
                                    let frac = v as f32 / row_total as f32;
                                    let style = if t == p {
                                        format!("background: rgba(40,160,80,{:.2})", 0.15 + 0.85 * frac)
                                    } else {
                                        format!("background: rgba(220,60,60,{:.2})", (frac * 4.0).min(1.0))
                                    };
                                    let send = send.clone();
                                    view! {
                                        <td style=style>
                                            <button data-testid=format!("cell-{t}-{p}") aria-label=format!("{v} test images of {t} predicted as {p}")
                                                on:click=move |_| send(ToWorker::ShowCell { truth: t as u8, predicted: p as u8 })>{v}</button>
                                        </td>
                                    }
                                }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <p class="caption" data-testid="cell-caption">{move || state.cell.with(|c| c.as_ref().map_or(super::i18n::t(state.lang.get(), "Click a cell to see its test images.").to_string(), |c| {
            format!("{} test images of {} predicted as {}{}", c.total, c.truth, c.predicted, if c.count < c.total { format!(" (first {} shown)", c.count) } else { String::new() })
        }))}</p>
        <canvas node_ref=canvas class="pixelated cell-images" data-testid="cell-images"></canvas>
    }
}
