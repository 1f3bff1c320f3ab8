// linear.wgsl — the three matrix products of a fully connected layer, and its bias gradient.
//
// Entries `gemm` (tiled, workgroup memory) and `gemm_registers` (register-blocked, no workgroup memory)
// compute C = A·B (+ bias[col]) (then ReLU), where A and B are read through strides so one
// tiled kernel serves the forward pass and both backward products of a layer with W stored [out, in]:
//   forward      Y[B, out]  = X[B, in] · Wᵀ + b   (A = X,  a_rs = in,  a_cs = 1;  B = W,  b_rs = 1,  b_cs = in)
//   grad input   dX[B, in]  = dY[B, out] · W      (A = dY, a_rs = out, a_cs = 1;  B = W,  b_rs = in, b_cs = 1)
//   grad weight  dW[out,in] = dYᵀ · X             (A = dY, a_rs = 1,   a_cs = out; B = X, b_rs = in, b_cs = 1)
// Entry `gemm_wide` computes the same product with row indices uniform per workgroup, and
// `gemm_registers` + `split_reduce` with K split across workgroups (see below).
// Entry `bias_grad` computes db[n] = Σ_m A[m, n] (column sums of dY[B, out]).
//
// Epilogues, chosen by flags (so one dispatch does what would otherwise take two or three):
//   FLAG_BIAS       C += bias[col]                                  (forward)
//   FLAG_RELU       C = max(C, 0)                                   (forward of a hidden layer)
//   FLAG_RELU_MASK  C = select(0, C, mask[row, col] > 0)            (grad input through the ReLU below:
//                   `bias` holds that layer's activation [m, n]; this is relu_backward.wgsl fused)
//   FLAG_ROW_SUMS   sums[row] = Σ_k A(row, k)                       (grad weight: A = dYᵀ, so the row
//                   sums are the bias gradient db = Σ_rows dY, computed from the A values already loaded)
//
// Buffers (f32, row-major):
//   a    [any]   read        A(m, k) = a[m * a_rs + k * a_cs]
//   b    [any]   read        B(k, n) = b[k * b_rs + n * b_cs]
//   bias [n]     read        bias (FLAG_BIAS) or ReLU mask [m, n] (FLAG_RELU_MASK); any buffer otherwise
//   c    [m, n]  read_write  the result, contiguous
//   sums [m]     read_write  row sums of A (FLAG_ROW_SUMS); any buffer otherwise
//
// Tiling: a 16×16 workgroup computes a 64×64 block of C; every thread accumulates a 4×4 register block
// (rows ly + 16·i, columns lx + 16·j, so shared-memory reads are broadcast or consecutive), walking K in
// steps of 16 through two 16×64 tiles in workgroup memory (8 KiB, inside WebGPU's 16 KiB minimum).
// Out-of-range elements load as zero, so every shape is correct. `gemm` has no early return because
// workgroupBarrier() must be reached by every invocation; its bounds checks guard the loads and stores.

struct Params {
    m: u32,
    n: u32,
    k: u32,
    a_rs: u32,
    a_cs: u32,
    b_rs: u32,
    b_cs: u32,
    flags: u32,
}

const FLAG_BIAS: u32 = 1u;
const FLAG_RELU: u32 = 2u;
const FLAG_RELU_MASK: u32 = 4u;
const FLAG_ROW_SUMS: u32 = 8u;
const TILE: u32 = 64u;
const TILE_K: u32 = 16u;
const THREADS: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<f32>;

// Σ_k A(row, k) for the four rows starting at offsets `at` of a (FLAG_ROW_SUMS).
fn row_sums(at: vec4<u32>) -> vec4<f32> {
    var s = vec4<f32>(0.0);
    for (var k = 0u; k < p.k; k++) {
        let ak = k * p.a_cs;
        s += vec4<f32>(a[at.x + ak], a[at.y + ak], a[at.z + ak], a[at.w + ak]);
    }
    return s;
}

