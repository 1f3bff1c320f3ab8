//! Fully connected layer: forward `Y = X·Wᵀ + b` (optionally fused with ReLU), and backward
//! `dX = dY·W`, `dW = dYᵀ·X`, `db = Σ_rows dY`. One strided GEMM kernel serves all three products.

use bytemuck::{Pod, Zeroable};

use super::Real;
use super::kernel::{KernelEntry, Shader, read, read_write, uniform};

/// WGSL source (`shaders/linear.wgsl`).
pub const SOURCE: &str = include_str!("../../shaders/linear.wgsl");

/// The shader's bindings and entry points (the engines build from this; `tests/shaders.rs` checks it
/// against the WGSL).
pub const SHADER: Shader = Shader {
    file: "linear.wgsl",
    source: SOURCE,
    bindings: &[
        uniform("p"),
        read("a"),
        read("b"),
        read("bias"),
        read_write("c"),
        read_write("sums"),
    ],
    entries: &[
        "gemm",
        "gemm_registers",
        "gemm_wide",
        "split_reduce",
        "bias_grad",
    ],
    constants: &[("SPLITS", SPLITS as f64)],
};
/// The tiled matrix product (workgroup memory).
pub const GEMM: KernelEntry = KernelEntry::of(&SHADER, "gemm");
/// The register-blocked matrix product (also split-K's first pass).
pub const GEMM_REGISTERS: KernelEntry = KernelEntry::of(&SHADER, "gemm_registers");
/// The register-blocked product with rows shared by the workgroup.
pub const GEMM_WIDE: KernelEntry = KernelEntry::of(&SHADER, "gemm_wide");
/// Split-K's second pass: the slices summed, then the epilogue.
pub const SPLIT_REDUCE: KernelEntry = KernelEntry::of(&SHADER, "split_reduce");
/// The bias gradient as column sums (the unfused path).
pub const BIAS_GRAD: KernelEntry = KernelEntry::of(&SHADER, "bias_grad");

/// Add `bias[col]` to every row.
pub const FLAG_BIAS: u32 = 1;
/// Apply ReLU after the bias.
pub const FLAG_RELU: u32 = 2;
/// Zero `C[r, c]` where the mask (bound in the bias slot, `[m, n]`) is not positive: the gradient
/// through the ReLU below, fused into the input-gradient product.
pub const FLAG_RELU_MASK: u32 = 4;
/// Also write the row sums of A (`sums[m]`): the bias gradient, fused into the weight-gradient product.
pub const FLAG_ROW_SUMS: u32 = 8;
/// Rows and columns of C covered by one workgroup of `gemm`.
pub const TILE: u32 = 64;
/// Side of the block of C one `gemm_registers` workgroup computes.
pub const REG_TILE: u32 = 32;
/// Rows of the block of C one `gemm_registers` workgroup computes.
pub const REG_ROWS: u32 = 64;

/// Rows of C one `gemm_wide` workgroup computes.
pub const WIDE_ROWS: u32 = 8;
/// Columns of C one `gemm_wide` workgroup computes.
pub const WIDE_COLS: u32 = 256;

/// Slices of K in split-K (workgroups along z of its first pass; the WGSL `override SPLITS` of
/// `split_reduce`, set from here).
pub const SPLITS: u32 = 4;

/// The matrix-product kernels, with the same bindings and results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum GemmVariant {
    /// `gemm`: 64×64 tiles through workgroup memory (a barrier per 16-deep slice of K).
    Tiled,
    /// `gemm_registers`: 8×4 register blocks, 64×32 of C per 8×8 workgroup, no workgroup memory.
    Registers,
    /// `gemm_wide`: 8×4 register blocks with row indices uniform per workgroup (8×256 of C per 64).
    Wide,
    /// `gemm_registers` over [`SPLITS`] slices of K (one per workgroup along z) into a scratch
    /// buffer, then a pass adding them with the epilogue. Two dispatches; no [`FLAG_ROW_SUMS`].
    Split,
}

impl GemmVariant {
    /// Every variant, in the order they are timed.
    pub const ALL: [GemmVariant; 4] = [
        GemmVariant::Tiled,
        GemmVariant::Registers,
        GemmVariant::Wide,
        GemmVariant::Split,
    ];

    /// The kernel of its (first) dispatch; split-K's second is [`SPLIT_REDUCE`].
    pub fn kernel(self) -> KernelEntry {
        match self {
            Self::Tiled => GEMM,
            Self::Registers | Self::Split => GEMM_REGISTERS,
            Self::Wide => GEMM_WIDE,
        }
    }

