//! The privacy lesson's panels, one per step. Every number comes from the worker's runs and lots or
//! from the accountant; every sentence that states a result is chosen by those numbers.

use leptos::prelude::*;

use super::math;
use super::protocol::Client;
use super::protocol::{Arm, ArmResult, Command, DpSettings, Query, Reply};
use super::state::State;
use super::text::ui;
use crate::ui::bars::{BarChart, BarSeries};
use crate::ui::i18n::{Lang, Text, percent, tx};
use crate::ui::line_chart::{ACCURACY, EPOCH, LineChart, Series};

/// The sliders shared by steps 2 and 3 (kept in the URL).
#[derive(Clone, Copy)]
pub struct DpForm {
    pub clip: RwSignal<f32>,
    pub noise: RwSignal<f32>,
    pub lot: RwSignal<usize>,
    pub epochs: RwSignal<usize>,
    /// Member images the runs train on (the accountant's N).
    pub members: usize,
    /// The sweep's σ for each target ε at the sliders' C, L and epochs: computed once per setting
    /// (not on every progress event of a running sweep, which is what froze the page for minutes).
    pub plan: Memo<Vec<Option<f32>>>,
}

impl DpForm {
    /// The form over these settings, with its sweep plan.
    pub fn new(clip: f32, noise: f32, lot: usize, epochs: usize, members: usize) -> Self {
        let (lot, epochs) = (RwSignal::new(lot), RwSignal::new(epochs));
        let plan = Memo::new(move |_| {
            let (lot, epochs) = (lot.get(), epochs.get());
            let steps = math::lots_per_epoch(lot, members) * epochs as u64;
            super::state::SWEEP
                .iter()
                .map(|&t| math::sigma_for(t, lot, members, steps))
                .collect()
        });
        Self {
            clip: RwSignal::new(clip),
            noise: RwSignal::new(noise),
            lot,
            epochs,
            members,
            plan,
        }
    }

    /// The settings now.
    pub fn settings(&self) -> DpSettings {
        DpSettings {
            clip: self.clip.get(),
            noise: self.noise.get(),
            lot: self.lot.get(),
        }
    }
}

/// "eᵋ ≈ 69" with a real superscript.
pub fn exp_eps(epsilon: f64) -> impl IntoView {
    view! { <span class="exp-eps" data-testid="exp-epsilon" data-value=epsilon.exp().to_string()>"e"<sup>"ε"</sup>{format!(" ≈ {}", math::exp_epsilon(epsilon))}</span> }
}

/// ε as a table cell or a line shows it: "1.23 (eᵋ ≈ 3.4)", or at σ = 0 (no ε from the accountant)
/// "∞" and why ([`ui::NO_GUARANTEE`]).
pub fn epsilon_view(epsilon: Option<f64>, digits: usize, lang: RwSignal<Lang>) -> impl IntoView {
    let e = math::shown_epsilon(epsilon);
    view! {
        {math::epsilon_text(e, digits)}
        {if e.is_finite() {
            view! { " (" {exp_eps(e)} ")" }.into_any()
        } else {
            view! { " · " <span class="hint" data-testid="dp-no-guarantee">{move || ui::NO_GUARANTEE.get(lang.get())}</span> }.into_any()
        }}
    }
}

/// The most advantage (ε, δ = 10⁻⁵) allows any membership test, as `dp-bound`; `of` says whose ε
/// (`forecast`, `run`, or a sweep's tag); `label` is [`ui::BOUND`] inside a line, [`ui::BOUND_LEAD`] at
/// the start of a sentence.
pub fn bound(epsilon: f64, of: String, label: Text, lang: RwSignal<Lang>) -> impl IntoView {
    let b = math::dp_bound(epsilon, math::DELTA);
    view! {
        <span class="dp-bound">{move || label.get(lang.get())} " "
            <strong data-testid="dp-bound" data-value=b.to_string() data-epsilon=epsilon.to_string() data-of=of>{format!("{b:.2}")}</strong></span>
    }
}

