//! The compiled kernels: every pipeline and bind-group layout, built once per device.

use crate::ops::{accuracy, gather_normalize, head, linear, softmax_cross_entropy, update};

/// Binding kinds, in the order every kernel declares them.
#[derive(Clone, Copy)]
pub(super) enum Slot {
    Uniform,
    Read,
    ReadWrite,
}

/// The compiled kernels: pipelines and bind-group layouts, created once per device.
pub(super) struct Kernels {
    pub(super) linear_layout: wgpu::BindGroupLayout,
    pub(super) gemm: wgpu::ComputePipeline,
    pub(super) gemm_registers: wgpu::ComputePipeline,
    pub(super) gemm_wide: wgpu::ComputePipeline,
    pub(super) split_reduce: wgpu::ComputePipeline,
    pub(super) bias_grad: wgpu::ComputePipeline,
    pub(super) head_layout: wgpu::BindGroupLayout,
    pub(super) head: wgpu::ComputePipeline,
    pub(super) softmax_layout: wgpu::BindGroupLayout,
    pub(super) softmax_rows: wgpu::ComputePipeline,
    pub(super) update_layout: wgpu::BindGroupLayout,
    pub(super) update_sgd: wgpu::ComputePipeline,
    pub(super) update_adam: wgpu::ComputePipeline,
    pub(super) accuracy_layout: wgpu::BindGroupLayout,
    pub(super) accuracy: wgpu::ComputePipeline,
    pub(super) gather_layout: wgpu::BindGroupLayout,
    pub(super) gather: wgpu::ComputePipeline,
}

impl Kernels {
    /// The pipeline of a matrix-product variant.
    pub(super) fn gemm(&self, variant: linear::GemmVariant) -> &wgpu::ComputePipeline {
        match variant {
            linear::GemmVariant::Tiled => &self.gemm,
            linear::GemmVariant::Registers => &self.gemm_registers,
            linear::GemmVariant::Wide => &self.gemm_wide,
            // The first of its two dispatches; `split_reduce` is the second.
            linear::GemmVariant::Split => &self.gemm_registers,
        }
    }

    pub(super) fn new(device: &wgpu::Device) -> Self {
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
            with_constants(device, label, source, layout, entries, &[])
        }
        fn with_constants<const N: usize>(
            device: &wgpu::Device,
            label: &str,
            source: &str,
            layout: &wgpu::BindGroupLayout,
            entries: [&str; N],
            constants: &[(&str, f64)],
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
                    compilation_options: wgpu::PipelineCompilationOptions {
                        constants,
                        ..Default::default()
                    },
                    cache: None,
                })
            })
        }
        use Slot::{Read as R, ReadWrite as W, Uniform as U};
        let linear_layout = layout("linear layout", &[U, R, R, R, W, W]);
        let [gemm, gemm_registers, gemm_wide, split_reduce, bias_grad] = with_constants(
            device,
            "linear.wgsl",
            linear::SOURCE,
            &linear_layout,
            [
                "gemm",
                "gemm_registers",
                "gemm_wide",
                "split_reduce",
                "bias_grad",
            ],
            &[("SPLITS", f64::from(linear::SPLITS))],
        );
        let head_layout = layout("head layout", &[U, R, R, R, R, W, W, W, W]);
        let [head] = pipelines(device, "head.wgsl", head::SOURCE, &head_layout, ["main"]);
        let softmax_layout = layout("softmax_cross_entropy layout", &[U, R, R, W, W]);
        let [softmax_rows] = pipelines(
            device,
            "softmax_cross_entropy.wgsl",
            softmax_cross_entropy::SOURCE,
            &softmax_layout,
            ["rows"],
        );
        let update_layout = layout("update layout", &[U, R, R, W, W, W, W]);
        let [update_sgd, update_adam] = pipelines(
            device,
            "update.wgsl",
            update::SOURCE,
            &update_layout,
            ["sgd", "adam"],
        );
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
            gemm_registers,
            gemm_wide,
            split_reduce,
            bias_grad,
            head_layout,
            head,
            softmax_layout,
            softmax_rows,
            update_layout,
            update_sgd,
            update_adam,
            accuracy_layout,
            accuracy,
            gather_layout,
            gather,
        }
    }
}
