//! Every GPU kernel against its CPU reference, on random shapes that are not multiples of the tile
//! size (relative error ≤ 1e-4). Runs on any adapter (lavapipe in CI).

mod common;

use bytemuck::{bytes_of, cast_slice};
use kernels::OptimizerKind;
use kernels::ops::{
    accuracy, gather_normalize, head, linear, optim, relu_backward, softmax_cross_entropy, update,
};
use kernels::rng::SeededRng;
use kernels::testing::assert_close;
use kernels::{KernelEntry, KernelRunner};

const RTOL: f32 = 1e-4;
const ATOL: f32 = 1e-5;

fn f32s(b: &[u8]) -> Vec<f32> {
    bytemuck::pod_collect_to_vec(b)
}

fn run(
    runner: &KernelRunner,
    entry: KernelEntry,
    uniform: &[u8],
    buffers: &[&[u8]],
    wg: (u32, u32, u32),
) -> Vec<Vec<u8>> {
    pollster::block_on(runner.run(entry, uniform, buffers, wg))
        .unwrap_or_else(|e| panic!("{}::{}: {e}", entry.shader.file, entry.entry))
}

/// The GEMM shapes checked: single elements, sizes either side of the tile, and the MNIST layer.
const GEMM_SHAPES: [(usize, usize, usize); 8] = [
    (1, 1, 1),
    (2, 3, 33),
    (33, 2, 5),
    (7, 5, 13),
    (65, 17, 63),
    (130, 129, 70),
    (3, 33, 200),
    (64, 784, 10),
];

/// One GEMM shape's random operands: the input `x` [rows, in], the weights `w` [out, in], the bias
/// `b` [out], the output gradient `dy` [rows, out] and a ReLU mask [rows, in] (a layer's activation,
/// half of it zero).
struct GemmInputs {
    rows: usize,
    in_f: usize,
    out_f: usize,
    x: Vec<f32>,
    w: Vec<f32>,
    b: Vec<f32>,
    dy: Vec<f32>,
    mask: Vec<f32>,
}

/// One product to check: its name, its parameters, its two operands and its output's length.
type GemmCase<'a> = (
    &'static str,
    linear::GemmParams,
    &'a Vec<f32>,
    &'a Vec<f32>,
    usize,
);

impl GemmInputs {
    /// Every shape's operands, drawn from one seeded generator in shape order.
    fn all() -> Vec<Self> {
        let mut rng = SeededRng::new(21);
        GEMM_SHAPES
            .iter()
            .map(|&(rows, in_f, out_f)| Self {
                rows,
                in_f,
                out_f,
                x: common::random(&mut rng, rows * in_f, 1.0),
                w: common::random(&mut rng, out_f * in_f, 1.0),
                b: common::random(&mut rng, out_f, 1.0),
                dy: common::random(&mut rng, rows * out_f, 1.0),
                mask: common::random(&mut rng, rows * in_f, 1.0)
                    .into_iter()
                    .map(|v| v.max(0.0))
                    .collect(),
            })
            .collect()
    }

    /// The products a layer needs: forward (with and without ReLU), the input and weight gradients,
    /// the input gradient through the ReLU mask, and the weight gradient with the bias gradient's
    /// row sums.
    fn cases(&self) -> [GemmCase<'_>; 6] {
        let (rows, in_f, out_f) = (self.rows, self.in_f, self.out_f);
        [
            (
                "forward+relu",
                linear::GemmParams::forward(rows as u32, in_f as u32, out_f as u32, true),
                &self.x,
                &self.w,
                rows * out_f,
            ),
            (
                "forward",
                linear::GemmParams::forward(rows as u32, in_f as u32, out_f as u32, false),
                &self.x,
                &self.w,
                rows * out_f,
            ),
            (
                "grad_input",
                linear::GemmParams::grad_input(rows as u32, in_f as u32, out_f as u32),
                &self.dy,
                &self.w,
                rows * in_f,
            ),
            (
                "grad_weight",
                linear::GemmParams::grad_weight(rows as u32, in_f as u32, out_f as u32),
                &self.dy,
                &self.x,
                out_f * in_f,
            ),
            (
                "grad_input+relu_mask",
                linear::GemmParams::grad_input(rows as u32, in_f as u32, out_f as u32)
                    .with_relu_mask(),
                &self.dy,
                &self.w,
                rows * in_f,
            ),
            (
                "grad_weight+row_sums",
                linear::GemmParams::grad_weight(rows as u32, in_f as u32, out_f as u32)
                    .with_row_sums(),
                &self.dy,
                &self.x,
                out_f * in_f,
            ),
        ]
    }

