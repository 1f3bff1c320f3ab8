//! The device: adapter choice, device and queue, error and device-loss capture, and readbacks that
//! never block.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::*;
use crate::engine::{EngineError, EngineInfo, EngineKind};
use crate::ops::linear::{GemmParams, GemmVariant};

/// How to choose an adapter.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdapterOptions {
    /// Accept a CPU (software) adapter such as Mesa's lavapipe when no hardware adapter exists.
    pub allow_software: bool,
}

/// A wgpu device and queue with error and device-loss capture, shared by engines.
#[derive(Clone)]
pub struct GpuContext {
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// The adapter's description.
    pub adapter_info: wgpu::AdapterInfo,
    /// The instance the adapter came from (kept so another framework can share the device).
    pub instance: wgpu::Instance,
    /// The adapter.
    pub adapter: wgpu::Adapter,
    /// The compiled kernels, built on first use and shared by every engine and runner on this device.
    pub(super) kernels: Arc<std::sync::OnceLock<Kernels>>,
    pub(super) errors: Arc<Mutex<Option<String>>>,
    pub(super) lost: Arc<Mutex<Option<String>>>,
    /// The matrix-product kernel chosen for each shape by timing on this device
    /// ([`super::GpuEngine::tune`]); shapes never timed use [`GpuContext::default_gemm`].
    pub(super) gemm_choices: Arc<Mutex<HashMap<GemmParams, GemmVariant>>>,
}

pub(super) fn is_software(info: &wgpu::AdapterInfo) -> bool {
    info.device_type == wgpu::DeviceType::Cpu
        || ["llvmpipe", "lavapipe", "swiftshader", "software"]
            .iter()
            .any(|s| info.name.to_ascii_lowercase().contains(s))
}

impl GpuContext {
    /// Finds the best adapter (discrete, integrated, virtual, other, then — if allowed — a CPU one)
    /// and creates a device with the adapter's own limits.
    pub async fn new(options: AdapterOptions) -> Result<Self, EngineError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = Self::pick_adapter(&instance, options).await?;
        let info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("backprop-lab device"),
                // Everything the adapter offers (as burn/cubecl request for themselves), so a framework
                // sharing this device finds e.g. SHADER_INT64; never the experimental or
                // mapped-primary-buffer features, which change safety or performance.
                required_features: adapter.features()
                    - wgpu::Features::all_experimental_mask()
                    - wgpu::Features::MAPPABLE_PRIMARY_BUFFERS,
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await
            .map_err(|e| EngineError::RequestDevice {
                adapter: info.name.clone(),
                detail: e.to_string(),
            })?;
        Ok(Self::from_parts(instance, adapter, device, queue))
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub(super) async fn pick_adapter(
        instance: &wgpu::Instance,
        options: AdapterOptions,
    ) -> Result<wgpu::Adapter, EngineError> {
        let rank = |t: wgpu::DeviceType| match t {
            wgpu::DeviceType::DiscreteGpu => 0,
            wgpu::DeviceType::IntegratedGpu => 1,
            wgpu::DeviceType::VirtualGpu => 2,
            wgpu::DeviceType::Other => 3,
            wgpu::DeviceType::Cpu => 4,
        };
        let mut adapters = instance.enumerate_adapters(wgpu::Backends::all()).await;
        let found: Vec<String> = adapters
            .iter()
            .map(|a| format!("{} ({:?})", a.get_info().name, a.get_info().backend))
            .collect();
        adapters.retain(|a| a.get_info().backend != wgpu::Backend::Noop);
        adapters.sort_by_key(|a| {
            let i = a.get_info();
            // Prefer a hardware-class adapter, then Vulkan/Metal/DX12 over GL.
            (
                rank(i.device_type) + if is_software(&i) { 4 } else { 0 },
                i.backend == wgpu::Backend::Gl,
            )
        });
        let best = adapters.into_iter().next().ok_or_else(|| {
            EngineError::NoAdapter(
                "wgpu found no adapter (install a Vulkan driver, e.g. mesa-vulkan-drivers)".into(),
            )
        })?;
        if is_software(&best.get_info()) && !options.allow_software {
            return Err(EngineError::NoAdapter(format!(
                "only software adapters were found: {}",
                found.join(", ")
            )));
        }
        Ok(best)
    }

