//! Single kernels on given data: the GPU side of the kernel tests, and of lessons that show one op.

use wgpu::util::DeviceExt;

use super::*;
use crate::engine::EngineError;
pub use crate::ops::kernel::KernelEntry;

/// Runs single kernels on given data: the GPU side of the kernel tests, and of lessons that show one op.
pub struct KernelRunner {
    pub(super) ctx: GpuContext,
}

impl KernelRunner {
    /// A runner on `ctx`'s device (its kernels are compiled once per device and shared with engines).
    pub fn new(ctx: &GpuContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    /// Dispatches `entry` (an op module's constant, e.g. `ops::head::MAIN`) once over `workgroups`,
    /// with `uniform` at binding 0 and one storage buffer per element of `buffers` (their initial
    /// contents, in the order of the shader's declared bindings); returns every buffer's final contents.
    pub async fn run(
        &self,
        entry: KernelEntry,
        uniform: &[u8],
        buffers: &[&[u8]],
        workgroups: (u32, u32, u32),
    ) -> Result<Vec<Vec<u8>>, EngineError> {
        let ctx = &self.ctx;
        let k = ctx.kernels();
        let declared = entry.shader.bindings.len();
        if buffers.len() + 1 != declared || entry.index().is_none() {
            return Err(EngineError::InvalidInput(format!(
                "{}::{} takes a uniform and {} buffers ({} given)",
                entry.shader.file,
                entry.entry,
                declared - 1,
                buffers.len()
            )));
        }
        let (pipeline, layout) = (k.pipeline(entry), k.layout(entry.shader));
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
