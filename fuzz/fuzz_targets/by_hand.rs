//! Fuzzes kernels::testing::fuzz::by_hand, "Backprop by hand"'s tensor language (the corpus is replayed
//! by kernels/tests/fuzz_corpus.rs).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kernels::testing::fuzz::by_hand(data));