    /// The WGSL entry point (split-K: its two passes, joined by `+`).
    pub fn entry(self) -> &'static str {
        match self {
            GemmVariant::Tiled => "gemm",
            GemmVariant::Registers => "gemm_registers",
            GemmVariant::Wide => "gemm_wide",
            GemmVariant::Split => "gemm_registers+split_reduce",
        }
    }

    /// Dispatches it takes.
    pub fn dispatches(self) -> usize {
        if self == GemmVariant::Split { 2 } else { 1 }
    }
}
/// Invocations per workgroup of `bias_grad`.
pub const BIAS_GRAD_WORKGROUP: u32 = 64;

/// Uniform parameters of `linear.wgsl`: `C[m, n] = A(m, k) · B(k, n)` with A and B read through strides.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable)]
pub struct GemmParams {
    /// Rows of C.
    pub m: u32,
    /// Columns of C.
    pub n: u32,
    /// Inner dimension.
    pub k: u32,
    /// Stride of A between rows.
    pub a_rs: u32,
    /// Stride of A between columns.
    pub a_cs: u32,
    /// Stride of B between rows.
    pub b_rs: u32,
    /// Stride of B between columns.
    pub b_cs: u32,
    /// [`FLAG_BIAS`] | [`FLAG_RELU`] | [`FLAG_RELU_MASK`] | [`FLAG_ROW_SUMS`].
    pub flags: u32,
}

impl GemmParams {
    /// Forward: `Y[rows, out] = X[rows, in] · Wᵀ (+ b) (ReLU)` with `W` stored `[out, in]`.
    pub fn forward(rows: u32, in_f: u32, out_f: u32, relu: bool) -> Self {
        let flags = FLAG_BIAS | if relu { FLAG_RELU } else { 0 };
        Self {
            m: rows,
            n: out_f,
            k: in_f,
            a_rs: in_f,
            a_cs: 1,
            b_rs: 1,
            b_cs: in_f,
            flags,
        }
    }

    /// Input gradient: `dX[rows, in] = dY[rows, out] · W[out, in]`.
    pub fn grad_input(rows: u32, in_f: u32, out_f: u32) -> Self {
        Self {
            m: rows,
            n: in_f,
            k: out_f,
            a_rs: out_f,
            a_cs: 1,
            b_rs: in_f,
            b_cs: 1,
            flags: 0,
        }
    }

    /// Weight gradient: `dW[out, in] = dY[rows, out]ᵀ · X[rows, in]`.
    pub fn grad_weight(rows: u32, in_f: u32, out_f: u32) -> Self {
        Self {
            m: out_f,
            n: in_f,
            k: rows,
            a_rs: 1,
            a_cs: out_f,
            b_rs: in_f,
            b_cs: 1,
            flags: 0,
        }
    }

    /// The same product, zeroed where the mask in the bias slot is not positive ([`FLAG_RELU_MASK`]).
    pub fn with_relu_mask(self) -> Self {
        Self {
            flags: self.flags | FLAG_RELU_MASK,
            ..self
        }
    }

    /// The same product, also writing the row sums of A ([`FLAG_ROW_SUMS`]).
    pub fn with_row_sums(self) -> Self {
        Self {
            flags: self.flags | FLAG_ROW_SUMS,
            ..self
        }
    }

    /// Bias gradient (entry `bias_grad`): `db[out] = Σ_rows dY[rows, out]`.
    pub fn grad_bias(rows: u32, out_f: u32) -> Self {
        Self {
            m: rows,
            n: out_f,
            ..Self::default()
        }
    }

    /// Workgroups to dispatch for `gemm`.
    pub fn gemm_workgroups(&self) -> (u32, u32, u32) {
        (self.n.div_ceil(TILE), self.m.div_ceil(TILE), 1)
    }

    /// Workgroups of `gemm_registers` (a 32×32 block of C each).
    pub fn registers_workgroups(&self) -> (u32, u32, u32) {
        (self.n.div_ceil(REG_TILE), self.m.div_ceil(REG_ROWS), 1)
    }

    /// Workgroups of `variant`.
    pub fn workgroups(&self, variant: GemmVariant) -> (u32, u32, u32) {
        match variant {
            GemmVariant::Tiled => self.gemm_workgroups(),
            GemmVariant::Registers => self.registers_workgroups(),
            GemmVariant::Wide => (self.n.div_ceil(WIDE_COLS), self.m.div_ceil(WIDE_ROWS), 1),
            GemmVariant::Split => {
                let (x, y, _) = self.registers_workgroups();
                (x, y, SPLITS)
            }
        }
    }

