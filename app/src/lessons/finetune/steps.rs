//! The panel of each step of the lesson: load (scenario, examples, drawings), freeze (a lock per
//! layer), replace the head, train a phase (its rate, momentum and epochs), and compare the three arms
//! with the computed verdict.

use leptos::prelude::*;

use super::draw;
use super::form::{self, early_stop_field, number_input};
use super::protocol::{self, PhaseKind, Scenario};
use super::state::State;
use super::text::{self, ui};
use super::verdict::{self, Arm, Verdict};
use super::{PhaseForm, Setup};
use crate::ui::heatmap::DigitImage;
use crate::ui::i18n::Lang;

pub(super) fn load_panel(
    state: State,
    setup: Setup,
    lang: RwSignal<Lang>,
    drawn_classes: RwSignal<Vec<String>>,
    use_drawn: Callback<(Vec<String>, protocol::Examples, protocol::Examples)>,
    set_scenario: impl Fn(leptos::ev::Event) + 'static,
) -> impl IntoView {
    let scenario = setup.scenario;
    view! {
        <div class="field-row">
            <label for="ft-scenario">{move || ui::SCENARIO.get(lang.get())}</label>
            <select id="ft-scenario" data-testid="ft-scenario" on:change=set_scenario>
                {Scenario::ALL.into_iter().map(|s| view! {
                    <option value=s.id() selected=s == scenario>{move || text::scenario_name(s).get(lang.get())}</option>
                }).collect_view()}
            </select>
        </div>
        <p data-testid="ft-scenario-model">{move || text::scenario_model(scenario).get(lang.get())}</p>
        <p class="hint">{move || text::scenario_note(scenario).get(lang.get())}</p>
        <p data-testid="ft-data">
            {move || ui::DATA.get(lang.get())} ": "
            {move || { let (a, b) = state.counts.get(); format!("{a} {} · {b} {}", ui::TRAIN.get(lang.get()), ui::HELD_OUT.get(lang.get())) }}
            {move || { let c = state.classes.get(); (!c.is_empty()).then(|| format!(" · {}", c.join(" "))) }}
        </p>
        {(scenario.dataset().is_some()).then(|| view! {
            <ul class="samples" data-testid="ft-samples">
                {move || state.samples.get().into_iter().map(|s| {
                    let class = s.class.clone();
                    view! {
                        <li><DigitImage pixels=s.pixels.to_vec() side=s.side channels=s.channels
                            aria=format!("{}: {class}", ui::SAMPLE.get(lang.get_untracked())) />
                            <span>{s.class}</span></li>
                    }
                }).collect_view()}
            </ul>
        })}
        {(scenario.dataset().is_none()).then(|| view! {
            <draw::DrawCollector scenario=scenario.id() classes=drawn_classes lang=lang
                editable=scenario == Scenario::Symbols on_use=use_drawn />
        })}
    }
}

/// A padlock drawn in SVG (no emoji font needed): shut when frozen, open when it trains.
pub(super) fn lock_icon(frozen: bool) -> impl IntoView {
    let shackle = if frozen {
        "M5 9V6a4 4 0 0 1 8 0v3"
    } else {
        "M5 9V6a4 4 0 0 1 8 0"
    };
    view! {
        <svg class="lock-icon" viewBox="0 0 18 20" width="18" height="20">
            <path d=shackle fill="none" stroke="currentColor" stroke-width="2" />
            <rect x="2" y="9" width="14" height="10" rx="2" fill="currentColor" />
        </svg>
    }
}

