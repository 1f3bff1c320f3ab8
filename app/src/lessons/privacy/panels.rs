//! The privacy lesson's panels, one per step. Every number comes from the worker's runs and lots or
//! from the accountant; every sentence that states a result is chosen by those numbers.

use leptos::prelude::*;

use super::math;
use super::protocol::{Arm, ArmResult, DpSettings, PrQuery, PrReply, PrToWorker};
use super::state::{PrClient, PrState};
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
}

impl DpForm {
    /// The settings now.
    pub fn settings(&self) -> DpSettings {
        DpSettings {
            clip: self.clip.get(),
            noise: self.noise.get(),
            lot: self.lot.get(),
        }
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
    client: PrClient,
    state: PrState,
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
        client.send(&PrToWorker::Train {
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
                on:click=move |_| stop_client.send(&PrToWorker::Stop)>{move || ui::STOP.get(lang.get())}</button>
            <span class="hint" role="status">{move || {
                if state.data.get().is_none() { return ui::WAITING.get(lang.get()).to_string(); }
                curve.with(|c| c.last().map(|&(e, steps, eps, acc)| {
                    let eps = eps.map(|e| format!(" · ε {e:.2}")).unwrap_or_default();
                    match lang.get() {
                        Lang::En => format!("epoch {e}/{} · {steps} steps · test accuracy {}{eps}", form.epochs.get(), percent(lang.get(), f64::from(acc), 1)),
                        Lang::Zh => format!("第 {e}/{} 轮 · {steps} 步 · 测试准确率 {}{eps}", form.epochs.get(), percent(lang.get(), f64::from(acc), 1)),
                    }
                })).unwrap_or_default()
            }}</span>
        </div>
    }
}

/// The membership test's result in words.
fn membership_sentence(r: &ArmResult, lang: Lang) -> String {
    let m = r.membership;
    let (tpr, fpr) = (
        percent(lang, f64::from(m.tpr), 1),
        percent(lang, f64::from(m.fpr), 1),
    );
    let strong = m.advantage > 0.2;
    match (lang, strong) {
        (Lang::En, true) => format!(
            "Calling an image a member when its loss is at most {:.4} catches {tpr} of the members and wrongly accuses {fpr} of the outsiders: an advantage of {:.2}. The model gives away which images it was trained on.",
            m.threshold, m.advantage
        ),
        (Lang::En, false) => format!(
            "The best threshold ({:.4}) catches {tpr} of the members and accuses {fpr} of the outsiders: an advantage of only {:.2}. The loss says little about which images were trained on.",
            m.threshold, m.advantage
        ),
        (Lang::Zh, true) => format!(
            "损失不超过 {:.4} 就判为成员：能抓到 {tpr} 的成员，同时误判 {fpr} 的非成员，优势为 {:.2}。模型暴露了它用哪些图像训练过。",
            m.threshold, m.advantage
        ),
        (Lang::Zh, false) => format!(
            "最佳阈值（{:.4}）抓到 {tpr} 的成员、误判 {fpr} 的非成员，优势只有 {:.2}。损失几乎透露不出哪些图像参与过训练。",
            m.threshold, m.advantage
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
    client: PrClient,
    state: PrState,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    view! {
        <div class="panel wide" data-testid="mia">
            {move || state.data.get().map(|(m, o, t)| match lang.get() {
                Lang::En => format!("{m} member images (trained on) · {o} outsider images (same split, never trained on) · {t} test images · model 784-128-10 · SGD lr 0.1, momentum 0.5, batch {} · {} epochs", form.lot.get(), form.epochs.get()),
                Lang::Zh => format!("{m} 张成员图像（参与训练）· {o} 张非成员图像（同一数据集，从未训练）· {t} 张测试图像 · 模型 784-128-10 · SGD 学习率 0.1，动量 0.5，批大小 {} · {} 轮", form.lot.get(), form.epochs.get()),
            }).map(|s| view! { <p class="hint" data-testid="mia-setup">{s}</p> })}
            {run_controls(client, state, form, Arm::Plain, lang)}
            {move || state.plain.get().map(|r| view! {
                <div class="two">
                    <div>{loss_histograms(&r, lang.get())}</div>
                    <div>
                        <p class="big">{move || ui::ADVANTAGE.get(lang.get())} ": "
                            <strong data-testid="mia-advantage" data-value=r.membership.advantage.to_string()>{format!("{:.2}", r.membership.advantage)}</strong></p>
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

/// Step 2: one lot taken apart.
pub fn lot_panel(
    client: PrClient,
    state: PrState,
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
            match client.query(PrQuery::Lot { dp, draw }).await {
                Some(PrReply::Lot(a)) => {
                    let _ = anatomy.try_set(Some((a, dp)));
                }
                Some(PrReply::Failed(m)) => state.errors.update(|e| e.push(m)),
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
                let sentence = match l {
                    Lang::En => format!("{clipped} of the {} examples in this lot had a gradient longer than C = {} and were scaled down to it. The noise added to their sum has length {:.2} (σ·C·√{} = {:.2} expected) against {:.2} for the sum itself: one step is mostly noise, and the signal comes through only over many steps.", a.rows, dp.clip, a.noise_norm, a.parameters, expected_noise, a.sum_norm),
                    Lang::Zh => format!("这个批次的 {} 个样本中，有 {clipped} 个的梯度长于 C = {}，被缩短到 C。加到它们之和上的噪声长度为 {:.2}（预期 σ·C·√{} = {:.2}），而和本身只有 {:.2}：单独一步几乎全是噪声，信号要在许多步之后才显现。", a.rows, dp.clip, a.noise_norm, a.parameters, expected_noise, a.sum_norm),
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
    client: PrClient,
    state: PrState,
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
    view! {
        <div class="panel wide" data-testid="dp-meter">
            {dp_form(form, true, lang)}
            <p class="big">{move || ui::FORECAST.get(lang.get())} ": "
                {move || { let (e, steps) = forecast(); view! {
                    <strong data-testid="dp-epsilon-forecast" data-value=e.map(|v| v.to_string()).unwrap_or_default() data-steps=steps.to_string()>
                        {e.map_or_else(|| "—".to_string(), |v| format!("ε = {v:.2}"))}</strong>
                    <span class="hint">{format!(" ({steps} ")}{move || tx("lots; δ = 10⁻⁵; RDP, classic conversion)", "个批次；δ = 10⁻⁵；RDP，经典转换）").get(lang.get())}</span>
                }}}
            </p>
            {run_controls(client, state, form, Arm::Private, lang)}
            {move || latest().map(|(epoch, steps, eps, acc)| view! {
                <p>{move || ui::EPSILON.get(lang.get())} " "
                    <strong data-testid="dp-epsilon" data-value=eps.map(|v| v.to_string()).unwrap_or_default() data-steps=steps.to_string() data-epoch=epoch.to_string()>
                        {eps.map_or_else(|| "—".to_string(), |v| format!("{v:.3}"))}</strong>
                    " · " {move || ui::TEST_ACCURACY.get(lang.get())} " "
                    <strong data-testid="dp-accuracy" data-value=acc.to_string()>{move || percent(lang.get(), f64::from(acc), 1)}</strong></p>
            })}
            <div class="two">
                <LineChart series=eps_series x_label=EPOCH y_label=tx("ε", "ε") testid="dp-epsilon-chart" aria=tx("ε after each epoch", "每轮之后的 ε") />
                <LineChart series=acc_series y_top=1.0 y_percent=true zoom=true x_label=EPOCH y_label=ACCURACY testid="dp-accuracy-chart"
                    aria=tx("test accuracy per epoch, without privacy and with DP-SGD", "每轮的测试准确率：无隐私保护与 DP-SGD") />
            </div>
            <p class="legend"><span class="swatch train-key"></span>{move || ui::NO_PRIVACY.get(lang.get())}
                <span class="swatch validation-key"></span>{move || ui::DP_SGD.get(lang.get())}</p>
        </div>
    }
}

/// The sweep's targets: ε ≈ 1, 3 and 8.
pub const SWEEP: [f64; 3] = [1.0, 3.0, 8.0];

/// Accuracy against ε: DP-SGD runs at σ chosen by the accountant for ε ≈ 1, 3, 8 (same C, L and epochs
/// as the meter), beside the run without privacy.
fn sweep_section(
    client: PrClient,
    state: PrState,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let plan = move || {
        let s = form.settings();
        let steps = math::lots_per_epoch(s.lot, form.members) * form.epochs.get() as u64;
        SWEEP
            .iter()
            .map(|&t| math::sigma_for(t, s.lot, form.members, steps))
            .collect::<Vec<_>>()
    };
    let start = move |_| {
        let s = form.settings();
        let runs: Vec<(DpSettings, u32)> = plan()
            .into_iter()
            .enumerate()
            .filter_map(|(i, sigma)| sigma.map(|noise| (DpSettings { noise, ..s }, i as u32 + 1)))
            .collect();
        if runs.len() == SWEEP.len() {
            state.sweep.set(Vec::new());
            state.running.set(Some(Arm::Private));
            client.send(&PrToWorker::Sweep {
                runs,
                epochs: form.epochs.get_untracked(),
            });
        }
    };
    let series = Signal::derive(move || {
        let mut pts: Vec<(f64, f64)> = state.sweep.with(|s| {
            s.iter()
                .filter_map(|r| r.epsilon.map(|e| (e, f64::from(r.test_accuracy))))
                .collect()
        });
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let right = pts.last().map_or(8.0, |p| p.0);
        let mut v = vec![Series {
            points: pts,
            class: "tuned",
            dots: true,
        }];
        if let Some(p) = state.plain.get() {
            v.push(Series {
                points: vec![
                    (0.0, f64::from(p.test_accuracy)),
                    (right, f64::from(p.test_accuracy)),
                ],
                class: "scratch",
                dots: false,
            });
        }
        v
    });
    view! {
        <h3>{move || tx("Accuracy against ε", "准确率与 ε").get(lang.get())}</h3>
        <div class="buttons">
            <button data-testid="dp-sweep" disabled=move || state.data.get().is_none() || state.running.get().is_some() || plan().iter().any(Option::is_none) on:click=start>
                {move || tx("Measure at ε ≈ 1, 3 and 8", "在 ε ≈ 1、3、8 处测量").get(lang.get())}</button>
            <span class="hint" role="status">{move || {
                let sigmas = plan();
                let line = SWEEP.iter().zip(&sigmas).map(|(t, s)| s.map_or_else(|| format!("ε {t}: —"), |s| format!("ε {t}: σ {s:.2}"))).collect::<Vec<_>>().join(" · ");
                let at = state.sweep_at.get().map(|(tag, e)| format!(" · {} {tag}/{}, {} {e}", tx("run", "运行").get(lang.get()), SWEEP.len(), tx("epoch", "轮").get(lang.get()))).unwrap_or_default();
                format!("C {}, L {}, {} {} · {line}{at}", form.clip.get(), form.lot.get(), form.epochs.get(), tx("epochs", "轮").get(lang.get()))
            }}</span>
        </div>
        <div class="two">
        <LineChart series=series y_top=1.0 y_percent=true zoom=true x_label=tx("ε (δ = 10⁻⁵)", "ε（δ = 10⁻⁵）") y_label=ACCURACY testid="dp-sweep-chart"
            aria=tx("test accuracy against ε, DP-SGD runs and the run without privacy", "测试准确率与 ε：DP-SGD 各次运行与无隐私保护的运行") />
        <table class="numbers">
            <tbody>
                {move || state.sweep.get().into_iter().map(|r| view! {
                    <tr data-testid="dp-sweep-row" data-epsilon=r.epsilon.map(|e| e.to_string()).unwrap_or_default() data-accuracy=r.test_accuracy.to_string()
                        data-advantage=r.membership.advantage.to_string()>
                        <td>{format!("ε = {:.2}", r.epsilon.unwrap_or(f64::NAN))}</td><td>{format!("σ = {:.2}", r.dp.noise)}</td>
                        <td>{move || percent(lang.get(), f64::from(r.test_accuracy), 1)}</td>
                        <td>{move || ui::ADVANTAGE.get(lang.get())} {format!(" {:.2}", r.membership.advantage)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
        {move || {
            let s = state.sweep.get();
            (s.len() == SWEEP.len()).then(|| {
                let (lo, hi) = (&s[0], &s[s.len() - 1]);
                let l = lang.get();
                let plain = state.plain.get().map(|p| percent(l, f64::from(p.test_accuracy), 1));
                let (a, b) = (percent(l, f64::from(lo.test_accuracy), 1), percent(l, f64::from(hi.test_accuracy), 1));
                let (ea, eb) = (lo.epsilon.unwrap_or(f64::NAN), hi.epsilon.unwrap_or(f64::NAN));
                let rises = hi.test_accuracy > lo.test_accuracy;
                let text = match (l, rises) {
                    (Lang::En, true) => format!("More privacy, less accuracy: {a} at ε = {ea:.2}, {b} at ε = {eb:.2}{}.", plain.map(|p| format!(", {p} without privacy")).unwrap_or_default()),
                    (Lang::En, false) => format!("Here accuracy did not rise with ε ({a} at ε = {ea:.2}, {b} at ε = {eb:.2}): on 1,000 images the runs' own noise is as large as the difference."),
                    (Lang::Zh, true) => format!("隐私越强，准确率越低：ε = {ea:.2} 时 {a}，ε = {eb:.2} 时 {b}{}。", plain.map(|p| format!("，不加隐私保护时 {p}")).unwrap_or_default()),
                    (Lang::Zh, false) => format!("这里准确率并未随 ε 上升（ε = {ea:.2} 时 {a}，ε = {eb:.2} 时 {b}）：在 1,000 张图像上，各次运行本身的噪声与差异一样大。"),
                };
                view! { <p data-testid="dp-sweep-sentence">{text}</p> }
            })
        }}
    }
}

/// Step 4: the two arms side by side, and accuracy against ε.
pub fn cost_panel(
    client: PrClient,
    state: PrState,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    view! {
        <div class="panel wide" data-testid="dp-cost">
            {move || match (state.plain.get(), state.private.get()) {
                (Some(p), Some(d)) => {
                    let l = lang.get();
                    let drops: Vec<(usize, f32)> = {
                        let mut v: Vec<(usize, f32)> = p.class_accuracy.iter().zip(&d.class_accuracy).map(|(a, b)| a - b).enumerate().collect();
                        v.sort_by(|a, b| b.1.total_cmp(&a.1));
                        v
                    };
                    let worst: Vec<String> = drops.iter().take(2).map(|(c, _)| c.to_string()).collect();
                    let sentence = match l {
                        Lang::En => format!("With DP-SGD (ε = {:.2}) the test accuracy is {} instead of {}, and the membership advantage {:.2} instead of {:.2}. The digits that lose most: {}.",
                            d.epsilon.unwrap_or(f64::NAN), percent(l, f64::from(d.test_accuracy), 1), percent(l, f64::from(p.test_accuracy), 1), d.membership.advantage, p.membership.advantage, worst.join(" and ")),
                        Lang::Zh => format!("使用 DP-SGD（ε = {:.2}）后，测试准确率为 {}（原为 {}），成员推断优势为 {:.2}（原为 {:.2}）。损失最大的数字：{}。",
                            d.epsilon.unwrap_or(f64::NAN), percent(l, f64::from(d.test_accuracy), 1), percent(l, f64::from(p.test_accuracy), 1), d.membership.advantage, p.membership.advantage, worst.join("、")),
                    };
                    view! {
                        <table class="numbers">
                            <thead><tr><th></th><th scope="col">{ui::NO_PRIVACY.get(l)}</th><th scope="col">{ui::DP_SGD.get(l)}</th></tr></thead>
                            <tbody>
                                <tr><th scope="row">{ui::EPSILON.get(l)}</th><td>"∞"</td><td>{format!("{:.2}", d.epsilon.unwrap_or(f64::NAN))}</td></tr>
                                <tr><th scope="row">{ui::TEST_ACCURACY.get(l)}</th><td>{percent(l, f64::from(p.test_accuracy), 1)}</td><td>{percent(l, f64::from(d.test_accuracy), 1)}</td></tr>
                                <tr><th scope="row">{tx("Accuracy on the members", "成员上的准确率").get(l)}</th><td>{percent(l, f64::from(p.member_accuracy), 1)}</td><td>{percent(l, f64::from(d.member_accuracy), 1)}</td></tr>
                                <tr><th scope="row">{ui::ADVANTAGE.get(l)}</th><td data-testid="cost-advantage-plain">{format!("{:.2}", p.membership.advantage)}</td><td data-testid="cost-advantage-private">{format!("{:.2}", d.membership.advantage)}</td></tr>
                                <tr><th scope="row">{tx("Settings", "设置").get(l)}</th><td>{format!("batch {}, {} epochs", p.dp.lot, p.epochs)}</td><td>{format!("C {}, σ {}, L {}, {} epochs", d.dp.clip, d.dp.noise, d.dp.lot, d.epochs)}</td></tr>
                            </tbody>
                        </table>
                        <table class="numbers per-class">
                            <thead><tr><th scope="col">{tx("digit", "数字").get(l)}</th>{(0..10).map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                <tr><th scope="row">{ui::NO_PRIVACY.get(l)}</th>{p.class_accuracy.iter().map(|&a| view! { <td>{format!("{:.0}", 100.0 * a)}</td> }).collect_view()}</tr>
                                <tr><th scope="row">{ui::DP_SGD.get(l)}</th>{d.class_accuracy.iter().enumerate().map(|(c, &a)| view! {
                                    <td data-testid=format!("dp-class-accuracy-{c}") data-value=a.to_string()>{format!("{:.0}", 100.0 * a)}</td>
                                }).collect_view()}</tr>
                            </tbody>
                        </table>
                        <p data-testid="dp-cost-sentence">{sentence}</p>
                    }.into_any()
                }
                _ => view! { <p class="hint">{ui::RUN_BOTH.get(lang.get())}</p> }.into_any(),
            }}
            {sweep_section(client, state, form, lang)}
            <p class="hint" data-testid="dp-full-mnist">{move || ui::FULL_MNIST.get(lang.get())}</p>
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

/// Step 6: questions graded by the accountant and the runs.
pub fn check_panel(state: PrState, form: DpForm, lang: RwSignal<Lang>) -> impl IntoView {
    let q1 = RwSignal::new(None::<usize>);
    let q2 = RwSignal::new(None::<bool>);
    // ε at these settings and at twice the noise, for the planned epochs.
    let ratio = move || {
        let s = form.settings();
        let steps = math::lots_per_epoch(s.lot, form.members) * form.epochs.get() as u64;
        let a = math::epsilon(s.lot, form.members, s.noise, steps)?;
        let b = math::epsilon(s.lot, form.members, 2.0 * s.noise, steps)?;
        Some((a, b, b / a))
    };
    // 0: about half (within 10 %), 1: falls by less than half, 2: falls to less than half.
    let truth = move || {
        ratio().map(|(_, _, r)| {
            if (0.45..=0.55).contains(&r) {
                0
            } else if r > 0.55 {
                1
            } else {
                2
            }
        })
    };
    let shrinks = move || match (state.plain.get(), state.private.get()) {
        (Some(p), Some(d)) => Some(d.membership.advantage < p.membership.advantage),
        _ => None,
    };
    view! {
        <div class="panel wide" data-testid="privacy-check">
            <p>{move || ui::Q1.get(lang.get())}</p>
            <div class="buttons">
                {[ui::Q1_YES, ui::Q1_LESS, ui::Q1_MORE].into_iter().enumerate().map(|(i, t)| view! {
                    <button class="secondary" class:chosen=move || q1.get() == Some(i) data-testid=format!("privacy-q1-{i}")
                        disabled=move || q1.get().is_some() || form.noise.get() <= 0.0 on:click=move |_| q1.set(Some(i))>{move || t.get(lang.get())}</button>
                }).collect_view()}
            </div>
            {move || q1.get().zip(truth()).zip(ratio()).map(|((picked, right), (a, b, _))| {
                let ok = picked == right;
                view! {
                    <p data-testid="privacy-q1-result" data-correct=ok.to_string() class=if ok { "good" } else { "bad" }>
                        {if ok { ui::RIGHT.get(lang.get()) } else { ui::WRONG.get(lang.get()) }}
                        {format!(" σ = {} → ε = {a:.2}; σ = {} → ε = {b:.2}", form.noise.get_untracked(), 2.0 * form.noise.get_untracked())}</p>
                }
            })}
            <p>{move || ui::Q2.get(lang.get())}</p>
            <div class="buttons">
                <button class="secondary" class:chosen=move || q2.get() == Some(true) data-testid="privacy-q2-yes"
                    disabled=move || q2.get().is_some() on:click=move |_| q2.set(Some(true))>{move || ui::Q2_YES.get(lang.get())}</button>
                <button class="secondary" class:chosen=move || q2.get() == Some(false) data-testid="privacy-q2-no"
                    disabled=move || q2.get().is_some() on:click=move |_| q2.set(Some(false))>{move || ui::Q2_NO.get(lang.get())}</button>
            </div>
            {move || q2.get().map(|picked| match (shrinks(), state.plain.get(), state.private.get()) {
                (Some(s), Some(p), Some(d)) => view! {
                    <p data-testid="privacy-q2-result" data-correct=(picked == s).to_string() class=if picked == s { "good" } else { "bad" }>
                        {if picked == s { ui::RIGHT.get(lang.get()) } else { ui::WRONG.get(lang.get()) }}
                        {format!(" {:.2} → {:.2}", p.membership.advantage, d.membership.advantage)}</p>
                }.into_any(),
                _ => view! { <p class="hint" data-testid="privacy-q2-wait">{move || ui::Q2_WAIT.get(lang.get())}</p> }.into_any(),
            })}
        </div>
    }
}
