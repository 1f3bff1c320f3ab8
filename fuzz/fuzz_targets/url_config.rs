//! Fuzzes "Train a network"'s URL configuration parser (`app/src/lessons/train/config.rs`, included as
//! source because the app is a binary crate; its unit tests replay this target's corpus).
#![no_main]
#![allow(dead_code, unused_imports)]

#[path = "../../app/src/lessons/train/config.rs"]
mod config;
#[path = "../../app/src/protocol.rs"]
mod protocol;
#[path = "../../app/src/settings.rs"]
mod settings;
// The folder of `ui/i18n.rs` (the settings' labels), without the rest of the app's widgets.
#[path = "../../app/src/ui"]
mod ui {
    pub mod i18n;
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        let (config, _messages) = config::LessonConfig::from_query(query);
        // Whatever parses must round-trip through its own URL form.
        let (again, problems) = config::LessonConfig::from_query(&config.to_query());
        assert!(problems.is_empty(), "{problems:?} for {query:?}");
        assert_eq!(again, config, "{query:?}");
    }
});
