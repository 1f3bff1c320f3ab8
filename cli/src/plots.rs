//! Loss and accuracy plots as PNG (plotters' bitmap backend, with the font shipped in static/fonts).

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;

static FONT: &[u8] = include_bytes!("../../static/fonts/DejaVuSans.ttf");

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse; a failure here would only lose the labels.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Training loss per step: raw (light) and smoothed (dark).
pub fn loss_plot(path: &Path, losses: &[f32]) -> Result<()> {
    register_font();
    let root = BitMapBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let max = losses
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.1f32, f32::max);
    let mut chart = ChartBuilder::on(&root)
        .caption("Training loss per step", ("sans-serif", 26))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0..losses.len().max(1), 0f32..max * 1.05)
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("cross-entropy")
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .draw_series(LineSeries::new(
            losses.iter().enumerate().map(|(i, &v)| (i, v)),
            RGBColor(170, 200, 240),
        ))
        .map_err(|e| anyhow!("{e}"))?
        .label("raw")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RGBColor(170, 200, 240)));
    chart
        .draw_series(LineSeries::new(
            kernels::training::smooth(losses, 0.02)
                .into_iter()
                .enumerate(),
            BLUE.stroke_width(2),
        ))
        .map_err(|e| anyhow!("{e}"))?
        .label("smoothed")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

/// Test accuracy after each epoch.
pub fn accuracy_plot(path: &Path, accuracy: &[f32]) -> Result<()> {
    register_font();
    let root = BitMapBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let lo = accuracy.iter().copied().fold(1.0f32, f32::min).min(0.9) * 100.0;
    let mut chart = ChartBuilder::on(&root)
        .caption("Test accuracy per epoch", ("sans-serif", 26))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(1..accuracy.len().max(2), lo..100f32)
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("accuracy (%)")
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .draw_series(LineSeries::new(
            accuracy
                .iter()
                .enumerate()
                .map(|(i, &a)| (i + 1, a * 100.0)),
            RED.stroke_width(2),
        ))
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .draw_series(
            accuracy
                .iter()
                .enumerate()
                .map(|(i, &a)| Circle::new((i + 1, a * 100.0), 4, RED.filled())),
        )
        .map_err(|e| anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

/// Test accuracy per epoch of a fine-tuning run (head phase, then full phase, starting from the
/// pretrained model's accuracy at epoch 0) and of the from-scratch run on the same data.
pub fn comparison_plot(
    path: &Path,
    pretrained: f32,
    finetuned: &[f32],
    head_epochs: usize,
    scratch: &[f32],
) -> Result<()> {
    register_font();
    let root = BitMapBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let epochs = finetuned.len().max(scratch.len()).max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption("Fine-tuning vs training from scratch", ("sans-serif", 26))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0..epochs, 0f32..100f32)
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("test accuracy (%)")
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    let tuned: Vec<(usize, f32)> = std::iter::once((0, pretrained * 100.0))
        .chain(
            finetuned
                .iter()
                .enumerate()
                .map(|(i, &a)| (i + 1, a * 100.0)),
        )
        .collect();
    chart
        .draw_series(LineSeries::new(tuned.clone(), RED.stroke_width(2)))
        .map_err(|e| anyhow!("{e}"))?
        .label(format!(
            "pretrained → head ({head_epochs} epochs) → everything"
        ))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED));
    chart
        .draw_series(tuned.iter().map(|&p| Circle::new(p, 3, RED.filled())))
        .map_err(|e| anyhow!("{e}"))?;
    if !scratch.is_empty() {
        chart
            .draw_series(LineSeries::new(
                scratch.iter().enumerate().map(|(i, &a)| (i + 1, a * 100.0)),
                BLUE.stroke_width(2),
            ))
            .map_err(|e| anyhow!("{e}"))?
            .label("from scratch (same data and seed)")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
