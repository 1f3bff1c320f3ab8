//! Step 5, "Overfitting and when to stop": the worker trains the lesson's model on a few hundred to a few thousand images
//! with a validation split carved from the other training images (`worker/overfit.rs`); the page draws
//! training and validation loss and accuracy per epoch, says when patience ran out and which epoch's
//! weights came back, and shows the test accuracy measured once at the end. Every sentence here that
//! states a result is chosen by the run's numbers.

use kernels::early_stop::{PATIENCE, TRAIN_IMAGES};
use leptos::prelude::*;

use super::overfit_text::{compare_runs, loss_vs_accuracy};
use super::protocol::Client;
use super::protocol::{Command, OverfitMetrics, OverfitOutcome};
use super::state::{OverfitView, State};
use crate::ui::i18n::{Lang, Text, percent, tx};
use crate::ui::line_chart::{ACCURACY, EPOCH, LOSS, LineChart, Series};

const TRAIN: Text = tx("Training images", "训练图像数");
const PATIENCE_LABEL: Text = tx("Patience (evaluations)", "耐心（评估次数）");
const RUN: Text = tx("Run the experiment", "运行实验");
const CANCEL: Text = tx("Stop", "停止");
const BEST: Text = tx("best", "最佳");
const OUT_OF_RANGE: Text = tx("Out of range:", "超出范围：");
const PAUSES: Text = tx(
    "Runs on an engine of its own; the run on the Train step pauses while it runs.",
    "在独立的引擎上运行；运行期间“训练”步骤中的训练会暂停。",
);

/// A whole number from a form field within `(lo, hi)`.
fn within(text: &str, (lo, hi): (usize, usize)) -> Option<usize> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|v| (lo..=hi).contains(v))
}

/// The run's settings as one line.
fn plan_line(view: &OverfitView, lang: Lang) -> String {
    let Some(p) = &view.plan else {
        return String::new();
    };
    let widths: Vec<String> = std::iter::once(784)
        .chain(p.hidden.iter().copied())
        .chain(std::iter::once(10))
        .map(|w| w.to_string())
        .collect();
    match lang {
        Lang::En => format!(
            "{} training images and {} validation images, both from the training split (the validation images are never trained on) · model {} · batch {} · SGD, learning rate {}, momentum {} · one evaluation per epoch, patience {} · at most {} epochs · seed {}",
            p.train,
            p.validation,
            widths.join("-"),
            p.batch,
            p.lr,
            p.momentum,
            p.patience,
            p.max_epochs,
            p.seed
        ),
        Lang::Zh => format!(
            "{} 张训练图像和 {} 张验证图像，都取自训练集（验证图像从不参与训练）· 模型 {} · 批大小 {} · SGD，学习率 {}，动量 {} · 每轮评估一次，耐心 {} · 最多 {} 轮 · 种子 {}",
            p.train,
            p.validation,
            widths.join("-"),
            p.batch,
            p.lr,
            p.momentum,
            p.patience,
            p.max_epochs,
            p.seed
        ),
    }
}

/// What the last evaluation shows: the gap between training and validation accuracy (a generalisation
/// gap), and — since a gap alone is not overfitting — what the validation loss has done.
fn gap_sentence(view: &OverfitView, lang: Lang) -> Option<String> {
    let &(m, left) = view.epochs.last()?;
    let (epoch, ta, va) = (m.epoch, m.train_accuracy, m.val_accuracy);
    let gap = ta - va;
    let (t, v) = (
        percent(lang, f64::from(ta), 1),
        percent(lang, f64::from(va), 1),
    );
    // The epoch with the lowest validation loss so far (the worker's "new best").
    let best = view
        .epochs
        .iter()
        .rev()
        .find(|&&(_, left)| left.is_none())
        .map(|&(b, _)| b);
    let trend = match (lang, left, best) {
        (Lang::En, None, _) | (Lang::En, Some(_), None) => {
            "it reached its lowest value so far at this epoch, so it is still falling.".to_string()
        }
        (Lang::En, Some(_), Some(b)) => format!(
            "it has not gone below epoch {}'s ({:.4}) since — the sign early stopping waits on.",
            b.epoch, b.val_loss
        ),
        (Lang::Zh, None, _) | (Lang::Zh, Some(_), None) => {
            "它在这一轮达到了目前的最低值，仍在下降。".to_string()
        }
        (Lang::Zh, Some(_), Some(b)) => format!(
            "此后它一直没有低于第 {} 轮的 {:.4}——这正是早停所等待的信号。",
            b.epoch, b.val_loss
        ),
    };
    Some(match (lang, gap > 0.05) {
        (Lang::En, true) => format!(
            "After epoch {epoch} the model gets {t} of its training images right but {v} of images it has not seen — a generalisation gap: it fits its own images better than new ones. Whether it is overfitting shows in the validation loss: {trend}"
        ),
        (Lang::En, false) => format!(
            "After epoch {epoch}: {t} on its training images, {v} on the validation images — no large gap yet."
        ),
        (Lang::Zh, true) => format!(
            "第 {epoch} 轮之后，模型在训练图像上正确率为 {t}，在没见过的图像上只有 {v}——这个差距说明它对训练图像的拟合好于新图像，这是泛化差距。是否过拟合要看验证损失：{trend}"
        ),
        (Lang::Zh, false) => {
            format!("第 {epoch} 轮之后：训练图像 {t}，验证图像 {v}——还没有明显的差距。")
        }
    })
}