    /// The third operand of a product: the ReLU mask where it applies one, else the bias.
    fn third(&self, p: &linear::GemmParams) -> &Vec<f32> {
        if p.flags & linear::FLAG_RELU_MASK != 0 {
            &self.mask
        } else {
            &self.b
        }
    }
}

#[test]
fn gemm_split_k_products_match_reference() {
    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    for inputs in GemmInputs::all() {
        let (rows, in_f, out_f) = (inputs.rows, inputs.in_f, inputs.out_f);
        let cases = inputs.cases();
        for (what, p, a, bm, out_len) in &cases {
            // Split-K: partial sums over SPLITS slices of K, then the reduction with the epilogue.
            if p.flags & linear::FLAG_ROW_SUMS != 0 {
                continue;
            }
            let third = inputs.third(p);
            let scratch = vec![f32::NAN; p.split_scratch()];
            let partial = run(
                &runner,
                linear::GEMM_REGISTERS,
                bytes_of(p),
                &[
                    cast_slice(a),
                    cast_slice(bm),
                    &[0; 4],
                    cast_slice(&scratch),
                    &[0; 4],
                ],
                p.workgroups(linear::GemmVariant::Split),
            );
            let out = run(
                &runner,
                linear::SPLIT_REDUCE,
                bytes_of(p),
                &[
                    &partial[3],
                    &[0; 4],
                    cast_slice(third),
                    cast_slice(&vec![0f32; *out_len]),
                    &[0; 4],
                ],
                p.reduce_workgroups(),
            );
            assert_close(
                &format!("{what} {rows}x{in_f}->{out_f} (Split)"),
                &f32s(&out[3]),
                &linear::reference_gemm(p, a, bm, third),
                RTOL,
                ATOL,
            );
        }
    }
}

#[test]
fn gemm_tiled_register_and_wide_products_match_reference() {
    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    for inputs in GemmInputs::all() {
        let (rows, in_f, out_f) = (inputs.rows, inputs.in_f, inputs.out_f);
        let (w, dy) = (&inputs.w, &inputs.dy);
        let cases = inputs.cases();
        for ((what, p, a, bm, out_len), (entry, variant)) in cases.into_iter().flat_map(|c| {
            [
                (c, (linear::GEMM, linear::GemmVariant::Tiled)),
                (c, (linear::GEMM_REGISTERS, linear::GemmVariant::Registers)),
                (c, (linear::GEMM_WIDE, linear::GemmVariant::Wide)),
            ]
        }) {
            let third = inputs.third(&p);
            // Sums start as NaN: a product without FLAG_ROW_SUMS must leave them alone.
            let sums = vec![f32::NAN; p.m as usize];
            let out = run(
                &runner,
                entry,
                bytes_of(&p),
                &[
                    cast_slice(a),
                    cast_slice(bm),
                    cast_slice(third),
                    cast_slice(&vec![0f32; out_len]),
                    cast_slice(&sums),
                ],
                p.workgroups(variant),
            );
            let label = format!("{what} {rows}x{in_f}->{out_f} ({variant:?})");
            let expected = linear::reference_gemm(&p, a, bm, third);
            assert_close(&label, &f32s(&out[3]), &expected, RTOL, ATOL);
            if p.flags & linear::FLAG_ROW_SUMS != 0 {
                // The row sums of dYᵀ are the bias gradient.
                assert_close(
                    &format!("{label} row sums"),
                    &f32s(&out[4]),
                    &linear::reference_grad_bias(dy, rows, out_f),
                    RTOL,
                    ATOL,
                );
                assert_close(
                    &format!("{label} reference row sums"),
                    &linear::reference_row_sums(&p, a),
                    &linear::reference_grad_bias(dy, rows, out_f),
                    RTOL,
                    ATOL,
                );
            } else {
                assert!(
                    f32s(&out[4]).iter().all(|v| v.is_nan()),
                    "{label} wrote row sums"
                );
            }
            if p.flags & linear::FLAG_RELU_MASK != 0 {
                let mut through_relu = linear::reference_grad_input(dy, w, rows, in_f, out_f);
                relu_backward::reference(&inputs.mask, &mut through_relu);
                assert_close(
                    &format!("{label} = dX then ReLU backward"),
                    &expected,
                    &through_relu,
                    RTOL,
                    ATOL,
                );
            }
        }
    }
}

