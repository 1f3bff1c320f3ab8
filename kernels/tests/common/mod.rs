//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::PathBuf;

use kernels::dataset::{Dataset, Split, load_split};
use kernels::rng::SeededRng;
use kernels::{AdapterOptions, GpuContext};

/// A GPU context on any adapter, software ones included (lavapipe in CI). Without an adapter the test
/// is skipped with a message — except under CI=true, where GPU tests must run, so it fails instead.
pub fn gpu() -> Option<GpuContext> {
    match pollster::block_on(GpuContext::new(AdapterOptions {
        allow_software: true,
    })) {
        Ok(ctx) => Some(ctx),
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but no wgpu adapter was found ({e}); install mesa-vulkan-drivers libvulkan1"
                );
            }
            eprintln!(
                "SKIPPED: no wgpu adapter ({e}); install mesa-vulkan-drivers libvulkan1 to run GPU tests"
            );
            None
        }
    }
}

/// `static/data/<name>` of the repository.
pub fn data_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../static/data")
        .join(name)
}

/// The first `n` samples of a split of MNIST.
pub fn mnist(split: Split, n: usize) -> Dataset {
    load_split(&data_dir("mnist"), split, Some(n))
        .expect("static/data/mnist is committed; run `backprop-lab convert-data` if missing")
}

/// `n` values uniform in [-scale, scale).
pub fn random(rng: &mut SeededRng, n: usize, scale: f32) -> Vec<f32> {
    (0..n).map(|_| rng.uniform(-scale, scale)).collect()
}

/// A small random dataset (random pixels, random labels) of the given image shape.
pub fn random_dataset(seed: u64, samples: usize, features: usize, classes: usize) -> Dataset {
    let mut rng = SeededRng::new(seed);
    Dataset {
        name: "random".into(),
        height: 1,
        width: features,
        channels: 1,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
        mean: 0.3,
        std: 0.4,
        images: (0..samples * features)
            .map(|_| (rng.next_u64() >> 56) as u8)
            .collect(),
        labels: (0..samples).map(|_| rng.below(classes) as u8).collect(),
    }
}