    /// Workgroups of `split_reduce`, the second dispatch of [`GemmVariant::Split`].
    pub fn reduce_workgroups(&self) -> (u32, u32, u32) {
        (self.n.div_ceil(64), self.m, 1)
    }

    /// Floats of scratch [`GemmVariant::Split`] needs.
    pub fn split_scratch(&self) -> usize {
        SPLITS as usize * self.m as usize * self.n as usize
    }
}

/// Reference of the `gemm` entry exactly as the kernel defines it (strided A and B, flags; `bias` is
/// the mask under [`FLAG_RELU_MASK`]). The row sums of [`FLAG_ROW_SUMS`] are [`reference_row_sums`].
pub fn reference_gemm(p: &GemmParams, a: &[f32], b: &[f32], bias: &[f32]) -> Vec<f32> {
    let (m, n, k) = (p.m as usize, p.n as usize, p.k as usize);
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f32;
            for kk in 0..k {
                s += a[i * p.a_rs as usize + kk * p.a_cs as usize]
                    * b[kk * p.b_rs as usize + j * p.b_cs as usize];
            }
            if p.flags & FLAG_BIAS != 0 {
                s += bias[j];
            }
            if p.flags & FLAG_RELU != 0 {
                s = s.max(0.0);
            }
            if p.flags & FLAG_RELU_MASK != 0 && bias[i * n + j] <= 0.0 {
                s = 0.0;
            }
            c[i * n + j] = s;
        }
    }
    c
}

/// The row sums `Σ_k A(m, k)` that [`FLAG_ROW_SUMS`] writes.
pub fn reference_row_sums(p: &GemmParams, a: &[f32]) -> Vec<f32> {
    (0..p.m as usize)
        .map(|i| {
            (0..p.k as usize)
                .map(|kk| a[i * p.a_rs as usize + kk * p.a_cs as usize])
                .sum()
        })
        .collect()
}

/// Forward pass of a layer, written as the lesson states it:
/// `y[r, o] = Σ_i x[r, i] · w[o, i] + b[o]`, then `max(y, 0)` when `relu`.
pub fn reference_forward<T: Real>(
    x: &[T],
    w: &[T],
    b: &[T],
    rows: usize,
    in_f: usize,
    out_f: usize,
    relu: bool,
) -> Vec<T> {
    let mut y = vec![T::ZERO; rows * out_f];
    for r in 0..rows {
        for o in 0..out_f {
            let mut s = b[o];
            for i in 0..in_f {
                s += x[r * in_f + i] * w[o * in_f + i];
            }
            y[r * out_f + o] = if relu { s.max(T::ZERO) } else { s };
        }
    }
    y
}

/// Input gradient: `dx[r, i] = Σ_o dy[r, o] · w[o, i]` (the chain rule through `x · Wᵀ`).
pub fn reference_grad_input<T: Real>(
    dy: &[T],
    w: &[T],
    rows: usize,
    in_f: usize,
    out_f: usize,
) -> Vec<T> {
    let mut dx = vec![T::ZERO; rows * in_f];
    for r in 0..rows {
        for o in 0..out_f {
            let g = dy[r * out_f + o];
            for i in 0..in_f {
                dx[r * in_f + i] += g * w[o * in_f + i];
            }
        }
    }
    dx
}

/// Weight gradient: `dw[o, i] = Σ_r dy[r, o] · x[r, i]` (summed over the batch).
pub fn reference_grad_weight<T: Real>(
    dy: &[T],
    x: &[T],
    rows: usize,
    in_f: usize,
    out_f: usize,
) -> Vec<T> {
    let mut dw = vec![T::ZERO; out_f * in_f];
    for r in 0..rows {
        for o in 0..out_f {
            let g = dy[r * out_f + o];
            for i in 0..in_f {
                dw[o * in_f + i] += g * x[r * in_f + i];
            }
        }
    }
    dw
}

/// Bias gradient: `db[o] = Σ_r dy[r, o]`.
pub fn reference_grad_bias<T: Real>(dy: &[T], rows: usize, out_f: usize) -> Vec<T> {
    let mut db = vec![T::ZERO; out_f];
    for r in 0..rows {
        for o in 0..out_f {
            db[o] += dy[r * out_f + o];
        }
    }
    db
}
