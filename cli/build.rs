//! With `--features embed-app`, embeds the built web app (`dist/`, made by `trunk build --release`) so
//! that `backprop-lab serve` needs no other file; without it, `serve` only serves a folder (`--dir`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut code = String::from(
        "/// The web app's files: (path inside dist/, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    println!("cargo::rerun-if-env-changed=CARGO_FEATURE_EMBED_APP");
    if std::env::var_os("CARGO_FEATURE_EMBED_APP").is_some() {
        let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist");
        let dist = dist.canonicalize().unwrap_or(dist);
        assert!(
            dist.join("index.html").is_file(),
            "--features embed-app needs the built app in {}: run `trunk build --release` first",
            dist.display()
        );
        println!("cargo::rerun-if-changed={}", dist.display());
        let mut files = Vec::new();
        walk(&dist, &mut files);
        files.sort();
        for file in files {
            println!("cargo::rerun-if-changed={}", file.display());
            let rel = file.strip_prefix(&dist).expect("inside dist");
            let rel = rel.to_string_lossy().replace('\\', "/");
            writeln!(
                code,
                "    ({rel:?}, include_bytes!({:?})),",
                file.display().to_string()
            )
            .expect("writing to a String");
        }
    }
    code.push_str("];\n");
    std::fs::write(out.join("embedded_app.rs"), code).expect("OUT_DIR is writable");
}
