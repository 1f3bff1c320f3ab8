//! `--engine`: the engine a subcommand runs on, and making it.

use anyhow::{Context, Result};
use kernels::engine::Preference;
use kernels::{AdapterOptions, AnyEngine, EngineKind, GpuContext, Mlp};

/// The engine `--engine` asks for: `auto` takes a hardware GPU, else a software adapter (with a note),
/// else the CPU engine. `burn` is offered (by clap) only in a build with the feature `burn`.
pub async fn make_engine(choice: Preference, model: &Mlp, max_rows: usize) -> Result<AnyEngine> {
    let gpu =
        |allow_software| async move { GpuContext::new(AdapterOptions { allow_software }).await };
    match choice {
        Preference::Cpu => Ok(AnyEngine::new(EngineKind::Cpu, None, model, max_rows)?),
        Preference::Burn => {
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
        Preference::Gpu => {
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
        Preference::Auto => match gpu(false).await {
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
