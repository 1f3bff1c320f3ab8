//! What every lesson's worker protocol shares: the engine preference from the URL. Each lesson's own
//! messages live in its folder (`lessons/<name>/protocol.rs`).

use serde::{Deserialize, Serialize};

/// Which engine to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnginePreference {
    /// WebGPU when it exists; on a software WebGPU adapter, whichever engine measures faster.
    Auto,
    /// WebGPU (fails loudly if there is none).
    Gpu,
    /// The CPU engine.
    Cpu,
}
