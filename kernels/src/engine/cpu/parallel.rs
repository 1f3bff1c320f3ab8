//! The CPU engine's parallel loops on rayon, written so that **the numbers do not depend on the thread
//! count**: a model trained on 1, 2 or 16 threads (or in a wasm build without threads) ends with the
//! same bits.
//!
//! Two rules make that so:
//! - A matrix product is split into chunks of output rows or columns ([`split`]: one per thread, unless
//!   the product is too small), and each chunk is one sgemm call over the whole inner dimension. Every
//!   output element is then one sgemm reduction over the whole inner dimension, in sgemm's order,
//!   whatever chunk it fell in: a product in chunks has the bits of one sgemm call (test
//!   `chunked_products_equal_one_sgemm`), so the chunks may follow the thread count.
//! - A reduction ([`column_sums`]) adds each output's terms in one fixed order (row by row), whatever
//!   the chunks of outputs the threads take; element-wise loops ([`for_each_chunk`], [`zip_chunks`],
//!   [`optimizer_update`]) have no order to keep.
//!
//! rayon runs these on the pool the caller is in (`ThreadPool::install`), or on its global pool. The
//! wasm build (one thread in the browser) has no rayon: every loop runs whole, [`Pool`] has no value,
//! and the download carries none of rayon's 22 KB (gzip) of pool code.

#![cfg_attr(
    target_arch = "wasm32",
    allow(
        dead_code,
        clippy::needless_return,
        reason = "the wasm build has no threads: only the whole-loop paths remain"
    )
)]

use std::cell::Cell;

#[cfg(not(target_arch = "wasm32"))]
use rayon::prelude::*;

use crate::cpu_gemm::{Strided, sgemm};
use crate::engine::OptimizerKind;
use crate::ops::optim;

/// Multiply-adds a product must have per chunk before it is split: smaller chunks cost more (a rayon
/// task, the other operand packed again by sgemm) than a second thread wins.
const MIN_CHUNK_MACS: usize = 1 << 20;
/// Fewest rows (or columns) in a chunk: each chunk packs the whole unsplit operand again, so this many
/// rows share one packing (sgemm's micro-kernel is 8 wide, so this is also a multiple of it).
const MIN_CHUNK_EXTENT: usize = 64;
/// Elements per task in element-wise loops and column sums (large enough that a task outweighs
/// rayon's overhead, small enough that a 100k-parameter tensor spreads over a few threads).
const ELEMENT_CHUNK: usize = 1 << 14;

thread_local! {
    /// Set while a one-thread engine works ([`sequential`]): every loop runs whole on the calling
    /// thread, with no pool to hand work to and back.
    static SEQUENTIAL: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every parallel loop in it run whole on this thread. The bits are the same: a product
/// in chunks equals one sgemm call (test `chunked_products_equal_one_sgemm`), and the loops' orders do
/// not depend on their chunks.
pub(super) fn sequential<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SEQUENTIAL.set(self.0);
        }
    }
    let _restore = Restore(SEQUENTIAL.replace(true));
    f()
}

/// Whether the loops run whole here: a one-thread engine, or a pool of one thread.
fn inline() -> bool {
    SEQUENTIAL.get() || global_threads() == 1
}

/// A pool of threads of an engine's own.
#[cfg(not(target_arch = "wasm32"))]
pub(super) type Pool = rayon::ThreadPool;

/// No pool in the wasm build (no value of this type exists).
#[cfg(target_arch = "wasm32")]
pub(super) enum Pool {}

#[cfg(target_arch = "wasm32")]
impl Pool {
    /// (Never called: there is no pool.)
    pub(super) fn install<R>(&self, _f: impl FnOnce() -> R) -> R {
        match *self {}
    }

    /// (Never called: there is no pool.)
    pub(super) fn current_num_threads(&self) -> usize {
        match *self {}
    }
}

/// A pool of `threads` threads, where threads can start.
pub(super) fn build_pool(threads: usize) -> Option<Pool> {
    #[cfg(not(target_arch = "wasm32"))]
    return rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("cpu-engine-{i}"))
        .build()
        .ok();
    #[cfg(target_arch = "wasm32")]
    {
        let _ = threads;
        None
    }
}

/// The threads of the pool the caller is in, or of rayon's global pool (one in the wasm build).
pub(super) fn global_threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    return rayon::current_num_threads();
    #[cfg(target_arch = "wasm32")]
    1
}

