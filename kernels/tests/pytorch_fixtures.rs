//! PyTorch is the reference: files written by PyTorch itself (`scripts/pytorch/make_pytorch_fixtures.py`, its
//! exact command in its header) are loaded and matched.
//! - F64, F16 and BF16 state dicts of the seed's `Net` (at width 32): our loader's F32 tensors equal
//!   PyTorch's own `.float()` of them (bit for bit at 250 positions per tensor; the f64 sum of each
//!   tensor to 1e-9).
//! - 10 steps of every optimiser (SGD, SGD with momentum, Nesterov, AdaGrad, RMSprop with and without
//!   momentum, Adam, AdamW) from fixed weights on a fixed batch, for a 784-32-10 Net and for the
//!   article's 784-512-10 Net as PyTorch initialises it (rounded to float16, so the files store the
//!   starting weights exactly in half the bytes): every loss within 1e-5 relative, every final weight
//!   (fc1 at sampled positions) within 1e-4 of the largest weight, on the CPU engine and on the GPU
//!   engine (lavapipe in CI).

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use kernels::dataset::{Dataset, Split};
use kernels::testing::assert_close;
use kernels::{CpuEngine, Engine, GpuEngine, Mlp, OptimizerConfig};
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
        assert_eq!(model.widths(), vec![784, 32, 10], "{file}");
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

/// The batch, initial model and PyTorch's results of one update fixture file.
struct Updates {
    file: &'static str,
    data: Dataset,
    init: Mlp,
    bytes: Vec<u8>,
}

/// What a run's weights are compared with: the whole tensor, or (the article's fc1) sampled positions.
enum Want {
    Whole(Vec<f32>),
    Sampled(Vec<usize>, Vec<f32>),
}

impl Updates {
    fn load(file: &'static str) -> Self {
        let bytes = fixture(file);
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let pixels = st.tensor("batch.pixels").unwrap().data().to_vec();
        let labels = st.tensor("batch.labels").unwrap().data().to_vec();
        let meta = Self::meta(&bytes);
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
        // The initial weights (F16 in the file: PyTorch's initialisation rounded to float16, which
        // PyTorch then trained from), renamed to a state dict our loader reads and widens to F32.
        let init: Vec<(String, Vec<u8>, Vec<usize>, Dtype)> =
            ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
                .iter()
                .map(|n| {
                    let t = st.tensor(&format!("init.{n}")).unwrap();
                    (
                        (*n).to_string(),
                        t.data().to_vec(),
                        t.shape().to_vec(),
                        t.dtype(),
                    )
                })
                .collect();
        let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = init
            .iter()
            .map(|(n, d, s, dtype)| {
                (
                    n.clone(),
                    safetensors::tensor::TensorView::new(*dtype, s.clone(), d).unwrap(),
                )
            })
            .collect();
        let dict = safetensors::serialize(views, None).unwrap();
        let init = Mlp::from_safetensors(&dict).unwrap();
        drop(st);
        Self {
            file,
            data,
            init,
            bytes,
        }
    }

    fn meta(bytes: &[u8]) -> HashMap<String, String> {
        let (_, meta) = SafeTensors::read_metadata(bytes).unwrap();
        meta.metadata().clone().unwrap_or_default()
    }

    /// Every run of the file with its settings as our [`OptimizerConfig`] (the metadata's "runs").
    fn runs(&self) -> Vec<(String, OptimizerConfig)> {
        let runs: serde_json::Value =
            serde_json::from_str(&Self::meta(&self.bytes)["runs"]).unwrap();
        let f = |v: &serde_json::Value| v.as_f64().unwrap() as f32;
        runs.as_object()
            .unwrap()
            .iter()
            .map(|(name, r)| {
                let opt = OptimizerConfig {
                    kind: r["kind"].as_str().unwrap().parse().unwrap(),
                    lr: f(&r["lr"]),
                    momentum: f(&r["momentum"]),
                    beta1: f(&r["beta1"]),
                    beta2: f(&r["beta2"]),
                    eps: f(&r["eps"]),
                    weight_decay: f(&r["weight_decay"]),
                };
                (name.clone(), opt)
            })
            .collect()
    }

