//! A phase's form: number fields that refuse an out-of-range value on the spot with a message (the
//! phase's button waits until it is corrected), and the early-stopping setting (`ft-early-stop`) with
//! where the phase stopped once it ran.

use leptos::prelude::*;

use super::PhaseForm;
use super::protocol::{PhaseKind, StopInfo};
use super::state::State;
use crate::ui::i18n::{Lang, Text, tx};

/// The values a field accepts, and how the refusal names them.
#[derive(Clone, Copy)]
pub(super) struct Range {
    ok: fn(f64) -> bool,
    /// The accepted range as written in both languages, e.g. "(0, 10]".
    text: &'static str,
}

/// The optimiser's learning rate (what `OptimizerConfig::validate` accepts).
pub(super) const LR: Range = Range {
    ok: |v| v > 0.0 && v <= 10.0,
    text: "(0, 10]",
};
/// SGD momentum.
pub(super) const MOMENTUM: Range = Range {
    ok: |v| (0.0..1.0).contains(&v),
    text: "[0, 1)",
};
/// Weight decay.
pub(super) const WEIGHT_DECAY: Range = Range {
    ok: |v| (0.0..=1.0).contains(&v),
    text: "[0, 1]",
};
/// Epochs of a phase (the URL accepts the same).
pub(super) const EPOCHS: Range = Range {
    ok: |v| (1.0..=500.0).contains(&v),
    text: "1–500",
};
/// Early stopping's patience in epochs (0: off).
pub(super) const PATIENCE: Range = Range {
    ok: |v| (0.0..=30.0).contains(&v),
    text: "0–30",
};

const REFUSED: Text = tx(
    "{label}: {value} is refused; it must be {range} (the form keeps {old}).",
    "{label}：不接受 {value}，它必须在 {range} 之内（表单保留 {old}）。",
);

/// A number field of a phase's form: a value outside `range` (or not a number) is refused with a
/// message under the field, and the field's id is listed in `refused` until it is corrected.
#[allow(clippy::too_many_arguments, reason = "a field's parts, each used once")]
pub(super) fn number_input<T>(
    id: &'static str,
    label: Text,
    value: RwSignal<T>,
    lang: RwSignal<Lang>,
    step: &'static str,
    range: Range,
    refused: RwSignal<Vec<&'static str>>,
) -> impl IntoView
where
    T: std::str::FromStr + std::fmt::Display + Clone + Send + Sync + 'static,
{
    let typed = RwSignal::new(None::<String>);
    let changed = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        let number = raw.trim().parse::<f64>().ok().filter(|v| (range.ok)(*v));
        match (number, raw.trim().parse::<T>()) {
            (Some(_), Ok(v)) => {
                typed.set(None);
                refused.update(|r| r.retain(|x| *x != id));
                value.set(v);
            }
            _ => {
                typed.set(Some(raw));
                refused.update(|r| {
                    if !r.contains(&id) {
                        r.push(id);
                    }
                });
            }
        }
    };
    let message = move || {
        typed.get().map(|raw| {
            REFUSED
                .get(lang.get())
                .replace("{label}", label.get(lang.get()))
                .replace("{value}", &raw)
                .replace("{range}", range.text)
                .replace("{old}", &value.get().to_string())
        })
    };
    view! {
        <span class="field">
            <label for=id>{move || label.get(lang.get())}</label>
            <input id=id data-testid=id type="number" step=step class:invalid=move || typed.get().is_some()
                prop:value=move || typed.get().unwrap_or_else(|| value.get().to_string()) on:change=changed />
            {move || message().map(|m| view! { <span class="error" role="alert" data-testid=format!("{id}-refused")>{m}</span> })}
        </span>
    }
}

