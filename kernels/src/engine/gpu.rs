//! The GPU engine: the WGSL kernels through wgpu, natively (Vulkan, Metal, DX12) or in a browser
//! (WebGPU). Device, pipelines, layouts and buffers are created once; a training step writes one small
//! uniform block, encodes its dispatches in one compute pass and submits. Results come back through
//! asynchronous buffer mapping.

use std::sync::{Arc, Mutex};

use bytemuck::Pod;
use wgpu::util::DeviceExt;

use crate::dataset::{Dataset, Split};
use crate::engine::{
    Engine, EngineError, EngineInfo, EngineKind, Evaluation, KernelLaunch, LayerGradients,
    OptimizerConfig, OptimizerKind, StepTrace, TensorOptimizerState, check_data_fits, check_rows,
    step_launches,
};
use crate::model::{Mlp, TensorKind};
use crate::ops::{
    accuracy, adam, gather_normalize, linear, relu_backward, sgd, softmax_cross_entropy,
};

/// Steps whose losses are kept on the GPU between two reads.
pub const LOSS_RING: usize = 4096;

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
    kernels: Arc<std::sync::OnceLock<Kernels>>,
    errors: Arc<Mutex<Option<String>>>,
    lost: Arc<Mutex<Option<String>>>,
}

fn is_software(info: &wgpu::AdapterInfo) -> bool {
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
    async fn pick_adapter(
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
    async fn pick_adapter(
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
            errors,
            lost,
        }
    }

    /// The device's pipelines and layouts (compiled once, on first use).
    fn kernels(&self) -> &Kernels {
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
        rx.await
            .map_err(|_| EngineError::Readback("the map callback was dropped".into()))?
            .map_err(|e| EngineError::Readback(e.to_string()))?;
        self.check()?;
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

/// Binding kinds, in the order every kernel declares them.
#[derive(Clone, Copy)]
enum Slot {
    Uniform,
    Read,
    ReadWrite,
}

/// The compiled kernels: pipelines and bind-group layouts, created once per device.
struct Kernels {
    linear_layout: wgpu::BindGroupLayout,
    gemm: wgpu::ComputePipeline,
    bias_grad: wgpu::ComputePipeline,
    relu_layout: wgpu::BindGroupLayout,
    relu: wgpu::ComputePipeline,
    softmax_layout: wgpu::BindGroupLayout,
    softmax_rows: wgpu::ComputePipeline,
    softmax_mean: wgpu::ComputePipeline,
    sgd_layout: wgpu::BindGroupLayout,
    sgd: wgpu::ComputePipeline,
    adam_layout: wgpu::BindGroupLayout,
    adam: wgpu::ComputePipeline,
    accuracy_layout: wgpu::BindGroupLayout,
    accuracy: wgpu::ComputePipeline,
    gather_layout: wgpu::BindGroupLayout,
    gather: wgpu::ComputePipeline,
}

impl Kernels {
    fn new(device: &wgpu::Device) -> Self {
        let layout = |label: &str, slots: &[Slot]| {
            let entries: Vec<_> = slots
                .iter()
                .enumerate()
                .map(|(i, s)| wgpu::BindGroupLayoutEntry {
                    binding: i as u32,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: match s {
                            Slot::Uniform => wgpu::BufferBindingType::Uniform,
                            Slot::Read => wgpu::BufferBindingType::Storage { read_only: true },
                            Slot::ReadWrite => {
                                wgpu::BufferBindingType::Storage { read_only: false }
                            }
                        },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                })
                .collect();
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries: &entries,
            })
        };
        fn pipelines<const N: usize>(
            device: &wgpu::Device,
            label: &str,
            source: &str,
            layout: &wgpu::BindGroupLayout,
            entries: [&str; N],
        ) -> [wgpu::ComputePipeline; N] {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
            let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(layout)],
                immediate_size: 0,
            });
            entries.map(|e| {
                device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(&format!("{label}::{e}")),
                    layout: Some(&pl),
                    module: &module,
                    entry_point: Some(e),
                    compilation_options: Default::default(),
                    cache: None,
                })
            })
        }
        use Slot::{Read as R, ReadWrite as W, Uniform as U};
        let linear_layout = layout("linear layout", &[U, R, R, R, W]);
        let [gemm, bias_grad] = pipelines(
            device,
            "linear.wgsl",
            linear::SOURCE,
            &linear_layout,
            ["gemm", "bias_grad"],
        );
        let relu_layout = layout("relu_backward layout", &[U, R, W]);
        let [relu] = pipelines(
            device,
            "relu_backward.wgsl",
            relu_backward::SOURCE,
            &relu_layout,
            ["main"],
        );
        let softmax_layout = layout("softmax_cross_entropy layout", &[U, R, R, W, W, W]);
        let [softmax_rows, softmax_mean] = pipelines(
            device,
            "softmax_cross_entropy.wgsl",
            softmax_cross_entropy::SOURCE,
            &softmax_layout,
            ["rows", "mean"],
        );
        let sgd_layout = layout("sgd layout", &[U, R, W, W]);
        let [sgd] = pipelines(device, "sgd.wgsl", sgd::SOURCE, &sgd_layout, ["main"]);
        let adam_layout = layout("adam layout", &[U, R, W, W, W]);
        let [adam] = pipelines(device, "adam.wgsl", adam::SOURCE, &adam_layout, ["main"]);
        let accuracy_layout = layout("accuracy layout", &[U, R, R, W, W]);
        let [accuracy] = pipelines(
            device,
            "accuracy.wgsl",
            accuracy::SOURCE,
            &accuracy_layout,
            ["main"],
        );
        let gather_layout = layout("gather_normalize layout", &[U, R, R, R, W, W]);
        let [gather] = pipelines(
            device,
            "gather_normalize.wgsl",
            gather_normalize::SOURCE,
            &gather_layout,
            ["main"],
        );
        Self {
            linear_layout,
            gemm,
            bias_grad,
            relu_layout,
            relu,
            softmax_layout,
            softmax_rows,
            softmax_mean,
            sgd_layout,
            sgd,
            adam_layout,
            adam,
            accuracy_layout,
            accuracy,
            gather_layout,
            gather,
        }
    }
}

