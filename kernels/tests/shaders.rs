//! Every `.wgsl` file parses and validates with naga, as written, and documents itself.

use kernels::ops::ALL_SHADERS;

#[test]
fn every_shader_parses_and_validates() {
    for (name, source) in ALL_SHADERS {
        let module = naga::front::wgsl::parse_str(source)
            .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::empty(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
        assert!(!module.entry_points.is_empty(), "{name} has no entry point");
    }
}

#[test]
fn every_shader_file_is_registered_and_has_a_header() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut registered: Vec<String> = ALL_SHADERS.iter().map(|(n, _)| n.to_string()).collect();
    registered.sort();
    assert_eq!(files, registered, "shaders/ and ops::ALL_SHADERS disagree");
    for (name, source) in ALL_SHADERS {
        assert!(
            source.starts_with(&format!("// {name} — ")),
            "{name} must open with a header naming itself and what it computes"
        );
        assert!(source.contains("read_write"), "{name} has no output buffer");
    }
}