// The epilogue shared by the GEMM entries: bias, ReLU or the ReLU mask, then the store.
fn store(r: u32, col: u32, acc: f32) {
    var v = acc;
    if ((p.flags & FLAG_BIAS) != 0u) {
        v += bias[col];
    }
    if ((p.flags & FLAG_RELU) != 0u) {
        v = max(v, 0.0);
    }
    if ((p.flags & FLAG_RELU_MASK) != 0u) {
        v = select(0.0, v, bias[r * p.n + col] > 0.0);
    }
    c[r * p.n + col] = v;
}

var<workgroup> a_tile: array<f32, 1024>; // [TILE_K][TILE]: a_tile[kk * 64 + row]
var<workgroup> b_tile: array<f32, 1024>; // [TILE_K][TILE]: b_tile[kk * 64 + col]

@compute @workgroup_size(16, 16)
fn gemm(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let tid = lid.y * 16u + lid.x;
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    var acc: array<f32, 16>;
    for (var i = 0u; i < 16u; i++) {
        acc[i] = 0.0;
    }
    // Row sums of A: one column of invocations in the first column of workgroups, 4 rows each.
    let row_sums = (p.flags & FLAG_ROW_SUMS) != 0u && wid.x == 0u && lid.x == 0u;
    var rs = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < p.k; k0 += TILE_K) {
        for (var t = 0u; t < 4u; t++) {
            let e = tid + t * THREADS;
            // A tile: consecutive threads walk k first, which is contiguous for a row-major A.
            let ar = e / TILE_K;
            let ak = e % TILE_K;
            let gr = row0 + ar;
            let gk = k0 + ak;
            var av = 0.0;
            if (gr < p.m && gk < p.k) {
                av = a[gr * p.a_rs + gk * p.a_cs];
            }
            a_tile[ak * TILE + ar] = av;
            // B tile: consecutive threads walk n.
            let bk = e / TILE;
            let bc = e % TILE;
            let gk2 = k0 + bk;
            let gc = col0 + bc;
            var bv = 0.0;
            if (gk2 < p.k && gc < p.n) {
                bv = b[gk2 * p.b_rs + gc * p.b_cs];
            }
            b_tile[bk * TILE + bc] = bv;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TILE_K; kk++) {
            var ar4: array<f32, 4>;
            var br4: array<f32, 4>;
            for (var i = 0u; i < 4u; i++) {
                ar4[i] = a_tile[kk * TILE + lid.y + 16u * i];
                br4[i] = b_tile[kk * TILE + lid.x + 16u * i];
            }
            for (var i = 0u; i < 4u; i++) {
                for (var j = 0u; j < 4u; j++) {
                    acc[i * 4u + j] = fma(ar4[i], br4[j], acc[i * 4u + j]);
                }
            }
            if (row_sums) {
                rs += vec4<f32>(ar4[0], ar4[1], ar4[2], ar4[3]);
            }
        }
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let r = row0 + lid.y + 16u * i;
        if (row_sums && r < p.m) {
            sums[r] = rs[i];
        }
        for (var j = 0u; j < 4u; j++) {
            let col = col0 + lid.x + 16u * j;
            if (r < p.m && col < p.n) {
                store(r, col, acc[i * 4u + j]);
            }
        }
    }
}

// Entry `gemm_registers`: the same product without workgroup memory or barriers. Every invocation
// computes 8 rows × 4 columns of C in eight vec4 accumulators, reading its rows of A and columns of B
// from the storage buffers at each k; an 8×8 workgroup covers 64×32 of C. Out-of-range rows and columns
// read a clamped (valid) element and are not stored, so the hot loop has no branch. On software
// adapters (SwiftShader, lavapipe), where a barrier is a coroutine switch, this is the fast kernel.
// Dispatched with z > 1 workgroups along z, it is split-K's first pass: workgroup z sums only the k in
// [z·kc, (z + 1)·kc), kc = ⌈k / z-count⌉, and writes its raw partial sums to `c` bound as a scratch
// buffer [z-count, m, n] (no epilogue, no row sums); `split_reduce` below finishes the product.
const REG_TILE: u32 = 32u;
const REG_ROWS: u32 = 64u;

