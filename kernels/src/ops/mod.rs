//! One module per kernel: its WGSL source, the layout of its uniform parameters, and a plain-Rust
//! reference that computes the same thing (the tests' oracle, and the text the lessons teach from).

pub mod accuracy;
pub mod adam;
pub mod gather_normalize;
pub mod head;
pub mod linear;
pub mod relu_backward;
pub mod sgd;
pub mod softmax_cross_entropy;
pub mod update;

/// Every shader of the engine with its file name, for validation and for the lessons.
pub const ALL_SHADERS: &[(&str, &str)] = &[
    ("accuracy.wgsl", accuracy::SOURCE),
    ("gather_normalize.wgsl", gather_normalize::SOURCE),
    ("head.wgsl", head::SOURCE),
    ("linear.wgsl", linear::SOURCE),
    ("update.wgsl", update::SOURCE),
    ("softmax_cross_entropy.wgsl", softmax_cross_entropy::SOURCE),
];

/// The arithmetic the reference kernels need, so they run in f32 (as the GPU does) and in f64 (for
/// finite-difference checks of the backward ops).
pub trait Real:
    Copy
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::AddAssign
    + std::iter::Sum
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// Conversion from f32.
    fn from_f32(v: f32) -> Self;
    /// eˣ.
    fn exp(self) -> Self;
    /// ln x.
    fn ln(self) -> Self;
    /// NaN.
    fn nan() -> Self;
    /// The larger of two values.
    fn max(self, other: Self) -> Self {
        if self >= other { self } else { other }
    }
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    fn from_f32(v: f32) -> Self {
        v
    }
    fn exp(self) -> Self {
        f32::exp(self)
    }
    fn ln(self) -> Self {
        f32::ln(self)
    }
    fn nan() -> Self {
        f32::NAN
    }
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    fn from_f32(v: f32) -> Self {
        f64::from(v)
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn ln(self) -> Self {
        f64::ln(self)
    }
    fn nan() -> Self {
        f64::NAN
    }
}
