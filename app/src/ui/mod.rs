//! Reusable widgets: charts, heat-maps, bars, formulas, the drawing pad, files, and the two languages.
//! A widget takes the signals it shows; the page's language comes from context.

pub mod agreement;
pub mod bars;
pub mod drawing;
pub mod files;
pub mod formula;
pub mod heatmap;
pub mod i18n;
pub mod line_chart;
pub mod plots;