    #[cfg(target_arch = "wasm32")]
    pub(super) async fn pick_adapter(
        instance: &wgpu::Instance,
        options: AdapterOptions,
    ) -> Result<wgpu::Adapter, EngineError> {
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| EngineError::NoAdapter(format!("WebGPU gave no adapter: {e}")))?;
        if is_software(&adapter.get_info()) && !options.allow_software {
            return Err(EngineError::NoAdapter(
                "only a software WebGPU adapter is available".into(),
            ));
        }
        Ok(adapter)
    }

    /// Wraps an existing device (for sharing one device with another framework).
    pub fn from_parts(
        instance: wgpu::Instance,
        adapter: wgpu::Adapter,
        device: wgpu::Device,
        queue: wgpu::Queue,
    ) -> Self {
        let adapter_info = adapter.get_info();
        let errors = Arc::new(Mutex::new(None::<String>));
        let lost = Arc::new(Mutex::new(None::<String>));
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut slot = sink.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert_with(|| e.to_string());
        }));
        let lost_sink = lost.clone();
        device.set_device_lost_callback(move |reason, message| {
            *lost_sink.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(format!("{reason:?}: {message}"));
        });
        Self {
            device,
            queue,
            adapter_info,
            instance,
            adapter,
            kernels: Arc::default(),
            gemm_choices: Arc::default(),
            errors,
            lost,
        }
    }

    /// The kernel for a shape never timed: register blocks on software adapters (a workgroup barrier is
    /// a coroutine switch there), tiles through workgroup memory on hardware.
    pub fn default_gemm(&self) -> GemmVariant {
        if is_software(&self.adapter_info) {
            GemmVariant::Registers
        } else {
            GemmVariant::Tiled
        }
    }

    /// Whether `variant` is worth timing here: on software adapters the tiled kernel's barriers are
    /// coroutine switches (measured 3–10× slower than register blocks on every product of the seed
    /// MLP), so timing it there would only spend the start-up budget.
    pub fn gemm_eligible(&self, variant: GemmVariant) -> bool {
        !(variant == GemmVariant::Tiled && is_software(&self.adapter_info))
    }

    /// The kernel that runs the product `p`: the one timed fastest for its shape, else the default.
    pub fn gemm_variant(&self, p: &GemmParams) -> GemmVariant {
        self.gemm_choices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(p)
            .copied()
            .unwrap_or_else(|| self.default_gemm())
    }

    /// Makes `variant` the kernel of the product `p` on this device, as if timing had chosen it (for
    /// tests that run a particular variant through whole training steps).
    pub fn set_gemm_variant(&self, p: GemmParams, variant: GemmVariant) {
        self.gemm_choices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p, variant);
    }

    /// The device's pipelines and layouts (compiled once, on first use).
    pub(super) fn kernels(&self) -> &Kernels {
        self.kernels.get_or_init(|| Kernels::new(&self.device))
    }

    /// The first GPU error since the last check, or the device's loss.
    pub fn check(&self) -> Result<(), EngineError> {
        if let Some(l) = self.lost.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Err(EngineError::DeviceLost(l));
        }
        if let Some(e) = self.errors.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(EngineError::Gpu(e));
        }
        Ok(())
    }

    /// Destroys the device, as a driver reset would (the app's debug control, so tests can prove that
    /// training survives a lost device).
    pub fn destroy(&self) {
        self.device.destroy();
    }

    /// Describes the adapter as an engine.
    pub fn engine_info(&self) -> EngineInfo {
        EngineInfo {
            kind: EngineKind::Gpu,
            adapter: self.adapter_info.name.clone(),
            backend: format!("{:?}", self.adapter_info.backend),
            software: is_software(&self.adapter_info),
        }
    }

    /// Reads byte ranges of buffers back: one staging copy, one asynchronous map.
    pub async fn read(
        &self,
        parts: &[(&wgpu::Buffer, u64, u64)],
    ) -> Result<Vec<Vec<u8>>, EngineError> {
        let total: u64 = parts.iter().map(|p| p.2).sum();
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback staging"),
            size: total.max(4).next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("readback"),
            });
        let mut at = 0;
        for &(buf, offset, size) in parts {
            if size > 0 {
                enc.copy_buffer_to_buffer(buf, offset, &staging, at, size);
            }
            at += size;
        }
        self.queue.submit([enc.finish()]);
        let (tx, rx) = futures_channel::oneshot::channel();
        staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            // The receiver only disappears if the caller's future was dropped; nothing to tell then.
            let _ = tx.send(r);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| EngineError::Readback(e.to_string()))?;
        let mapped = rx
            .await
            .map_err(|_| EngineError::Readback("the map callback was dropped".into()))
            .and_then(|r| r.map_err(|e| EngineError::Readback(e.to_string())));
        // A lost device fails the map too: say that, not "readback failed", so callers can recover.
        self.check()?;
        mapped?;
        let out = {
            let view = staging
                .slice(..)
                .get_mapped_range()
                .map_err(|e| EngineError::Readback(e.to_string()))?;
            let mut at = 0usize;
            parts
                .iter()
                .map(|p| {
                    let v = view[at..at + p.2 as usize].to_vec();
                    at += p.2 as usize;
                    v
                })
                .collect()
        };
        staging.unmap();
        Ok(out)
    }
}
