//! Saliency maps on the shipped 784-32-10 and 784-512-10 models: integrated gradients' attributions add
//! up to the score's change (completeness within 5 % at 64 steps, closer with more), SmoothGrad
//! without noise is the gradient, a map of a model with a randomised output layer differs from the
//! trained model's, and the GPU engine (lavapipe in CI) gives the CPU engine's maps.

mod common;

use kernels::dataset::Split;
use kernels::saliency::{blurred, gradient, integrated, rank_correlation, smoothgrad};
use kernels::testing::assert_close;
use kernels::{CpuEngine, Engine, GpuEngine, Mlp};

fn model(name: &str) -> Mlp {
    let path = common::data_dir("mnist").join(format!("../../models/{name}"));
    Mlp::from_safetensors(&std::fs::read(path).unwrap()).unwrap()
}

fn pixels(test: &kernels::dataset::Dataset, i: usize) -> Vec<f32> {
    test.images[i * 784..(i + 1) * 784]
        .iter()
        .map(|&b| f32::from(b) / 255.0)
        .collect()
}

#[test]
fn integrated_gradients_are_complete_within_five_percent_at_64_steps() {
    let test = common::mnist(Split::Test, 8);
    let norm = (test.mean, test.std);
    for name in [
        "live-mnist-mlp-784-32-10.safetensors",
        "mnist-mlp-784-512-10.safetensors",
    ] {
        let m = model(name);
        let mut cpu = CpuEngine::new(&m, 64).unwrap();
        for i in 0..8 {
            let x = pixels(&test, i);
            let class = usize::from(test.labels[i]);
            for baseline in [vec![0.0; 784], blurred(&x, 28, 3)] {
                let (map, c64) =
                    pollster::block_on(integrated(&mut cpu, &x, &baseline, norm, class, 64))
                        .unwrap();
                assert_eq!(map.len(), 784);
                assert!(c64.relative_error <= 0.05, "{name} image {i}: {c64:?}");
                let (_, c256) =
                    pollster::block_on(integrated(&mut cpu, &x, &baseline, norm, class, 256))
                        .unwrap();
                assert!(
                    c256.relative_error <= c64.relative_error + 1e-3,
                    "more steps, closer: {c64:?} {c256:?}"
                );
            }
        }
    }
}

#[test]
fn smoothgrad_without_noise_is_the_gradient_and_randomising_the_head_changes_the_map() {
    let test = common::mnist(Split::Test, 4);
    let norm = (test.mean, test.std);
    let m = model("live-mnist-mlp-784-32-10.safetensors");
    let mut cpu = CpuEngine::new(&m, 64).unwrap();
    let x = pixels(&test, 0);
    let class = usize::from(test.labels[0]);
    let g = pollster::block_on(gradient(&mut cpu, &x, norm, class)).unwrap();
    let s = pollster::block_on(smoothgrad(&mut cpu, &x, norm, class, (16, 0.0, 1))).unwrap();
    assert_close("smoothgrad, no noise", &s, &g, 1e-4, 1e-5);
    let noisy = pollster::block_on(smoothgrad(&mut cpu, &x, norm, class, (16, 0.2, 1))).unwrap();
    assert!(
        rank_correlation(&noisy, &g) < 0.999,
        "noise changes the map"
    );
    let mut random = m.clone();
    let fresh = Mlp::new(784, &[32], 10, 99).unwrap();
    random.layers[1] = fresh.layers[1].clone();
    cpu.set_model(&random).unwrap();
    let r = pollster::block_on(gradient(&mut cpu, &x, norm, class)).unwrap();
    assert!(
        rank_correlation(&r, &g) < 0.9,
        "{}",
        rank_correlation(&r, &g)
    );
}

#[test]
fn gpu_maps_equal_cpu_maps() {
    let Some(ctx) = common::gpu() else { return };
    let test = common::mnist(Split::Test, 2);
    let norm = (test.mean, test.std);
    let m = model("mnist-mlp-784-512-10.safetensors");
    let mut cpu = CpuEngine::new(&m, 40).unwrap();
    let mut gpu = GpuEngine::new(&ctx, &m, 40).unwrap();
    let x = pixels(&test, 1);
    let class = usize::from(test.labels[1]);
    let base = vec![0.0; 784];
    // 100 steps: more rows than either engine takes at once (40), so the chunking is exercised.
    let (a, ca) = pollster::block_on(integrated(&mut cpu, &x, &base, norm, class, 100)).unwrap();
    let (b, cb) = pollster::block_on(integrated(&mut gpu, &x, &base, norm, class, 100)).unwrap();
    assert_close("integrated gradients", &b, &a, 1e-3, 1e-4);
    assert!((ca.sum - cb.sum).abs() <= 1e-3 * ca.sum.abs().max(1.0));
    let sa = pollster::block_on(smoothgrad(&mut cpu, &x, norm, class, (50, 0.15, 3))).unwrap();
    let sb = pollster::block_on(smoothgrad(&mut gpu, &x, norm, class, (50, 0.15, 3))).unwrap();
    assert_close("smoothgrad", &sb, &sa, 1e-3, 1e-4);
}