/// The end of the run, in words chosen by its numbers.
fn stop_sentence(o: &OverfitOutcome, patience: usize, best_loss: f32, lang: Lang) -> String {
    let same = o.restored_validation.0 == best_loss;
    let (restored, best) = (o.restored_validation.0, o.best_epoch);
    match (lang, o.stopped_early) {
        (Lang::En, true) => format!(
            "Stopped after epoch {}: the validation loss had not gone below epoch {best}'s for {patience} evaluations. The weights of epoch {best} were restored; measured again, their validation loss is {restored:.4} ({}).",
            o.stopped_at,
            if same {
                "the same as at epoch ".to_string() + &best.to_string()
            } else {
                format!("epoch {best} measured {best_loss:.4}")
            }
        ),
        (Lang::En, false) => format!(
            "The epoch limit ({}) came before patience ran out; the weights of epoch {best}, the lowest validation loss, were restored (measured again: {restored:.4}).",
            o.stopped_at
        ),
        (Lang::Zh, true) => format!(
            "第 {} 轮后停止：验证损失已连续 {patience} 次评估没有低于第 {best} 轮。恢复了第 {best} 轮的权重；重新测量的验证损失为 {restored:.4}（{}）。",
            o.stopped_at,
            if same {
                format!("与第 {best} 轮相同")
            } else {
                format!("第 {best} 轮测得 {best_loss:.4}")
            }
        ),
        (Lang::Zh, false) => format!(
            "耐心耗尽之前先到达了轮数上限（{}）；恢复了验证损失最低的第 {best} 轮的权重（重新测量：{restored:.4}）。",
            o.stopped_at
        ),
    }
}

/// The step's panel.
pub fn overfit_panel(client: Client, state: State, lang: RwSignal<Lang>) -> impl IntoView {
    let view = state.overfit;
    view! {
        <div class="panel wide" data-testid="overfit">
            {overfit_form(client, view, lang)}
            <p class="hint">{move || PAUSES.get(lang.get())}</p>
            <p class="hint" data-testid="overfit-plan">{move || view.with(|v| plan_line(v, lang.get()))}</p>
            {overfit_charts(view, lang)}
            {latest_epoch(view, lang)}
            {every_evaluation(view, lang)}
            <p data-testid="overfit-gap">{move || view.with(|v| gap_sentence(v, lang.get()))}</p>
            {move || view.with(|v| {
                let epochs: Vec<OverfitMetrics> = v.epochs.iter().map(|&(m, _)| m).collect();
                let n_val = v.plan.as_ref().map_or(0, |p| p.validation);
                loss_vs_accuracy(&epochs, n_val, lang.get())
            }).map(|s| view! { <p data-testid="overfit-loss-vs-accuracy">{s}</p> })}
            {move || view.with(|v| compare_runs(&v.finished, lang.get()))
                .map(|s| view! { <p data-testid="overfit-compare">{s}</p> })}
            {outcome(view, lang)}
        </div>
    }
}