/// The number of rows (or columns) in each chunk when `extent` of them, each `macs_per_unit`
/// multiply-adds, are split over `threads` threads: one chunk per thread (each chunk packs the other
/// operand again, so more chunks than threads only cost), fewer when the product is small.
fn split(extent: usize, macs_per_unit: usize, threads: usize) -> usize {
    let by_work = extent.saturating_mul(macs_per_unit) / MIN_CHUNK_MACS;
    let chunks = by_work.min(extent / MIN_CHUNK_EXTENT).min(threads).max(1);
    extent.div_ceil(chunks)
}

/// `c[m, n] = alpha · a(m, k) · b(k, n) + beta · c` (as [`sgemm`]) with chunks of rows or columns of
/// `c` on rayon's threads. The larger of `m` and `n` is split, so the operand every chunk packs again
/// is the smaller one; the result is the same on any number of threads.
#[allow(
    clippy::too_many_arguments,
    reason = "the BLAS sgemm signature, kept so call sites read like the formula"
)]
pub(super) fn par_sgemm(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Strided<'_>,
    b: Strided<'_>,
    beta: f32,
    c: &mut [f32],
) {
    let c = &mut c[..m * n];
    if inline() {
        return sgemm(m, k, n, alpha, a, b, beta, c);
    }
    #[cfg(not(target_arch = "wasm32"))]
    par_sgemm_chunks(m, k, n, alpha, a, b, beta, c);
}

/// [`par_sgemm`] in chunks on the pool's threads.
#[cfg(not(target_arch = "wasm32"))]
#[allow(
    clippy::too_many_arguments,
    reason = "the BLAS sgemm signature, kept so call sites read like the formula"
)]
fn par_sgemm_chunks(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Strided<'_>,
    b: Strided<'_>,
    beta: f32,
    c: &mut [f32],
) {
    if m >= n {
        let rows = split(m, k * n, rayon::current_num_threads());
        if rows >= m {
            return sgemm(m, k, n, alpha, a, b, beta, c);
        }
        c.par_chunks_mut(rows * n).enumerate().for_each(|(j, c)| {
            let a = Strided {
                data: &a.data[j * rows * a.rs..],
                ..a
            };
            sgemm(c.len() / n, k, n, alpha, a, b, beta, c);
        });
    } else {
        let cols = split(n, m * k, rayon::current_num_threads());
        if cols >= n {
            return sgemm(m, k, n, alpha, a, b, beta, c);
        }
        // Column blocks of a row-major `c` are not slices: each chunk computes its block into a buffer
        // of its own (an m·cols copy, against m·cols·k multiply-adds), copied back below.
        let blocks: Vec<Vec<f32>> = (0..n.div_ceil(cols))
            .into_par_iter()
            .map(|j| {
                let (c0, w) = (j * cols, cols.min(n - j * cols));
                let mut block = vec![0.0; m * w];
                if beta != 0.0 {
                    for (dst, src) in block.chunks_exact_mut(w).zip(c.chunks_exact(n)) {
                        dst.copy_from_slice(&src[c0..c0 + w]);
                    }
                }
                let b = Strided {
                    data: &b.data[c0 * b.cs..],
                    ..b
                };
                sgemm(m, k, w, alpha, a, b, beta, &mut block);
                block
            })
            .collect();
        for (j, block) in blocks.iter().enumerate() {
            let (c0, w) = (j * cols, cols.min(n - j * cols));
            for (src, dst) in block.chunks_exact(w).zip(c.chunks_exact_mut(n)) {
                dst[c0..c0 + w].copy_from_slice(src);
            }
        }
    }
}

/// `out[j] = Σ_r x[r, j]` over the rows of the row-major `x` (`out.len()` columns): each column is
/// summed in row order, so the bits are those of a plain loop whatever the threads (a bias gradient is
/// the column sum of its layer's δ over the batch).
pub(super) fn column_sums(x: &[f32], out: &mut [f32]) {
    let cols = out.len();
    let rows = x.len() / cols.max(1);
    let per_task = (ELEMENT_CHUNK / rows.max(1)).max(8);
    if per_task >= cols || inline() {
        // One task: the same sums without rayon's bookkeeping.
        out.iter_mut().for_each(|s| *s = 0.0);
        for row in x.chunks_exact(cols.max(1)) {
            out.iter_mut().zip(row).for_each(|(s, &v)| *s += v);
        }
        return;
    }
    #[cfg(not(target_arch = "wasm32"))]
    out.par_chunks_mut(per_task)
        .enumerate()
        .for_each(|(j, out)| {
            let columns = j * per_task..j * per_task + out.len();
            out.iter_mut().for_each(|s| *s = 0.0);
            for row in x.chunks_exact(cols) {
                out.iter_mut()
                    .zip(&row[columns.clone()])
                    .for_each(|(s, &v)| *s += v);
            }
        });
}