pub(super) fn freeze_panel(
    state: State,
    lang: RwSignal<Lang>,
    freeze: impl Fn(usize, bool) + Clone + Send + Sync + 'static,
    zero_grad: RwSignal<bool>,
    head_weight_decay: RwSignal<f32>,
) -> impl IntoView {
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        zero_grad.set(on);
        // Zeroed gradients move a frozen layer only through weight decay (the head phase's optimiser
        // starts with empty momentum): give it PyTorch's usual 0.01 unless one was typed.
        if on && head_weight_decay.get_untracked() == 0.0 {
            head_weight_decay.set(0.01);
        }
    };
    let counts = move || {
        let (w, f) = (state.widths.get(), state.frozen.get());
        let mut trainable = 0;
        let mut frozen = 0;
        for (l, pair) in w.windows(2).enumerate() {
            let n = pair[0] * pair[1] + pair[1];
            if f.get(l).copied().unwrap_or(false) {
                frozen += n;
            } else {
                trainable += n;
            }
        }
        (trainable, frozen)
    };
    let body = {
        let freeze = freeze.clone();
        move |_| {
            let layers = state.widths.get_untracked().len().saturating_sub(1);
            for l in 0..layers {
                freeze(l, l + 1 < layers);
            }
        }
    };
    view! {
        <div class="locks">
            {move || {
                let widths = state.widths.get();
                let frozen = state.frozen.get();
                widths.windows(2).enumerate().map(|(l, pair)| {
                    let is_frozen = frozen.get(l).copied().unwrap_or(false);
                    let freeze = freeze.clone();
                    view! {
                        <button class="lock" class:frozen=is_frozen aria-pressed=is_frozen.to_string()
                            data-testid=format!("lock-fc{}", l + 1) on:click=move |_| freeze(l, !is_frozen)>
                            <span class="icon" aria-hidden="true">{lock_icon(is_frozen)}</span>
                            <span>{format!("fc{}  {} → {}", l + 1, pair[0], pair[1])}</span>
                            <span class="state">{move || if is_frozen { ui::LOCKED.get(lang.get()) } else { ui::UNLOCKED.get(lang.get()) }}</span>
                        </button>
                    }
                }).collect_view()
            }}
        </div>
        <button data-testid="freeze-body" on:click=body>{move || ui::FREEZE_BODY.get(lang.get())}</button>
        <dl class="counts">
            <dt>{move || ui::TRAINABLE.get(lang.get())}</dt>
            <dd data-testid="ft-trainable-count" data-value=move || counts().0.to_string()>{move || counts().0}</dd>
            <dt>{move || ui::FROZEN.get(lang.get())}</dt>
            <dd data-testid="ft-frozen-count" data-value=move || counts().1.to_string()>{move || counts().1}</dd>
        </dl>
        <label class="check">
            <input type="checkbox" data-testid="ft-zero-grad" prop:checked=move || zero_grad.get() on:change=toggle />
            {move || ui::ZERO_GRAD.get(lang.get())}
        </label>
        <p class="hint">{move || ui::ZERO_GRAD_NOTE.get(lang.get())}</p>
    }
}

pub(super) fn head_panel(
    state: State,
    lang: RwSignal<Lang>,
    replace: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let shape = move || {
        let w = state.widths.get();
        match w.as_slice() {
            [.., a, b] => format!("{a} → {b}"),
            _ => "–".into(),
        }
    };
    let same = move || state.widths.get().last().copied() == Some(state.classes.get().len());
    view! {
        <p class="head-shape">
            {move || ui::HEAD_SHAPE.get(lang.get())} ": "
            <strong data-testid="ft-head-shape" data-value=shape>{shape}</strong>
            {move || { let c = state.classes.get(); (!c.is_empty()).then(|| format!(" · {} {}: {}", c.len(), ui::CLASSES.get(lang.get()), c.join(" "))) }}
        </p>
        <button data-testid="replace-head" disabled=move || !has_examples(state) || state.classes.get().len() < 2 on:click=replace>{move || ui::REPLACE.get(lang.get())}</button>
        {move || (!has_examples(state)).then(|| view! { <p class="hint" data-testid="needs-examples">{move || ui::NEEDS_EXAMPLES.get(lang.get())}</p> })}
        {move || (same() && !state.head_replaced.get()).then(|| view! { <p class="hint">{move || ui::SAME_CLASSES.get(lang.get())}</p> })}
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "a phase panel's parts, each used once"
)]
pub(super) fn train_panel(
    state: State,
    lang: RwSignal<Lang>,
    form: PhaseForm,
    phase: PhaseKind,
    label: crate::ui::i18n::Text,
    testid: &'static str,
    running: impl Fn() -> bool + Copy + Send + Sync + 'static,
    start: impl Fn() + 'static,
    pause: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let refused = form.refused;
    view! {
        <div class="fields">
            {number_input("ft-lr", ui::LR, form.lr, lang, "any", form::LR, refused)}
            {number_input("ft-momentum", ui::MOMENTUM, form.momentum, lang, "0.05", form::MOMENTUM, refused)}
            {number_input("ft-weight-decay", ui::WEIGHT_DECAY, form.weight_decay, lang, "any", form::WEIGHT_DECAY, refused)}
            {number_input("ft-epochs", ui::EPOCHS, form.epochs, lang, "1", form::EPOCHS, refused)}
        </div>
        {early_stop_field(state, lang, form, phase, "ft-patience")}
        <div class="buttons">
            <button data-testid=testid disabled=move || running() || !has_examples(state) || !refused.get().is_empty() on:click=move |_| start()>{move || label.get(lang.get())}</button>
            <button data-testid="ft-pause" disabled=move || !running() on:click=pause>{move || ui::PAUSE.get(lang.get())}</button>
        </div>
        {move || (!has_examples(state)).then(|| view! { <p class="hint" data-testid="needs-examples">{move || ui::NEEDS_EXAMPLES.get(lang.get())}</p> })}
    }
}