/// The experiment's form: training images and patience, checked before the run can start, and the
/// buttons that start and stop it.
fn overfit_form(
    client: Client,
    view: RwSignal<OverfitView>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let train = RwSignal::new(500.to_string());
    let patience = RwSignal::new(5.to_string());
    let problem = move || {
        let mut bad = Vec::new();
        if within(&train.get(), TRAIN_IMAGES).is_none() {
            bad.push(format!(
                "{} {}–{}",
                TRAIN.get(lang.get()),
                TRAIN_IMAGES.0,
                TRAIN_IMAGES.1
            ));
        }
        if within(&patience.get(), PATIENCE).is_none() {
            bad.push(format!(
                "{} {}–{}",
                PATIENCE_LABEL.get(lang.get()),
                PATIENCE.0,
                PATIENCE.1
            ));
        }
        (!bad.is_empty()).then(|| format!("{} {}", OUT_OF_RANGE.get(lang.get()), bad.join("; ")))
    };
    let start = {
        let client = client.clone();
        move |_| {
            if let (Some(train), Some(patience)) = (
                within(&train.get_untracked(), TRAIN_IMAGES),
                within(&patience.get_untracked(), PATIENCE),
            ) {
                client.send(&Command::Overfit { train, patience });
            }
        }
    };
    let cancel = move |_| client.send(&Command::OverfitCancel);
    view! {
        <div class="form-row">
            // Each label stays on its input's line when the row wraps.
            <span class="field-pair">
                <label for="overfit-train">{move || TRAIN.get(lang.get())}</label>
                <input id="overfit-train" data-testid="overfit-train" type="number" min=TRAIN_IMAGES.0 max=TRAIN_IMAGES.1
                    prop:value=move || train.get() on:input=move |ev| train.set(event_target_value(&ev)) />
            </span>
            <span class="field-pair">
                <label for="overfit-patience">{move || PATIENCE_LABEL.get(lang.get())}</label>
                <input id="overfit-patience" data-testid="overfit-patience" type="number" min=PATIENCE.0 max=PATIENCE.1
                    prop:value=move || patience.get() on:input=move |ev| patience.set(event_target_value(&ev)) />
            </span>
            <button data-testid="overfit-run" disabled=move || problem().is_some() || view.with(|v| v.running) on:click=start>
                {move || RUN.get(lang.get())}</button>
            <button class="secondary" data-testid="overfit-cancel" disabled=move || !view.with(|v| v.running) on:click=cancel>
                {move || CANCEL.get(lang.get())}</button>
        </div>
        {move || problem().map(|p| view! { <p class="bad" role="alert" data-testid="overfit-invalid">{p}</p> })}
    }
}

/// The training and validation loss and accuracy per epoch, the best epoch marked.
fn overfit_charts(view: RwSignal<OverfitView>, lang: RwSignal<Lang>) -> impl IntoView {
    let best = move || {
        view.with(|v| {
            v.epochs
                .iter()
                .rev()
                .find(|&&(_, left)| left.is_none())
                .map(|&(m, _)| m)
        })
    };
    let series = move |loss: bool| {
        view.with(|v| {
            let pick = |f: fn(&OverfitMetrics) -> f32| {
                v.epochs
                    .iter()
                    .map(|(m, _)| (m.epoch as f64, f64::from(f(m))))
                    .collect::<Vec<_>>()
            };
            let (train, validation) = if loss {
                (pick(|m| m.train_loss), pick(|m| m.val_loss))
            } else {
                (pick(|m| m.train_accuracy), pick(|m| m.val_accuracy))
            };
            vec![
                Series {
                    points: train,
                    class: "scratch",
                    dots: true,
                },
                Series {
                    points: validation,
                    class: "tuned",
                    dots: true,
                },
            ]
        })
    };
    let marks = Signal::derive(move || {
        best()
            .map(|m| vec![(m.epoch as f64, BEST)])
            .unwrap_or_default()
    });
    let training_key = tx("training images", "训练图像");
    let validation_key = tx("validation images", "验证图像");
    view! {
        <p class="legend">
            <span class="swatch train-key"></span>{move || training_key.get(lang.get())}
            <span class="swatch validation-key"></span>{move || validation_key.get(lang.get())}
        </p>
        <div class="two">
            <LineChart series=Signal::derive(move || series(true)) width=420.0 x_label=EPOCH y_label=LOSS marks=marks
                testid="overfit-loss-chart" aria=tx("training and validation loss per epoch", "每轮的训练损失与验证损失") />
            <LineChart series=Signal::derive(move || series(false)) width=420.0 y_top=1.0 y_percent=true zoom=true x_label=EPOCH y_label=ACCURACY marks=marks
                testid="overfit-accuracy-chart" aria=tx("training and validation accuracy per epoch", "每轮的训练准确率与验证准确率") />
        </div>
    }
}

/// The latest evaluation: its epoch, validation loss and accuracy, and the patience left.
fn latest_epoch(view: RwSignal<OverfitView>, lang: RwSignal<Lang>) -> impl IntoView {
    let latest = move || view.with(|v| v.epochs.last().map(|&(m, left)| (m, left)));
    view! {
        {move || latest().map(|(m, left)| view! {
            <p>
                {move || tx("Epoch", "轮次").get(lang.get())} " " <strong data-testid="overfit-epoch">{m.epoch}</strong> " · "
                {move || tx("validation loss", "验证损失").get(lang.get())} " "
                <strong data-testid="val-loss" data-value=m.val_loss.to_string()>{format!("{:.4}", m.val_loss)}</strong> " · "
                {move || tx("validation accuracy", "验证准确率").get(lang.get())} " "
                <strong data-testid="overfit-val-accuracy" data-value=m.val_accuracy.to_string()>{move || percent(lang.get(), f64::from(m.val_accuracy), 1)}</strong> " · "
                {move || match left {
                    None => tx("a new best", "新的最佳").get(lang.get()).to_string(),
                    Some(k) => format!("{} {k}", tx("patience left:", "剩余耐心：").get(lang.get())),
                }}
            </p>
        })}
    }
}

