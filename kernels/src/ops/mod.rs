//! One module per kernel: its WGSL source with its bindings and entry points declared once
//! ([`kernel::Shader`], listed in [`ALL`]), the layout of its uniform parameters, and a plain-Rust
//! reference that computes the same thing (the tests' oracle, and the text the lessons teach from).
//! `optim` (the optimisers' rules, run on the GPU by `update`) and `relu_backward` (fused into `linear`'s
//! epilogue) are references with no shader of their own: the CPU engine and the tests use them.

pub mod accuracy;
pub mod dp;
pub mod gather_normalize;
pub mod head;
pub mod kernel;
pub mod linear;
pub mod optim;
pub mod relu_backward;
pub mod softmax_cross_entropy;
pub mod update;

/// Every shader of the engine: the one table of kernels. The GPU engine compiles each once per device
/// (pipelines and layouts from its declaration); the tests validate each against its WGSL.
pub const ALL: &[&kernel::Shader] = &[
    &accuracy::SHADER,
    &dp::SHADER,
    &gather_normalize::SHADER,
    &head::SHADER,
    &linear::SHADER,
    &softmax_cross_entropy::SHADER,
    &update::SHADER,
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
