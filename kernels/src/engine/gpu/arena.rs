//! One uniform buffer for every dispatch's parameters, mirrored on the host.

use bytemuck::Pod;

/// One uniform buffer holding every dispatch's parameters at aligned offsets, mirrored on the host and
/// written in one `write_buffer` when something changed.
pub(super) struct UniformArena {
    pub(super) buffer: wgpu::Buffer,
    pub(super) mirror: Vec<u8>,
    pub(super) align: usize,
    pub(super) used: usize,
    pub(super) dirty: bool,
}

/// A slot in the arena: its first aligned block, and the bytes bound.
#[derive(Clone, Copy, Debug)]
pub(super) struct UniformSlot {
    block: usize,
    bytes: usize,
}

impl UniformArena {
    pub(super) fn new(device: &wgpu::Device, slots: usize) -> Self {
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

    /// A slot of 64 bytes (every kernel's parameters but the update's).
    pub(super) fn alloc(&mut self) -> UniformSlot {
        self.alloc_bytes(64)
    }

    /// A slot of `bytes`, spanning as many aligned blocks as it needs.
    pub(super) fn alloc_bytes(&mut self, bytes: usize) -> UniformSlot {
        let blocks = bytes.div_ceil(self.align).max(1);
        assert!(
            self.used + blocks <= self.mirror.len() / self.align,
            "uniform arena sized too small (a bug in slot counting)"
        );
        self.used += blocks;
        UniformSlot {
            block: self.used - blocks,
            bytes,
        }
    }

    /// Blocks of `align` bytes a slot of `bytes` takes, for sizing the arena.
    pub(super) fn blocks(device: &wgpu::Device, bytes: usize) -> usize {
        let align = (device.limits().min_uniform_buffer_offset_alignment as usize).max(64);
        bytes.div_ceil(align)
    }

    pub(super) fn set<T: Pod>(&mut self, slot: UniformSlot, value: &T) {
        let bytes = bytemuck::bytes_of(value);
        debug_assert!(
            bytes.len() <= slot.bytes,
            "parameters larger than their slot"
        );
        let at = slot.block * self.align;
        if &self.mirror[at..at + bytes.len()] != bytes {
            self.mirror[at..at + bytes.len()].copy_from_slice(bytes);
            self.dirty = true;
        }
    }

    pub(super) fn binding(&self, slot: UniformSlot) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: &self.buffer,
            offset: (slot.block * self.align) as u64,
            size: wgpu::BufferSize::new(slot.bytes as u64),
        })
    }

    pub(super) fn flush(&mut self, queue: &wgpu::Queue) {
        if self.dirty {
            queue.write_buffer(&self.buffer, 0, &self.mirror[..self.used * self.align]);
            self.dirty = false;
        }
    }
}