@compute @workgroup_size(8, 8)
fn gemm_registers(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                  @builtin(num_workgroups) groups: vec3<u32>) {
    // Rows ly + 8·i (i < 8) and columns lx + 8·j (j < 4) of the workgroup's 64×32 block: neighbouring
    // invocations take neighbouring columns (contiguous loads of B and stores of C when they are
    // contiguous in memory) and share their rows of A.
    let row0 = wid.y * REG_ROWS + lid.y;
    let col0 = wid.x * REG_TILE + lid.x;
    if (row0 >= p.m || col0 >= p.n) {
        return;
    }
    let last_row = vec4<u32>(p.m - 1u);
    let last_col = p.n - 1u;
    let rows_lo = min(vec4<u32>(row0, row0 + 8u, row0 + 16u, row0 + 24u), last_row);
    let rows_hi = min(vec4<u32>(row0 + 32u, row0 + 40u, row0 + 48u, row0 + 56u), last_row);
    let cols = min(vec4<u32>(col0, col0 + 8u, col0 + 16u, col0 + 24u), vec4<u32>(last_col));
    let a_lo = rows_lo * p.a_rs;
    let a_hi = rows_hi * p.a_rs;
    let b_at = cols * p.b_cs;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    var acc4 = vec4<f32>(0.0);
    var acc5 = vec4<f32>(0.0);
    var acc6 = vec4<f32>(0.0);
    var acc7 = vec4<f32>(0.0);
    // This workgroup's slice of K (all of it unless split), in steps of two (independent loads in
    // flight), then the remainder. The loop body is written out by hand, with eight named vec4
    // accumulators rather than an array indexed in loops: WGSL has no unroll attribute, and an
    // array of accumulators is a function-scope variable that the compilers behind WebGPU may keep
    // in memory rather than registers (a private array measurably slows this kernel on SwiftShader;
    // see the row sums below).
    let kc = (p.k + groups.z - 1u) / groups.z;
    let k_begin = min(wid.z * kc, p.k);
    let k_end = min(k_begin + kc, p.k);
    let k2 = k_begin + ((k_end - k_begin) & ~1u);
    var k = k_begin;
    for (; k < k2; k += 2u) {
        {
            let ak = k * p.a_cs;
            let bk = k * p.b_rs;
            let bv = vec4<f32>(b[bk + b_at.x], b[bk + b_at.y], b[bk + b_at.z], b[bk + b_at.w]);
            let a0 = vec4<f32>(a[a_lo.x + ak], a[a_lo.y + ak], a[a_lo.z + ak], a[a_lo.w + ak]);
            let a1 = vec4<f32>(a[a_hi.x + ak], a[a_hi.y + ak], a[a_hi.z + ak], a[a_hi.w + ak]);
            acc0 = fma(vec4<f32>(a0.x), bv, acc0);
            acc1 = fma(vec4<f32>(a0.y), bv, acc1);
            acc2 = fma(vec4<f32>(a0.z), bv, acc2);
            acc3 = fma(vec4<f32>(a0.w), bv, acc3);
            acc4 = fma(vec4<f32>(a1.x), bv, acc4);
            acc5 = fma(vec4<f32>(a1.y), bv, acc5);
            acc6 = fma(vec4<f32>(a1.z), bv, acc6);
            acc7 = fma(vec4<f32>(a1.w), bv, acc7);
        }
        {
            let ak = (k + 1u) * p.a_cs;
            let bk = (k + 1u) * p.b_rs;
            let bv = vec4<f32>(b[bk + b_at.x], b[bk + b_at.y], b[bk + b_at.z], b[bk + b_at.w]);
            let a0 = vec4<f32>(a[a_lo.x + ak], a[a_lo.y + ak], a[a_lo.z + ak], a[a_lo.w + ak]);
            let a1 = vec4<f32>(a[a_hi.x + ak], a[a_hi.y + ak], a[a_hi.z + ak], a[a_hi.w + ak]);
            acc0 = fma(vec4<f32>(a0.x), bv, acc0);
            acc1 = fma(vec4<f32>(a0.y), bv, acc1);
            acc2 = fma(vec4<f32>(a0.z), bv, acc2);
            acc3 = fma(vec4<f32>(a0.w), bv, acc3);
            acc4 = fma(vec4<f32>(a1.x), bv, acc4);
            acc5 = fma(vec4<f32>(a1.y), bv, acc5);
            acc6 = fma(vec4<f32>(a1.z), bv, acc6);
            acc7 = fma(vec4<f32>(a1.w), bv, acc7);
        }
    }
    for (; k < k_end; k++) {
        {
            let ak = k * p.a_cs;
            let bk = k * p.b_rs;
            let bv = vec4<f32>(b[bk + b_at.x], b[bk + b_at.y], b[bk + b_at.z], b[bk + b_at.w]);
            let a0 = vec4<f32>(a[a_lo.x + ak], a[a_lo.y + ak], a[a_lo.z + ak], a[a_lo.w + ak]);
            let a1 = vec4<f32>(a[a_hi.x + ak], a[a_hi.y + ak], a[a_hi.z + ak], a[a_hi.w + ak]);
            acc0 = fma(vec4<f32>(a0.x), bv, acc0);
            acc1 = fma(vec4<f32>(a0.y), bv, acc1);
            acc2 = fma(vec4<f32>(a0.z), bv, acc2);
            acc3 = fma(vec4<f32>(a0.w), bv, acc3);
            acc4 = fma(vec4<f32>(a1.x), bv, acc4);
            acc5 = fma(vec4<f32>(a1.y), bv, acc5);
            acc6 = fma(vec4<f32>(a1.z), bv, acc6);
            acc7 = fma(vec4<f32>(a1.w), bv, acc7);
        }
    }
    let acc = array<vec4<f32>, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
    if (groups.z > 1u) {
        // Split-K's first pass: raw partial sums into slice z of the scratch.
        let slice = wid.z * p.m;
        for (var i = 0u; i < 8u; i++) {
            let r = row0 + 8u * i;
            if (r >= p.m) {
                break;
            }
            for (var j = 0u; j < 4u; j++) {
                let col = col0 + 8u * j;
                if (col < p.n) {
                    c[(slice + r) * p.n + col] = acc[i][j];
                }
            }
        }
        return;
    }
    // Row sums of A (FLAG_ROW_SUMS) in a loop of their own, run only by the invocations of column 0:
    // in the hot loop above, two more vec4 adds per k cost every invocation, and so does a private
    // array here (both measured on SwiftShader).
    if ((p.flags & FLAG_ROW_SUMS) != 0u && col0 == 0u) {
        let sum_lo = row_sums(a_lo);
        let sum_hi = row_sums(a_hi);
        for (var i = 0u; i < 4u; i++) {
            if (row0 + 8u * i < p.m) {
                sums[row0 + 8u * i] = sum_lo[i];
            }
            if (row0 + 32u + 8u * i < p.m) {
                sums[row0 + 32u + 8u * i] = sum_hi[i];
            }
        }
    }
    for (var i = 0u; i < 8u; i++) {
        let r = row0 + 8u * i;
        if (r >= p.m) {
            break;
        }
        for (var j = 0u; j < 4u; j++) {
            let col = col0 + 8u * j;
            if (col < p.n) {
                store(r, col, acc[i][j]);
            }
        }
    }
}

