//! The `backprop-lab` binary end to end: train → weights → eval, plots, errors, and that the committed
//! dataset assets are exactly what `convert-data` makes from ../shared/data.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_backprop-lab"));
    c.current_dir(root());
    c
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> (bool, String) {
    let out = bin().args(args).output().expect("the binary runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn train_save_plot_and_evaluate() {
    let dir = std::env::temp_dir().join(format!("bpl-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let weights = dir.join("m.safetensors");
    let (ok, out) = run(&[
        "train",
        "--engine",
        "cpu",
        "--epochs",
        "2",
        "--train-limit",
        "3000",
        "--test-limit",
        "500",
        "--hidden",
        "32",
        "--lr",
        "0.05",
        "--out",
        weights.to_str().unwrap(),
        "--plots",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("engine: cpu engine"), "{out}");
    let epochs: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(epochs.len(), 2);
    let acc = epochs[1]["test_accuracy"].as_f64().unwrap();
    assert!(acc > 0.8, "accuracy {acc}");
    for png in ["loss.png", "accuracy.png"] {
        let bytes = std::fs::read(dir.join(png)).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{png} is not a real plot"
        );
    }
    let (ok, out) = run(&[
        "eval",
        weights.to_str().unwrap(),
        "--engine",
        "cpu",
        "--test-limit",
        "500",
    ]);
    assert!(ok, "{out}");
    let reported = format!("accuracy {:.2}%", 100.0 * acc);
    assert!(
        out.contains(&reported),
        "eval should reproduce the last epoch's {reported}: {out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_optimiser_trains_from_the_command_line() {
    for (name, lr) in [
        ("sgd", "0.05"),
        ("momentum", "0.05"),
        ("nesterov", "0.05"),
        ("adagrad", "0.05"),
        ("rmsprop", "0.001"),
        ("adam", "0.001"),
        ("adamw", "0.001"),
    ] {
        let (ok, out) = run(&[
            "train",
            "--engine",
            "cpu",
            "--epochs",
            "1",
            "--train-limit",
            "2000",
            "--test-limit",
            "500",
            "--hidden",
            "32",
            "--optimizer",
            name,
            "--lr",
            lr,
            "--json",
        ]);
        assert!(ok, "{name}: {out}");
        let header = out.lines().find(|l| l.starts_with("model:")).unwrap_or("");
        let rule = if name == "momentum" { "sgd" } else { name };
        assert!(
            header.contains(&format!("optimiser: {rule} lr {lr}")),
            "{name}: {header}"
        );
        let epoch: serde_json::Value =
            serde_json::from_str(out.lines().find(|l| l.starts_with('{')).unwrap()).unwrap();
        let acc = epoch["test_accuracy"].as_f64().unwrap();
        // Chance is 10 %: every rule must learn something in 31 steps.
        assert!(acc > 0.5, "{name}: accuracy {acc}");
    }
    let (ok, out) = run(&["train", "--optimizer", "momentum", "--momentum", "0"]);
    assert!(!ok && out.contains("--optimizer sgd"), "{out}");
    let (ok, out) = run(&["train", "--optimizer", "adam", "--alpha", "0.9"]);
    assert!(!ok && out.contains("RMSprop"), "{out}");
    let (ok, out) = run(&["train", "--optimizer", "lion"]);
    assert!(
        !ok && out.contains("adagrad") && out.contains("momentum"),
        "{out}"
    );
    let (ok, out) = run(&["train", "--optimizer", "nesterov", "--momentum", "0"]);
    assert!(!ok && out.contains("Nesterov"), "{out}");
}

#[test]
fn bad_input_is_reported_plainly() {
    let (ok, out) = run(&["train", "--engine", "cpu", "--lr=-1", "--epochs", "1"]);
    assert!(!ok && out.contains("learning rate"), "{out}");
    let (ok, out) = run(&["train", "--engine", "cpu", "--dataset", "nope"]);
    assert!(!ok && out.contains("convert-data"), "{out}");
    let junk = std::env::temp_dir().join(format!("bpl-junk-{}.safetensors", std::process::id()));
    std::fs::write(&junk, b"definitely not safetensors").unwrap();
    let (ok, out) = run(&["eval", junk.to_str().unwrap(), "--engine", "cpu"]);
    assert!(!ok && out.contains("safetensors"), "{out}");
    std::fs::remove_file(junk).ok();
    // A batch as large as the benchmark's data: a message, not a division by zero.
    let (ok, out) = run(&["bench", "--batches", "20000", "--seconds", "0.1"]);
    assert!(!ok && out.contains("too large for the benchmark"), "{out}");
}

#[test]
fn shipped_pretrained_model_reaches_its_recorded_accuracy() {
    let (ok, out) = run(&[
        "eval",
        "static/models/mnist-mlp-784-512-10.safetensors",
        "--engine",
        "cpu",
    ]);
    assert!(ok, "{out}");
    let cited = backprop_lab_app::cited::MNIST_MLP;
    assert!(
        out.contains(&format!("accuracy {}%", cited.value)),
        "the cited-figures table records {} %: {out}",
        cited.value
    );
}

#[test]
fn the_cheap_cited_figures_reproduce() {
    // CI's subset of `scripts/check/cited-figures.sh`: the shipped models' accuracies, the CIFAR-10 transfer
    // run, the attack and adversarial-training figures and the DP table's ε, each re-run by the command
    // its row names and found where that command prints it (about 45 s in a debug build).
    let (ok, out) = run(&["cited", "--run", "--cheap"]);
    assert!(ok, "{out}");
    assert!(out.contains("mnist-mlp-accuracy = 97.66"), "{out}");
    assert!(out.contains("cifar-animals-mlp-accuracy"), "{out}");
    assert!(out.contains("dp-1.12-60-epsilon"), "{out}");
    assert!(out.contains("adversarial-fgsm-0.1"), "{out}");
    assert!(!out.contains("NOT REPRODUCED"), "{out}");
    // Published figures are listed with their address, never run.
    let (ok, out) = run(&["cited", "--run", "--only", "lenet"]);
    assert!(ok && out.contains("published: not re-run here"), "{out}");
}

#[test]
fn committed_assets_match_a_fresh_conversion() {
    let shared = root().join("../shared/data");
    if !shared.join("mnist").exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but {} is missing", shared.display());
        }
        eprintln!("SKIPPED: {} not present", shared.display());
        return;
    }
    let out_dir = std::env::temp_dir().join(format!("bpl-convert-{}", std::process::id()));
    let (ok, out) = run(&[
        "convert-data",
        "--from",
        shared.to_str().unwrap(),
        "--to",
        out_dir.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    for name in ["mnist", "mnist-pen", "fashion-mnist", "cifar10"] {
        let fresh = std::fs::read_to_string(out_dir.join(name).join("manifest.json")).unwrap();
        let committed =
            std::fs::read_to_string(root().join("static/data").join(name).join("manifest.json"))
                .unwrap();
        assert_eq!(
            fresh, committed,
            "{name}: static/data is stale; run `backprop-lab convert-data`"
        );
    }
    std::fs::remove_dir_all(&out_dir).ok();
}

#[test]
fn finetune_head_phase_keeps_fc1_in_the_saved_file_and_full_phase_changes_it() {
    let dir = std::env::temp_dir().join(format!("bpl-ft-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pretrained = "static/models/mnist-mlp-784-512-10.safetensors";
    let load = |p: &Path| kernels::Mlp::from_safetensors(&std::fs::read(p).unwrap()).unwrap();
    let original = load(&root().join(pretrained));
    let head_only = dir.join("head.safetensors");
    let common = [
        "finetune",
        "--init",
        pretrained,
        "--dataset",
        "mnist-pen",
        "--per-class",
        "5",
        "--batch-size",
        "10",
        "--test-limit",
        "500",
        "--engine",
        "cpu",
        "--head-epochs",
        "3",
    ];
    let mut args = common.to_vec();
    args.extend(["--full-epochs", "0", "--new-head", "10", "--json"]);
    args.extend(["--out", head_only.to_str().unwrap()]);
    let (ok, out) = run(&args);
    assert!(ok, "{out}");
    assert!(out.contains("pretrained model on mnist-pen"), "{out}");
    let summary: serde_json::Value = out
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"pretrained_accuracy"))
        .map(|l| serde_json::from_str(l).unwrap())
        .expect("a JSON summary");
    assert_eq!(summary["epochs"].as_array().unwrap().len(), 3);
    let head = load(&head_only);
    assert_eq!(
        head.layers[0].weight, original.layers[0].weight,
        "fc1 in the saved file equals the pretrained fc1 after the head phase"
    );
    assert_eq!(head.layers[0].bias, original.layers[0].bias);
    assert_ne!(head.layers[1].weight, original.layers[1].weight);

    let full = dir.join("full.safetensors");
    let mut args = common.to_vec();
    args.extend([
        "--full-epochs",
        "2",
        "--full-lr",
        "0.001",
        "--compare-scratch",
    ]);
    args.extend([
        "--out",
        full.to_str().unwrap(),
        "--plots",
        dir.to_str().unwrap(),
    ]);
    let (ok, out) = run(&args);
    assert!(ok, "{out}");
    assert!(out.contains("from scratch"), "{out}");
    assert!(dir.join("finetune-vs-scratch.png").exists());
    assert_ne!(load(&full).layers[0].weight, original.layers[0].weight);

    let (ok, out) = run(&[
        "finetune", "--init", pretrained, "--engine", "cpu", "--freeze", "fc2",
    ]);
    assert!(
        !ok && out.contains("the head is what the head phase trains"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cifar10_program_animals_to_vehicles_keeps_fc1_through_the_head_phase() {
    let dir = std::env::temp_dir().join(format!("bpl-cifar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pretrained = "static/models/cifar10-animals-mlp-3072-512-6.safetensors";
    let out_file = dir.join("vehicles.safetensors");
    let (ok, out) = run(&[
        "finetune",
        "--init",
        pretrained,
        "--dataset",
        "cifar10",
        "--classes",
        "airplane,automobile,ship,truck",
        "--normalize",
        "0.5,0.5",
        "--augment",
        "flip,crop4",
        "--new-head",
        "4",
        "--train-limit",
        "400",
        "--test-limit",
        "100",
        "--head-epochs",
        "2",
        "--full-epochs",
        "0",
        "--engine",
        "cpu",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    assert!(
        out.contains("head phase: model [3072, 512, 4], frozen: fc1"),
        "{out}"
    );
    let load = |p: &Path| kernels::Mlp::from_safetensors(&std::fs::read(p).unwrap()).unwrap();
    let (before, after) = (load(&root().join(pretrained)), load(&out_file));
    assert_eq!(after.widths(), vec![3072, 512, 4]);
    assert_eq!(
        after.layers[0].weight, before.layers[0].weight,
        "fc1 in the saved file equals the pretrained one after the head phase"
    );
    let (ok, out) = run(&[
        "train",
        "--dataset",
        "cifar10",
        "--augment",
        "turn",
        "--engine",
        "cpu",
    ]);
    assert!(!ok && out.contains("--augment turn"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

/// One HTTP/1.1 request to the server; returns (status line, body).
fn http(port: u16, method: &str, path: &str) -> (String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
    // HTTP/1.1 keeps a connection open unless asked: the whole answer, then the end.
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).unwrap();
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header");
    let head = String::from_utf8_lossy(&reply[..split]).to_string();
    (
        head.lines().next().unwrap_or("").to_string(),
        reply[split + 4..].to_vec(),
    )
}

#[test]
fn serve_answers_the_app_and_a_dataset_chunk_on_loopback_only() {
    use std::io::BufRead;
    // A built app in miniature: the page and one real dataset chunk.
    let dir = std::env::temp_dir().join(format!("bpl-serve-{}", std::process::id()));
    let chunk_dir = dir.join("static/data/mnist");
    std::fs::create_dir_all(&chunk_dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!DOCTYPE html><title>Backprop Lab</title>",
    )
    .unwrap();
    let chunk = std::fs::read(root().join("static/data/mnist/train-00.bpl.gz")).unwrap();
    std::fs::write(chunk_dir.join("train-00.bpl.gz"), &chunk).unwrap();
    std::fs::write(dir.join("../bpl-serve-secret.txt"), "outside").unwrap();

    let mut child = bin()
        .args(["serve", "--port", "0", "--dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let port: u16 = first
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    let result = std::panic::catch_unwind(|| {
        let (status, body) = http(port, "GET", "/index.html?lesson=train&lr=0.1");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(String::from_utf8_lossy(&body).contains("Backprop Lab"));
        assert_eq!(http(port, "GET", "/").1, body);
        let (status, got) = http(port, "GET", "/static/data/mnist/train-00.bpl.gz");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(got, chunk);
        let (status, got) = http(port, "HEAD", "/static/data/mnist/train-00.bpl.gz");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(got.is_empty());
        assert_eq!(http(port, "GET", "/missing.js").0, "HTTP/1.1 404 Not Found");
        assert_eq!(
            http(port, "GET", "/../bpl-serve-secret.txt").0,
            "HTTP/1.1 404 Not Found"
        );
        assert_eq!(
            http(port, "GET", "/%2e%2e/bpl-serve-secret.txt").0,
            "HTTP/1.1 404 Not Found"
        );
        assert_eq!(
            http(port, "POST", "/index.html").0,
            "HTTP/1.1 405 Method Not Allowed"
        );
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(dir.join("../bpl-serve-secret.txt"));
    result.unwrap();

    // Anything but loopback needs --lan; a binary without the app says how to build one.
    let (ok, out) = run(&["serve", "--bind", "0.0.0.0", "--port", "0", "--dir", "."]);
    assert!(!ok && out.contains("without --lan"), "{out}");
    if !cfg!(feature = "embed-app") {
        let (ok, out) = run(&["serve", "--port", "0"]);
        assert!(!ok && out.contains("embed-app"), "{out}");
    }
}

#[test]
fn privacy_prints_the_published_epsilon_and_rejects_absurd_input() {
    let (ok, out) = run(&[
        "privacy",
        "--sampling-rate",
        "0.0042666666666666666",
        "--noise",
        "1.12",
        "--steps",
        "14062",
        "--json",
    ]);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let eps = v["epsilon"].as_f64().unwrap();
    assert!((eps - 2.92).abs() < 0.01, "{out}");
    assert_eq!(v["conversion"], "classic");
    let (ok, out) = run(&[
        "privacy",
        "--sampling-rate",
        "1.5",
        "--noise",
        "1",
        "--steps",
        "10",
    ]);
    assert!(!ok);
    assert!(out.contains("sampling rate is 1.5"), "{out}");
}

#[test]
fn dp_sgd_training_prints_the_accountants_epsilon_after_each_epoch() {
    let (ok, out) = run(&[
        "train",
        "--engine",
        "cpu",
        "--epochs",
        "2",
        "--train-limit",
        "2000",
        "--test-limit",
        "300",
        "--hidden",
        "32",
        "--batch-size",
        "100",
        "--lr",
        "0.1",
        "--dp-clip",
        "1",
        "--dp-noise",
        "1.1",
        "--json",
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("Poisson sampling, rate q = 100/2000"), "{out}");
    let epochs: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(epochs.len(), 2);
    // 20 lots per epoch (1/q): ε after 20 and 40 steps, as `privacy` computes it.
    let mut last = 0.0;
    for (e, steps) in epochs.iter().zip(["20", "40"]) {
        let eps = e["epsilon"].as_f64().expect("ε in each epoch's line");
        let (ok, p) = run(&[
            "privacy",
            "--sampling-rate",
            "0.05",
            "--noise",
            "1.1",
            "--steps",
            steps,
            "--json",
        ]);
        assert!(ok, "{p}");
        let v: serde_json::Value = serde_json::from_str(p.trim()).unwrap();
        assert!(
            (eps - v["epsilon"].as_f64().unwrap()).abs() < 1e-6,
            "{eps} vs {p}"
        );
        assert!(eps > last, "ε rises with the steps");
        last = eps;
        assert!(e["test_accuracy"].as_f64().unwrap() > 0.3, "{e}");
    }
    let (ok, out) = run(&["train", "--dp-clip", "1", "--epochs", "1"]);
    assert!(!ok && out.contains("--dp-noise"), "{out}");
    let (ok, out) = run(&[
        "train",
        "--engine",
        "cpu",
        "--train-limit",
        "500",
        "--dp-clip=-1",
        "--dp-noise",
        "1",
    ]);
    assert!(!ok && out.contains("clip norm"), "{out}");
}

#[test]
fn attack_prints_accuracy_per_epsilon_and_refuses_absurd_input() {
    let model = "static/models/live-mnist-mlp-784-32-10.safetensors";
    let (ok, out) = run(&[
        "attack",
        "--model",
        model,
        "--engine",
        "cpu",
        "--test-limit",
        "300",
        "--eps",
        "0,0.1,0.2",
        "--json",
    ]);
    assert!(ok, "{out}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3, "{out}");
    let acc: Vec<f64> = rows
        .iter()
        .map(|r| r["accuracy"].as_f64().unwrap())
        .collect();
    assert!(
        acc[0] > 0.8 && acc[1] < acc[0] && acc[2] < acc[1],
        "{acc:?}"
    );
    assert_eq!(rows[0]["images"], 300);
    // ε = 0 is the model's clean accuracy, as `eval` measures it.
    let (ok, eval) = run(&["eval", model, "--engine", "cpu", "--test-limit", "300"]);
    assert!(ok, "{eval}");
    let correct = (acc[0] * 300.0).round() as usize;
    assert!(
        eval.contains(&format!("({correct}/300)")),
        "{eval} vs {acc:?}"
    );
    let (ok, out) = run(&["attack", "--model", model, "--eps", "2"]);
    assert!(!ok && out.contains("ε must be in [0, 1]"), "{out}");
    let (ok, out) = run(&["attack", "--model", model, "--harden", "5"]);
    assert!(!ok && out.contains("--harden takes"), "{out}");
}

#[test]
fn attack_with_harden_measures_the_model_its_control_and_its_adversarially_trained_copy() {
    let (ok, out) = run(&[
        "attack",
        "--model",
        "static/models/live-mnist-mlp-784-32-10.safetensors",
        "--engine",
        "cpu",
        "--test-limit",
        "500",
        "--eps",
        "0,0.1",
        "--harden",
        "3000",
        "--json",
    ]);
    assert!(ok, "{out}");
    let at = |model: &str, eps: f64| {
        out.lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|r| r["model"] == model && (r["epsilon"].as_f64().unwrap() - eps).abs() < 1e-6)
            .and_then(|r| r["accuracy"].as_f64())
            .unwrap_or_else(|| panic!("{model} at {eps}: {out}"))
    };
    assert!(
        at("adversarial", 0.1) > at("clean", 0.1) + 0.1
            && at("adversarial", 0.1) > at("model", 0.1) + 0.1,
        "{out}"
    );
    assert!(at("adversarial", 0.0) > 0.8, "{out}");
}

#[test]
fn train_writes_every_steps_loss_in_the_apps_streamed_order() {
    let file = std::env::temp_dir().join(format!("bpl-losses-{}.json", std::process::id()));
    let f = file.to_str().unwrap();
    let common = [
        "train",
        "--engine",
        "cpu",
        "--hidden",
        "16",
        "--batch-size",
        "500",
        "--train-limit",
        "6000",
        "--test-limit",
        "100",
        "--epochs",
        "1",
        "--losses",
        f,
    ];
    let read =
        || -> Vec<f32> { serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap() };
    let (ok, out) = run(&[&common[..], &["--order", "streamed"]].concat());
    assert!(ok, "{out}");
    let streamed = read();
    assert_eq!(streamed.len(), 12, "6,000 images in batches of 500");
    let (ok, out) = run(&common);
    assert!(ok, "{out}");
    let shuffled = read();
    // Two chunks (5,000 and 1,000 images): the streamed epoch visits the first chunk first, the shuffled
    // one mixes both (with one chunk the two orders are the same).
    assert_eq!(shuffled.len(), 12);
    assert_ne!(streamed, shuffled);
    let (ok, out) = run(&[
        &common[..],
        &["--order", "streamed", "--dp-clip", "1", "--dp-noise", "1"],
    ]
    .concat());
    assert!(!ok && out.contains("--order streamed"), "{out}");
    std::fs::remove_file(&file).ok();
}