/// One uniform buffer holding every dispatch's parameters at aligned offsets, mirrored on the host and
/// written in one `write_buffer` when something changed.
struct UniformArena {
    buffer: wgpu::Buffer,
    mirror: Vec<u8>,
    align: usize,
    used: usize,
    dirty: bool,
}

/// A slot in the arena.
#[derive(Clone, Copy, Debug)]
struct UniformSlot(usize);

impl UniformArena {
    fn new(device: &wgpu::Device, slots: usize) -> Self {
        let align = (device.limits().min_uniform_buffer_offset_alignment as usize).max(64);
        let size = slots.max(1) * align;
        Self {
            buffer: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("uniform arena"),
                size: size as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            mirror: vec![0; size],
            align,
            used: 0,
            dirty: true,
        }
    }

    fn alloc(&mut self) -> UniformSlot {
        assert!(
            self.used < self.mirror.len() / self.align,
            "uniform arena sized too small (a bug in slot counting)"
        );
        self.used += 1;
        UniformSlot(self.used - 1)
    }

    fn set<T: Pod>(&mut self, slot: UniformSlot, value: &T) {
        let bytes = bytemuck::bytes_of(value);
        let at = slot.0 * self.align;
        if &self.mirror[at..at + bytes.len()] != bytes {
            self.mirror[at..at + bytes.len()].copy_from_slice(bytes);
            self.dirty = true;
        }
    }

    fn binding(&self, slot: UniformSlot) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: &self.buffer,
            offset: (slot.0 * self.align) as u64,
            size: wgpu::BufferSize::new(64),
        })
    }

    fn flush(&mut self, queue: &wgpu::Queue) {
        if self.dirty {
            queue.write_buffer(&self.buffer, 0, &self.mirror[..self.used * self.align]);
            self.dirty = false;
        }
    }
}

/// Per-tensor GPU state.
struct TensorBuffers {
    param: wgpu::Buffer,
    grad: wgpu::Buffer,
    m: wgpu::Buffer,
    v: wgpu::Buffer,
    len: usize,
    steps: u64,
    frozen: bool,
    /// Whether `grad` holds this step's gradient.
    computed: bool,
    opt_slot: UniformSlot,
    sgd_group: wgpu::BindGroup,
    adam_group: wgpu::BindGroup,
}

/// Per-layer GPU resources.
struct LayerBuffers {
    in_f: usize,
    out_f: usize,
    weight: TensorBuffers,
    bias: TensorBuffers,
    fwd_slot: UniformSlot,
    dw_slot: UniformSlot,
    db_slot: UniformSlot,
    dx_slot: UniformSlot,
    relu_slot: UniformSlot,
    fwd_group: wgpu::BindGroup,
    dw_group: wgpu::BindGroup,
    db_group: wgpu::BindGroup,
    /// dX = dY·W into the previous layer's gradient buffer, then ReLU backward (layers ≥ 1 only).
    dx_group: Option<(wgpu::BindGroup, wgpu::BindGroup)>,
}

/// One split on the GPU.
struct DataBuffers {
    pixels: wgpu::Buffer,
    labels: wgpu::Buffer,
    len: usize,
    features: usize,
    classes: usize,
    mean: f32,
    std: f32,
    width: usize,
    height: usize,
}

/// Everything that depends on the model's shape; rebuilt by `set_model`.
struct Resources {
    arena: UniformArena,
    layers: Vec<LayerBuffers>,
    /// `acts[0]` = gathered inputs, `acts[l + 1]` = output of layer l, each `[max_rows, width]`.
    acts: Vec<wgpu::Buffer>,
    labels: wgpu::Buffer,
    indices: wgpu::Buffer,
    loss_rows: wgpu::Buffer,
    loss_log: wgpu::Buffer,
    predictions: wgpu::Buffer,
    eval_losses: wgpu::Buffer,
    correct: wgpu::Buffer,
    softmax_slot: UniformSlot,
    softmax_group: wgpu::BindGroup,
    accuracy_slot: UniformSlot,
    accuracy_group: wgpu::BindGroup,
    gather_train_slot: UniformSlot,
    gather_test_slot: UniformSlot,
    gather_train_group: wgpu::BindGroup,
    gather_test_group: wgpu::BindGroup,
}

/// One kernel entry point, for running a kernel alone ([`KernelRunner`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelEntry {
    /// `linear.wgsl::gemm`: [`linear::GemmParams`]; buffers a, b, bias, c.
    Gemm,
    /// `linear.wgsl::bias_grad`: [`linear::GemmParams`]; buffers a, b, bias, c.
    BiasGrad,
    /// `relu_backward.wgsl`: buffers act, grad.
    ReluBackward,
    /// `softmax_cross_entropy.wgsl::rows`: buffers logits, labels, loss_rows, dlogits, loss_log.
    SoftmaxRows,
    /// `softmax_cross_entropy.wgsl::mean`: same buffers.
    SoftmaxMean,
    /// `sgd.wgsl`: buffers grad, param, velocity.
    Sgd,
    /// `adam.wgsl`: buffers grad, param, m, v.
    Adam,
    /// `accuracy.wgsl`: buffers logits, labels, predictions, correct.
    Accuracy,
    /// `gather_normalize.wgsl`: buffers pixels, labels, indices, x, y.
    GatherNormalize,
}

/// Runs single kernels on given data: the GPU side of the kernel tests, and of lessons that show one op.
pub struct KernelRunner {
    ctx: GpuContext,
}

