//! Fuzzes kernels::testing::fuzz::manifest (the corpus is replayed by kernels/tests/fuzz_corpus.rs).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kernels::testing::fuzz::manifest(data));