/// A range slider with its value, for one setting.
fn slider<T>(
    id: &'static str,
    label: Text,
    value: RwSignal<T>,
    (min, max, step): (&'static str, &'static str, &'static str),
    lang: RwSignal<Lang>,
) -> impl IntoView
where
    T: std::str::FromStr + std::fmt::Display + Clone + Send + Sync + 'static,
{
    view! {
        <label for=id>{move || label.get(lang.get())}</label>
        <input id=id data-testid=id type="range" min=min max=max step=step prop:value=move || value.get().to_string()
            on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<T>() { value.set(v) } } />
        <output for=id>{move || value.get().to_string()}</output>
    }
}

/// The DP sliders; `epochs` too on the meter step.
pub fn dp_form(form: DpForm, with_epochs: bool, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <div class="form-row sliders">
            {slider("dp-clip", ui::CLIP, form.clip, ("0.1", "5", "0.1"), lang)}
            {slider("dp-noise", ui::NOISE, form.noise, ("0", "4", "0.1"), lang)}
            {slider("dp-lot", ui::LOT, form.lot, ("20", "500", "10"), lang)}
            {with_epochs.then(|| slider("dp-epochs", ui::EPOCHS, form.epochs, ("1", "60", "1"), lang))}
        </div>
    }
}

/// A run's button pair (train / stop) and its progress line.
fn run_controls(
    client: Client,
    state: State,
    form: DpForm,
    arm: Arm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let (label, id) = match arm {
        Arm::Plain => (ui::TRAIN_PLAIN, "mia-train-plain"),
        Arm::Private => (ui::TRAIN_PRIVATE, "dp-train"),
    };
    let stop_client = client.clone();
    let start = move |_| {
        state.begin(arm);
        client.send(&Command::Train {
            arm,
            dp: form.settings(),
            epochs: form.epochs.get_untracked(),
        });
    };
    let (curve, _) = state.arm(arm);
    view! {
        <div class="buttons">
            <button data-testid=id disabled=move || state.data.get().is_none() || state.running.get().is_some() on:click=start>
                {move || label.get(lang.get())}</button>
            <button class="secondary" data-testid=format!("{id}-stop") disabled=move || state.running.get() != Some(arm)
                on:click=move |_| stop_client.send(&Command::Stop)>{move || ui::STOP.get(lang.get())}</button>
            <span class="hint" role="status">{move || {
                if state.data.get().is_none() { return ui::WAITING.get(lang.get()).to_string(); }
                curve.with(|c| c.last().map(|&(e, steps, eps, acc)| {
                    // The private arm always has an ε: ∞ at σ = 0, where the accountant gives none
                    // (the meter's ε line below says why).
                    let eps = match (arm, eps) {
                        (Arm::Plain, _) => String::new(),
                        (Arm::Private, Some(e)) => format!(" · ε {e:.2} (eᵋ ≈ {})", math::exp_epsilon(e)),
                        (Arm::Private, None) => " · ε ∞".to_string(),
                    };
                    match lang.get() {
                        Lang::En => format!("epoch {e}/{} · {steps} steps · test accuracy {}{eps}", form.epochs.get(), percent(lang.get(), f64::from(acc), 1)),
                        Lang::Zh => format!("第 {e}/{} 轮 · {steps} 步 · 测试准确率 {}{eps}", form.epochs.get(), percent(lang.get(), f64::from(acc), 1)),
                    }
                })).unwrap_or_default()
            }}</span>
        </div>
    }
}

