//! Fuzzes kernels::testing::fuzz::cifar (the corpus is replayed by kernels/tests/fuzz_corpus.rs).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kernels::testing::fuzz::cifar(data));
