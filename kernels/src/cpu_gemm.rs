//! The CPU engine's matrix product: a bounds-checked, safe front to `matrixmultiply::sgemm`.
#![allow(unsafe_code)]

/// A matrix operand: a slice read through row and column strides (in elements).
#[derive(Clone, Copy, Debug)]
pub struct Strided<'a> {
    /// The elements.
    pub data: &'a [f32],
    /// Stride between rows.
    pub rs: usize,
    /// Stride between columns.
    pub cs: usize,
}

impl<'a> Strided<'a> {
    /// A row-major `[rows, cols]` matrix.
    pub fn row_major(data: &'a [f32], cols: usize) -> Self {
        Self {
            data,
            rs: cols,
            cs: 1,
        }
    }

    /// The transpose of a row-major matrix with `cols` columns.
    pub fn transposed(data: &'a [f32], cols: usize) -> Self {
        Self {
            data,
            rs: 1,
            cs: cols,
        }
    }

    fn covers(&self, rows: usize, cols: usize) -> bool {
        rows == 0 || cols == 0 || (rows - 1) * self.rs + (cols - 1) * self.cs < self.data.len()
    }
}

/// `c[m, n] = alpha · a(m, k) · b(k, n) + beta · c`, with `c` row-major and contiguous.
///
/// # Panics
/// When an operand is too short for its shape and strides (a bug in the caller, never data-dependent).
#[allow(
    clippy::too_many_arguments,
    reason = "the BLAS sgemm signature, kept so call sites read like the formula"
)]
pub fn sgemm(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Strided<'_>,
    b: Strided<'_>,
    beta: f32,
    c: &mut [f32],
) {
    assert!(a.covers(m, k), "sgemm: A too short for {m}×{k}");
    assert!(b.covers(k, n), "sgemm: B too short for {k}×{n}");
    assert!(c.len() >= m * n, "sgemm: C too short for {m}×{n}");
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the asserts above prove every index matrixmultiply reads ((i·rs + j·cs) for i < rows,
    // j < cols) lies inside the slices, C is exclusively borrowed, and strides fit in isize because the
    // slices do.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.data.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr(),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_product_with_transposes() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let bt: Vec<f32> = (0..n * k).map(|i| (i as f32 * 0.11).cos()).collect(); // [n, k]
        let mut c = vec![0.0; m * n];
        sgemm(
            m,
            k,
            n,
            1.0,
            Strided::row_major(&a, k),
            Strided::transposed(&bt, k),
            0.0,
            &mut c,
        );
        for i in 0..m {
            for j in 0..n {
                let e: f32 = (0..k).map(|t| a[i * k + t] * bt[j * k + t]).sum();
                assert!((c[i * n + j] - e).abs() < 1e-5);
            }
        }
    }

    #[test]
    #[should_panic(expected = "A too short")]
    fn rejects_short_operands() {
        let mut c = vec![0.0; 4];
        sgemm(
            2,
            2,
            2,
            1.0,
            Strided::row_major(&[1.0; 3], 2),
            Strided::row_major(&[1.0; 4], 2),
            0.0,
            &mut c,
        );
    }
}
