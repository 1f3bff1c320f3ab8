//! "Optimisers on a surface": gradient descent, momentum, Nesterov, AdaGrad, RMSprop, Adam and AdamW in
//! six steps (`?lesson=optimizers&surface=quadratic&kappa=100`). The surfaces (steps 2, 3 and the
//! quiz's first questions) are computed on the page with the engine's own update rule
//! (`kernels::surface`, which calls `kernels::ops::optim`); the live model's steps — minibatch against
//! full-batch gradients, Adam's step map, the race and the quiz's race — run in the lesson's worker.

pub mod live;
pub mod panels;
pub mod playground;
pub mod protocol;
pub mod quiz;
pub mod race;
pub mod state;
mod teaching;
pub mod text;
mod worker;

use kernels::surface::Surface;
use kernels::{Optimizer, OptimizerConfig};
use leptos::prelude::*;

use self::text::STEPS;
use super::bar::LessonBar;
use super::lesson::{Lesson, LessonInfo};
use super::player::{StepPlayer, current_step};
use crate::route::Router;
use crate::runtime::WorkerEntry;
use crate::settings::{self, Field, Param, accept};
use crate::ui::i18n::{Text, tx};
use kernels::engine::Preference;

/// URL id.
pub const ID: &str = "optimizers";

/// Registry entry.
pub const INFO: LessonInfo = LessonInfo {
    id: ID,
    title: text::TITLE,
    summary: text::SUMMARY,
    steps: &STEPS,
    minutes: 20,
    article: tx(
        "§3.1 (the update step) and §9 Q&A: optimisers",
        "§3.1（更新参数）与 §9 问答：优化器",
    ),
};

/// The lesson's engine worker (the live model's steps and the race).
pub const WORKER: WorkerEntry =
    crate::runtime::split_worker!("optimizers", optimizers, worker::Worker);

/// Registry row.
pub const LESSON: Lesson = Lesson {
    info: INFO,
    page: super::lesson::split_page!(
        optimizers,
        optimizers_page,
        view! { <OptimizersLesson /> }.into_any()
    ),
    worker: Some(WORKER),
    check: |query| settings::url_problems(SETTINGS, query),
    demos: teaching::DEMOS,
    answers: teaching::ANSWERS,
    module: module_path!(),
};

/// How the lesson shows a named optimiser ([`kernels::NAMED`]). On a surface `Optimizer::Sgd` is
/// gradient descent: SGD without momentum on the exact gradient, which is all a surface has (`gd` in
/// its `data-testid`s); in the race it is SGD on minibatches.
pub trait Shown {
    /// The id in the table's `data-testid`s (`gd`, `momentum`, …).
    fn testid(self) -> &'static str;
    /// Its name on the page.
    fn name(self) -> Text;
    /// Whether it has a μ (momentum) or β1 the table lets the student set.
    fn has_mu(self) -> bool;
    /// Its path's (and race curve's) colour.
    fn colour(self) -> &'static str;
}

impl Shown for Optimizer {
    fn testid(self) -> &'static str {
        match self {
            Self::Sgd => "gd",
            other => other.id(),
        }
    }

    fn name(self) -> Text {
        match self {
            Self::Sgd => tx("Gradient descent", "梯度下降"),
            Self::Momentum => tx("Momentum", "动量"),
            Self::Nesterov => tx("Nesterov", "Nesterov 动量"),
            Self::Adagrad => tx("AdaGrad", "AdaGrad（自适应梯度）"),
            Self::Rmsprop => tx("RMSprop", "RMSprop（均方根传播）"),
            Self::Adam => tx("Adam", "Adam（自适应矩估计）"),
            Self::AdamW => tx("AdamW", "AdamW（解耦权重衰减）"),
        }
    }

    fn has_mu(self) -> bool {
        !matches!(self, Self::Sgd | Self::Adagrad)
    }

    fn colour(self) -> &'static str {
        match self {
            Self::Sgd => "#f87171",
            Self::Momentum => "#34d399",
            Self::Nesterov => "#22d3ee",
            Self::Adagrad => "#c084fc",
            Self::Rmsprop => "#fb923c",
            Self::Adam => "#eab308",
            Self::AdamW => "#f472b6",
        }
    }
}