/// Runs `f` on chunks of `a` in parallel (an element-wise loop: the chunking cannot change its
/// results).
pub(super) fn for_each_chunk<A: Send>(a: &mut [A], f: impl Fn(&mut [A]) + Send + Sync) {
    if a.len() <= ELEMENT_CHUNK || inline() {
        // One chunk: rayon would only add its bookkeeping.
        return f(a);
    }
    #[cfg(not(target_arch = "wasm32"))]
    a.par_chunks_mut(ELEMENT_CHUNK).for_each(f);
}

/// Runs `f` on chunks of `a` and the same chunks of `b` in parallel (element-wise, as
/// [`for_each_chunk`]).
pub(super) fn zip_chunks<A: Send, B: Sync>(
    a: &mut [A],
    b: &[B],
    f: impl Fn(&mut [A], &[B]) + Send + Sync,
) {
    if a.len() <= ELEMENT_CHUNK || inline() {
        return f(a, b);
    }
    #[cfg(not(target_arch = "wasm32"))]
    a.par_chunks_mut(ELEMENT_CHUNK)
        .zip(b.par_chunks(ELEMENT_CHUNK))
        .for_each(|(a, b)| f(a, b));
}

/// One optimiser update of a tensor ([`optim::tensor`], element by element) in parallel chunks.
pub(super) fn optimizer_update(
    kind: OptimizerKind,
    h: &optim::Hyper,
    t: &optim::TensorStep,
    grad: &[f32],
    param: &mut [f32],
    m: &mut [f32],
    v: &mut [f32],
) {
    // Zipped chunks would skip a short state's tail silently where the plain loop panics.
    assert!(grad.len() == param.len() && m.len() == param.len() && v.len() == param.len());
    if param.len() <= ELEMENT_CHUNK || inline() {
        return optim::tensor(kind, h, t, grad, param, m, v);
    }
    #[cfg(not(target_arch = "wasm32"))]
    param
        .par_chunks_mut(ELEMENT_CHUNK)
        .zip(m.par_chunks_mut(ELEMENT_CHUNK))
        .zip(v.par_chunks_mut(ELEMENT_CHUNK))
        .zip(grad.par_chunks(ELEMENT_CHUNK))
        .for_each(|(((p, m), v), g)| optim::tensor(kind, h, t, g, p, m, v));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize, seed: f32) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * seed).sin()).collect()
    }

    /// Both split directions, with transposed operands and β = 1, against one plain sgemm call (the same
    /// per-element reduction, so the same bits).
    #[test]
    fn chunked_products_equal_one_sgemm() {
        for (m, k, n) in [(512, 784, 37), (13, 53, 784), (37, 512, 784), (3, 5, 7)] {
            let a = values(m * k, 0.37); // [k, m]: read transposed
            let b = values(k * n, 0.11); // [k, n]
            let c0 = values(m * n, 0.05);
            let (mut plain, mut chunked) = (c0.clone(), c0);
            let (ta, rb) = (Strided::transposed(&a, m), Strided::row_major(&b, n));
            sgemm(m, k, n, 0.5, ta, rb, 1.0, &mut plain);
            par_sgemm(m, k, n, 0.5, ta, rb, 1.0, &mut chunked);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&plain), bits(&chunked), "{m}×{k}×{n}");
        }
    }

    #[test]
    fn products_split_one_chunk_per_thread_unless_small() {
        // Small products stay whole; large ones split into one chunk per thread, each of at least
        // MIN_CHUNK_EXTENT rows.
        assert_eq!(split(64, 784 * 128, 2), 64);
        assert_eq!(split(512, 784 * 128, 2), 256);
        assert_eq!(split(512, 784 * 128, 16), 64);
        assert_eq!(split(784, 128 * 512, 4), 196);
        assert_eq!(split(10, 128 * 512, 4), 10);
        assert_eq!(split(512, 784 * 128, 1), 512);
    }

    #[test]
    fn column_sums_add_rows_in_order() {
        let (rows, cols) = (300, 130);
        let x = values(rows * cols, 0.71);
        let mut out = vec![f32::NAN; cols];
        column_sums(&x, &mut out);
        for (j, &s) in out.iter().enumerate() {
            let mut e = 0.0f32;
            for r in 0..rows {
                e += x[r * cols + j];
            }
            assert_eq!(s.to_bits(), e.to_bits());
        }
    }
}