#[test]
fn gemm_reference_is_the_textbook_formulas() {
    for inputs in GemmInputs::all() {
        let GemmInputs {
            rows,
            in_f,
            out_f,
            x,
            w,
            b,
            dy,
            ..
        } = inputs;
        // The strided GEMM reference is itself the textbook formulas.
        let p = linear::GemmParams::grad_weight(rows as u32, in_f as u32, out_f as u32);
        assert_close(
            "reference grad_weight",
            &linear::reference_gemm(&p, &dy, &x, &b),
            &linear::reference_grad_weight(&dy, &x, rows, in_f, out_f),
            RTOL,
            ATOL,
        );
        let p = linear::GemmParams::forward(rows as u32, in_f as u32, out_f as u32, true);
        assert_close(
            "reference forward",
            &linear::reference_gemm(&p, &x, &w, &b),
            &linear::reference_forward(&x, &w, &b, rows, in_f, out_f, true),
            RTOL,
            ATOL,
        );
    }
}

#[test]
fn bias_grad_matches_reference() {
    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    let mut rng = SeededRng::new(22);
    for (rows, out_f) in [(1, 1), (67, 77), (130, 513)] {
        let dy = common::random(&mut rng, rows * out_f, 1.0);
        let p = linear::GemmParams::grad_bias(rows as u32, out_f as u32);
        let out = run(
            &runner,
            linear::BIAS_GRAD,
            bytes_of(&p),
            &[
                cast_slice(&dy),
                &[0; 4],
                &[0; 4],
                cast_slice(&vec![0f32; out_f]),
                &[0; 4],
            ],
            ((out_f as u32).div_ceil(linear::BIAS_GRAD_WORKGROUP), 1, 1),
        );
        assert_close(
            "bias_grad",
            &f32s(&out[3]),
            &linear::reference_grad_bias(&dy, rows, out_f),
            RTOL,
            ATOL,
        );
    }
}

#[test]
fn softmax_cross_entropy_matches_reference() {
    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    let mut rng = SeededRng::new(23);
    for (rows, classes) in [(1, 2), (37, 10), (300, 3)] {
        let mut logits = common::random(&mut rng, rows * classes, 4.0);
        logits[0] = 90.0; // exp(90) overflows f32: only the log-sum-exp form survives it
        let labels: Vec<u32> = (0..rows).map(|_| rng.below(classes) as u32).collect();
        let p = softmax_cross_entropy::SoftmaxCrossEntropyParams {
            rows: rows as u32,
            classes: classes as u32,
            pad: 0,
            grad_scale: 1.0 / rows as f32,
        };
        let (zero_rows, zero_d) = (vec![0f32; rows], vec![0f32; rows * classes]);
        let bufs: [&[u8]; 4] = [
            cast_slice(&logits),
            cast_slice(&labels),
            cast_slice(&zero_rows),
            cast_slice(&zero_d),
        ];
        let out = run(
            &runner,
            softmax_cross_entropy::ROWS,
            bytes_of(&p),
            &bufs,
            (
                (rows as u32).div_ceil(softmax_cross_entropy::ROWS_WORKGROUP),
                1,
                1,
            ),
        );
        let (losses, d) =
            softmax_cross_entropy::reference(&logits, &labels, rows, classes, 1.0 / rows as f32);
        assert_close("loss rows", &f32s(&out[2]), &losses, RTOL, ATOL);
        assert_close("dlogits", &f32s(&out[3]), &d, RTOL, ATOL);
    }
}

