//! `wasm-prune FILE…`: rewrites each wasm module in place without its custom sections (symbol names,
//! the linker's relocations, producers) and without the function types it does not use.
//!
//! Why: the splitter (`wasm-split-cli`, scripts/build/build-wasm.sh) gives every chunk the main
//! module's whole type section, about 1.2 KB, and leaves the names and relocations it read in them;
//! with a hundred chunks and more that is most of a small chunk and tens of kilobytes of the download.
//! Types are compared by structure across modules (`call_indirect` through the shared table checks
//! the signature, not its index), so renumbering a chunk's own types changes nothing it does.
//! Everything else is re-encoded as it was read, through wasm-encoder's `Reencode`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use wasm_encoder::reencode::{Error, Reencode, RoundtripReencoder, utils};

fn main() -> Result<()> {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        bail!("usage: wasm-prune FILE.wasm…");
    }
    let (mut before, mut after) = (0, 0);
    for file in &files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
        let pruned = prune(&bytes).with_context(|| format!("pruning {file}"))?;
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&pruned)
            .with_context(|| format!("{file}: the pruned module does not validate"))?;
        before += bytes.len();
        after += pruned.len();
        std::fs::write(file, &pruned).with_context(|| format!("writing {file}"))?;
    }
    println!(
        "wasm-prune: {} files, {before} → {after} bytes (custom sections and unused types)",
        files.len()
    );
    Ok(())
}

/// The module `bytes` without custom sections and unused types.
pub fn prune(bytes: &[u8]) -> Result<Vec<u8>> {
    // First pass: every type index the module names outside its type section.
    let mut seen = Seen::default();
    let mut scratch = wasm_encoder::Module::new();
    seen.parse_core_module(&mut scratch, wasmparser::Parser::new(0), bytes)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let remap: BTreeMap<u32, u32> = seen
        .0
        .iter()
        .zip(0..)
        .map(|(&old, new)| (old, new))
        .collect();
    let mut out = wasm_encoder::Module::new();
    Pruner { remap }
        .parse_core_module(&mut out, wasmparser::Parser::new(0), bytes)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(out.finish())
}

/// Records the type indices it is asked to translate (and translates none).
#[derive(Default)]
struct Seen(BTreeSet<u32>);

impl Reencode for Seen {
    type Error = std::convert::Infallible;

    fn type_index(&mut self, ty: u32) -> Result<u32, Error<Self::Error>> {
        self.0.insert(ty);
        Ok(ty)
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        // The definitions themselves are not uses (their own references would be, were there GC types).
        utils::parse_type_section(&mut RoundtripReencoder, types, section)
            .map_err(|_| Error::UnexpectedNonCoreModuleSection)
    }

    fn parse_custom_section(
        &mut self,
        _module: &mut wasm_encoder::Module,
        _section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        Ok(())
    }
}

/// Writes the module with only the types in `remap`, renumbered, and no custom section.
struct Pruner {
    remap: BTreeMap<u32, u32>,
}

impl Reencode for Pruner {
    type Error = String;

    fn type_index(&mut self, ty: u32) -> Result<u32, Error<Self::Error>> {
        self.remap.get(&ty).copied().ok_or_else(|| {
            Error::UserError(format!("type {ty} used but not seen in the first pass"))
        })
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        let mut index = 0u32;
        for group in section {
            let group = group?;
            let count = group.types().len() as u32;
            if group.is_explicit_rec_group() || count != 1 {
                return Err(Error::UserError(
                    "recursion groups are not pruned (the app's wasm has none)".into(),
                ));
            }
            if self.remap.contains_key(&index) {
                self.parse_recursive_type_group(types.ty(), group)?;
            }
            index += count;
        }
        Ok(())
    }

    fn parse_custom_section(
        &mut self,
        _module: &mut wasm_encoder::Module,
        _section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::prune;
    use wasm_encoder::{
        CodeSection, CustomSection, ElementSection, Elements, ExportKind, ExportSection, Function,
        FunctionSection, ImportSection, Instruction, MemArg, MemoryType, Module, RefType,
        TableType, TypeSection, ValType,
    };

    /// A chunk as the splitter writes it: every type of the main module, imports of the memory and
    /// the table, a function put into the table by an element segment, an indirect call, a block
    /// with a type index, and a names section.
    fn chunk() -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([], []); // 0: unused
        types.ty().function([ValType::I32], [ValType::I32]); // 1: the function's own
        types.ty().function([ValType::F64, ValType::F64], []); // 2: unused
        types
            .ty()
            .function([ValType::I32], [ValType::I32, ValType::I32]); // 3: a block's
        types.ty().function([], [ValType::F32]); // 4: called indirectly
        let mut imports = ImportSection::new();
        imports.import(
            "m",
            "memory",
            MemoryType {
                minimum: 1,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            },
        );
        imports.import(
            "m",
            "table",
            TableType {
                element_type: RefType::FUNCREF,
                minimum: 2,
                maximum: None,
                table64: false,
                shared: false,
            },
        );
        let mut functions = FunctionSection::new();
        functions.function(1);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::LocalGet(0))
            .instruction(&Instruction::Block(wasm_encoder::BlockType::FunctionType(
                3,
            )))
            .instruction(&Instruction::LocalGet(0))
            .instruction(&Instruction::End)
            .instruction(&Instruction::Drop)
            .instruction(&Instruction::I32Const(1))
            .instruction(&Instruction::CallIndirect {
                type_index: 4,
                table_index: 0,
            })
            .instruction(&Instruction::Drop)
            .instruction(&Instruction::I32Load(MemArg {
                offset: 0,
                align: 2,
                memory_index: 0,
            }))
            .instruction(&Instruction::End);
        code.function(&f);
        let mut elements = ElementSection::new();
        elements.active(
            Some(0),
            &wasm_encoder::ConstExpr::i32_const(0),
            Elements::Functions([0].as_slice().into()),
        );
        let mut exports = ExportSection::new();
        exports.export("f", ExportKind::Func, 0);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&exports)
            .section(&elements)
            .section(&code)
            .section(&CustomSection {
                name: "name".into(),
                data: [0u8; 40].as_slice().into(),
            });
        module.finish()
    }

    #[test]
    fn keeps_the_types_a_module_uses_renumbered_and_drops_the_rest_and_custom_sections() {
        let before = chunk();
        wasmparser::validate(&before).expect("the test's chunk is valid");
        let after = prune(&before).unwrap();
        wasmparser::validate(&after).expect("the pruned chunk is valid");
        let mut types = Vec::new();
        let mut custom = 0;
        for payload in wasmparser::Parser::new(0).parse_all(&after) {
            match payload.unwrap() {
                wasmparser::Payload::TypeSection(r) => {
                    for t in r.into_iter_err_on_gc_types() {
                        let t = t.unwrap();
                        types.push((t.params().to_vec(), t.results().to_vec()));
                    }
                }
                wasmparser::Payload::CustomSection(_) => custom += 1,
                _ => {}
            }
        }
        use wasmparser::ValType::{F32, I32};
        assert_eq!(
            types,
            [
                (vec![I32], vec![I32]),
                (vec![I32], vec![I32, I32]),
                (vec![], vec![F32])
            ],
            "types 1, 3 and 4 kept in order, 0 and 2 gone"
        );
        assert_eq!(custom, 0);
        assert!(after.len() < before.len());
    }
}
