//! What a kernel is to the engines: its shader file, WGSL source, bindings in order and entry points,
//! declared once next to the shader (each op module's `SHADER`) and listed once in [`super::ALL`]. The
//! GPU engine builds every pipeline, bind-group layout and bind group from these declarations, the
//! kernel runner takes an entry point by value, and `tests/shaders.rs` checks each declaration against
//! the WGSL it describes (names, order and access of the bindings; the entry points).

/// How a kernel uses a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `var<uniform>`: the kernel's parameters.
    Uniform,
    /// `var<storage, read>`.
    Read,
    /// `var<storage, read_write>`.
    ReadWrite,
}

/// One binding of group 0: its name in the WGSL and how the kernel uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The variable's name in the WGSL.
    pub name: &'static str,
    /// Uniform, read-only or read-write storage.
    pub access: Access,
}

/// The uniform binding `name`.
pub const fn uniform(name: &'static str) -> Binding {
    Binding {
        name,
        access: Access::Uniform,
    }
}

/// The read-only storage binding `name`.
pub const fn read(name: &'static str) -> Binding {
    Binding {
        name,
        access: Access::Read,
    }
}

/// The read-write storage binding `name`.
pub const fn read_write(name: &'static str) -> Binding {
    Binding {
        name,
        access: Access::ReadWrite,
    }
}

/// One `.wgsl` file as the engines see it.
#[derive(Debug)]
pub struct Shader {
    /// File name under `shaders/`.
    pub file: &'static str,
    /// The WGSL source, as written.
    pub source: &'static str,
    /// Group 0's bindings: binding `i` is `bindings[i]`.
    pub bindings: &'static [Binding],
    /// The entry points.
    pub entries: &'static [&'static str],
    /// Pipeline-overridable constants the engine sets (`override` declarations).
    pub constants: &'static [(&'static str, f64)],
}

impl Shader {
    /// The position of binding `name`.
    pub fn binding(&self, name: &str) -> Option<usize> {
        self.bindings.iter().position(|b| b.name == name)
    }
}

/// One entry point of one shader: what a dispatch runs.
#[derive(Clone, Copy, Debug)]
pub struct KernelEntry {
    /// The shader.
    pub shader: &'static Shader,
    /// The entry point's name.
    pub entry: &'static str,
}

impl KernelEntry {
    /// The entry point `entry` of `shader`.
    pub const fn of(shader: &'static Shader, entry: &'static str) -> Self {
        Self { shader, entry }
    }

    /// Its index in the shader's entry points.
    pub fn index(&self) -> Option<usize> {
        self.shader.entries.iter().position(|e| *e == self.entry)
    }
}

impl PartialEq for KernelEntry {
    fn eq(&self, other: &Self) -> bool {
        self.shader.file == other.shader.file && self.entry == other.entry
    }
}

impl Eq for KernelEntry {}