/// Every evaluation as a table, folded away.
fn every_evaluation(view: RwSignal<OverfitView>, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <details>
            <summary>{move || tx("Every evaluation", "每次评估").get(lang.get())}</summary>
            <table class="numbers" data-testid="overfit-table">
                <thead><tr>
                    <th scope="col">{move || EPOCH.get(lang.get())}</th>
                    <th scope="col">{move || tx("training loss", "训练损失").get(lang.get())}</th>
                    <th scope="col">{move || tx("training accuracy", "训练准确率").get(lang.get())}</th>
                    <th scope="col">{move || tx("validation loss", "验证损失").get(lang.get())}</th>
                    <th scope="col">{move || tx("validation accuracy", "验证准确率").get(lang.get())}</th>
                </tr></thead>
                <tbody>
                    {move || view.with(|v| v.epochs.iter().map(|&(m, left)| view! {
                        <tr data-epoch=m.epoch.to_string() data-val-loss=m.val_loss.to_string() data-best=left.is_none().to_string()>
                            <td>{m.epoch}</td><td>{format!("{:.4}", m.train_loss)}</td><td>{percent(lang.get(), f64::from(m.train_accuracy), 1)}</td>
                            <td>{format!("{:.4}", m.val_loss)}</td><td>{percent(lang.get(), f64::from(m.val_accuracy), 1)}</td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
        </details>
    }
}

/// How the run ended: where it stopped, which epoch's weights came back, and the test accuracy
/// measured once at the end.
fn outcome(view: RwSignal<OverfitView>, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        {move || view.with(|v| v.outcome.clone().map(|o| {
            let best_loss = v.epochs.get(o.best_epoch.saturating_sub(1)).map_or(f32::NAN, |e| e.0.val_loss);
            let patience = v.plan.as_ref().map_or(0, |p| p.patience);
            let sentence = stop_sentence(&o, patience, best_loss, lang.get());
            view! {
                <p data-testid="early-stop" data-best-epoch=o.best_epoch.to_string() data-stopped-at=o.stopped_at.to_string()
                    data-stopped-early=o.stopped_early.to_string() data-best-val-loss=best_loss.to_string()
                    data-restored-val-loss=o.restored_validation.0.to_string()>{sentence}</p>
                <p class="big">
                    {move || tx("Test accuracy, measured once, at the end:", "测试准确率（仅在最后测量一次）：").get(lang.get())} " "
                    <strong data-testid="test-accuracy-final" data-value=o.test.0.to_string() data-images=o.test_images.to_string()>
                        {move || percent(lang.get(), f64::from(o.test.0), 1)}</strong>
                    {move || match lang.get() {
                        Lang::En => format!(" on {} test images (loss {:.4})", o.test_images, o.test.1),
                        Lang::Zh => format!("，共 {} 张测试图像（损失 {:.4}）", o.test_images, o.test.1),
                    }}
                </p>
            }
        }))}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_numbers_must_be_whole_and_in_range() {
        assert_eq!(within(" 500 ", TRAIN_IMAGES), Some(500));
        assert_eq!(within("99", TRAIN_IMAGES), None);
        assert_eq!(within("5001", TRAIN_IMAGES), None);
        assert_eq!(within("2.5", PATIENCE), None);
        assert_eq!(within("NaN", PATIENCE), None);
    }

    #[test]
    fn the_gap_sentence_follows_the_numbers() {
        let mut v = OverfitView::default();
        assert!(gap_sentence(&v, Lang::En).is_none());
        let m = |epoch, train_accuracy, val_accuracy| OverfitMetrics {
            epoch,
            train_loss: 0.1,
            train_accuracy,
            val_loss: 0.5,
            val_accuracy,
        };
        v.epochs.push((m(3, 1.0, 0.86), None));
        // A gap alone is a generalisation gap, not "overfitting": the loss is still at its lowest.
        let s = gap_sentence(&v, Lang::En).unwrap();
        assert!(
            s.contains("generalisation gap") && s.contains("still falling"),
            "{s}"
        );
        assert!(gap_sentence(&v, Lang::Zh).unwrap().contains("泛化差距"));
        // Once the validation loss has not gone below its best epoch's, that is said.
        v.epochs.push((m(4, 1.0, 0.85), Some(2)));
        let s = gap_sentence(&v, Lang::En).unwrap();
        assert!(s.contains("not gone below epoch 3's"), "{s}");
        v.epochs.push((m(5, 0.9, 0.88), Some(1)));
        assert!(gap_sentence(&v, Lang::En).unwrap().contains("no large gap"));
    }
}