impl KernelRunner {
    /// A runner on `ctx`'s device (its kernels are compiled once per device and shared with engines).
    pub fn new(ctx: &GpuContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    /// Dispatches `entry` once over `workgroups`, with `uniform` at binding 0 and one storage buffer per
    /// element of `buffers` (their initial contents, in binding order); returns every buffer's final contents.
    pub async fn run(
        &self,
        ctx: &GpuContext,
        entry: KernelEntry,
        uniform: &[u8],
        buffers: &[&[u8]],
        workgroups: (u32, u32, u32),
    ) -> Result<Vec<Vec<u8>>, EngineError> {
        let k = self.ctx.kernels();
        let (pipeline, layout) = match entry {
            KernelEntry::Gemm => (&k.gemm, &k.linear_layout),
            KernelEntry::BiasGrad => (&k.bias_grad, &k.linear_layout),
            KernelEntry::ReluBackward => (&k.relu, &k.relu_layout),
            KernelEntry::SoftmaxRows => (&k.softmax_rows, &k.softmax_layout),
            KernelEntry::SoftmaxMean => (&k.softmax_mean, &k.softmax_layout),
            KernelEntry::Sgd => (&k.sgd, &k.sgd_layout),
            KernelEntry::Adam => (&k.adam, &k.adam_layout),
            KernelEntry::Accuracy => (&k.accuracy, &k.accuracy_layout),
            KernelEntry::GatherNormalize => (&k.gather, &k.gather_layout),
        };
        let device = &ctx.device;
        let mut u = uniform.to_vec();
        u.resize(u.len().max(16).next_multiple_of(16), 0);
        let ubuf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("kernel runner uniform"),
            contents: &u,
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let bufs: Vec<wgpu::Buffer> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| storage_init(device, &format!("kernel runner buffer {i}"), b))
            .collect();
        let mut res = vec![ubuf.as_entire_binding()];
        res.extend(bufs.iter().map(|b| b.as_entire_binding()));
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("kernel runner"),
            layout,
            entries: &entries(res),
        });
        let mut enc = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("kernel runner"),
        });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("kernel runner"),
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(workgroups.0, workgroups.1, workgroups.2);
        }
        ctx.queue.submit([enc.finish()]);
        let parts: Vec<(&wgpu::Buffer, u64, u64)> = bufs
            .iter()
            .zip(buffers)
            // Copies move whole 4-byte words; byte buffers are trimmed back to their length below.
            .map(|(b, d)| (b, 0, (d.len() as u64).next_multiple_of(4)))
            .collect();
        let mut out = ctx.read(&parts).await?;
        for (o, d) in out.iter_mut().zip(buffers) {
            o.truncate(d.len());
        }
        Ok(out)
    }
}

/// The GPU engine.
pub struct GpuEngine {
    ctx: GpuContext,
    info: EngineInfo,
    model: Mlp,
    max_rows: usize,
    eval_capacity: usize,
    train: Option<DataBuffers>,
    test: Option<DataBuffers>,
    empty: wgpu::Buffer,
    res: Resources,
    steps: u64,
    losses_read: u64,
    last_rows: usize,
    last_optimizer: Option<OptimizerKind>,
    /// What the last training step launched (see [`step_launches`]).
    last_launches: Vec<KernelLaunch>,
    /// Flip/crop of training batches in the gather kernel.
    augmentation: Option<gather_normalize::Augmentation>,
}

fn storage(device: &wgpu::Device, label: &str, bytes: usize) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: (bytes.max(4) as u64).next_multiple_of(4),
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

fn storage_init(device: &wgpu::Device, label: &str, data: &[u8]) -> wgpu::Buffer {
    let mut padded = data.to_vec();
    padded.resize(data.len().max(4).next_multiple_of(4), 0);
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: &padded,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
    })
}

fn entries<'a>(resources: Vec<wgpu::BindingResource<'a>>) -> Vec<wgpu::BindGroupEntry<'a>> {
    resources
        .into_iter()
        .enumerate()
        .map(|(i, resource)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource,
        })
        .collect()
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytemuck::pod_collect_to_vec(bytes)
}

impl GpuEngine {
    /// A GPU engine training `model` on `ctx`'s device, with batches of up to `max_rows` rows.
    pub fn new(ctx: &GpuContext, model: &Mlp, max_rows: usize) -> Result<Self, EngineError> {
        if max_rows == 0 || max_rows > 65_536 {
            return Err(EngineError::InvalidInput(format!(
                "a batch of {max_rows} rows; the GPU engine takes 1 to 65,536"
            )));
        }
        let device = &ctx.device;
        let empty = storage(device, "empty placeholder", 4);
        let res = Self::build(ctx, ctx.kernels(), model, max_rows, 1, None, None, &empty)?;
        let engine = Self {
            info: ctx.engine_info(),
            ctx: ctx.clone(),
            model: model.clone(),
            max_rows,
            eval_capacity: 1,
            train: None,
            test: None,
            empty,
            res,
            steps: 0,
            losses_read: 0,
            last_rows: 0,
            last_optimizer: None,
            last_launches: Vec::new(),
            augmentation: None,
        };
        engine.ctx.check()?;
        Ok(engine)
    }

