//! The compiled kernels: for every shader of [`crate::ops::ALL`], its bind-group layout and one
//! pipeline per entry point, built once per device from the shader's declaration; and bind groups
//! built by binding name, checked against that declaration.

use crate::ops::kernel::{Access, KernelEntry, Shader};
use crate::ops::{self, linear};

/// One shader compiled on a device.
struct Compiled {
    shader: &'static Shader,
    layout: wgpu::BindGroupLayout,
    /// One per entry point, in the shader's order.
    pipelines: Vec<wgpu::ComputePipeline>,
}

/// The compiled kernels of one device.
pub(super) struct Kernels {
    compiled: Vec<Compiled>,
}

impl Kernels {
    pub(super) fn new(device: &wgpu::Device) -> Self {
        Self {
            compiled: ops::ALL.iter().map(|s| compile(device, s)).collect(),
        }
    }

    fn compiled(&self, shader: &Shader) -> &Compiled {
        self.compiled
            .iter()
            .find(|c| c.shader.file == shader.file)
            .expect("every shader is listed in ops::ALL")
    }

    /// The pipeline of an entry point.
    pub(super) fn pipeline(&self, kernel: KernelEntry) -> &wgpu::ComputePipeline {
        let index = kernel
            .index()
            .expect("a KernelEntry names one of its shader's entry points");
        &self.compiled(kernel.shader).pipelines[index]
    }

    /// The bind-group layout of a shader.
    pub(super) fn layout(&self, shader: &Shader) -> &wgpu::BindGroupLayout {
        &self.compiled(shader).layout
    }

    /// The pipeline of a matrix-product variant (split-K: its first dispatch).
    pub(super) fn gemm(&self, variant: linear::GemmVariant) -> &wgpu::ComputePipeline {
        self.pipeline(variant.kernel())
    }

    /// A bind group of `shader` from `(binding name, resource)` pairs in binding order. The names are
    /// checked against the shader's declaration, so a buffer can never land in another's binding.
    pub(super) fn bind_group(
        &self,
        device: &wgpu::Device,
        shader: &Shader,
        label: &str,
        resources: Vec<(&str, wgpu::BindingResource<'_>)>,
    ) -> wgpu::BindGroup {
        let names: Vec<&str> = resources.iter().map(|(n, _)| *n).collect();
        let declared: Vec<&str> = shader.bindings.iter().map(|b| b.name).collect();
        assert_eq!(
            names, declared,
            "{label}: the bindings of {} are {declared:?}",
            shader.file
        );
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: self.layout(shader),
            entries: &super::entries(resources.into_iter().map(|(_, r)| r).collect()),
        })
    }
}

fn compile(device: &wgpu::Device, shader: &'static Shader) -> Compiled {
    let entries: Vec<_> = shader
        .bindings
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupLayoutEntry {
            binding: i as u32,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: match b.access {
                    Access::Uniform => wgpu::BufferBindingType::Uniform,
                    Access::Read => wgpu::BufferBindingType::Storage { read_only: true },
                    Access::ReadWrite => wgpu::BufferBindingType::Storage { read_only: false },
                },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        })
        .collect();
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(shader.file),
        entries: &entries,
    });
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(shader.file),
        source: wgpu::ShaderSource::Wgsl(shader.source.into()),
    });
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(shader.file),
        bind_group_layouts: &[Some(&layout)],
        immediate_size: 0,
    });
    let pipelines = shader
        .entries
        .iter()
        .map(|e| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(&format!("{}::{e}", shader.file)),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(e),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants: shader.constants,
                    ..Default::default()
                },
                cache: None,
            })
        })
        .collect();
    Compiled {
        shader,
        layout,
        pipelines,
    }
}