/// One row of the table: an optimiser, ticked or not, with its learning rate and μ (or β1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Choice {
    /// Which.
    pub id: Optimizer,
    /// Drawn and counted.
    pub enabled: bool,
    /// Learning rate.
    pub lr: f32,
    /// Momentum μ (momentum, Nesterov, RMSprop) or β1 (Adam, AdamW).
    pub mu: f32,
}

impl Choice {
    /// The engine's configuration: PyTorch's defaults for everything the row does not set.
    pub fn config(&self) -> OptimizerConfig {
        let mut c = OptimizerConfig::pytorch(self.id.kind(), self.lr);
        match self.id {
            Optimizer::Sgd | Optimizer::Adagrad => c.momentum = 0.0,
            Optimizer::Momentum | Optimizer::Nesterov | Optimizer::Rmsprop => c.momentum = self.mu,
            Optimizer::Adam | Optimizer::AdamW => c.beta1 = self.mu,
        }
        c
    }
}

/// The surface picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SurfaceChoice {
    /// ½(x² + κy²).
    Quadratic,
    /// Rosenbrock.
    Rosenbrock,
    /// A saddle.
    Saddle,
    /// Beale.
    Beale,
}

impl SurfaceChoice {
    /// Every surface, in the picker's order.
    pub const ALL: [Self; 4] = [Self::Quadratic, Self::Rosenbrock, Self::Saddle, Self::Beale];

    /// URL value.
    pub fn key(self) -> &'static str {
        match self {
            Self::Quadratic => "quadratic",
            Self::Rosenbrock => "rosenbrock",
            Self::Saddle => "saddle",
            Self::Beale => "beale",
        }
    }

    /// Its name on the page.
    pub fn name(self) -> Text {
        match self {
            Self::Quadratic => text::ui::QUADRATIC,
            Self::Rosenbrock => text::ui::ROSENBROCK,
            Self::Saddle => text::ui::SADDLE,
            Self::Beale => text::ui::BEALE,
        }
    }
}

/// κ's range (the slider is logarithmic over it).
pub const KAPPA: (f64, f64) = (1.0, 1000.0);

/// What the URL sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setup {
    /// The surface.
    pub surface: SurfaceChoice,
    /// The quadratic's condition number.
    pub kappa: f64,
    /// `engine=` as every lesson reads it (the live model's; the surfaces are computed on the page).
    pub engine: Preference,
    /// Seed of the live model's initial weights and batch stream.
    pub seed: u64,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            surface: SurfaceChoice::Quadratic,
            kappa: 10.0,
            engine: Preference::Auto,
            seed: 1,
        }
    }
}

settings::engine_field!(Setup);
settings::seed_field!(Setup);

impl Setup {
    /// The function.
    pub fn surface(&self) -> Surface {
        match self.surface {
            SurfaceChoice::Quadratic => Surface::Quadratic { kappa: self.kappa },
            SurfaceChoice::Rosenbrock => Surface::Rosenbrock,
            SurfaceChoice::Saddle => Surface::Saddle,
            SurfaceChoice::Beale => Surface::Beale,
        }
    }

    /// Where the paths start until the student clicks.
    pub fn start(&self) -> [f64; 2] {
        match self.surface {
            SurfaceChoice::Quadratic => [-1.5, 1.0],
            SurfaceChoice::Rosenbrock => [-1.5, 2.0],
            SurfaceChoice::Saddle => [1.5, 0.01],
            SurfaceChoice::Beale => [1.0, 1.5],
        }
    }

    /// The table's rows for this surface: rates that work on it; on the quadratic, gradient
    /// descent's, momentum's and Nesterov's best settings for κ (to the four digits the boxes show),
    /// the adaptive rules at safe untuned rates.
    pub fn choices(&self) -> Vec<Choice> {
        let gentle = !matches!(
            self.surface,
            SurfaceChoice::Quadratic | SurfaceChoice::Saddle
        );
        Optimizer::ALL
            .iter()
            .map(|&id| {
                let (lr, mu) = match id {
                    Optimizer::Sgd => (if gentle { 1e-3 } else { 0.1 }, 0.0),
                    Optimizer::Momentum | Optimizer::Nesterov => {
                        (if gentle { 1e-3 } else { 0.05 }, 0.9)
                    }
                    Optimizer::Adagrad => (0.3, 0.0),
                    Optimizer::Rmsprop => (0.01, 0.0),
                    Optimizer::Adam | Optimizer::AdamW => (0.05, 0.9),
                };
                let mut c = Choice {
                    id,
                    enabled: matches!(id, Optimizer::Sgd | Optimizer::Momentum | Optimizer::Adam),
                    lr,
                    mu,
                };
                if self.surface == SurfaceChoice::Quadratic
                    && let Some(best) = playground::optimal(self.kappa, id)
                {
                    c.lr = playground::four_digits(best.lr);
                    c.mu = playground::four_digits(best.momentum);
                }
                c
            })
            .collect()
    }
}