/// The membership test's result in words: the held-out advantage against the no-leak floor.
fn membership_sentence(r: &ArmResult, lang: Lang) -> String {
    let m = r.membership;
    let (tpr, fpr) = (
        percent(lang, f64::from(m.tpr), 1),
        percent(lang, f64::from(m.fpr), 1),
    );
    let (adv, floor) = (m.advantage, r.floor);
    // The judged half: the odd-numbered members and outsiders (math::held_out).
    let (jm, jo) = (r.member_losses.len() / 2, r.outsider_losses.len() / 2);
    match (lang, adv > floor) {
        (Lang::En, true) => format!(
            "The threshold chosen on half the images (loss at most {:.4}) catches {tpr} of the other half's members and wrongly accuses {fpr} of its outsiders: an advantage of {adv:.2}, above the no-leak floor of {floor:.2} (what 95 % of the shuffles of membership stay below): unlikely to be luck (a one-sided 5 % test). The loss gives away, better than chance, which images the model was trained on.",
            m.threshold
        ),
        (Lang::En, false) => format!(
            "The threshold chosen on half the images (loss at most {:.4}) catches {tpr} of the other half's members and accuses {fpr} of its outsiders: an advantage of only {adv:.2}, within the no-leak floor of {floor:.2}. This threshold test, on these {jm} + {jo} judged images, could not tell members from outsiders better than chance; a stronger attack might.",
            m.threshold
        ),
        (Lang::Zh, true) => format!(
            "在一半图像上选定的阈值（损失不超过 {:.4}）在另一半中抓到 {tpr} 的成员，同时误判 {fpr} 的非成员：优势为 {adv:.2}，高于无泄露基线 {floor:.2}（打乱成员身份的各次结果中 95% 不超过它）：不太可能是运气（单侧 5% 检验）。损失以优于随机猜测的程度暴露了模型用哪些图像训练过。",
            m.threshold
        ),
        (Lang::Zh, false) => format!(
            "在一半图像上选定的阈值（损失不超过 {:.4}）在另一半中抓到 {tpr} 的成员、误判 {fpr} 的非成员：优势只有 {adv:.2}，没有超出无泄露基线 {floor:.2}。在这 {jm} + {jo} 张被评判的图像上，这个阈值检验无法比随机猜测更好地区分成员与非成员；更强的攻击也许可以。",
            m.threshold
        ),
    }
}

/// Two loss histograms (members, outsiders) as bars over 12 bins.
fn loss_histograms(r: &ArmResult, lang: Lang) -> impl IntoView + use<> {
    let mut sorted = r.outsider_losses.clone();
    sorted.sort_by(f32::total_cmp);
    let top = sorted
        .get(sorted.len() * 95 / 100)
        .copied()
        .unwrap_or(1.0)
        .max(0.1);
    let bins = 12;
    let frac = |v: &[f32]| {
        math::histogram(v, top, bins)
            .iter()
            .map(|&c| c as f64 / v.len().max(1) as f64)
            .collect::<Vec<f64>>()
    };
    let (m, o) = (frac(&r.member_losses), frac(&r.outsider_losses));
    let hi = m.iter().chain(&o).copied().fold(0.05, f64::max);
    let labels: Vec<String> = (0..bins)
        .map(|i| {
            if i % 3 == 0 {
                format!("{:.2}", top * i as f32 / bins as f32)
            } else {
                String::new()
            }
        })
        .collect();
    let aria = match lang {
        Lang::En => "Share of member and outsider images per loss bin".to_string(),
        Lang::Zh => "每个损失区间中成员与非成员图像的比例".to_string(),
    };
    view! {
        <BarChart series=Signal::derive(move || vec![
            BarSeries { values: m.clone(), class: "q-bar" },
            BarSeries { values: o.clone(), class: "p-bar" },
        ]) labels=labels range=(0.0, (hi * 10.0).ceil() / 10.0) testid="mia-histogram" aria=aria />
        <p class="legend"><span class="key q-key"></span>{ui::MEMBERS.get(lang)}
            <span class="key p-key"></span>{ui::OUTSIDERS.get(lang)}
            {format!(" · {} →", ui::LOSS_AXIS.get(lang))}</p>
    }
}

