//! The lesson page's parts: the forms a kept run's settings come back into, the phase actions, the
//! PyTorch program, the step panels and the notes about a kept or interrupted run.

use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{self, Command, PhaseKind, PhaseSettings, Scenario, Slot};
use super::state::State;
use super::steps::{compare_panel, freeze_panel, head_panel, load_panel, train_panel};
use super::text::{self, ui};
use super::{PhaseForm, Setup, panels, predict, pytorch, seeds};
use crate::route::Router;
use crate::ui::i18n::Lang;
use kernels::Freezing;

/// What the page's parts share: the worker, its state, the setup and the phase forms.
#[derive(Clone)]
pub(super) struct Page {
    pub client: Client,
    pub state: State,
    pub setup: Setup,
    pub lang: RwSignal<Lang>,
    pub head: PhaseForm,
    pub full: PhaseForm,
    pub scratch: PhaseForm,
    /// Step 2's "freeze by zeroing gradients instead".
    pub zero_grad: RwSignal<bool>,
}

impl Page {
    /// A kept run's settings come back into the forms.
    pub(super) fn restore_forms(&self) {
        let Self {
            state,
            head,
            full,
            scratch,
            zero_grad,
            ..
        } = self.clone();
        Effect::new(move |_| {
            for s in state.resumed_settings.get() {
                let form = match s.phase {
                    PhaseKind::Head => head,
                    PhaseKind::Full => full,
                    PhaseKind::Scratch => scratch,
                };
                form.lr.set(s.lr);
                form.momentum.set(s.momentum);
                form.weight_decay.set(s.weight_decay);
                form.epochs.set(s.epochs);
                form.patience.set(s.patience);
                if s.phase == PhaseKind::Head {
                    zero_grad.set(s.freezing == Freezing::ZeroGradient);
                }
            }
        });
    }

    /// Starts a phase with its form's settings.
    fn train(&self) -> impl Fn(PhaseKind) + Clone + Send + Sync + use<> {
        let Self {
            client,
            state,
            setup,
            head,
            full,
            scratch,
            zero_grad,
            ..
        } = self.clone();
        move |phase: PhaseKind| {
            let (form, seed) = match phase {
                PhaseKind::Head => (head, setup.seed),
                PhaseKind::Full => (full, setup.seed),
                PhaseKind::Scratch => (scratch, setup.seed),
            };
            let epochs = form.epochs.get_untracked();
            // A field still refused keeps the phase from starting (its button is disabled too).
            if !form.refused.get_untracked().is_empty() {
                return;
            }
            state.stops.update(|s| s.retain(|x| x.phase != phase));
            state.validation.set(None);
            state.interrupted.set(None);
            if phase == PhaseKind::Scratch {
                state.scratch_curve.set(Vec::new());
            }
            if phase == PhaseKind::Full && state.head_frozen.get_untracked().is_none() {
                state.head_frozen.set(Some(state.frozen.get_untracked()));
            }
            client.send(&Command::Train(PhaseSettings {
                phase,
                epochs,
                lr: form.lr.get_untracked(),
                momentum: form.momentum.get_untracked(),
                weight_decay: form.weight_decay.get_untracked(),
                freezing: if phase == PhaseKind::Head && zero_grad.get_untracked() {
                    Freezing::ZeroGradient
                } else {
                    Freezing::Skip
                },
                batch: setup.batch,
                seed,
                patience: form.patience.get_untracked(),
            }));
        }
    }

    /// The PyTorch program for what is on the page now.
    pub(super) fn pytorch(&self) -> Signal<String> {
        let Self {
            state,
            setup,
            head,
            full,
            zero_grad,
            ..
        } = self.clone();
        Signal::derive(move || {
            let widths = state.loaded_widths.get();
            if widths.len() < 2 {
                return String::new();
            }
            // The head phase freezes every layer below the head, whatever the locks show.
            let frozen: Vec<bool> = (0..widths.len() - 1)
                .map(|l| l + 2 < widths.len())
                .collect();
            let phase = |f: PhaseForm| pytorch::PhaseCode {
                lr: f.lr.get(),
                momentum: f.momentum.get(),
                weight_decay: f.weight_decay.get(),
                epochs: f.epochs.get(),
                patience: f.patience.get(),
            };
            pytorch::snippet(&pytorch::SnippetState {
                new_head: state
                    .head_replaced
                    .get()
                    .then(|| state.widths.get().last().copied())
                    .flatten(),
                widths,
                frozen,
                head: phase(head),
                full: phase(full),
                zero_grad: zero_grad.get(),
                batch: setup.batch,
                seed: setup.seed,
            })
        })
    }

