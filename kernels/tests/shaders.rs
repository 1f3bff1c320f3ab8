//! Every `.wgsl` file parses and validates with naga, as written, and documents itself; and every
//! op module's declaration of its shader (bindings in order, their access, entry points, constants)
//! is what the WGSL says.

use kernels::ops::ALL;
use kernels::ops::kernel::Access;

/// `(file, source)` of every registered shader.
fn all_shaders() -> Vec<(&'static str, &'static str)> {
    ALL.iter().map(|s| (s.file, s.source)).collect()
}

#[test]
fn every_shader_parses_and_validates() {
    for (name, source) in all_shaders() {
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
    let mut registered: Vec<String> = ALL.iter().map(|s| s.file.to_string()).collect();
    registered.sort();
    assert_eq!(files, registered, "shaders/ and ops::ALL disagree");
    for (name, source) in all_shaders() {
        assert!(
            source.starts_with(&format!("// {name} — ")),
            "{name} must open with a header naming itself and what it computes"
        );
        assert!(source.contains("read_write"), "{name} has no output buffer");
    }
}

#[test]
fn every_declaration_matches_its_wgsl() {
    for shader in ALL {
        let module = naga::front::wgsl::parse_str(shader.source).expect("parses (tested above)");
        let mut bindings: Vec<(u32, String, Access)> = module
            .global_variables
            .iter()
            .filter_map(|(_, v)| {
                let binding = v.binding.as_ref()?;
                assert_eq!(binding.group, 0, "{}: one bind group", shader.file);
                let access = match v.space {
                    naga::AddressSpace::Uniform => Access::Uniform,
                    naga::AddressSpace::Storage { access }
                        if access.contains(naga::StorageAccess::STORE) =>
                    {
                        Access::ReadWrite
                    }
                    naga::AddressSpace::Storage { .. } => Access::Read,
                    other => panic!("{}: binding in {other:?}", shader.file),
                };
                Some((binding.binding, v.name.clone().unwrap_or_default(), access))
            })
            .collect();
        bindings.sort_by_key(|b| b.0);
        let declared: Vec<(u32, String, Access)> = shader
            .bindings
            .iter()
            .enumerate()
            .map(|(i, b)| (i as u32, b.name.to_string(), b.access))
            .collect();
        assert_eq!(
            bindings, declared,
            "{}: the op module's SHADER.bindings",
            shader.file
        );
        let mut entries: Vec<&str> = module
            .entry_points
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let mut listed = shader.entries.to_vec();
        entries.sort_unstable();
        listed.sort_unstable();
        assert_eq!(
            entries, listed,
            "{}: the op module's SHADER.entries",
            shader.file
        );
        for (name, _) in shader.constants {
            assert!(
                module
                    .overrides
                    .iter()
                    .any(|(_, o)| o.name.as_deref() == Some(name)),
                "{}: no `override {name}`",
                shader.file
            );
        }
    }
}
