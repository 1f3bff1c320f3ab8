// linear.wgsl — the three matrix products of a fully connected layer, and its bias gradient.
//
// Entry `gemm` computes C = A·B (+ bias[col]) (then ReLU), where A and B are read through strides so one
// tiled kernel serves the forward pass and both backward products of a layer with W stored [out, in]:
//   forward      Y[B, out]  = X[B, in] · Wᵀ + b   (A = X,  a_rs = in,  a_cs = 1;  B = W,  b_rs = 1,  b_cs = in)
//   grad input   dX[B, in]  = dY[B, out] · W      (A = dY, a_rs = out, a_cs = 1;  B = W,  b_rs = in, b_cs = 1)
//   grad weight  dW[out,in] = dYᵀ · X             (A = dY, a_rs = 1,   a_cs = out; B = X, b_rs = in, b_cs = 1)
// Entry `bias_grad` computes db[n] = Σ_m A[m, n] (column sums of dY[B, out]).
//
// Buffers (f32, row-major):
//   a    [any]   read        A(m, k) = a[m * a_rs + k * a_cs]
//   b    [any]   read        B(k, n) = b[k * b_rs + n * b_cs]
//   bias [n]     read        added to every row when FLAG_BIAS is set (bind any buffer otherwise)
//   c    [m, n]  read_write  the result, contiguous
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
const TILE: u32 = 64u;
const TILE_K: u32 = 16u;
const THREADS: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

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
        }
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let r = row0 + lid.y + 16u * i;
        for (var j = 0u; j < 4u; j++) {
            let col = col0 + lid.x + 16u * j;
            if (r < p.m && col < p.n) {
                var v = acc[i * 4u + j];
                if ((p.flags & FLAG_BIAS) != 0u) {
                    v += bias[col];
                }
                if ((p.flags & FLAG_RELU) != 0u) {
                    v = max(v, 0.0);
                }
                c[r * p.n + col] = v;
            }
        }
    }
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