#[test]
fn fused_head_matches_the_unfused_reference() {
    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    let mut rng = SeededRng::new(26);
    for (rows, in_f, classes, input_grad) in [
        (1, 1, 1, true),
        (1, 1, 2, false),
        (33, 7, 10, true),
        (64, 128, 10, true),
        (70, 129, 16, true),
        (9, 40, 13, true),
        (3, 2, 5, true),
        (5, 300, 3, false),
    ] {
        // The input is a ReLU's output: about half of it zero.
        let x: Vec<f32> = common::random(&mut rng, rows * in_f, 1.0)
            .into_iter()
            .map(|v| v.max(0.0))
            .collect();
        let w = common::random(&mut rng, classes * in_f, 1.0);
        let b = common::random(&mut rng, classes, 1.0);
        let mut labels: Vec<u32> = (0..rows).map(|_| rng.below(classes) as u32).collect();
        if rows > 2 {
            labels[1] = classes as u32; // out of range: a NaN loss, nothing read out of bounds
        }
        let p = head::HeadParams::new(rows as u32, in_f as u32, classes as u32, input_grad);
        let nan_rows = vec![f32::NAN; rows * in_f];
        let out = run(
            &runner,
            head::MAIN,
            bytes_of(&p),
            &[
                cast_slice(&x),
                cast_slice(&w),
                cast_slice(&b),
                cast_slice(&labels),
                cast_slice(&vec![0f32; rows * classes]),
                cast_slice(&vec![0f32; rows]),
                cast_slice(&vec![0f32; rows * classes]),
                cast_slice(&nan_rows),
            ],
            p.workgroups(),
        );
        let e = head::reference(&p, &x, &w, &b, &labels);
        let label = format!("head {rows}x{in_f}->{classes}");
        assert_close(
            &format!("{label} logits"),
            &f32s(&out[4]),
            &e.logits,
            RTOL,
            ATOL,
        );
        let losses = f32s(&out[5]);
        for (r, (&got, &want)) in losses.iter().zip(&e.loss_rows).enumerate() {
            let bad_label = labels[r] as usize >= classes;
            assert_eq!(got.is_nan(), bad_label, "{label} loss row {r} NaN");
            if !bad_label {
                assert_close(
                    &format!("{label} loss row {r}"),
                    &[got],
                    &[want],
                    RTOL,
                    ATOL,
                );
            }
        }
        // Rows with a bad label write no δ (as softmax_cross_entropy.wgsl): compare the others.
        let good = |r: usize| (labels[r] as usize) < classes;
        let rows_of = |v: &[f32], width: usize| -> Vec<f32> {
            v.chunks(width)
                .enumerate()
                .filter(|(r, _)| good(*r))
                .flat_map(|(_, c)| c.to_vec())
                .collect()
        };
        assert_close(
            &format!("{label} dlogits"),
            &rows_of(&f32s(&out[6]), classes),
            &rows_of(&e.dlogits, classes),
            RTOL,
            ATOL,
        );
        if input_grad {
            assert_close(
                &format!("{label} dx through the ReLU"),
                &rows_of(&f32s(&out[7]), in_f),
                &rows_of(&e.dx, in_f),
                RTOL,
                ATOL,
            );
        } else {
            assert!(
                f32s(&out[7]).iter().all(|v| v.is_nan()),
                "{label}: dx written without FLAG_INPUT_GRAD"
            );
        }
    }
}