const SETTINGS: &[Param<Setup>] = &[
    Param {
        key: "surface",
        label: text::ui::SURFACE,
        field: Field::Choice,
        live: true,
        applies: |_| true,
        get: |s| s.surface.key().to_string(),
        set: |s, v| match SurfaceChoice::ALL.iter().find(|c| c.key() == v) {
            Some(&c) => {
                s.surface = c;
                true
            }
            None => false,
        },
    },
    Param {
        key: "kappa",
        label: text::ui::KAPPA,
        field: Field::Number("1"),
        live: true,
        applies: |s| s.surface == SurfaceChoice::Quadratic,
        get: |s| s.kappa.to_string(),
        set: |s, v| {
            accept(
                v,
                |x: &f64| (KAPPA.0..=KAPPA.1).contains(x),
                |x| s.kappa = x,
            )
        },
    },
    settings::seed_param(),
    settings::engine_param(),
];

/// The lesson page.
#[component]
pub fn OptimizersLesson() -> impl IntoView {
    let router = expect_context::<Router>();
    let (setup, problems) = settings::from_query(SETTINGS, &router.0.get_untracked().query());
    let step = current_step(router, STEPS.len());
    let (client, state) = state::start();
    state.status.url_problems(&problems);
    client.send(&protocol::Command::Start {
        engine: setup.engine,
        seed: setup.seed,
    });
    let setup = RwSignal::new(setup);
    // The URL follows the surface and κ (a shared link opens the same picture).
    Effect::new(move |_| {
        let s = setup.get();
        let mut r = router.0.get_untracked();
        r.set(
            "surface",
            Some(s.surface.key().to_string()).filter(|_| s.surface != SurfaceChoice::Quadratic),
        );
        r.set(
            "kappa",
            (s.kappa != Setup::default().kappa).then(|| s.kappa.to_string()),
        );
        if r != router.0.get_untracked() {
            router.replace(r);
        }
    });
    let forget_client = client.clone();
    let panel = move || {
        let client = client.clone();
        match step.get() {
            1 => view! { <live::GradNoisePanel client=client state=state /> }.into_any(),
            2 => view! { <panels::Playground setup=setup /> }.into_any(),
            3 => view! { <panels::MomentumPanel /> }.into_any(),
            4 => view! { <live::StepMapPanel client=client state=state /> }.into_any(),
            5 => view! { <race::RacePanel client=client state=state /> }.into_any(),
            _ => view! { <quiz::Quiz client=client state=state /> }.into_any(),
        }
    };
    view! {
        <main class="lesson optimizers">
            <StepPlayer steps=&STEPS />
            <LessonBar status=state.status prefix="optimizers"
                kept_text=tx("The races below were kept in this browser and shown again after the reload.", "下面的比赛结果保存在本浏览器中，重新加载后再次显示。")
                on_afresh=Callback::new(move |()| forget_client.send(&protocol::Command::Forget)) />
            {panel}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_table_reads_its_defaults_back_and_refuses_absurd_values() {
        settings::check_table(SETTINGS);
        let (s, problems) = settings::from_query(SETTINGS, "?surface=rosenbrock&kappa=100");
        assert!(problems.is_empty());
        assert_eq!((s.surface, s.kappa), (SurfaceChoice::Rosenbrock, 100.0));
        let (_, problems) = settings::from_query(SETTINGS, "?kappa=0&surface=moon");
        assert_eq!(problems.len(), 2);
    }

    /// Every row of "Best settings for the quadratic", ticked, from the default start: the three with
    /// a closed-form optimum arrive within the cap, none diverges, every other row ends nearer the
    /// minimum than it began — at κ 1, 10, 100, 1000 and at every value the κ slider can give.
    #[test]
    fn best_settings_never_diverge_for_any_optimiser_at_any_kappa() {
        let slider = (0..=300).map(|i| (10f64.powf(f64::from(i) / 100.0) * 10.0).round() / 10.0);
        let mut checked = 0;
        for kappa in [1.0, 10.0, 100.0, 1000.0].into_iter().chain(slider) {
            let setup = Setup {
                kappa,
                ..Setup::default()
            };
            let mut rows = setup.choices();
            for r in &mut rows {
                r.enabled = true;
            }
            let start = setup.start();
            let runs = playground::runs(&setup, &rows, start);
            assert_eq!(runs.len(), Optimizer::ALL.len());
            let first = start[0].hypot(start[1]);
            for run in &runs {
                let last = *run.path.points.last().unwrap();
                assert!(!run.diverged, "κ {kappa}: {:?} diverged", run.id);
                if playground::optimal(kappa, run.id).is_some() {
                    assert!(
                        run.path.iterations.is_some(),
                        "κ {kappa}: {:?} did not arrive within {}",
                        run.id,
                        playground::MAX_STEPS
                    );
                } else {
                    assert!(
                        last[0].hypot(last[1]) < first,
                        "κ {kappa}: {:?} ended at {last:?}",
                        run.id
                    );
                }
            }
            checked += 1;
        }
        assert_eq!(checked, 305);
    }

    /// What the browser tests read off the table: at κ = 1000 gradient descent arrives near its exact
    /// count (≈ 3,450, within the cap); on Rosenbrock plain gradient descent at 1e-3 does not arrive
    /// within the cap, Adam does.
    #[test]
    fn kappa_1000_arrives_within_the_cap_and_rosenbrock_outlasts_it() {
        let setup = Setup {
            kappa: 1000.0,
            ..Setup::default()
        };
        let runs = playground::runs(&setup, &setup.choices(), setup.start());
        let gd = runs[0].path.iterations.unwrap();
        let [(_, exact), _] = playground::theory(1000.0, setup.start());
        assert!(
            gd > 3000 && gd.abs_diff(exact) * 50 <= exact,
            "gd {gd}, exact {exact}"
        );
        assert_eq!(setup.choices()[0].lr.to_string(), "0.001998");
        let setup = Setup {
            surface: SurfaceChoice::Rosenbrock,
            ..Setup::default()
        };
        let runs = playground::runs(&setup, &setup.choices(), setup.start());
        let find = |id| runs.iter().find(|r| r.id == id).unwrap();
        assert!(find(Optimizer::Sgd).path.iterations.is_none() && !find(Optimizer::Sgd).diverged);
        assert!(find(Optimizer::Adam).path.iterations.is_some());
    }

    #[test]
    fn boxes_show_four_significant_digits_and_the_rows_run_with_them() {
        assert_eq!(playground::four_digits(2.0 / 11.0).to_string(), "0.1818");
        assert_eq!(
            playground::four_digits(2.0 / 1001.0).to_string(),
            "0.001998"
        );
        assert_eq!(playground::four_digits(1.0), 1.0);
        let rows = Setup::default().choices();
        assert!(rows.iter().all(|r| r.lr.to_string().len() <= 8), "{rows:?}");
    }

    #[test]
    fn at_kappa_100_the_tables_best_settings_give_momentum_several_times_fewer_iterations() {
        let setup = Setup {
            kappa: 100.0,
            ..Setup::default()
        };
        let runs = playground::runs(&setup, &setup.choices(), [1.0, 1.0]);
        let count = |id| {
            runs.iter()
                .find(|r| r.id == id)
                .and_then(|r| r.path.iterations)
                .unwrap()
        };
        let (gd, momentum) = (count(Optimizer::Sgd), count(Optimizer::Momentum));
        assert!(gd >= 5 * momentum, "gd {gd}, momentum {momentum}");
        let [(_, gd_exact), (_, momentum_exact)] = playground::theory(100.0, [1.0, 1.0]);
        assert!(
            gd.abs_diff(gd_exact) * 5 <= gd_exact,
            "gd {gd} vs {gd_exact}"
        );
        assert!(momentum.abs_diff(momentum_exact) * 5 <= momentum_exact);
    }
}