const PATIENCE_LABEL: Text = tx(
    "Early stopping: patience in epochs (0 = off)",
    "早停：耐心轮数（0 = 关闭）",
);
const HINT: Text = tx(
    "The article trains each phase \"until it converges\". With a patience above 0, one in five training examples of each class is set aside as a validation split (never the held-out examples of the verdict); the phase trains on the rest, stops once the validation loss has not fallen for that many epochs, and keeps the weights of its best epoch.",
    "原文让每个阶段“训练到收敛为止”。耐心大于 0 时，每个类别的训练样本中有五分之一被留作验证集（绝不会用到结论所用的留出样本）；这个阶段在其余样本上训练，当验证损失连续这么多轮没有下降时停止，并保留最好那一轮的权重。",
);

/// Said when the phases' patience differs: the validation split takes 1 in 5 training examples from
/// every phase with a patience above 0, so arms with different patience train on different examples.
pub(super) const PATIENCE_DIFFERS: Text = tx(
    "The patience differs between the phases: a patience above 0 sets aside 1 in 5 of each class's training examples for validation, so the arms would not train on the same examples. Set the same patience on every arm, or none.",
    "各阶段的耐心轮数不一样：耐心大于 0 时，每个类别的训练样本中有五分之一被留作验证集，各组别就不是在同样的样本上训练了。请给每一组设相同的耐心轮数，或者都不设。",
);

/// Whether the head, full and from-scratch forms' patience differ (a warning, not a refusal).
pub(super) fn patience_differs(patience: [usize; 3]) -> bool {
    patience.iter().any(|&p| p != patience[0])
}

/// The sentence for a phase's stop.
fn stop_sentence(lang: Lang, s: &StopInfo) -> String {
    let (en, zh) = match (s.best_epoch, s.early) {
        (0, _) => (
            "No epoch had a finite validation loss: the phase stopped at epoch {stopped} of {epochs} and kept its last weights.",
            "没有哪一轮的验证损失是有限的：这个阶段在第 {stopped} 轮（共 {epochs} 轮）停止，保留了最后的权重。",
        ),
        (_, true) => (
            "Stopped early at epoch {stopped} of {epochs}: the validation loss ({validation} examples carved from the training examples) was lowest at epoch {best} ({loss}) and did not fall in the {patience} epochs after it. The weights of epoch {best} were kept, so the curve ends there. The phase trained on the other {train} examples.",
            "在第 {stopped} 轮（共 {epochs} 轮）触发早停：验证损失（从训练样本中划出的 {validation} 个样本）在第 {best} 轮最低（{loss}），之后 {patience} 轮都没有再下降。保留了第 {best} 轮的权重，所以曲线在那里结束。这个阶段在其余 {train} 个样本上训练。",
        ),
        // The epochs after the best one are dropped from the curve (State::stopped): say so.
        (best, false) if best < s.stopped_at => (
            "Ran all {epochs} epochs without running out of patience: the validation loss ({validation} examples carved from the training examples) was lowest at epoch {best} ({loss}), whose weights were kept, so the curve ends at epoch {best}. The phase trained on the other {train} examples.",
            "跑完了全部 {epochs} 轮，耐心没有用完：验证损失（从训练样本中划出的 {validation} 个样本）在第 {best} 轮最低（{loss}），保留了那一轮的权重，所以曲线在第 {best} 轮结束。这个阶段在其余 {train} 个样本上训练。",
        ),
        (_, false) => (
            "Ran all {epochs} epochs without running out of patience: the validation loss ({validation} examples carved from the training examples) was lowest at epoch {best} ({loss}), whose weights were kept. The phase trained on the other {train} examples.",
            "跑完了全部 {epochs} 轮，耐心没有用完：验证损失（从训练样本中划出的 {validation} 个样本）在第 {best} 轮最低（{loss}），保留了那一轮的权重。这个阶段在其余 {train} 个样本上训练。",
        ),
    };
    let text = match lang {
        Lang::En => en,
        Lang::Zh => zh,
    };
    text.replace("{stopped}", &s.stopped_at.to_string())
        .replace("{epochs}", &s.epochs.to_string())
        .replace("{validation}", &s.validation.to_string())
        .replace("{best}", &s.best_epoch.to_string())
        .replace("{loss}", &format!("{:.3}", s.best_loss))
        .replace("{patience}", &s.patience.to_string())
        .replace("{train}", &s.train.to_string())
}