/// Step 1: train without privacy; the membership test on its losses.
pub fn remember_panel(
    client: Client,
    state: State,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let predict = super::check::predict_two_first(client.clone(), state, lang);
    view! {
        <div class="panel wide" data-testid="mia">
            {predict}
            {move || state.data.get().map(|(m, o, t)| {
                // The lesson's small set takes its outsiders from the training split; the full-MNIST
                // mode (members above it) takes them from the test split (worker.rs).
                let from_test = m > super::worker::MEMBERS;
                match (lang.get(), from_test) {
                    (Lang::En, false) => format!("{m} member images (trained on) · {o} outsider images (from the same training split, never trained on) · {t} test images · model 784-128-10 · SGD lr 0.1, momentum 0.5, batch {} · {} epochs", form.lot.get(), form.epochs.get()),
                    (Lang::En, true) => format!("{m} member images (trained on) · {o} outsider images (from the test split, never trained on) · {t} test images · model 784-128-10 · SGD lr 0.1, momentum 0.5, batch {} · {} epochs", form.lot.get(), form.epochs.get()),
                    (Lang::Zh, false) => format!("{m} 张成员图像（参与训练）· {o} 张非成员图像（来自同一训练集，从未参与训练）· {t} 张测试图像 · 模型 784-128-10 · SGD 学习率 0.1，动量 0.5，批大小 {} · {} 轮", form.lot.get(), form.epochs.get()),
                    (Lang::Zh, true) => format!("{m} 张成员图像（参与训练）· {o} 张非成员图像（来自测试集，从未参与训练）· {t} 张测试图像 · 模型 784-128-10 · SGD 学习率 0.1，动量 0.5，批大小 {} · {} 轮", form.lot.get(), form.epochs.get()),
                }
            }).map(|s| view! { <p class="hint" data-testid="mia-setup">{s}</p> })}
            {run_controls(client, state, form, Arm::Plain, lang)}
            {move || state.plain.get().map(|r| view! {
                <div class="two">
                    <div>{loss_histograms(&r, lang.get())}</div>
                    <div>
                        <p class="big">{move || ui::ADVANTAGE.get(lang.get())} ": "
                            <strong data-testid="mia-advantage" data-value=r.membership.advantage.to_string() data-held-out="true">{format!("{:.2}", r.membership.advantage)}</strong>
                            " · " {move || ui::FLOOR.get(lang.get())} ": "
                            <strong data-testid="mia-floor" data-value=r.floor.to_string()>{format!("{:.2}", r.floor)}</strong></p>
                        <p>{move || tx("Accuracy on the members", "成员上的准确率").get(lang.get())} " "
                            <strong data-testid="mia-member-accuracy">{percent(lang.get(), f64::from(r.member_accuracy), 1)}</strong>
                            " · " {move || ui::TEST_ACCURACY.get(lang.get())} " "
                            <strong data-testid="mia-test-accuracy">{percent(lang.get(), f64::from(r.test_accuracy), 1)}</strong></p>
                        <p data-testid="mia-sentence">{membership_sentence(&r, lang.get())}</p>
                    </div>
                </div>
            })}
        </div>
    }
}

/// The lot sentence's second half, chosen by σ first: at σ = 0 there is no noise and no protection;
/// otherwise by whether the noise is longer than the clipped sum (`mostly_noise`), which tells how
/// the step learns, while its protection stays that of σ.
pub fn lot_sentence(noise: f32, mostly_noise: bool, l: Lang) -> String {
    match (l, noise > 0.0, mostly_noise) {
        (Lang::En, false, _) => "σ = 0: no noise at all, so this step has no protection.".into(),
        (Lang::En, true, true) => {
            "one step is mostly noise, and the signal comes through only over many steps.".into()
        }
        (Lang::En, true, false) => format!(
            "here the lot's combined signal is longer than the noise, which helps learning. That does not make this step less private: its protection comes from the noise against one example's at most C (σ = {noise}) and from the sampling rate, not from the noise against the sum."
        ),
        (Lang::Zh, false, _) => "σ = 0：完全没有噪声，这一步毫无保护。".into(),
        (Lang::Zh, true, true) => "单独一步几乎全是噪声，信号要在许多步之后才显现。".into(),
        (Lang::Zh, true, false) => format!(
            "这里整个批次的信号之和比噪声长，这有利于学习；但这并不削弱这一步的隐私保护：保护来自噪声相对于单个样本至多为 C 的贡献（σ = {noise}）以及采样率，而不是噪声相对于总和的大小。"
        ),
    }
}