    /// The device context.
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    fn check_size(ctx: &GpuContext, what: &str, bytes: usize) -> Result<(), EngineError> {
        let limits = ctx.device.limits();
        let allowed = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        if bytes as u64 > allowed {
            return Err(EngineError::Limit {
                what: what.into(),
                needed: bytes as u64,
                allowed,
            });
        }
        Ok(())
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "one private constructor of all shape-dependent resources"
    )]
    fn build(
        ctx: &GpuContext,
        k: &Kernels,
        model: &Mlp,
        max_rows: usize,
        eval_capacity: usize,
        train: Option<&DataBuffers>,
        test: Option<&DataBuffers>,
        empty: &wgpu::Buffer,
    ) -> Result<Resources, EngineError> {
        let device = &ctx.device;
        let widths = model.widths();
        for (i, &w) in widths.iter().enumerate() {
            Self::check_size(
                ctx,
                &format!("activations of width {w} (layer {i})"),
                max_rows * w * 4,
            )?;
        }
        for l in &model.layers {
            Self::check_size(ctx, "a weight matrix", l.weight.len() * 4)?;
        }
        let nl = model.layers.len();
        let mut arena = UniformArena::new(device, nl * 7 + 8);
        let acts: Vec<wgpu::Buffer> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| storage(device, &format!("activations {i}"), max_rows * w * 4))
            .collect();
        let grads: Vec<Option<wgpu::Buffer>> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                (i > 0).then(|| {
                    storage(
                        device,
                        &format!("activation gradients {i}"),
                        max_rows * w * 4,
                    )
                })
            })
            .collect();
        let labels = storage(device, "batch labels", max_rows * 4);
        let indices = storage(device, "batch indices", max_rows * 4);
        let loss_rows = storage(device, "per-row losses", max_rows * 4);
        let loss_log = storage(device, "loss ring", LOSS_RING * 4);
        let predictions = storage(device, "test predictions", eval_capacity * 4);
        let eval_losses = storage(device, "test losses", eval_capacity * 4);
        let correct = storage(device, "correct count", 4);

        let tensor = |arena: &mut UniformArena, name: String, values: &[f32], frozen: bool| {
            let bytes = bytemuck::cast_slice(values);
            let param = storage_init(device, &name, bytes);
            let grad = storage(device, &format!("{name} grad"), bytes.len());
            let m = storage(device, &format!("{name} moment 1"), bytes.len());
            let v = storage(device, &format!("{name} moment 2"), bytes.len());
            let opt_slot = arena.alloc();
            let sgd_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(&format!("{name} sgd")),
                layout: &k.sgd_layout,
                entries: &entries(vec![
                    arena.binding(opt_slot),
                    grad.as_entire_binding(),
                    param.as_entire_binding(),
                    m.as_entire_binding(),
                ]),
            });
            let adam_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(&format!("{name} adam")),
                layout: &k.adam_layout,
                entries: &entries(vec![
                    arena.binding(opt_slot),
                    grad.as_entire_binding(),
                    param.as_entire_binding(),
                    m.as_entire_binding(),
                    v.as_entire_binding(),
                ]),
            });
            TensorBuffers {
                param,
                grad,
                m,
                v,
                len: values.len(),
                steps: 0,
                frozen,
                computed: false,
                opt_slot,
                sgd_group,
                adam_group,
            }
        };

        let mut layers = Vec::with_capacity(nl);
        for (l, layer) in model.layers.iter().enumerate() {
            use crate::model::TensorKind;
            let weight = tensor(
                &mut arena,
                Mlp::parameter_name(l, TensorKind::Weight),
                &layer.weight,
                layer.weight_frozen,
            );
            let bias = tensor(
                &mut arena,
                Mlp::parameter_name(l, TensorKind::Bias),
                &layer.bias,
                layer.bias_frozen,
            );
            let (fwd_slot, dw_slot, db_slot, dx_slot, relu_slot) = (
                arena.alloc(),
                arena.alloc(),
                arena.alloc(),
                arena.alloc(),
                arena.alloc(),
            );
            let gl = |label: &str, res: Vec<wgpu::BindingResource<'_>>| {
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(&format!("fc{} {label}", l + 1)),
                    layout: &k.linear_layout,
                    entries: &entries(res),
                })
            };
            let g_out = grads[l + 1]
                .as_ref()
                .expect("every layer output has a gradient buffer");
            let fwd_group = gl(
                "forward",
                vec![
                    arena.binding(fwd_slot),
                    acts[l].as_entire_binding(),
                    weight.param.as_entire_binding(),
                    bias.param.as_entire_binding(),
                    acts[l + 1].as_entire_binding(),
                ],
            );
            let dw_group = gl(
                "weight grad",
                vec![
                    arena.binding(dw_slot),
                    g_out.as_entire_binding(),
                    acts[l].as_entire_binding(),
                    empty.as_entire_binding(),
                    weight.grad.as_entire_binding(),
                ],
            );
            let db_group = gl(
                "bias grad",
                vec![
                    arena.binding(db_slot),
                    g_out.as_entire_binding(),
                    empty.as_entire_binding(),
                    empty.as_entire_binding(),
                    bias.grad.as_entire_binding(),
                ],
            );
            let dx_group = grads[l].as_ref().map(|g_in| {
                let dx = gl(
                    "input grad",
                    vec![
                        arena.binding(dx_slot),
                        g_out.as_entire_binding(),
                        weight.param.as_entire_binding(),
                        empty.as_entire_binding(),
                        g_in.as_entire_binding(),
                    ],
                );
                let relu = device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(&format!("fc{} relu backward", l + 1)),
                    layout: &k.relu_layout,
                    entries: &entries(vec![
                        arena.binding(relu_slot),
                        acts[l].as_entire_binding(),
                        g_in.as_entire_binding(),
                    ]),
                });
                (dx, relu)
            });
            layers.push(LayerBuffers {
                in_f: layer.in_features,
                out_f: layer.out_features,
                weight,
                bias,
                fwd_slot,
                dw_slot,
                db_slot,
                dx_slot,
                relu_slot,
                fwd_group,
                dw_group,
                db_group,
                dx_group,
            });
        }
        let softmax_slot = arena.alloc();
        let softmax_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("softmax cross-entropy"),
            layout: &k.softmax_layout,
            entries: &entries(vec![
                arena.binding(softmax_slot),
                acts[nl].as_entire_binding(),
                labels.as_entire_binding(),
                loss_rows.as_entire_binding(),
                grads[nl]
                    .as_ref()
                    .expect("logits have a gradient buffer")
                    .as_entire_binding(),
                loss_log.as_entire_binding(),
            ]),
        });
        let accuracy_slot = arena.alloc();
        let accuracy_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("accuracy"),
            layout: &k.accuracy_layout,
            entries: &entries(vec![
                arena.binding(accuracy_slot),
                acts[nl].as_entire_binding(),
                labels.as_entire_binding(),
                predictions.as_entire_binding(),
                correct.as_entire_binding(),
            ]),
        });
        let gather_group =
            |label: &str, slot: UniformSlot, data: Option<&DataBuffers>, arena: &UniformArena| {
                let (px, lb) = data.map_or((empty, empty), |d| (&d.pixels, &d.labels));
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(label),
                    layout: &k.gather_layout,
                    entries: &entries(vec![
                        arena.binding(slot),
                        px.as_entire_binding(),
                        lb.as_entire_binding(),
                        indices.as_entire_binding(),
                        acts[0].as_entire_binding(),
                        labels.as_entire_binding(),
                    ]),
                })
            };
        let gather_train_slot = arena.alloc();
        let gather_test_slot = arena.alloc();
        let gather_train_group = gather_group("gather train", gather_train_slot, train, &arena);
        let gather_test_group = gather_group("gather test", gather_test_slot, test, &arena);
        Ok(Resources {
            arena,
            layers,
            acts,
            labels,
            indices,
            loss_rows,
            loss_log,
            predictions,
            eval_losses,
            correct,
            softmax_slot,
            softmax_group,
            accuracy_slot,
            accuracy_group,
            gather_train_slot,
            gather_test_slot,
            gather_train_group,
            gather_test_group,
        })
    }

    /// Recreates the shape-dependent resources. With `keep_parameters`, parameters, optimiser state and
    /// step counts are copied on the GPU from the old resources (the host copy of the model is stale).
    fn rebuild(&mut self, keep_parameters: bool) -> Result<(), EngineError> {
        let mut res = Self::build(
            &self.ctx,
            self.ctx.kernels(),
            &self.model,
            self.max_rows,
            self.eval_capacity,
            self.train.as_ref(),
            self.test.as_ref(),
            &self.empty,
        )?;
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("carry state into rebuilt resources"),
            });
        // Losses not yet read back belong to steps already taken: they survive any rebuild.
        enc.copy_buffer_to_buffer(
            &self.res.loss_log,
            0,
            &res.loss_log,
            0,
            LOSS_RING as u64 * 4,
        );
        if keep_parameters {
            for (old, new) in self.res.layers.iter().zip(&mut res.layers) {
                for (o, n) in [(&old.weight, &mut new.weight), (&old.bias, &mut new.bias)] {
                    for (src, dst) in [(&o.param, &n.param), (&o.m, &n.m), (&o.v, &n.v)] {
                        enc.copy_buffer_to_buffer(src, 0, dst, 0, o.len as u64 * 4);
                    }
                    n.steps = o.steps;
                }
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        self.res = res;
        self.last_rows = 0;
        self.ctx.check()
    }

    /// Writes the row-count-dependent parameters of every dispatch for a batch of `rows`.
    fn set_rows(
        &mut self,
        rows: usize,
        data: Option<&DataBuffers>,
        gather_slot: UniformSlot,
        base: u32,
        use_indices: bool,
    ) {
        let r = rows as u32;
        let res = &mut self.res;
        for (l, layer) in res.layers.iter().enumerate() {
            let (i, o) = (layer.in_f as u32, layer.out_f as u32);
            let relu = l + 1 < self.model.layers.len();
            res.arena
                .set(layer.fwd_slot, &linear::GemmParams::forward(r, i, o, relu));
            res.arena
                .set(layer.dw_slot, &linear::GemmParams::grad_weight(r, i, o));
            res.arena
                .set(layer.db_slot, &linear::GemmParams::grad_bias(r, o));
            res.arena
                .set(layer.dx_slot, &linear::GemmParams::grad_input(r, i, o));
            res.arena.set(
                layer.relu_slot,
                &relu_backward::ReluBackwardParams {
                    n: r * i,
                    pad: [0; 3],
                },
            );
        }
        let (mean, std) = data.map_or((0.0, 1.0), |d| (d.mean, d.std));
        res.arena.set(
            gather_slot,
            &gather_normalize::GatherParams {
                rows: r,
                features: self.model.input_size() as u32,
                base,
                use_indices: u32::from(use_indices),
                mean,
                std,
                ..Default::default()
            },
        );
    }

    fn encode_gather(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        group: &wgpu::BindGroup,
        rows: usize,
    ) {
        pass.set_pipeline(&self.ctx.kernels().gather);
        pass.set_bind_group(0, group, &[]);
        let (x, y, z) = gather_normalize::workgroups((rows * self.model.input_size()) as u32);
        pass.dispatch_workgroups(x, y, z);
    }

    fn encode_forward(&self, pass: &mut wgpu::ComputePass<'_>, rows: usize) {
        pass.set_pipeline(&self.ctx.kernels().gemm);
        for layer in &self.res.layers {
            pass.set_bind_group(0, &layer.fwd_group, &[]);
            let (x, y, z) = linear::GemmParams::forward(
                rows as u32,
                layer.in_f as u32,
                layer.out_f as u32,
                false,
            )
            .gemm_workgroups();
            pass.dispatch_workgroups(x, y, z);
        }
    }

    fn softmax_params(
        &self,
        rows: usize,
        slot: u32,
    ) -> softmax_cross_entropy::SoftmaxCrossEntropyParams {
        softmax_cross_entropy::SoftmaxCrossEntropyParams {
            rows: rows as u32,
            classes: self.model.classes() as u32,
            slot,
            grad_scale: 1.0 / rows as f32,
        }
    }

    fn upload(&self, split: Split, data: &Dataset) -> DataBuffers {
        let name = match split {
            Split::Train => "train",
            Split::Test => "test",
        };
        DataBuffers {
            pixels: storage_init(
                &self.ctx.device,
                &format!("{name} pixels (u8)"),
                &data.images,
            ),
            labels: storage_init(
                &self.ctx.device,
                &format!("{name} labels (u8)"),
                &data.labels,
            ),
            len: data.len(),
            features: data.features(),
            classes: data.classes(),
            mean: data.mean,
            std: data.std,
            width: data.width,
            height: data.height,
        }
    }
}