    /// The current step's panel.
    pub(super) fn step_panel(
        &self,
        router: Router,
        step: Memo<usize>,
        drawn_classes: RwSignal<Vec<String>>,
        use_drawn: Callback<(Vec<String>, protocol::Examples, protocol::Examples)>,
    ) -> impl Fn() -> AnyView + Send + Sync + use<> {
        let Self {
            client,
            state,
            setup,
            lang,
            head,
            full,
            scratch,
            zero_grad,
        } = self.clone();
        let set_scenario = move |ev: leptos::ev::Event| {
            if let Some(s) = Scenario::parse(&event_target_value(&ev)) {
                let mut r = router.0.get_untracked();
                r.set("scenario", Some(s.id().into()));
                r.step = 1;
                router.push(r);
                // A new scenario is a new lesson run: reload the page state from the URL.
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
        };

        let freeze = {
            let client = client.clone();
            move |layer: usize, frozen: bool| {
                client.send(&Command::SetFrozen {
                    slot: Slot::Tuned,
                    layer,
                    frozen,
                })
            }
        };
        let replace = {
            let client = client.clone();
            move |_| {
                state.head_replaced.set(true);
                client.send(&Command::ReplaceHead {
                    slot: Slot::Tuned,
                    classes: state.classes.get_untracked().len(),
                    seed: setup.seed,
                });
            }
        };
        let train = self.train();
        let pause = {
            let client = client.clone();
            move |_| client.send(&Command::Pause)
        };
        let running = move || state.progress.get().is_some_and(|p| p.running);
        // A phase or the seeds job runs: the train buttons wait, Pause stops either.
        let busy = move || running() || state.seeds.get().is_some_and(|(_, r)| r);
        let untouched = Signal::derive(move || {
            state
                .pretrained
                .get()
                .filter(|_| setup.scenario.keeps_classes())
        });

        let seeds_client = client.clone();
        let predictions = predict::Predictions::new();
        move || -> AnyView {
            match step.get() {
                1 => load_panel(state, setup, lang, drawn_classes, use_drawn, set_scenario)
                    .into_any(),
                2 => freeze_panel(state, lang, freeze.clone(), zero_grad, head.weight_decay)
                    .into_any(),
                3 => head_panel(state, lang, replace.clone()).into_any(),
                4 => view! {
                    {predict::gradient_question(state, lang, predictions)}
                    {train_panel(
                        state,
                        lang,
                        head,
                        PhaseKind::Head,
                        ui::TRAIN_HEAD,
                        "train-head",
                        busy,
                        {
                            let train = train.clone();
                            move || train(PhaseKind::Head)
                        },
                        pause.clone(),
                    )}
                }
                .into_any(),
                5 => train_panel(
                    state,
                    lang,
                    full,
                    PhaseKind::Full,
                    ui::TRAIN_FULL,
                    "train-full",
                    busy,
                    {
                        let train = train.clone();
                        move || train(PhaseKind::Full)
                    },
                    pause.clone(),
                )
                .into_any(),
                _ => view! {
                    {predict::transfer_question(state, lang, predictions, running)}
                    {compare_panel(state, setup, lang, [head, full, scratch], running, {
                        let train = train.clone();
                        move || train(PhaseKind::Scratch)
                    })}
                    {seeds::seeds_section(seeds_client.clone(), state, lang, untouched, busy)}
                }
                .into_any(),
            }
        }
    }
}

/// The notes about a run taken up from this browser (with "start afresh") and an interrupted phase.
pub(super) fn run_notes(
    state: State,
    lang: RwSignal<Lang>,
    afresh: impl Fn(leptos::ev::MouseEvent) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        {move || state.resumed.get().then(|| view! {
            <p class="hint" data-testid="ft-resumed">
                {move || ui::RESUMED.get(lang.get())}" "
                <button class="danger" data-testid="ft-afresh" on:click=afresh.clone()>{move || ui::AFRESH.get(lang.get())}</button>
            </p>
        })}
        {move || state.interrupted.get().map(|(phase, epoch, epochs)| view! {
            <p class="hint" data-testid="ft-interrupted" data-phase=panels::phase_id(phase)>
                {move || ui::INTERRUPTED.get(lang.get())
                    .replace("{phase}", text::phase_label(phase).get(lang.get()))
                    .replace("{epoch}", &epoch.to_string())
                    .replace("{epochs}", &epochs.to_string())}
            </p>
        })}
    }
}