const WATCHING: Text = tx(
    "Validation loss after epoch {epoch}: {loss}; {left} more epochs without a lower one stop the phase.",
    "第 {epoch} 轮后的验证损失：{loss}；再有 {left} 轮没有更低的值，这个阶段就会停止。",
);

/// The early-stopping setting on a phase's form, and where the phase stopped once it ran with it.
pub(super) fn early_stop_field(
    state: State,
    lang: RwSignal<Lang>,
    form: PhaseForm,
    phase: PhaseKind,
    id: &'static str,
) -> impl IntoView {
    let stop = move || state.stop_of(phase);
    let data_state = move || match (stop(), form.patience.get()) {
        (Some(s), _) if s.early => "stopped",
        (Some(_), _) => "ran-all",
        (None, 0) => "off",
        (None, _) => "set",
    };
    let watching = move || {
        let running = state
            .progress
            .get()
            .is_some_and(|p| p.running && p.phase == phase);
        state
            .validation
            .get()
            .filter(|v| running && v.0 == phase)
            .map(|(_, epoch, loss, left)| {
                WATCHING
                    .get(lang.get())
                    .replace("{epoch}", &epoch.to_string())
                    .replace("{loss}", &format!("{loss:.3}"))
                    .replace("{left}", &left.to_string())
            })
    };
    view! {
        <div class="early-stop" data-testid="ft-early-stop" data-patience=move || form.patience.get().to_string()
            data-state=data_state
            data-stopped-at=move || stop().map(|s| s.stopped_at.to_string())
            data-best-epoch=move || stop().map(|s| s.best_epoch.to_string())
            data-epochs=move || stop().map(|s| s.epochs.to_string())>
            <div class="fields">
                {number_input(id, PATIENCE_LABEL, form.patience, lang, "1", PATIENCE, form.refused)}
            </div>
            <p class="hint">{move || HINT.get(lang.get())}</p>
            {move || watching().map(|w| view! { <p class="hint" data-testid="ft-validation-loss">{w}</p> })}
            {move || stop().map(|s| view! { <p data-testid="ft-early-stop-result">{move || stop_sentence(lang.get(), &s)}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stop_sentence_names_where_the_phase_stopped_and_which_weights_it_kept() {
        let s = StopInfo {
            phase: PhaseKind::Head,
            patience: 3,
            epochs: 20,
            stopped_at: 9,
            best_epoch: 6,
            best_loss: 0.8123,
            early: true,
            train: 40,
            validation: 10,
        };
        let en = stop_sentence(Lang::En, &s);
        assert!(en.starts_with("Stopped early at epoch 9 of 20"), "{en}");
        assert!(
            en.contains("lowest at epoch 6 (0.812)") && en.contains("other 40"),
            "{en}"
        );
        let zh = stop_sentence(Lang::Zh, &s);
        assert!(zh.contains("第 9 轮") && !zh.contains('{'), "{zh}");
        let all = stop_sentence(
            Lang::En,
            &StopInfo {
                early: false,
                stopped_at: 20,
                ..s
            },
        );
        assert!(all.starts_with("Ran all 20 epochs"), "{all}");
        assert!(all.contains("the curve ends at epoch 6"), "{all}");
        let last = stop_sentence(
            Lang::En,
            &StopInfo {
                early: false,
                stopped_at: 20,
                best_epoch: 20,
                ..s
            },
        );
        assert!(
            !last.contains("curve ends"),
            "the best epoch is the last: nothing is cut, {last}"
        );
        assert!(!patience_differs([0, 0, 0]) && !patience_differs([3, 3, 3]));
        assert!(patience_differs([3, 3, 0]) && patience_differs([0, 2, 0]));
        for r in [LR, MOMENTUM, WEIGHT_DECAY, EPOCHS, PATIENCE] {
            assert!(!(r.ok)(f64::NAN) && !(r.ok)(1000.0), "{}", r.text);
        }
        assert!((LR.ok)(0.001) && !(LR.ok)(0.0) && !(EPOCHS.ok)(0.0) && (PATIENCE.ok)(0.0));
    }
}