// Entry `gemm_wide`: the register-blocked product with rows taken from the workgroup id only. A
// workgroup of 64 invocations computes 8 rows × 256 columns of C; invocation x owns columns
// x + 64·j (j < 4) of all 8 rows. Every row index is the same for all invocations of a workgroup, so
// a compiler that tracks uniform values loads A once for all lanes instead of gathering it per lane
// (software adapters run lanes in SIMD registers), and neighbouring lanes read neighbouring columns
// of B. Out-of-range rows and columns read a clamped element and are not stored.
const WIDE_ROWS: u32 = 8u;
const WIDE_COLS: u32 = 256u;

@compute @workgroup_size(64)
fn gemm_wide(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let row0 = wid.y * WIDE_ROWS;
    let col0 = wid.x * WIDE_COLS + lid.x;
    if (row0 >= p.m || col0 >= p.n) {
        return;
    }
    let last_row = vec4<u32>(p.m - 1u);
    let rows_lo = min(vec4<u32>(row0, row0 + 1u, row0 + 2u, row0 + 3u), last_row);
    let rows_hi = min(vec4<u32>(row0 + 4u, row0 + 5u, row0 + 6u, row0 + 7u), last_row);
    let cols = min(vec4<u32>(col0, col0 + 64u, col0 + 128u, col0 + 192u), vec4<u32>(p.n - 1u));
    let a_lo = rows_lo * p.a_rs;
    let a_hi = rows_hi * p.a_rs;
    let b_at = cols * p.b_cs;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    var acc4 = vec4<f32>(0.0);
    var acc5 = vec4<f32>(0.0);
    var acc6 = vec4<f32>(0.0);
    var acc7 = vec4<f32>(0.0);
    for (var k = 0u; k < p.k; k++) {
        let ak = k * p.a_cs;
        let bk = k * p.b_rs;
        let bv = vec4<f32>(b[bk + b_at.x], b[bk + b_at.y], b[bk + b_at.z], b[bk + b_at.w]);
        let a0 = vec4<f32>(a[a_lo.x + ak], a[a_lo.y + ak], a[a_lo.z + ak], a[a_lo.w + ak]);
        let a1 = vec4<f32>(a[a_hi.x + ak], a[a_hi.y + ak], a[a_hi.z + ak], a[a_hi.w + ak]);
        acc0 = fma(vec4<f32>(a0.x), bv, acc0);
        acc1 = fma(vec4<f32>(a0.y), bv, acc1);
        acc2 = fma(vec4<f32>(a0.z), bv, acc2);
        acc3 = fma(vec4<f32>(a0.w), bv, acc3);
        acc4 = fma(vec4<f32>(a1.x), bv, acc4);
        acc5 = fma(vec4<f32>(a1.y), bv, acc5);
        acc6 = fma(vec4<f32>(a1.z), bv, acc6);
        acc7 = fma(vec4<f32>(a1.w), bv, acc7);
    }
    // Row sums of A (FLAG_ROW_SUMS): by the invocation of column 0 only, in a loop of its own.
    if ((p.flags & FLAG_ROW_SUMS) != 0u && col0 == 0u) {
        let sum_lo = row_sums(a_lo);
        let sum_hi = row_sums(a_hi);
        for (var i = 0u; i < 4u; i++) {
            if (row0 + i < p.m) {
                sums[row0 + i] = sum_lo[i];
            }
            if (row0 + 4u + i < p.m) {
                sums[row0 + 4u + i] = sum_hi[i];
            }
        }
    }
    let acc = array<vec4<f32>, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
    for (var i = 0u; i < 8u; i++) {
        let r = row0 + i;
        if (r >= p.m) {
            break;
        }
        for (var j = 0u; j < 4u; j++) {
            let col = col0 + 64u * j;
            if (col < p.n) {
                store(r, col, acc[i][j]);
            }
        }
    }
}

