//! Single kernels on given data: the GPU side of the kernel tests, and of lessons that show one op.

use wgpu::util::DeviceExt;

use super::*;
use crate::engine::EngineError;

/// One kernel entry point, for running a kernel alone ([`KernelRunner`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelEntry {
    /// `linear.wgsl::gemm`: [`linear::GemmParams`]; buffers a, b, bias (or mask), c, sums.
    Gemm,
    /// `linear.wgsl::gemm_registers`: the same bindings and result.
    GemmRegisters,
    /// `linear.wgsl::gemm_wide`: the same bindings and result.
    GemmWide,
    /// `linear.wgsl::split_reduce`: buffers scratch, b (unused), bias (or mask), c, sums (unused).
    SplitReduce,
    /// `linear.wgsl::bias_grad`: [`linear::GemmParams`]; buffers a, b, bias, c, sums.
    BiasGrad,
    /// `head.wgsl`: [`crate::ops::head::HeadParams`]; buffers x, w, bias, labels, logits, loss_rows,
    /// dlogits, dx.
    Head,
    /// `softmax_cross_entropy.wgsl::rows`: buffers logits, labels, loss_rows, dlogits.
    SoftmaxRows,
    /// `update.wgsl::sgd`: [`crate::ops::update::UpdateParams`]; buffers grad, loss_rows, param, m, v,
    /// loss_log.
    UpdateSgd,
    /// `update.wgsl::adam`: the same bindings.
    UpdateAdam,
    /// `accuracy.wgsl`: buffers logits, labels, predictions, correct.
    Accuracy,
    /// `gather_normalize.wgsl`: buffers pixels, labels, indices, x, y.
    GatherNormalize,
}

/// Runs single kernels on given data: the GPU side of the kernel tests, and of lessons that show one op.
pub struct KernelRunner {
    pub(super) ctx: GpuContext,
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
            KernelEntry::GemmRegisters => (&k.gemm_registers, &k.linear_layout),
            KernelEntry::GemmWide => (&k.gemm_wide, &k.linear_layout),
            KernelEntry::SplitReduce => (&k.split_reduce, &k.linear_layout),
            KernelEntry::BiasGrad => (&k.bias_grad, &k.linear_layout),
            KernelEntry::Head => (&k.head, &k.head_layout),
            KernelEntry::SoftmaxRows => (&k.softmax_rows, &k.softmax_layout),
            KernelEntry::UpdateSgd => (&k.update_sgd, &k.update_layout),
            KernelEntry::UpdateAdam => (&k.update_adam, &k.update_layout),
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
