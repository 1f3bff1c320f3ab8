//! `--engine`: the engine a subcommand runs on, and making it.

use anyhow::{Context, Result};
use clap::ValueEnum;
use kernels::{AdapterOptions, AnyEngine, EngineKind, GpuContext, Mlp};

/// The engine `--engine` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum EngineChoice {
    /// A hardware GPU if there is one, else a software adapter (lavapipe), else the CPU engine.
    Auto,
    /// The WGSL kernels on a wgpu adapter (software adapters allowed).
    Gpu,
    /// The CPU engine.
    Cpu,
    /// burn's tensors and autodiff on the same wgpu adapter (the independent reference).
    #[cfg(feature = "burn")]
    Burn,
}

/// The engine `--engine` asks for: `auto` takes a hardware GPU, else a software adapter (with a note),
/// else the CPU engine.
pub async fn make_engine(choice: EngineChoice, model: &Mlp, max_rows: usize) -> Result<AnyEngine> {
    let gpu =
        |allow_software| async move { GpuContext::new(AdapterOptions { allow_software }).await };
    match choice {
        EngineChoice::Cpu => Ok(AnyEngine::new(EngineKind::Cpu, None, model, max_rows)?),
        #[cfg(feature = "burn")]
        EngineChoice::Burn => {
            let ctx = gpu(true)
                .await
                .context("--engine burn needs a wgpu adapter")?;
            Ok(AnyEngine::new(
                EngineKind::Burn,
                Some(&ctx),
                model,
                max_rows,
            )?)
        }
        EngineChoice::Gpu => {
            let ctx = gpu(true)
                .await
                .context("--engine gpu needs a wgpu adapter")?;
            Ok(AnyEngine::new(
                EngineKind::Gpu,
                Some(&ctx),
                model,
                max_rows,
            )?)
        }
        EngineChoice::Auto => match gpu(false).await {
            Ok(ctx) => Ok(AnyEngine::new(
                EngineKind::Gpu,
                Some(&ctx),
                model,
                max_rows,
            )?),
            Err(hw) => match gpu(true).await {
                Ok(ctx) => {
                    eprintln!(
                        "note: no hardware GPU ({hw}); using the software adapter {} — correct but slow; --engine cpu is usually faster here",
                        ctx.adapter_info.name
                    );
                    Ok(AnyEngine::new(
                        EngineKind::Gpu,
                        Some(&ctx),
                        model,
                        max_rows,
                    )?)
                }
                Err(sw) => {
                    eprintln!("note: no wgpu adapter ({sw}); using the CPU engine");
                    Ok(AnyEngine::new(EngineKind::Cpu, None, model, max_rows)?)
                }
            },
        },
    }
}