// Entry `split_reduce`: split-K's second pass, for products with too few blocks of C to fill a large
// GPU (fc1 forward at batch 64 is 16 blocks of 64×32). After `gemm_registers` dispatched with SPLITS
// workgroups along z wrote SPLITS partial sums to a scratch buffer [SPLITS, m, n], one invocation per
// element of C (workgroups (⌈n / 64⌉, m)) adds them from `a` bound as that scratch, then applies the
// epilogue (bias, ReLU, ReLU mask) and stores C. FLAG_ROW_SUMS is not supported (the weight gradients
// have blocks enough). SPLITS is a pipeline-overridable constant, set from Rust to the z count.
override SPLITS: u32 = 4u;

@compute @workgroup_size(64)
fn split_reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let col = gid.x;
    let r = wid.y;
    if (col >= p.n || r >= p.m) {
        return;
    }
    var v = 0.0;
    for (var z = 0u; z < SPLITS; z++) {
        v += a[(z * p.m + r) * p.n + col];
    }
    store(r, col, v);
}

// One invocation per column: db[col] = Σ_rows a[row * n + col]. Consecutive invocations read
// consecutive addresses, so the loads coalesce.
@compute @workgroup_size(64)
fn bias_grad(@builtin(global_invocation_id) gid: vec3<u32>) {
    let col = gid.x;
    if (col >= p.n) {
        return;
    }
    var s = 0.0;
    for (var r = 0u; r < p.m; r++) {
        s += a[r * p.n + col];
    }
    c[col] = s;
}
