//! The engine a run asks for: the page's `?engine=` and the command line's `--engine`, one type for
//! both (the lessons' workers receive it in their start command).

use serde::{Deserialize, Serialize};

/// Which engine to use. On the page `Auto` is WebGPU when it exists, and on a software WebGPU adapter
/// whichever engine measures faster; `Gpu` fails loudly where there is no adapter. The doc line of each
/// variant is also its `--engine` help.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Preference {
    /// A hardware GPU if there is one, else a software adapter (lavapipe), else the CPU engine.
    Auto,
    /// The WGSL kernels on a wgpu adapter (software adapters allowed).
    Gpu,
    /// The CPU engine.
    Cpu,
    /// burn's tensors and autodiff on the same wgpu adapter (the independent reference).
    // The command line's only, and only with the feature `burn`: the page's URL refuses it
    // (`Preference::ON_PAGE`) and a lesson's worker takes it as `Auto`.
    #[cfg_attr(all(feature = "clap", not(feature = "burn")), value(skip))]
    Burn,
}

impl Preference {
    /// Every preference.
    pub const ALL: [Self; 4] = [Self::Auto, Self::Gpu, Self::Cpu, Self::Burn];

    /// The preferences the page offers (its URL's `engine=` values).
    pub const ON_PAGE: [Self; 3] = [Self::Auto, Self::Gpu, Self::Cpu];

    /// The value of `engine=` or `--engine` (`gpu` or `webgpu`, `cpu`, `auto`, `burn`); `None` for
    /// anything else.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "webgpu" => Some(Self::Gpu),
            other => Self::ALL.into_iter().find(|p| p.key() == other),
        }
    }

    /// The value [`Preference::parse`] reads back.
    pub fn key(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Gpu => "gpu",
            Self::Cpu => "cpu",
            Self::Burn => "burn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preference_reads_back_and_webgpu_is_gpu() {
        for p in Preference::ALL {
            assert_eq!(Preference::parse(p.key()), Some(p));
        }
        assert_eq!(Preference::parse("webgpu"), Some(Preference::Gpu));
        assert_eq!(Preference::parse("GPU!"), None);
        // The lessons' start commands carry it by its variant's name, as they always have.
        assert_eq!(serde_json::to_string(&Preference::Cpu).unwrap(), "\"Cpu\"");
    }
}
