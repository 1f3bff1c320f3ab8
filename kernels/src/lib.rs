//! Backprop Lab's engine: a multilayer perceptron trained by hand-written WGSL compute shaders through
//! wgpu (natively and in the browser), with a CPU engine behind the same [`engine::Engine`] interface.
//!
//! Every kernel is one module of [`ops`] and one `.wgsl` file under `shaders/`, with a plain-Rust
//! reference next to it. [`model`] holds the MLP on the host (PyTorch's initialisation, names and
//! safetensors files); [`dataset`] the readers; [`training`] the epoch loop shared by the CLI and the app.

// No function over 150 lines (clippy.toml sets the threshold).
#![warn(clippy::too_many_lines)]

pub mod attack;
pub mod by_hand;
pub mod calibration;
pub mod chain;
pub mod cpu_gemm;
pub mod dataset;
pub mod early_stop;
pub mod engine;
pub mod error;
pub mod finetune;
pub mod model;
pub mod ops;
pub mod optimizer;
pub mod privacy;
pub mod race;
pub mod rng;
pub mod saliency;
pub mod surface;
pub mod testing;
pub mod training;

#[cfg(feature = "burn")]
pub use engine::burn::BurnEngine;
pub use engine::cpu::CpuEngine;
pub use engine::gpu::{
    AdapterOptions, GemmProduct, GemmTiming, GpuContext, GpuEngine, KernelEntry, KernelRunner,
};
pub use engine::{
    AnyEngine, Engine, EngineInfo, EngineKind, Evaluation, Freezing, InputGradient, KernelLaunch,
    OptimizerConfig, OptimizerKind, StepTrace, TensorOptimizerState,
};
pub use error::{DatasetError, EngineError, ModelError};
pub use model::Mlp;
pub use optimizer::{NAMED, Named, Optimizer};