impl Engine for GpuEngine {
    fn info(&self) -> &EngineInfo {
        &self.info
    }

    fn widths(&self) -> Vec<usize> {
        self.model.widths()
    }

    fn max_rows(&self) -> usize {
        self.max_rows
    }

    fn set_data(&mut self, split: Split, data: &Dataset) -> Result<(), EngineError> {
        check_data_fits(data.features(), data.classes(), &self.model.widths())?;
        Self::check_size(&self.ctx, "the dataset", data.images.len())?;
        let buffers = self.upload(split, data);
        match split {
            Split::Train => self.train = Some(buffers),
            Split::Test => {
                self.eval_capacity = data.len().max(1);
                self.test = Some(buffers);
            }
        }
        // Bind groups reference the data buffers; parameters and optimiser state survive the rebuild.
        self.rebuild(true)
    }

    fn train_step(&mut self, rows: &[u32], opt: &OptimizerConfig) -> Result<(), EngineError> {
        opt.validate()?;
        self.ctx.check()?;
        let samples = self.train.as_ref().map_or(0, |d| d.len);
        check_rows(rows, samples, self.max_rows)?;
        let b = rows.len();
        let reset_state = self.last_optimizer.is_some_and(|k| k != opt.kind);
        self.last_optimizer = Some(opt.kind);

        let train = self.train.take();
        self.set_rows(b, train.as_ref(), self.res.gather_train_slot, 0, true);
        if let (Some(aug), Some(d)) = (self.augmentation, train.as_ref()) {
            let params = gather_normalize::GatherParams {
                rows: b as u32,
                features: d.features as u32,
                use_indices: 1,
                mean: d.mean,
                std: d.std,
                augment: aug.bits(),
                seed: gather_normalize::step_seed(aug.seed, self.steps),
                width: d.width as u32,
                height: d.height as u32,
                crop_pad: aug.crop_pad,
                ..Default::default()
            };
            self.res.arena.set(self.res.gather_train_slot, &params);
        }
        self.train = train;
        let slot = (self.steps % LOSS_RING as u64) as u32;
        let sm = self.softmax_params(b, slot);
        self.res.arena.set(self.res.softmax_slot, &sm);
        for layer in &mut self.res.layers {
            for t in [&mut layer.weight, &mut layer.bias] {
                t.computed = !t.frozen;
                if t.frozen {
                    continue;
                }
                if reset_state {
                    t.steps = 0;
                }
                t.steps += 1;
                let n = t.len as u32;
                match opt.kind {
                    OptimizerKind::Sgd => self.res.arena.set(
                        t.opt_slot,
                        &sgd::SgdParams {
                            n,
                            lr: opt.lr,
                            momentum: opt.momentum,
                            weight_decay: opt.weight_decay,
                        },
                    ),
                    OptimizerKind::Adam => self.res.arena.set(
                        t.opt_slot,
                        &adam::AdamParams::for_step(
                            n,
                            opt.lr,
                            opt.beta1,
                            opt.beta2,
                            opt.eps,
                            opt.weight_decay,
                            t.steps,
                        ),
                    ),
                }
            }
        }
        self.res.arena.flush(&self.ctx.queue);
        self.ctx
            .queue
            .write_buffer(&self.res.indices, 0, bytemuck::cast_slice(rows));

        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("train step"),
            });
        if reset_state {
            // Momentum buffers of one optimiser mean nothing to another.
            for layer in &self.res.layers {
                for t in [&layer.weight, &layer.bias] {
                    enc.clear_buffer(&t.m, 0, None);
                    enc.clear_buffer(&t.v, 0, None);
                }
            }
        }
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("train step"),
                timestamp_writes: None,
            });
            let k = self.ctx.kernels();
            self.encode_gather(&mut pass, &self.res.gather_train_group, b);
            self.encode_forward(&mut pass, b);
            pass.set_bind_group(0, &self.res.softmax_group, &[]);
            pass.set_pipeline(&k.softmax_rows);
            pass.dispatch_workgroups(
                (b as u32).div_ceil(softmax_cross_entropy::ROWS_WORKGROUP),
                1,
                1,
            );
            pass.set_pipeline(&k.softmax_mean);
            pass.dispatch_workgroups(1, 1, 1);
            for (l, layer) in self.res.layers.iter().enumerate().rev() {
                let (i, o) = (layer.in_f as u32, layer.out_f as u32);
                if !layer.weight.frozen {
                    pass.set_pipeline(&k.gemm);
                    pass.set_bind_group(0, &layer.dw_group, &[]);
                    let (x, y, z) =
                        linear::GemmParams::grad_weight(b as u32, i, o).gemm_workgroups();
                    pass.dispatch_workgroups(x, y, z);
                }
                if !layer.bias.frozen {
                    pass.set_pipeline(&k.bias_grad);
                    pass.set_bind_group(0, &layer.db_group, &[]);
                    pass.dispatch_workgroups(o.div_ceil(linear::BIAS_GRAD_WORKGROUP), 1, 1);
                }
                if !self.model.needs_input_grad(l) {
                    break;
                }
                let (dx, relu) = layer
                    .dx_group
                    .as_ref()
                    .expect("layers above the first have an input-gradient bind group");
                pass.set_pipeline(&k.gemm);
                pass.set_bind_group(0, dx, &[]);
                let (x, y, z) = linear::GemmParams::grad_input(b as u32, i, o).gemm_workgroups();
                pass.dispatch_workgroups(x, y, z);
                pass.set_pipeline(&k.relu);
                pass.set_bind_group(0, relu, &[]);
                pass.dispatch_workgroups((b as u32 * i).div_ceil(relu_backward::WORKGROUP), 1, 1);
            }
            for layer in &self.res.layers {
                for t in [&layer.weight, &layer.bias] {
                    if t.frozen {
                        continue;
                    }
                    match opt.kind {
                        OptimizerKind::Sgd => {
                            pass.set_pipeline(&k.sgd);
                            pass.set_bind_group(0, &t.sgd_group, &[]);
                        }
                        OptimizerKind::Adam => {
                            pass.set_pipeline(&k.adam);
                            pass.set_bind_group(0, &t.adam_group, &[]);
                        }
                    }
                    pass.dispatch_workgroups((t.len as u32).div_ceil(sgd::WORKGROUP), 1, 1);
                }
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        self.steps += 1;
        self.last_rows = b;
        // The same frozen flags and `needs_input_grad` decided the dispatches encoded above.
        self.last_launches = step_launches(&self.model, b, opt.kind);
        self.ctx.check()
    }

    async fn take_losses(&mut self) -> Result<Vec<f32>, EngineError> {
        let pending = self.steps - self.losses_read;
        if pending == 0 {
            return Ok(Vec::new());
        }
        let n = pending.min(LOSS_RING as u64);
        let first = self.steps - n;
        let start = (first % LOSS_RING as u64) * 4;
        // The ring may wrap: read it in up to two pieces.
        let head = (n * 4).min(LOSS_RING as u64 * 4 - start);
        let parts = [
            (&self.res.loss_log, start, head),
            (&self.res.loss_log, 0, n * 4 - head),
        ];
        let bytes = self.ctx.read(&parts).await?;
        self.losses_read = self.steps;
        Ok(bytes.iter().flat_map(|b| f32s(b)).collect())
    }

    async fn evaluate(&mut self, limit: Option<usize>) -> Result<Evaluation, EngineError> {
        self.ctx.check()?;
        let test = self
            .test
            .take()
            .ok_or_else(|| EngineError::InvalidInput("no test data has been set".into()))?;
        let n = limit.unwrap_or(usize::MAX).min(test.len);
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("evaluate: zero count"),
            });
        enc.clear_buffer(&self.res.correct, 0, None);
        self.ctx.queue.submit([enc.finish()]);
        // Each chunk changes uniforms (base offsets), so each is its own submission.
        for start in (0..n).step_by(self.max_rows) {
            let rows = self.max_rows.min(n - start);
            self.set_rows(
                rows,
                Some(&test),
                self.res.gather_test_slot,
                start as u32,
                false,
            );
            let sm = self.softmax_params(rows, 0);
            self.res.arena.set(self.res.softmax_slot, &sm);
            let acc = accuracy::AccuracyParams {
                rows: rows as u32,
                classes: self.model.classes() as u32,
                base: start as u32,
                pad: 0,
            };
            self.res.arena.set(self.res.accuracy_slot, &acc);
            self.res.arena.flush(&self.ctx.queue);
            let mut enc = self
                .ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("evaluate chunk"),
                });
            {
                let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("evaluate chunk"),
                    timestamp_writes: None,
                });
                self.encode_gather(&mut pass, &self.res.gather_test_group, rows);
                self.encode_forward(&mut pass, rows);
                pass.set_pipeline(&self.ctx.kernels().softmax_rows);
                pass.set_bind_group(0, &self.res.softmax_group, &[]);
                pass.dispatch_workgroups(
                    (rows as u32).div_ceil(softmax_cross_entropy::ROWS_WORKGROUP),
                    1,
                    1,
                );
                pass.set_pipeline(&self.ctx.kernels().accuracy);
                pass.set_bind_group(0, &self.res.accuracy_group, &[]);
                pass.dispatch_workgroups((rows as u32).div_ceil(accuracy::WORKGROUP), 1, 1);
            }
            enc.copy_buffer_to_buffer(
                &self.res.loss_rows,
                0,
                &self.res.eval_losses,
                start as u64 * 4,
                rows as u64 * 4,
            );
            self.ctx.queue.submit([enc.finish()]);
        }
        self.test = Some(test);
        // The training step's uniforms were overwritten; make the next step rewrite them.
        self.last_rows = 0;
        let bytes = self
            .ctx
            .read(&[
                (&self.res.predictions, 0, n as u64 * 4),
                (&self.res.eval_losses, 0, n as u64 * 4),
                (&self.res.correct, 0, 4),
            ])
            .await?;
        let predictions: Vec<u32> = bytemuck::pod_collect_to_vec(&bytes[0]);
        let loss_sum: f64 = f32s(&bytes[1]).iter().map(|&l| f64::from(l)).sum();
        let correct =
            u32::from_le_bytes([bytes[2][0], bytes[2][1], bytes[2][2], bytes[2][3]]) as usize;
        Ok(Evaluation {
            loss: (loss_sum / n.max(1) as f64) as f32,
            correct,
            total: n,
            predictions,
        })
    }

    async fn model(&mut self) -> Result<Mlp, EngineError> {
        let parts: Vec<(&wgpu::Buffer, u64, u64)> = self
            .res
            .layers
            .iter()
            .flat_map(|l| {
                [
                    (&l.weight.param, 0, l.weight.len as u64 * 4),
                    (&l.bias.param, 0, l.bias.len as u64 * 4),
                ]
            })
            .collect();
        let bytes = self.ctx.read(&parts).await?;
        let mut model = self.model.clone();
        for (layer, pair) in model.layers.iter_mut().zip(bytes.chunks_exact(2)) {
            layer.weight = f32s(&pair[0]);
            layer.bias = f32s(&pair[1]);
        }
        Ok(model)
    }

    fn set_model(&mut self, model: &Mlp) -> Result<(), EngineError> {
        for d in [&self.train, &self.test].into_iter().flatten() {
            check_data_fits(d.features, d.classes, &model.widths())?;
        }
        self.model = model.clone();
        self.last_optimizer = None;
        self.rebuild(false)
    }

    fn set_frozen(&mut self, layer: usize, frozen: bool) -> Result<(), EngineError> {
        self.model.set_layer_frozen(layer, frozen)?;
        let l = &mut self.res.layers[layer];
        l.weight.frozen = frozen;
        l.bias.frozen = frozen;
        Ok(())
    }

    async fn trace(&mut self) -> Result<StepTrace, EngineError> {
        let b = self.last_rows;
        if b == 0 {
            return Err(EngineError::InvalidInput(
                "no training step has run since the last change (trace is read right after a step)"
                    .into(),
            ));
        }
        let widths = self.model.widths();
        let mut parts: Vec<(&wgpu::Buffer, u64, u64)> = widths
            .iter()
            .zip(&self.res.acts)
            .map(|(&w, buf)| (buf, 0, (b * w * 4) as u64))
            .collect();
        parts.push((&self.res.labels, 0, b as u64 * 4));
        parts.push((&self.res.loss_rows, 0, b as u64 * 4));
        for l in &self.res.layers {
            parts.push((
                &l.weight.grad,
                0,
                if l.weight.computed {
                    l.weight.len as u64 * 4
                } else {
                    0
                },
            ));
            parts.push((
                &l.bias.grad,
                0,
                if l.bias.computed {
                    l.bias.len as u64 * 4
                } else {
                    0
                },
            ));
            parts.push((&l.weight.param, 0, l.weight.len as u64 * 4));
            parts.push((&l.bias.param, 0, l.bias.len as u64 * 4));
        }
        let bytes = self.ctx.read(&parts).await?;
        let nw = widths.len();
        let mut model = self.model.clone();
        let mut gradients = Vec::new();
        for (li, (layer, chunk)) in self
            .res
            .layers
            .iter()
            .zip(bytes[nw + 2..].chunks_exact(4))
            .enumerate()
        {
            gradients.push(LayerGradients {
                weight: layer.weight.computed.then(|| f32s(&chunk[0])),
                bias: layer.bias.computed.then(|| f32s(&chunk[1])),
            });
            model.layers[li].weight = f32s(&chunk[2]);
            model.layers[li].bias = f32s(&chunk[3]);
        }
        let row_losses = f32s(&bytes[nw + 1]);
        Ok(StepTrace {
            rows: b,
            inputs: f32s(&bytes[0]),
            labels: bytemuck::pod_collect_to_vec(&bytes[nw]),
            activations: bytes[1..nw].iter().map(|v| f32s(v)).collect(),
            gradients,
            model,
            loss: softmax_cross_entropy::reference_mean(&row_losses),
        })
    }

    fn last_step_kernels(&self) -> Vec<KernelLaunch> {
        self.last_launches.clone()
    }

    fn set_augmentation(
        &mut self,
        augmentation: Option<gather_normalize::Augmentation>,
    ) -> Result<(), EngineError> {
        self.augmentation = augmentation;
        Ok(())
    }

    fn reset_optimizer_state(&mut self) -> Result<(), EngineError> {
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("reset optimiser state"),
            });
        for layer in &mut self.res.layers {
            for t in [&mut layer.weight, &mut layer.bias] {
                enc.clear_buffer(&t.m, 0, None);
                enc.clear_buffer(&t.v, 0, None);
                t.steps = 0;
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        self.ctx.check()
    }

    async fn optimizer_state(&mut self) -> Result<Vec<TensorOptimizerState>, EngineError> {
        let parts: Vec<(&wgpu::Buffer, u64, u64)> = self
            .res
            .layers
            .iter()
            .flat_map(|l| [&l.weight, &l.bias])
            .flat_map(|t| [(&t.m, 0, t.len as u64 * 4), (&t.v, 0, t.len as u64 * 4)])
            .collect();
        let bytes = self.ctx.read(&parts).await?;
        let tensors = self.res.layers.iter().enumerate().flat_map(|(l, layer)| {
            [
                (l, TensorKind::Weight, layer.weight.steps),
                (l, TensorKind::Bias, layer.bias.steps),
            ]
        });
        Ok(tensors
            .zip(bytes.chunks_exact(2))
            .map(|((l, kind, steps), mv)| TensorOptimizerState {
                name: Mlp::parameter_name(l, kind),
                momentum: f32s(&mv[0]),
                second_moment: f32s(&mv[1]),
                steps,
            })
            .collect())
    }

    async fn predict(&mut self, inputs: &[f32], rows: usize) -> Result<Vec<f32>, EngineError> {
        let input = self.model.input_size();
        if inputs.len() != rows * input || rows == 0 || rows > self.max_rows {
            return Err(EngineError::InvalidInput(format!(
                "{} inputs for {rows} rows of {input} (at most {} rows)",
                inputs.len(),
                self.max_rows
            )));
        }
        self.set_rows(rows, None, self.res.gather_train_slot, 0, true);
        self.res.arena.flush(&self.ctx.queue);
        self.ctx
            .queue
            .write_buffer(&self.res.acts[0], 0, bytemuck::cast_slice(inputs));
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("predict"),
            });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("predict"),
                timestamp_writes: None,
            });
            self.encode_forward(&mut pass, rows);
        }
        self.ctx.queue.submit([enc.finish()]);
        // The activations of the last step are overwritten.
        self.last_rows = 0;
        let classes = self.model.classes();
        let nl = self.res.acts.len() - 1;
        let bytes = self
            .ctx
            .read(&[(&self.res.acts[nl], 0, (rows * classes * 4) as u64)])
            .await?;
        Ok(f32s(&bytes[0]))
    }
}
