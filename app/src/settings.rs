//! A lesson's settings as one table: each row ([`Param`]) holds a setting's URL key, form label and
//! field, whether it applies to a running model at once, and how to read, check and write its value.
//! URL parsing ([`from_query`]), the shared link ([`to_query`]) and a lesson's form derive from the
//! table, so a range or a default is written once.

use crate::protocol::SHELL_KEYS;
use crate::ui::i18n::{Text, tx};
use kernels::engine::Preference;

/// How a setting appears in the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// A number input with this `step` attribute.
    Number(&'static str),
    /// Comma-separated numbers.
    List,
    /// A choice among the lesson's own options (the lesson renders it).
    Choice,
    /// Only in the URL (data sizes, intervals, engine: for tests and teachers' links).
    UrlOnly,
}

/// One setting of a lesson whose setup is a `C`.
pub struct Param<C: 'static> {
    /// URL key, and the form field's id and `data-testid`.
    pub key: &'static str,
    /// The form's label.
    pub label: Text,
    /// How the form shows it.
    pub field: Field,
    /// Applies to the running model at once (else with the next start).
    pub live: bool,
    /// Whether the setting means anything in this setup (a form field that does not is disabled).
    pub applies: fn(&C) -> bool,
    /// The value as the URL and the form write it.
    pub get: fn(&C) -> String,
    /// Reads a value, checks its range, and sets it; `false` leaves the setup as it was.
    pub set: fn(&mut C, &str) -> bool,
}

/// A setup that carries the engine preference (`engine=`, which every lesson with a worker reads).
pub trait WithEngine {
    /// The preference.
    fn engine(&self) -> Preference;
    /// Sets it.
    fn set_engine(&mut self, engine: Preference);
}

/// [`WithEngine`] for a setup that keeps the preference in its field `engine`.
macro_rules! engine_field {
    ($setup:ty) => {
        impl $crate::settings::WithEngine for $setup {
            fn engine(&self) -> kernels::engine::Preference {
                self.engine
            }
            fn set_engine(&mut self, engine: kernels::engine::Preference) {
                self.engine = engine;
            }
        }
    };
}
pub(crate) use engine_field;

fn always<C>(_: &C) -> bool {
    true
}

fn get_engine<C: WithEngine>(c: &C) -> String {
    c.engine().key().to_string()
}

/// Sets the preference `engine=` names, of those the page offers (`burn` is the command line's).
fn set_engine<C: WithEngine>(c: &mut C, v: &str) -> bool {
    Preference::parse(v)
        .filter(|e| Preference::ON_PAGE.contains(e))
        .map(|e| c.set_engine(e))
        .is_some()
}

/// The `engine=` row, the same in every lesson's table.
pub const fn engine_param<C: WithEngine>() -> Param<C> {
    Param {
        key: "engine",
        label: tx("Engine", "计算引擎"),
        field: Field::UrlOnly,
        live: false,
        applies: always::<C>,
        get: get_engine::<C>,
        set: set_engine::<C>,
    }
}

/// A setup that carries the seed of its model and data order (`seed=`, kept in the URL only).
pub trait WithSeed {
    /// The seed.
    fn seed(&self) -> u64;
    /// Sets it.
    fn set_seed(&mut self, seed: u64);
}

/// [`WithSeed`] for a setup that keeps the seed in its field `seed`.
macro_rules! seed_field {
    ($setup:ty) => {
        impl $crate::settings::WithSeed for $setup {
            fn seed(&self) -> u64 {
                self.seed
            }
            fn set_seed(&mut self, seed: u64) {
                self.seed = seed;
            }
        }
    };
}
pub(crate) use seed_field;

fn get_seed<C: WithSeed>(c: &C) -> String {
    c.seed().to_string()
}

fn set_seed<C: WithSeed>(c: &mut C, v: &str) -> bool {
    accept(v, |_: &u64| true, |n| c.set_seed(n))
}

/// The `seed=` row of a lesson that takes its seed from the URL only (any 64-bit number).
pub const fn seed_param<C: WithSeed>() -> Param<C> {
    Param {
        key: "seed",
        label: tx("Seed", "随机种子"),
        field: Field::UrlOnly,
        live: false,
        applies: always::<C>,
        get: get_seed::<C>,
        set: set_seed::<C>,
    }
}

/// Parses `v` and stores it when `ok` accepts it; whether it did.
pub fn accept<T: std::str::FromStr>(
    v: &str,
    ok: impl Fn(&T) -> bool,
    store: impl FnOnce(T),
) -> bool {
    match v.trim().parse::<T>() {
        Ok(x) if ok(&x) => {
            store(x);
            true
        }
        _ => false,
    }
}

/// Reads a query string (`?a=1&b=2`) into the default setup, collecting a message for every value
/// that cannot be used and every key no row and not the shell knows.
pub fn from_query<C: Default>(params: &[Param<C>], query: &str) -> (C, Vec<String>) {
    let mut c = C::default();
    let mut problems = Vec::new();
    for pair in query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match params.iter().find(|p| p.key == key) {
            Some(p) if (p.set)(&mut c, value) => {}
            // The detail names the pair as written, in no language: the page's translated sentence says
            // why (a value out of range or not a number, or a key this lesson does not read).
            Some(_) => problems.push(format!("{key}={value}")),
            None if SHELL_KEYS.contains(&key) => {}
            None => problems.push(pair.to_string()),
        }
    }
    (c, problems)
}

/// What a lesson's registry row says is wrong with a URL's setup (its `check`): the table's problems.
/// Under cargo-fuzz (`cfg(fuzzing)`, `fuzz/fuzz_targets/url_config.rs` walks every lesson's row) it
/// also asserts that whatever the table reads survives its own URL form.
pub fn url_problems<C: Default + PartialEq + std::fmt::Debug>(
    params: &[Param<C>],
    query: &str,
) -> Vec<String> {
    let (setup, problems) = from_query(params, query);
    #[cfg(fuzzing)]
    {
        let (again, more) = from_query(params, &to_query(params, &setup));
        assert!(more.is_empty(), "{more:?} for {query:?}");
        assert_eq!(again, setup, "{query:?}");
    }
    #[cfg(not(fuzzing))]
    drop(setup);
    problems
}

/// The query string that reproduces `c` (only values that differ from the defaults; empty when none).
pub fn to_query<C: Default>(params: &[Param<C>], c: &C) -> String {
    let d = C::default();
    let parts: Vec<String> = params
        .iter()
        .filter(|p| (p.get)(c) != (p.get)(&d))
        .map(|p| format!("{}={}", p.key, (p.get)(c)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Checks a table: one row per key, no row uses a shell key, and every default reads back unchanged.
#[cfg(test)]
pub fn check_table<C: Default + PartialEq + std::fmt::Debug>(params: &[Param<C>]) {
    let mut keys: Vec<_> = params.iter().map(|p| p.key).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), params.len());
    for p in params {
        let mut c = C::default();
        let v = (p.get)(&c);
        assert!((p.set)(&mut c, &v), "{}={v}", p.key);
        assert_eq!(c, C::default(), "{}", p.key);
        assert!(!SHELL_KEYS.contains(&p.key), "{}", p.key);
    }
}
