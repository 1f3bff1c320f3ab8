//! Fuzzes the lesson's URL configuration parser (`app/src/config.rs`, included as source because the app
//! is a binary crate; its unit tests replay this target's corpus).
#![no_main]
#![allow(dead_code, unused_imports)]

#[path = "../../app/src/config.rs"]
mod config;
#[path = "../../app/src/protocol.rs"]
mod protocol;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        let (config, _messages) = config::LessonConfig::from_query(query);
        // Whatever parses must round-trip through its own URL form.
        let (again, problems) = config::LessonConfig::from_query(&config.to_query());
        assert!(problems.is_empty(), "{problems:?} for {query:?}");
        assert_eq!(again, config, "{query:?}");
    }
});