#[test]
fn packed_update_matches_per_tensor_reference_and_writes_the_mean_loss() {
    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    let mut rng = SeededRng::new(24);
    // Four tensors packed with gaps; the third is frozen (not listed) and must stay bit-identical.
    let tensors = [(0usize, 1usize), (64, 1007), (1088, 300), (1408, 3)];
    let len = 1472;
    let grad = common::random(&mut rng, len, 1.0);
    let param = common::random(&mut rng, len, 1.0);
    let m = common::random(&mut rng, len, 0.1);
    let v: Vec<f32> = common::random(&mut rng, len, 0.1)
        .iter()
        .map(|x| x * x)
        .collect();
    for rows in [1usize, 300] {
        let loss_rows: Vec<f32> = common::random(&mut rng, rows, 1.0)
            .iter()
            .map(|x| x.abs() * 3.0)
            .collect();
        // Every rule, with momentum on and off where it has one (RMSprop's μ = 0 is its own branch).
        let settings = OptimizerKind::ALL.into_iter().flat_map(|kind| {
            let with = kernels::OptimizerConfig {
                momentum: 0.9,
                weight_decay: 1e-2,
                ..kernels::OptimizerConfig::pytorch(kind, 0.05)
            };
            let without = kernels::OptimizerConfig {
                momentum: 0.0,
                ..with
            };
            match kind {
                OptimizerKind::Sgd | OptimizerKind::Rmsprop => vec![with, without],
                _ => vec![with],
            }
        });
        for opt in settings {
            let (rule, entry, hyper) = (opt.kind, opt.kind.kernel(), opt.hyper());
            let listed: Vec<update::Tensor> = tensors
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 2)
                .map(|(i, &(start, len))| update::Tensor {
                    start,
                    len,
                    step: optim::TensorStep::new(rule, opt.lr, &hyper, i as u64 + 1),
                })
                .collect();
            let p = update::UpdateParams::new(&listed, rows as u32, 2, &hyper);
            let ring = vec![0f32; 4];
            let out = run(
                &runner,
                entry,
                bytes_of(&p),
                &[
                    cast_slice(&grad),
                    cast_slice(&loss_rows),
                    cast_slice(&param),
                    cast_slice(&m),
                    cast_slice(&v),
                    cast_slice(&ring),
                ],
                p.workgroups(),
            );
            let (mut ep, mut em, mut ev, mut er) =
                (param.clone(), m.clone(), v.clone(), ring.clone());
            update::reference(
                rule, &p, &grad, &loss_rows, &mut ep, &mut em, &mut ev, &mut er,
            );
            let what = format!("{rule:?} μ={} rows={rows}", opt.momentum);
            assert_close(&format!("{what} param"), &f32s(&out[2]), &ep, RTOL, ATOL);
            assert_close(&format!("{what} m"), &f32s(&out[3]), &em, RTOL, ATOL);
            assert_close(&format!("{what} v"), &f32s(&out[4]), &ev, RTOL, ATOL);
            let (start, n) = tensors[2];
            assert_eq!(
                &f32s(&out[2])[start..start + n],
                &param[start..start + n],
                "{what}: the frozen tensor changed"
            );
            assert_ne!(
                f32s(&out[2])[64],
                param[64],
                "{what}: a listed tensor did not change"
            );
            let got_ring = f32s(&out[5]);
            assert_close(
                &format!("{what} mean loss"),
                &got_ring[2..3],
                &er[2..3],
                RTOL,
                ATOL,
            );
            assert_eq!(
                [got_ring[0], got_ring[1], got_ring[3]],
                [0.0; 3],
                "{what}: only the ring's slot is written"
            );
        }
    }
    // The packed reference is the per-element rule: one tensor through it equals optim::tensor.
    let opt = kernels::OptimizerConfig {
        momentum: 0.9,
        weight_decay: 1e-3,
        ..kernels::OptimizerConfig::pytorch(OptimizerKind::Sgd, 0.05)
    };
    let (hyper, step) = (
        opt.hyper(),
        optim::TensorStep::new(opt.kind, opt.lr, &opt.hyper(), 1),
    );
    let (mut ep, mut em, mut ev) = (param[..5].to_vec(), m[..5].to_vec(), v[..5].to_vec());
    optim::tensor(
        opt.kind,
        &hyper,
        &step,
        &grad[..5],
        &mut ep,
        &mut em,
        &mut ev,
    );
    let one = update::UpdateParams::new(
        &[update::Tensor {
            start: 0,
            len: 5,
            step,
        }],
        1,
        0,
        &hyper,
    );
    let (mut gp, mut gm, mut gv, mut gr) = (
        param[..5].to_vec(),
        m[..5].to_vec(),
        v[..5].to_vec(),
        [0f32],
    );
    update::reference(
        OptimizerKind::Sgd,
        &one,
        &grad[..5],
        &[1.0],
        &mut gp,
        &mut gm,
        &mut gv,
        &mut gr,
    );
    assert_eq!((gp, gm), (ep, em));
}

#[test]
fn accuracy_matches_reference() {
    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    let mut rng = SeededRng::new(25);
    let (rows, classes, base) = (93usize, 10usize, 5usize);
    let logits = common::random(&mut rng, rows * classes, 1.0);
    let labels: Vec<u32> = (0..rows).map(|_| rng.below(classes) as u32).collect();
    let p = accuracy::AccuracyParams {
        rows: rows as u32,
        classes: classes as u32,
        base: base as u32,
        pad: 0,
    };
    let out = run(
        &runner,
        accuracy::MAIN,
        bytes_of(&p),
        &[
            cast_slice(&logits),
            cast_slice(&labels),
            cast_slice(&vec![99u32; base + rows]),
            cast_slice(&[0u32]),
        ],
        ((rows as u32).div_ceil(accuracy::WORKGROUP), 1, 1),
    );
    let (preds, correct) = accuracy::reference(&logits, &labels, classes);
    let got: Vec<u32> = bytemuck::pod_collect_to_vec(&out[2]);
    assert_eq!(&got[..base], &[99; 5], "rows before base untouched");
    assert_eq!(&got[base..], &preds[..]);
    assert_eq!(bytemuck::pod_read_unaligned::<u32>(&out[3]), correct);
    assert!(
        correct > 0 && (correct as usize) < rows,
        "a random test should have some right and some wrong"
    );
}