/// Step 2: one lot taken apart.
pub fn lot_panel(
    client: Client,
    state: State,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let anatomy = RwSignal::new(None);
    let draws = RwSignal::new(0u64);
    let take = move |_| {
        let client = client.clone();
        let dp = form.settings();
        let draw = draws.get_untracked();
        draws.set(draw + 1);
        wasm_bindgen_futures::spawn_local(async move {
            match client.query(Query::Lot { dp, draw }).await {
                Some(Reply::Lot(a)) => {
                    let _ = anatomy.try_set(Some((a, dp)));
                }
                None => {}
            }
        });
    };
    view! {
        <div class="panel wide" data-testid="dp-lot-panel">
            {dp_form(form, false, lang)}
            <div class="buttons">
                <button data-testid="dp-take-lot" disabled=move || state.data.get().is_none() || state.running.get().is_some() on:click=take>
                    {move || ui::TAKE_LOT.get(lang.get())}</button>
            </div>
            {move || anatomy.get().map(|(a, dp)| {
                let clipped = a.norms.iter().filter(|&&n| n > dp.clip).count();
                let top = a.norms.iter().copied().fold(dp.clip * 1.5, f32::max);
                let bins = 15;
                let counts: Vec<f64> = math::histogram(&a.norms, top, bins).iter().map(|&c| c as f64).collect();
                let hi = counts.iter().copied().fold(1.0, f64::max);
                let labels: Vec<String> = (0..bins).map(|i| if i % 3 == 0 { format!("{:.1}", top * i as f32 / bins as f32) } else { String::new() }).collect();
                let c_bin = ((dp.clip / top * bins as f32) as usize).min(bins - 1);
                let (below, above): (Vec<f64>, Vec<f64>) = counts.iter().enumerate()
                    .map(|(i, &c)| if i < c_bin { (c, 0.0) } else { (0.0, c) }).unzip();
                let expected_noise = dp.noise * dp.clip * (a.parameters as f32).sqrt();
                let l = lang.get();
                // Which is longer is measured, not assumed: at small σ (σ starts at 0), or with a
                // large lot, the clipped sum can outgrow the noise. That says how well this step
                // learns, not how private it is: the protection comes from the noise against one
                // example's at most C (σ) and the sampling rate, never from the sum's length.
                let ratio = a.noise_norm / a.sum_norm.max(f32::MIN_POSITIVE);
                let sentence = lot_sentence(dp.noise, a.noise_norm > a.sum_norm, l);
                let en_head = format!("{clipped} of the {} examples in this lot had a gradient longer than C = {} and were scaled down to it. The noise added to their sum has length {:.2} (σ·C·√{} = {:.2} expected) against {:.2} for the sum itself, {ratio:.2} times as long", a.rows, dp.clip, a.noise_norm, a.parameters, expected_noise, a.sum_norm);
                let zh_head = format!("这个批次的 {} 个样本中，有 {clipped} 个的梯度长于 C = {}，被缩短到 C。加到它们之和上的噪声长度为 {:.2}（预期 σ·C·√{} = {:.2}），和本身为 {:.2}，噪声是它的 {ratio:.2} 倍", a.rows, dp.clip, a.noise_norm, a.parameters, expected_noise, a.sum_norm);
                let sentence = match l {
                    Lang::En => format!("{en_head}: {sentence}"),
                    Lang::Zh => format!("{zh_head}：{sentence}"),
                };
                view! {
                    <div class="two">
                        <div>
                            <BarChart series=Signal::derive(move || vec![
                                BarSeries { values: below.clone(), class: "q-bar" },
                                BarSeries { values: above.clone(), class: "grad-bar" },
                            ]) labels=labels range=(0.0, hi.ceil()) testid="dp-norm-histogram"
                                aria=Signal::derive(move || ui::NORM_AXIS.get(lang.get()).to_string()) />
                            <p class="legend"><span class="key q-key"></span>{move || tx("kept as they are (≤ C)", "保持不变（≤ C）").get(lang.get())}
                                <span class="key grad-key"></span>{move || tx("scaled down to C", "缩短到 C").get(lang.get())}
                                {move || format!(" · {} →", ui::NORM_AXIS.get(lang.get()))}</p>
                        </div>
                        <div>
                            <table class="numbers">
                                <tbody>
                                    <tr><th scope="row">{move || tx("examples in the lot", "批次中的样本").get(lang.get())}</th><td data-testid="dp-lot-rows">{a.rows}</td></tr>
                                    <tr><th scope="row">{move || tx("clipped", "被裁剪").get(lang.get())}</th><td data-testid="dp-lot-clipped" data-value=clipped.to_string() data-above=a.norms.iter().filter(|&&n| n > dp.clip).count().to_string()>{clipped}</td></tr>
                                    <tr><th scope="row">"‖Σ clip(g)‖"</th><td data-testid="dp-lot-sum">{format!("{:.3}", a.sum_norm)}</td></tr>
                                    <tr><th scope="row">{move || tx("‖noise‖", "‖噪声‖").get(lang.get())}</th><td data-testid="dp-lot-noise" data-value=a.noise_norm.to_string() data-expected=expected_noise.to_string()>{format!("{:.3}", a.noise_norm)}</td></tr>
                                    <tr><th scope="row">{move || tx("‖noise‖ / ‖Σ clip(g)‖", "‖噪声‖ / ‖Σ clip(g)‖").get(lang.get())}</th><td data-testid="dp-lot-ratio" data-value=ratio.to_string()>{format!("{ratio:.2}")}</td></tr>
                                    <tr><th scope="row">{move || tx("‖update‖ = lr·‖(Σ + noise)/L‖", "‖更新‖ = lr·‖(Σ + 噪声)/L‖").get(lang.get())}</th><td>{format!("{:.4}", a.update_norm)}</td></tr>
                                </tbody>
                            </table>
                            <p data-testid="dp-lot-sentence">{sentence}</p>
                            <p class="hint">{move || if a.trained { tx("On the last model trained.", "基于最近训练的模型。") } else { tx("On a freshly initialised model (train one in step 1 or 3 to use it).", "基于刚初始化的模型（在第 1 或第 3 步训练后将使用训练好的模型）。") }.get(lang.get())}</p>
                        </div>
                    </div>
                }
            })}
        </div>
    }
}

