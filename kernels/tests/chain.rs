//! The chain rule on a probe engine (CPU, and GPU on lavapipe): for weights of fc1 and fc2 the three
//! factors' product summed over the batch equals the gradient the backward kernels computed, which
//! equals the CPU reference engine's and a finite difference of two engine evaluations; a hidden unit
//! that is off for an image has ReLU′ = 0 and a zero gradient for every weight into it.

mod common;

use kernels::chain::{WeightRef, factors, probe, weight_gradient};
use kernels::dataset::{Dataset, Split};
use kernels::{CpuEngine, Engine, GpuEngine, Mlp};

const HIDDEN: usize = 24;

fn weights() -> Vec<WeightRef> {
    // fc1 inputs near the centre of the image, where most digits have ink; every fc2 output.
    let mut out: Vec<WeightRef> = [(0, 14 * 28 + 14), (5, 13 * 28 + 15), (17, 15 * 28 + 12)]
        .into_iter()
        .map(|(out, input)| WeightRef {
            layer: 0,
            out,
            input,
        })
        .collect();
    out.extend((0..10).map(|k| WeightRef {
        layer: 1,
        out: k,
        input: (3 * k) % HIDDEN,
    }));
    out
}

fn check<E: Engine>(engine: &mut E, model: &Mlp, data: &Dataset, reference: Option<&[f32]>) {
    let who = engine.info().to_string();
    let mut kernel_grads = Vec::new();
    for (n, w) in weights().into_iter().enumerate() {
        let (trace, g) = pollster::block_on(weight_gradient(engine, model, data, w, 1e-3)).unwrap();
        assert_eq!(
            trace.model, *model,
            "{who}: the probe reports the weights it used"
        );
        assert_eq!(g.factors.len(), data.len());
        let scale = g.kernel.abs().max(1e-6) as f64;
        assert!(
            (g.product - f64::from(g.kernel)).abs() / scale < 1e-4,
            "{who} {}: factors' product {} vs kernel gradient {}",
            w.name(),
            g.product,
            g.kernel
        );
        if g.kernel.abs() > 1e-3 {
            let rel = (g.finite_difference - f64::from(g.kernel)).abs() / scale;
            assert!(
                rel < 1e-2,
                "{who} {}: finite difference {} vs kernel {} ({rel})",
                w.name(),
                g.finite_difference,
                g.kernel
            );
        } else {
            assert!((g.finite_difference - f64::from(g.kernel)).abs() < 1e-4);
        }
        // For a hidden unit, ∂L/∂y · ReLU′ is the δ the backward kernels left for that unit.
        if w.layer == 0 {
            let delta = trace.deltas[0].as_ref().expect("fc1's δ is computed");
            for (r, f) in g.factors.iter().enumerate() {
                let d = delta[r * HIDDEN + w.out];
                assert!(
                    (f.dl_dy * f.dy_dz - d).abs() <= 1e-6 + 1e-4 * d.abs(),
                    "{who} {} row {r}: ∂L/∂y·ReLU′ {} vs δ {d}",
                    w.name(),
                    f.dl_dy * f.dy_dz
                );
            }
        }
        if let Some(r) = reference {
            let rel = (g.kernel - r[n]).abs() / r[n].abs().max(1e-6);
            assert!(
                rel < 1e-4,
                "{who} {}: {} vs the CPU reference {}",
                w.name(),
                g.kernel,
                r[n]
            );
        }
        kernel_grads.push(g.kernel);
    }
    // The probe left the engine holding the model it was given.
    assert_eq!(
        pollster::block_on(engine.model()).unwrap().layers,
        model.layers
    );

    // One image: a hidden unit that is off has ReLU′ = 0, and every weight into it a zero gradient.
    let one = data.take(1);
    let trace = pollster::block_on(probe(engine, model, &one)).unwrap();
    let off = (0..HIDDEN)
        .find(|&j| trace.activations[0][j] <= 0.0)
        .expect("some hidden unit of a random model is off");
    let f = factors(
        &trace,
        WeightRef {
            layer: 0,
            out: off,
            input: 14 * 28 + 14,
        },
    )
    .unwrap();
    assert_eq!(f[0].dy_dz, 0.0);
    assert_eq!(f[0].product(), 0.0);
    let grad = trace.gradients[0].weight.as_ref().unwrap();
    assert!(grad[off * 784..(off + 1) * 784].iter().all(|&g| g == 0.0));
    if reference.is_none() {
        CPU_GRADS.with(|c| *c.borrow_mut() = kernel_grads);
    }
}

thread_local! {
    static CPU_GRADS: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[test]
fn chain_rule_factors_kernels_and_finite_differences_agree() {
    let model = Mlp::new(784, &[HIDDEN], 10, 7).unwrap();
    let data = common::mnist(Split::Test, 16);
    let mut cpu = CpuEngine::new(&model, 64).unwrap();
    check(&mut cpu, &model, &data, None);
    let reference = CPU_GRADS.with(|c| c.borrow().clone());
    if let Some(ctx) = common::gpu() {
        let mut gpu = GpuEngine::new(&ctx, &model, 64).unwrap();
        check(&mut gpu, &model, &data, Some(&reference));
    }
}

#[test]
fn evaluation_reports_each_samples_loss() {
    let model = Mlp::new(784, &[HIDDEN], 10, 3).unwrap();
    let data = common::mnist(Split::Test, 40);
    let mut cpu = CpuEngine::new(&model, 64).unwrap();
    cpu.set_data(Split::Test, &data).unwrap();
    let eval = pollster::block_on(cpu.evaluate(None)).unwrap();
    assert_eq!(eval.losses.len(), 40);
    let mean = eval.losses.iter().map(|&l| f64::from(l)).sum::<f64>() / 40.0;
    assert!((mean as f32 - eval.loss).abs() < 1e-6);
    // A sample's loss is the loss of a one-sample evaluation of it.
    cpu.set_data(Split::Test, &data.select(&[7])).unwrap();
    let one = pollster::block_on(cpu.evaluate(None)).unwrap();
    assert!((one.losses[0] - eval.losses[7]).abs() < 1e-6);
    if let Some(ctx) = common::gpu() {
        let mut gpu = GpuEngine::new(&ctx, &model, 64).unwrap();
        gpu.set_data(Split::Test, &data).unwrap();
        let g = pollster::block_on(gpu.evaluate(None)).unwrap();
        kernels::testing::assert_close(
            "GPU per-sample losses",
            &g.losses,
            &eval.losses,
            1e-4,
            1e-5,
        );
    }
}
