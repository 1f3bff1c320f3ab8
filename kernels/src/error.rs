//! Typed errors of the engine, with enough context to show a person what went wrong.

use thiserror::Error;

/// Errors in building, loading or saving a model.
#[derive(Debug, Error)]
pub enum ModelError {
    /// A layer width, class count or input size is zero or absurdly large.
    #[error("invalid model shape: {0}")]
    InvalidShape(String),
    /// A safetensors file could not be parsed.
    #[error("cannot read safetensors: {0}")]
    Safetensors(String),
    /// A safetensors file parsed but does not describe an MLP we can load.
    #[error("the weights file does not describe an MLP: {0}")]
    NotAnMlp(String),
    /// A layer index was out of range.
    #[error("layer {index} does not exist (the model has {layers} layers)")]
    NoSuchLayer {
        /// The requested layer.
        index: usize,
        /// How many layers the model has.
        layers: usize,
    },
}

/// Errors in reading a dataset, from IDX/CIFAR originals or from the app's compact chunks.
#[derive(Debug, Error)]
pub enum DatasetError {
    /// The file ended before the data its header promises.
    #[error("{what}: truncated: expected {expected} bytes, found {found}")]
    Truncated {
        /// Which file or part.
        what: String,
        /// Bytes the header implies.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// A magic number, version or header field is wrong.
    #[error("{what}: corrupt header: {detail}")]
    BadHeader {
        /// Which file or part.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// The checksum recorded in the manifest does not match the data.
    #[error("{what}: checksum mismatch (expected {expected:08x}, found {found:08x})")]
    Checksum {
        /// Which chunk.
        what: String,
        /// CRC-32 from the manifest.
        expected: u32,
        /// CRC-32 of the bytes received.
        found: u32,
    },
    /// A label is not one of the dataset's classes.
    #[error("{what}: label {label} at sample {index} is not below {classes}")]
    BadLabel {
        /// Which file or part.
        what: String,
        /// Sample index.
        index: usize,
        /// The label found.
        label: u8,
        /// Number of classes.
        classes: usize,
    },
    /// Gzip decompression failed.
    #[error("{what}: not valid gzip data: {detail}")]
    Gzip {
        /// Which file.
        what: String,
        /// The decoder's message.
        detail: String,
    },
    /// The data is larger than anything this app reads (a decompression bomb, or a corrupt size).
    #[error("{what}: {size} bytes or more, above the {limit}-byte limit for this kind of file")]
    TooLarge {
        /// Which file.
        what: String,
        /// Size reached (or claimed).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The manifest is not valid JSON of the expected shape.
    #[error("manifest: {0}")]
    Manifest(String),
    /// Reading a file from disk failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Errors of an engine while training, evaluating or reading back.
#[derive(Debug, Error)]
pub enum EngineError {
    /// No usable GPU adapter was found.
    #[error("no GPU adapter: {0}")]
    NoAdapter(String),
    /// The adapter refused to create a device.
    #[error("could not create a GPU device on {adapter}: {detail}")]
    RequestDevice {
        /// Adapter name.
        adapter: String,
        /// wgpu's message.
        detail: String,
    },
    /// The GPU device was lost (driver reset, tab backgrounded too long, …).
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    /// wgpu reported a validation or out-of-memory error.
    #[error("GPU error: {0}")]
    Gpu(String),
    /// Mapping a buffer for readback failed.
    #[error("reading results back from the GPU failed: {0}")]
    Readback(String),
    /// The model or data needs more than the engine or its adapter allows.
    #[error(
        "{what}: {needed} needed, but at most {allowed} fit here; use a smaller model or batch"
    )]
    Limit {
        /// What resource.
        what: String,
        /// Needed amount.
        needed: u64,
        /// Adapter's limit.
        allowed: u64,
    },
    /// A call's arguments do not fit the engine (batch too large, no dataset, …).
    #[error("{0}")]
    InvalidInput(String),
    /// A hyperparameter is out of range.
    #[error("invalid hyperparameter: {0}")]
    Hyperparameter(String),
    /// The loss exploded or became NaN (`training::diverged`): the learning rate is probably too high.
    #[error(
        "training diverged at step {step}: the loss is {loss}; lower the learning rate and reset"
    )]
    Diverged {
        /// Step (within the epoch) where it was noticed.
        step: usize,
        /// The loss value.
        loss: f32,
    },
    /// A model operation failed.
    #[error(transparent)]
    Model(#[from] ModelError),
}