    fn want(&self, st: &SafeTensors, run: &str, name: &str) -> Want {
        match st.tensor(&format!("{run}.{name}.sampled")) {
            Ok(_) => {
                let at = st.tensor("fc1.sampled_at").unwrap();
                let at = at
                    .data()
                    .chunks_exact(8)
                    .map(|b| i64::from_le_bytes(b.try_into().unwrap()) as usize)
                    .collect();
                Want::Sampled(at, f32s(st, &format!("{run}.{name}.sampled")))
            }
            Err(_) => Want::Whole(f32s(st, &format!("{run}.{name}"))),
        }
    }

    /// Trains `run` on `engine` and checks every loss (1e-5 relative) and every weight (within 1e-4
    /// of the largest weight); returns the largest weight difference relative to the largest weight.
    fn check<E: Engine>(&self, mut engine: E, run: &str, opt: &OptimizerConfig) -> f32 {
        let who = format!("{} {run} on {}", self.file, engine.info());
        let st = SafeTensors::deserialize(&self.bytes).unwrap();
        engine.set_data(Split::Train, &self.data).unwrap();
        let rows: Vec<u32> = (0..self.data.len() as u32).collect();
        let steps: usize = Self::meta(&self.bytes)["steps"].parse().unwrap();
        pollster::block_on(async {
            for _ in 0..steps {
                engine.train_step(&rows, opt).unwrap();
            }
            let losses = engine.take_losses().await.unwrap();
            assert_close(
                &format!("{who}: losses"),
                &losses,
                &f32s(&st, &format!("{run}.losses")),
                1e-5,
                0.0,
            );
            let ours = tensors(&engine.model().await.unwrap());
            let init = tensors(&self.init);
            let names = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"];
            let wants: Vec<(&str, Want)> =
                names.iter().map(|&n| (n, self.want(&st, run, n))).collect();
            let largest = match st.tensor(&format!("{run}.largest")) {
                Ok(_) => f32s(&st, &format!("{run}.largest"))[0],
                Err(_) => wants
                    .iter()
                    .flat_map(|(_, w)| match w {
                        Want::Whole(v) | Want::Sampled(_, v) => v.iter().map(|x| x.abs()),
                    })
                    .fold(0.0, f32::max),
            };
            let mut worst = 0f32;
            for (name, want) in &wants {
                let (got, want, before): (Vec<f32>, &Vec<f32>, Vec<f32>) = match want {
                    Want::Whole(v) => (ours[*name].clone(), v, init[*name].clone()),
                    Want::Sampled(at, v) => (
                        at.iter().map(|&i| ours[*name][i]).collect(),
                        v,
                        at.iter().map(|&i| init[*name][i]).collect(),
                    ),
                };
                assert!(
                    want.iter().zip(&before).any(|(a, b)| a != b),
                    "{run}: PyTorch moved {name}"
                );
                for (g, w) in got.iter().zip(want) {
                    worst = worst.max((g - w).abs() / largest);
                }
                assert_close(&format!("{who}: {name}"), &got, want, 0.0, 1e-4 * largest);
            }
            println!("{who}: largest weight difference {worst:.1e} of the largest weight");
            worst
        })
    }
}

#[test]
fn every_optimiser_matches_pytorch_for_ten_steps_on_the_cpu_engine() {
    for file in ["updates.safetensors", "article-net-updates.safetensors"] {
        let u = Updates::load(file);
        let runs = u.runs();
        assert_eq!(
            runs.len(),
            8,
            "{file}: every optimiser, RMSprop with and without momentum"
        );
        for (run, opt) in runs {
            u.check(CpuEngine::new(&u.init, 64).unwrap(), &run, &opt);
        }
    }
}

#[test]
fn every_optimiser_matches_pytorch_for_ten_steps_on_the_gpu_engine() {
    let Some(ctx) = common::gpu() else { return };
    for file in ["updates.safetensors", "article-net-updates.safetensors"] {
        let u = Updates::load(file);
        for (run, opt) in u.runs() {
            u.check(GpuEngine::new(&ctx, &u.init, 64).unwrap(), &run, &opt);
        }
    }
}
