//! PyTorch is the reference: files written by PyTorch itself (`scripts/make_pytorch_fixtures.py`, its
//! exact command in its header) are loaded and matched.
//! - F64, F16 and BF16 state dicts of the seed's `Net`: our loader's F32 tensors equal PyTorch's own
//!   `.float()` of them (bit for bit at 1,000 positions per tensor; the f64 sum of each tensor to 1e-9).
//! - 10 steps of SGD with momentum and weight decay, and 10 of Adam, from fixed weights on a fixed batch:
//!   every loss within 1e-5 relative, every final weight within 1e-4, on the CPU engine and on the GPU
//!   engine (lavapipe in CI).

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use kernels::dataset::{Dataset, Split};
use kernels::testing::assert_close;
use kernels::{CpuEngine, Engine, GpuEngine, Mlp, OptimizerConfig, OptimizerKind};
use safetensors::{Dtype, SafeTensors};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pytorch")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn f32s(file: &SafeTensors, name: &str) -> Vec<f32> {
    let t = file.tensor(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(t.dtype(), Dtype::F32, "{name}");
    t.data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// The model's tensors by PyTorch name.
fn tensors(model: &Mlp) -> HashMap<String, Vec<f32>> {
    let mut out = HashMap::new();
    for (i, layer) in model.layers.iter().enumerate() {
        out.insert(format!("fc{}.weight", i + 1), layer.weight.clone());
        out.insert(format!("fc{}.bias", i + 1), layer.bias.clone());
    }
    out
}

#[test]
fn pytorch_f64_f16_and_bf16_state_dicts_load_as_pytorch_converts_them() {
    let expected: serde_json::Value =
        serde_json::from_slice(&fixture("dtypes.json")).expect("dtypes.json");
    for file in [
        "net-f64.safetensors",
        "net-f16.safetensors",
        "net-bf16.safetensors",
    ] {
        let model = Mlp::from_safetensors(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(model.widths(), vec![784, 512, 10], "{file}");
        let ours = tensors(&model);
        let want = expected[file].as_object().expect("one entry per file");
        assert_eq!(want.len(), 4, "{file}");
        for (name, w) in want {
            let got = &ours[name];
            let at: Vec<usize> = w["at"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let values: Vec<f32> = w["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect();
            let picked: Vec<f32> = at.iter().map(|&i| got[i]).collect();
            // Exact: the same rounding as PyTorch's, not merely close.
            assert_close(&format!("{file} {name}"), &picked, &values, 0.0, 0.0);
            let sum: f64 = got.iter().map(|&v| f64::from(v)).sum();
            let want_sum = w["sum"].as_f64().unwrap();
            assert!(
                (sum - want_sum).abs() <= 1e-9 * want_sum.abs().max(1.0),
                "{file} {name}: sum {sum} != PyTorch's {want_sum}"
            );
        }
    }
}

/// The batch, initial model and PyTorch's results of `updates.safetensors`.
struct Updates {
    data: Dataset,
    init: Mlp,
    bytes: Vec<u8>,
}

impl Updates {
    fn load() -> Self {
        let bytes = fixture("updates.safetensors");
        let file = SafeTensors::deserialize(&bytes).unwrap();
        let pixels = file.tensor("batch.pixels").unwrap().data().to_vec();
        let labels = file.tensor("batch.labels").unwrap().data().to_vec();
        let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
        let meta = meta.metadata().clone().unwrap_or_default();
        let data = Dataset {
            name: "mnist".into(),
            height: 28,
            width: 28,
            channels: 1,
            class_names: (0..10).map(|c| c.to_string()).collect(),
            mean: meta["mean"].parse().unwrap(),
            std: meta["std"].parse().unwrap(),
            images: pixels,
            labels,
        };
        // The initial weights, renamed to a state dict our loader reads.
        let init: Vec<(String, Vec<u8>, Vec<usize>)> =
            ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
                .iter()
                .map(|n| {
                    let t = file.tensor(&format!("init.{n}")).unwrap();
                    ((*n).to_string(), t.data().to_vec(), t.shape().to_vec())
                })
                .collect();
        let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = init
            .iter()
            .map(|(n, d, s)| {
                (
                    n.clone(),
                    safetensors::tensor::TensorView::new(Dtype::F32, s.clone(), d).unwrap(),
                )
            })
            .collect();
        let dict = safetensors::serialize(views, None).unwrap();
        let init = Mlp::from_safetensors(&dict).unwrap();
        drop(file);
        Self { data, init, bytes }
    }

    fn check<E: Engine>(&self, mut engine: E, run: &str, opt: &OptimizerConfig) {
        let who = format!("{run} on {}", engine.info());
        let file = SafeTensors::deserialize(&self.bytes).unwrap();
        engine.set_data(Split::Train, &self.data).unwrap();
        let rows: Vec<u32> = (0..self.data.len() as u32).collect();
        let steps: usize = SafeTensors::read_metadata(&self.bytes)
            .unwrap()
            .1
            .metadata()
            .as_ref()
            .unwrap()["steps"]
            .parse()
            .unwrap();
        pollster::block_on(async {
            for _ in 0..steps {
                engine.train_step(&rows, opt).unwrap();
            }
            let losses = engine.take_losses().await.unwrap();
            assert_close(
                &format!("{who}: losses"),
                &losses,
                &f32s(&file, &format!("{run}.losses")),
                1e-5,
                0.0,
            );
            let ours = tensors(&engine.model().await.unwrap());
            for name in ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"] {
                let want = f32s(&file, &format!("{run}.{name}"));
                let before = &tensors(&self.init)[name];
                assert!(
                    want.iter().zip(before).any(|(a, b)| a != b),
                    "{run}: PyTorch moved {name}"
                );
                assert_close(&format!("{who}: {name}"), &ours[name], &want, 0.0, 1e-4);
            }
        });
    }
}

fn configs(bytes: &[u8]) -> [(&'static str, OptimizerConfig); 2] {
    let (_, meta) = SafeTensors::read_metadata(bytes).unwrap();
    let meta = meta.metadata().clone().unwrap();
    let sgd: serde_json::Value = serde_json::from_str(&meta["sgd"]).unwrap();
    let adam: serde_json::Value = serde_json::from_str(&meta["adam"]).unwrap();
    let f = |v: &serde_json::Value| v.as_f64().unwrap() as f32;
    [
        (
            "sgd",
            OptimizerConfig {
                kind: OptimizerKind::Sgd,
                lr: f(&sgd["lr"]),
                momentum: f(&sgd["momentum"]),
                weight_decay: f(&sgd["weight_decay"]),
                ..OptimizerConfig::default()
            },
        ),
        (
            "adam",
            OptimizerConfig {
                kind: OptimizerKind::Adam,
                lr: f(&adam["lr"]),
                momentum: 0.0,
                beta1: f(&adam["betas"][0]),
                beta2: f(&adam["betas"][1]),
                eps: f(&adam["eps"]),
                weight_decay: f(&adam["weight_decay"]),
            },
        ),
    ]
}

#[test]
fn ten_sgd_momentum_and_ten_adam_steps_match_pytorch_on_the_cpu_engine() {
    let u = Updates::load();
    for (run, opt) in configs(&u.bytes) {
        u.check(CpuEngine::new(&u.init, 64).unwrap(), run, &opt);
    }
}

#[test]
fn ten_sgd_momentum_and_ten_adam_steps_match_pytorch_on_the_gpu_engine() {
    let u = Updates::load();
    let Some(ctx) = common::gpu() else { return };
    for (run, opt) in configs(&u.bytes) {
        u.check(GpuEngine::new(&ctx, &u.init, 64).unwrap(), run, &opt);
    }
}