/// Step 3: the meter.
pub fn meter_panel(
    client: Client,
    state: State,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let forecast = move || {
        let s = form.settings();
        let steps = math::lots_per_epoch(s.lot, form.members) * form.epochs.get() as u64;
        (math::epsilon(s.lot, form.members, s.noise, steps), steps)
    };
    let latest = move || state.private_curve.with(|c| c.last().copied());
    let eps_series = Signal::derive(move || {
        vec![Series {
            points: state.private_curve.with(|c| {
                c.iter()
                    .filter_map(|&(e, _, eps, _)| eps.map(|v| (e as f64, v)))
                    .collect()
            }),
            class: "tuned",
            dots: true,
        }]
    });
    let acc_series = Signal::derive(move || {
        vec![
            Series {
                points: state.plain_curve.with(|c| {
                    c.iter()
                        .map(|&(e, _, _, a)| (e as f64, f64::from(a)))
                        .collect()
                }),
                class: "scratch",
                dots: true,
            },
            Series {
                points: state.private_curve.with(|c| {
                    c.iter()
                        .map(|&(e, _, _, a)| (e as f64, f64::from(a)))
                        .collect()
                }),
                class: "tuned",
                dots: true,
            },
        ]
    });
    let predict = super::check::predict_two_first(client.clone(), state, lang);
    view! {
        <div class="panel wide" data-testid="dp-meter">
            {predict}
            {dp_form(form, true, lang)}
            <p class="big">{move || ui::FORECAST.get(lang.get())} ": "
                {move || { let (e, steps) = forecast(); view! {
                    <strong data-testid="dp-epsilon-forecast" data-value=e.map(|v| v.to_string()).unwrap_or_default() data-steps=steps.to_string()>
                        {format!("ε = {}", math::epsilon_text(math::shown_epsilon(e), 2))}</strong>
                    {e.map(|v| view! { " (" {exp_eps(v)} ")" })}
                    <span class="hint">{format!(" ({steps} ")}{move || tx("lots; δ = 10⁻⁵)", "个批次；δ = 10⁻⁵）").get(lang.get())}</span>
                }}}
            </p>
            {move || match forecast().0 {
                Some(e) => view! {
                    <p data-testid="dp-forecast-bound">{bound(e, "forecast".into(), ui::BOUND_LEAD, lang)}
                        {move || tx(" for any membership test, before any run: the attack measures a lower bound on what leaks, ε gives an upper bound.",
                            "，对任何成员推断都成立，在任何运行之前即可算出：攻击测得的是泄露的下界，ε 给出的是上界。").get(lang.get())}</p>
                }.into_any(),
                None => view! {
                    <p data-testid="dp-forecast-no-guarantee">{move || ui::NO_GUARANTEE.get(lang.get())}
                        {move || tx(" Nothing then limits what a membership test can find.", "这时没有任何东西限制成员推断能发现什么。").get(lang.get())}</p>
                }.into_any(),
            }}
            {run_controls(client, state, form, Arm::Private, lang)}
            {move || latest().map(|(epoch, steps, eps, acc)| view! {
                <p>{move || ui::EPSILON.get(lang.get())} " "
                    <strong data-testid="dp-epsilon" data-value=eps.map(|v| v.to_string()).unwrap_or_default() data-steps=steps.to_string() data-epoch=epoch.to_string()>
                        {math::epsilon_text(math::shown_epsilon(eps), 3)}</strong>
                    {match eps {
                        Some(v) => view! { " (" {exp_eps(v)} ")" }.into_any(),
                        None => view! { " · " <span data-testid="dp-no-guarantee">{move || ui::NO_GUARANTEE.get(lang.get())}</span> }.into_any(),
                    }}
                    " · " {move || ui::TEST_ACCURACY.get(lang.get())} " "
                    <strong data-testid="dp-accuracy" data-value=acc.to_string()>{move || percent(lang.get(), f64::from(acc), 1)}</strong></p>
            })}
            {move || state.private.get().map(|r| (math::shown_epsilon(r.epsilon), r)).map(|(e, r)| view! {
                <p data-testid="dp-run-advantage">{move || ui::ADVANTAGE.get(lang.get())} " "
                    <strong data-value=r.membership.advantage.to_string()>{format!("{:.2}", r.membership.advantage)}</strong>
                    {move || tx(" (measured, held out; no-leak floor ", "（实测，留出一半；无泄露基线 ").get(lang.get())}{format!("{:.2}", r.floor)}
                    {move || tx(") · ", "）· ").get(lang.get())}{bound(e, "run".into(), ui::BOUND, lang)}</p>
            })}
            <div class="two">
                <LineChart series=eps_series width=420.0 x_label=EPOCH y_label=tx("ε", "ε") testid="dp-epsilon-chart" aria=tx("ε after each epoch", "每轮之后的 ε") />
                <LineChart series=acc_series width=420.0 y_top=1.0 y_percent=true zoom=true x_label=EPOCH y_label=ACCURACY testid="dp-accuracy-chart"
                    aria=tx("test accuracy per epoch, without privacy and with DP-SGD", "每轮的测试准确率：无隐私保护与 DP-SGD") />
            </div>
            <p class="legend"><span class="swatch train-key"></span>{move || ui::NO_PRIVACY.get(lang.get())}
                <span class="swatch validation-key"></span>{move || ui::DP_SGD.get(lang.get())}</p>
        </div>
    }
}

/// Step 5: what encryption would take.
pub fn encryption_panel(lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <div class="panel wide card" data-testid="encryption">
            <p>{move || ui::ENCRYPTION_CARD.get(lang.get())}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lot_sentence_never_calls_a_noisy_step_unprotected() {
        // σ = 0: no noise, no protection, whatever the lengths.
        for mostly_noise in [true, false] {
            assert!(lot_sentence(0.0, mostly_noise, Lang::En).contains("no protection"));
            assert!(lot_sentence(0.0, mostly_noise, Lang::Zh).contains("毫无保护"));
        }
        // σ > 0 with a longer sum: it helps learning, and the protection is σ's.
        let en = lot_sentence(2.0, false, Lang::En);
        assert!(
            en.contains("helps learning") && en.contains("not make this step less private"),
            "{en}"
        );
        assert!(!en.contains("little protected") && !en.contains("no protection"));
        let zh = lot_sentence(2.0, false, Lang::Zh);
        assert!(zh.contains("并不削弱") && !zh.contains("毫无保护"), "{zh}");
        assert!(lot_sentence(2.0, true, Lang::En).contains("mostly noise"));
    }
}