#[test]
fn gather_normalize_matches_reference() {
    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    let data = common::random_dataset(26, 23, 29, 7); // 29 features: rows straddle u32 words
    let indices: Vec<u32> = vec![22, 0, 5, 5, 17, 3, 11];
    for (use_indices, base) in [(1u32, 0u32), (0, 3)] {
        let rows = indices.len();
        let p = gather_normalize::GatherParams {
            rows: rows as u32,
            features: 29,
            base,
            use_indices,
            mean: data.mean,
            std: data.std,
            ..Default::default()
        };
        let (zero_x, zero_y) = (vec![0f32; rows * 29], vec![0u32; rows]);
        let bufs: [&[u8]; 5] = [
            &data.images,
            &data.labels,
            cast_slice(&indices),
            cast_slice(&zero_x),
            cast_slice(&zero_y),
        ];
        let out = run(
            &runner,
            gather_normalize::MAIN,
            bytes_of(&p),
            &bufs,
            gather_normalize::workgroups((rows * 29) as u32),
        );
        let samples: Vec<u32> = if use_indices == 1 {
            indices.clone()
        } else {
            (base..base + rows as u32).collect()
        };
        let (x, y) = gather_normalize::reference(
            &data.images,
            &data.labels,
            29,
            &samples,
            data.mean,
            data.std,
        );
        assert_close("gathered x", &f32s(&out[3]), &x, RTOL, ATOL);
        assert_eq!(bytemuck::pod_collect_to_vec::<u8, u32>(&out[4]), y);
    }
    assert_eq!(gather_normalize::workgroups(256 * 70_000), (35_000, 2, 1));
}

#[test]
fn augmented_gather_matches_reference_and_flips_about_half() {
    // Odd shapes: 3 channels of 7×5 (105 features, rows straddle u32 words), crop padding 2.
    let (c, h, w) = (3usize, 5usize, 7usize);
    let data = common::random_dataset(31, 40, c * h * w, 4);
    let indices: Vec<u32> = (0..37).map(|i| (i * 7 % 40) as u32).collect();
    let rows = indices.len();
    let aug = gather_normalize::Augmentation {
        flip: true,
        crop_pad: 2,
        seed: 11,
    };
    let params = |step: u64| gather_normalize::GatherParams {
        rows: rows as u32,
        features: (c * h * w) as u32,
        use_indices: 1,
        mean: data.mean,
        std: data.std,
        augment: aug.bits(),
        seed: gather_normalize::step_seed(aug.seed, step),
        width: w as u32,
        height: h as u32,
        crop_pad: aug.crop_pad,
        ..Default::default()
    };
    // Half the rows flip, over many draws; the same seed gives the same batch; crops shift the image.
    let flips: usize = (0..200u64)
        .map(|s| {
            (0..rows as u32)
                .filter(|&r| gather_normalize::flipped(&params(s), r))
                .count()
        })
        .sum();
    let share = flips as f64 / (200 * rows) as f64;
    assert!((0.45..0.55).contains(&share), "flipped share {share}");
    let p = params(3);
    let (x, y) = gather_normalize::reference_augmented(&p, &data.images, &data.labels, &indices);
    assert_eq!(
        (x.clone(), y.clone()),
        gather_normalize::reference_augmented(&p, &data.images, &data.labels, &indices)
    );
    let (plain, _) = gather_normalize::reference(
        &data.images,
        &data.labels,
        c * h * w,
        &indices,
        data.mean,
        data.std,
    );
    assert_ne!(x, plain, "augmented rows differ from the plain ones");
    let zero = gather_normalize::normalize_pixel(0, data.mean, data.std);
    assert!(x.contains(&zero), "the crop's zero padding shows");
    let no_aug = gather_normalize::GatherParams { augment: 0, ..p };
    assert_eq!(
        gather_normalize::reference_augmented(&no_aug, &data.images, &data.labels, &indices).0,
        plain
    );

    let Some(ctx) = common::gpu() else { return };
    let runner = KernelRunner::new(&ctx);
    let (zero_x, zero_y) = (vec![0f32; rows * c * h * w], vec![0u32; rows]);
    let bufs: [&[u8]; 5] = [
        &data.images,
        &data.labels,
        cast_slice(&indices),
        cast_slice(&zero_x),
        cast_slice(&zero_y),
    ];
    let out = run(
        &runner,
        gather_normalize::MAIN,
        bytes_of(&p),
        &bufs,
        gather_normalize::workgroups((rows * c * h * w) as u32),
    );
    assert_close(
        "augmented x (gpu vs reference)",
        &f32s(&out[3]),
        &x,
        RTOL,
        ATOL,
    );
    assert_eq!(bytemuck::pod_collect_to_vec::<u8, u32>(&out[4]), y);
}