/// Whether there are training examples to work with (a drawn scenario starts with none).
pub(super) fn has_examples(state: State) -> bool {
    state.counts.get().0 > 0
}

/// A phase's settings as the comparison prints them.
pub(super) fn settings_line(lang: Lang, form: PhaseForm) -> String {
    let (lr, momentum, epochs) = (form.lr.get(), form.momentum.get(), form.epochs.get());
    let wd = form.weight_decay.get();
    let patience = form.patience.get();
    let line = match (lang, wd > 0.0) {
        (Lang::En, false) => format!("lr {lr}, momentum {momentum}, {epochs} epochs"),
        (Lang::En, true) => {
            format!("lr {lr}, momentum {momentum}, weight decay {wd}, {epochs} epochs")
        }
        (Lang::Zh, false) => format!("学习率 {lr}，动量 {momentum}，{epochs} 轮"),
        (Lang::Zh, true) => format!("学习率 {lr}，动量 {momentum}，权重衰减 {wd}，{epochs} 轮"),
    };
    match (lang, patience) {
        (_, 0) => line,
        (Lang::En, p) => format!("{line} at most, early stopping with patience {p}"),
        (Lang::Zh, p) => format!("{line}（至多），早停，耐心 {p} 轮"),
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "the three arms' forms and the panel's parts, each used once"
)]
pub(super) fn compare_panel(
    state: State,
    setup: Setup,
    lang: RwSignal<Lang>,
    forms: [PhaseForm; 3],
    running: impl Fn() -> bool + Copy + Send + Sync + 'static,
    start: impl Fn() + 'static,
) -> impl IntoView {
    let [head, full, scratch_form] = forms;
    let held_out = move || state.counts.get().1;
    // The untouched model counts only when its head's classes are the task's.
    let untouched = move || {
        state
            .pretrained
            .get()
            .filter(|_| setup.scenario.keeps_classes())
    };
    let tuned = move || state.curve.get().last().map(|&(_, a)| a);
    let scratch = move || state.scratch_curve.get().last().copied();
    // The phase the tuned arm reached names it: head only (a linear probe) or fine-tuned.
    let reached_full = move || state.curve.get().iter().any(|&(p, _)| p == PhaseKind::Full);
    let ran = move || {
        (
            !state.curve.get().is_empty(),
            !state.scratch_curve.get().is_empty(),
        )
    };
    // A verdict only once both trained arms have run and nothing runs: never a "best" with an arm
    // missing (too few held-out examples is said at once).
    let verdict = Memo::new(move |_| {
        let (tuned_ran, scratch_ran) = ran();
        let arms = [
            (Arm::Untouched, untouched()),
            (Arm::Tuned, tuned()),
            (Arm::Scratch, scratch()),
        ];
        match verdict::decide(&arms, tuned_ran || scratch_ran, held_out()) {
            v @ Verdict::TooFew { .. } => v,
            _ if !(tuned_ran && scratch_ran) || running() => Verdict::Pending,
            v => v,
        }
    });
    // What the head alone on the frozen features is worth (its last head-phase epoch).
    let head_only = move || {
        state
            .curve
            .get()
            .iter()
            .rev()
            .find(|&&(p, _)| p == PhaseKind::Head)
            .map(|&(_, a)| a)
    };
    let k = move || state.classes.get().len().max(1);
    let cell = move |testid: &'static str, value: Option<f32>, missing: String| {
        view! {
            <td data-testid=testid data-value=value.map(|v| v.to_string())>
                {value.map_or(missing, |v| text::percent(lang.get(), v))}
            </td>
        }
    };
    view! {
        <p class="hint">{move || ui::SCRATCH_FORM.get(lang.get())}</p>
        <div class="fields">
            {number_input("ft-scratch-lr", ui::LR, scratch_form.lr, lang, "any", form::LR, scratch_form.refused)}
            {number_input("ft-scratch-momentum", ui::MOMENTUM, scratch_form.momentum, lang, "0.05", form::MOMENTUM, scratch_form.refused)}
            {number_input("ft-scratch-epochs", ui::EPOCHS, scratch_form.epochs, lang, "1", form::EPOCHS, scratch_form.refused)}
        </div>
        {early_stop_field(state, lang, scratch_form, PhaseKind::Scratch, "ft-scratch-patience")}
        {move || form::patience_differs([head.patience.get(), full.patience.get(), scratch_form.patience.get()])
            .then(|| view! { <p class="hint bad" role="status" data-testid="ft-patience-differs">{move || form::PATIENCE_DIFFERS.get(lang.get())}</p> })}
        <div class="buttons">
            <button data-testid="train-scratch" disabled=move || running() || !has_examples(state) || !scratch_form.refused.get().is_empty() on:click=move |_| start()>{move || ui::TRAIN_SCRATCH.get(lang.get())}</button>
        </div>
        {move || (!has_examples(state)).then(|| view! { <p class="hint" data-testid="needs-examples">{move || ui::NEEDS_EXAMPLES.get(lang.get())}</p> })}
        <table class="numbers arms" data-testid="ft-arms">
            <thead><tr>
                <th scope="col">{move || ui::ARM.get(lang.get())}</th>
                <th scope="col">{move || ui::HELD_OUT_ACCURACY.get(lang.get())}</th>
                <th scope="col">{move || ui::SETTINGS.get(lang.get())}</th>
            </tr></thead>
            <tbody>
                <tr><th scope="row">{move || text::arm_name(Arm::Untouched, false, false).get(lang.get())}</th>
                    {move || {
                        let missing = if setup.scenario.keeps_classes() {
                            ui::NOT_RUN.get(lang.get()).to_string()
                        } else {
                            ui::OLD_HEAD.get(lang.get()).replace("{k}", &k().to_string())
                        };
                        cell("ft-untouched-accuracy", untouched(), missing)
                    }}
                    <td>{move || ui::AS_LOADED.get(lang.get())}</td></tr>
                <tr><th scope="row" data-testid="ft-tuned-name" data-full=move || reached_full().to_string()>{move || text::arm_name(Arm::Tuned, reached_full(), state.head_replaced.get()).get(lang.get())}</th>
                    {move || cell("ft-tuned-accuracy", tuned(), ui::NOT_RUN.get(lang.get()).to_string())}
                    <td data-testid="ft-tuned-settings">{move || format!("{}: {}; {}: {}", ui::TRAIN_HEAD.get(lang.get()), settings_line(lang.get(), head), ui::TRAIN_FULL.get(lang.get()), settings_line(lang.get(), full))}</td></tr>
                <tr><th scope="row">{move || text::arm_name(Arm::Scratch, false, false).get(lang.get())}</th>
                    {move || cell("ft-scratch-arm-accuracy", scratch(), ui::NOT_RUN.get(lang.get()).to_string())}
                    <td data-testid="ft-scratch-settings">{move || settings_line(lang.get(), scratch_form)}</td></tr>
            </tbody>
        </table>
        <p><span data-testid="ft-heldout-count" data-value=move || held_out().to_string()>{held_out}</span>
            " " {move || ui::HELD_OUT_COUNT.get(lang.get())}</p>
        <p class="verdict" data-testid="ft-verdict" data-state=move || verdict.get().key()
            data-best=move || match verdict.get() { Verdict::Best { best, .. } | Verdict::Tie { best, .. } => best.0.key(), _ => "" }>
            {move || match verdict.get() {
                Verdict::Pending => {
                    let (t, s) = if running() { (true, true) } else { ran() };
                    text::pending(lang.get(), t, s)
                }
                v => text::verdict(lang.get(), &v, held_out(), reached_full(), state.head_replaced.get()),
            }}</p>
        {move || head_only().filter(|_| !running() && held_out() >= verdict::MIN_HELD_OUT).map(|h| {
            let k = k();
            view! { <p data-testid="ft-features">{move || text::features(lang.get(), h, k, scratch(), held_out())}</p> }
        })}
    }
}
