//! Steps 4–8: FGSM on one image, accuracy against ε over the test images beside a published curve,
//! adversarial training against its control arm, overconfidence on scribbles and noise, and the
//! questions.

use leptos::prelude::*;

use super::panels::{ImagePicker, Pick, ask, classify_drawing, top};
use super::protocol::Client;
use super::protocol::{Arm, Command, FgsmView, Query, Reply};
use super::state::{Point, State};
use super::text::ui;
use super::{EPSILONS, HARDEN_EPSILON};
use crate::ui::drawing::DrawingPad;
use crate::ui::heatmap::{DigitImage, Heatmap, Layout};
use crate::ui::i18n::{Lang, percent};
use crate::ui::line_chart::{LineChart, Series};
use kernels::attack::FINE_TUNE;

/// The PyTorch FGSM tutorial's published accuracies of its LeNet at ε = 0, 0.1, 0.2, 0.3.
pub const REFERENCE: [(f32, f32); 4] = crate::cited::LENET_CURVE;

/// An accuracy or a probability as `lang` writes it, one decimal ("24.4 %" / "24.4%").
fn pc(lang: Lang, fraction: f32) -> String {
    percent(lang, f64::from(fraction), 1)
}

/// 1.96 standard errors of an accuracy `p` measured on `n` images (a 95 % band).
pub fn band(p: f32, n: usize) -> f32 {
    1.96 * (p * (1.0 - p) / n.max(1) as f32).sqrt()
}

/// Step 4.
pub fn fgsm(client: Client, state: State, pick: Pick, lang: RwSignal<Lang>) -> impl IntoView {
    let picker = client.clone();
    // Opens at no change, so "raise ε until the answer changes" holds for every image.
    let eps = RwSignal::new(0.0f32);
    let view_ = RwSignal::new(None::<FgsmView>);
    let asked = RwSignal::new(0u32);
    Effect::new(move |_| {
        let ((i, drawn), e) = (pick.get(), eps.get());
        let n = asked.get_untracked() + 1;
        asked.set(n);
        ask(
            &client,
            Query::Fgsm {
                image: i,
                drawn,
                epsilon: e,
            },
            move |r| {
                if let Reply::Fgsm(f) = r
                    && asked.get_untracked() == n
                {
                    view_.set(Some(*f));
                }
            },
        );
    });
    view! {
        <div class="panel wide" data-testid="fgsm">
            <ImagePicker pick client=picker.clone() state lang />
            <label>{move || ui::EPS.get(lang.get())} " " {move || format!("{:.2}", eps.get())}
                <input type="range" data-testid="fgsm-eps" min="0" max="0.3" step="0.01" prop:value=move || eps.get().to_string()
                    on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { eps.set(v) } } /></label>
            {move || view_.get().map(|f| {
                let (before, pb) = top(&f.before);
                let (after, pa) = top(&f.after);
                let change: Vec<f32> = f.adversarial.iter().zip(f.pixels.iter()).map(|(&a, &b)| (f32::from(a) - f32::from(b)) / 255.0).collect();
                let (orig, adv) = (f.pixels.to_vec(), f.adversarial.to_vec());
                let label = f.label;
                view! {
                    <div class="figure-row">
                        <figure><DigitImage pixels=Signal::derive(move || orig.clone()) testid="fgsm-original"
                            aria=Signal::derive(move || ui::ORIGINAL.get(lang.get()).to_string()) />
                            <figcaption>{move || ui::ORIGINAL.get(lang.get())}{move || format!(" · {before} ({})", pc(lang.get(), pb))}</figcaption></figure>
                        <figure><Heatmap values=Signal::derive(move || change.clone()) layout=Layout::Tiles { tiles: 1, side: 28, per_row: 1 } px=4 testid="fgsm-perturbation"
                            aria=Signal::derive(move || ui::PERTURBATION.get(lang.get()).to_string()) />
                            <figcaption>{move || ui::PERTURBATION.get(lang.get())}</figcaption></figure>
                        <figure><DigitImage pixels=Signal::derive(move || adv.clone()) testid="fgsm-adversarial"
                            aria=Signal::derive(move || ui::ATTACKED.get(lang.get()).to_string()) />
                            <figcaption>{move || ui::ATTACKED.get(lang.get())}{move || format!(" · {after} ({})", pc(lang.get(), pa))}</figcaption></figure>
                    </div>
                    <p data-testid="fgsm-prediction" data-label=label data-before=before data-after=after data-epsilon=f.epsilon.to_string()
                        class=if before != after { "bad" } else { "good" }>
                        {format!("ε = {:.2}: {before} → {after} · ", f.epsilon)}
                        {move || if before != after { ui::FOOLED.get(lang.get()) } else { ui::HELD.get(lang.get()) }}</p>
                }
            })}
        </div>
    }
}

fn series(points: &[Point], class: &'static str) -> Series {
    Series {
        points: points
            .iter()
            .map(|p| (f64::from(p.0), f64::from(p.1)))
            .collect(),
        class,
        dots: true,
    }
}

/// The PGD accuracies of a curve, where measured.
fn pgd_series(points: &[Point], class: &'static str) -> Series {
    Series {
        points: points
            .iter()
            .filter_map(|p| p.4.map(|q| (f64::from(p.0), f64::from(q))))
            .collect(),
        class,
        dots: true,
    }
}

fn progress(state: State, lang: RwSignal<Lang>) -> impl IntoView {
    move || {
        state
            .busy
            .get()
            .map(|(arm, training)| {
                let name = arm_label(arm).get(lang.get());
                match training {
                    Some((done, of)) => {
                        format!("{} · {name}: {done} / {of}", ui::TRAINING.get(lang.get()))
                    }
                    None => format!(
                        "{} · {name}: {} / {}",
                        ui::MEASURING.get(lang.get()),
                        state.curve(arm).with(Vec::len),
                        EPSILONS.len()
                    ),
                }
            })
            .map(|t| view! { <p class="hint" data-testid="interpret-busy">{t}</p> })
    }
}

fn arm_label(arm: Arm) -> crate::ui::i18n::Text {
    match arm {
        Arm::Model => ui::ARM_MODEL,
        Arm::Clean => ui::ARM_CLEAN,
        Arm::Adversarial => ui::ARM_ADV,
    }
}

/// Step 5.
pub fn fragile(client: Client, state: State, lang: RwSignal<Lang>) -> impl IntoView {
    let stop = client.clone();
    let predict = client.clone();
    let run = move |_| {
        state.begin(&[Arm::Model]);
        client.send(&Command::Curve {
            epsilons: EPSILONS.to_vec(),
            pgd: EPSILONS.to_vec(),
        });
    };
    let chart = Signal::derive(move || {
        let mut s = vec![Series {
            points: REFERENCE
                .iter()
                .map(|&(e, a)| (f64::from(e), f64::from(a)))
                .collect(),
            class: "reference",
            dots: true,
        }];
        s.push(state.model_curve.with(|c| series(c, "scratch")));
        s.push(state.model_curve.with(|c| pgd_series(c, "tuned")));
        s
    });
    // A curve replayed after a reload that stops short: say so (the points are kept one by one).
    let partial = move || {
        let n = state.model_curve.with(Vec::len);
        (state.status.kept.get() && state.busy.get().is_none() && n > 0 && n < EPSILONS.len())
            .then(|| view! { <p class="hint" data-testid="robustness-partial">{move || ui::PARTIAL.get(lang.get())}</p> })
    };
    view! {
        <div class="panel wide" data-testid="fragile">
            // Check yourself's question 1 is a prediction only before this curve exists: ask it here.
            {move || (state.q1.get().is_some() || state.accuracy_at(Arm::Model, 0.1).is_none()).then(|| view! {
                <p class="hint">{move || ui::Q1_FIRST.get(lang.get())}</p>
            })}
            {super::check::question_one(predict.clone(), state, lang, false)}
            <div class="buttons">
                <button data-testid="robustness-run" disabled=move || state.busy.get().is_some() on:click=run>{move || ui::MEASURE.get(lang.get())}</button>
                <button class="secondary" data-testid="interpret-stop" disabled=move || state.busy.get().is_none()
                    on:click=move |_| stop.send(&Command::Stop)>{move || ui::STOP.get(lang.get())}</button>
            </div>
            {progress(state, lang)}
            {partial}
            <LineChart series=chart y_top=1.0 x_top=0.3 y_percent=true x_label=ui::EPS y_label=ui::ACCURACY_UNDER testid="robustness-curve" aria=ui::ACCURACY_UNDER />
            <p class="legend"><span class="swatch scratch"></span>{move || ui::THIS_MODEL.get(lang.get())}
                " " <span class="swatch tuned"></span>{move || ui::THIS_MODEL_PGD.get(lang.get())}
                " " <span class="swatch reference"></span>{move || ui::REFERENCE.get(lang.get())}</p>
            {move || curve_table(state, &[Arm::Model], lang)}
        </div>
    }
}

/// The measured accuracies as a table, one column per arm, each with its 95 % band.
fn curve_table(state: State, arms: &'static [Arm], lang: RwSignal<Lang>) -> impl IntoView {
    let l = lang.get();
    let n = arms
        .iter()
        .find_map(|&a| state.curve(a).with(|c| c.first().map(|p| p.2)));
    n.map(|n| view! {
        <table class="numbers" data-testid="robustness-table">
            <thead><tr><th>"ε"</th>{arms.iter().map(|&a| view! {
                <th>{move || arm_label(a).get(lang.get())} " · FGSM"</th>
                <th>{move || arm_label(a).get(lang.get())} " · PGD-10"</th>
            }).collect_view()}</tr></thead>
            <tbody>{EPSILONS.iter().map(|&e| view! {
                <tr><td>{format!("{e}")}</td>{arms.iter().map(|&a| {
                    let cell = state.accuracy_at(a, e);
                    let pgd = state.pgd_at(a, e);
                    let suffix = if a == Arm::Model { format!("{e}") } else { format!("{}-{e}", key(a)) };
                    let shown = |c: Option<(f32, usize)>, measured: bool| match c {
                        Some((p, n)) => format!("{} ± {:.1}", pc(l, p), band(p, n) * 100.0),
                        // The point is in but PGD was not run at this ε.
                        None if measured => "—".into(),
                        None => "…".into(),
                    };
                    view! {
                        <td data-testid=format!("robust-acc-{suffix}") data-value=cell.map(|c| c.0.to_string())>{shown(cell, false)}</td>
                        <td data-testid=format!("pgd-accuracy-{suffix}") data-value=pgd.map(|c| c.0.to_string())>{shown(pgd, cell.is_some())}</td>
                    }
                }).collect_view()}</tr>
            }).collect_view()}</tbody>
            <caption>{format!("n = {n} · ± {}", percent(l, 0.95, 0))}</caption>
        </table>
    })
}

fn key(arm: Arm) -> &'static str {
    match arm {
        Arm::Model => "model",
        Arm::Clean => "clean",
        Arm::Adversarial => "adversarial",
    }
}

/// Step 6.
pub fn sturdier(
    client: Client,
    state: State,
    images: usize,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let stop = client.clone();
    let run = move |_| {
        state.begin(&[Arm::Model, Arm::Clean, Arm::Adversarial]);
        client.send(&Command::Harden {
            images,
            epsilon: HARDEN_EPSILON,
            epsilons: EPSILONS.to_vec(),
            pgd: vec![HARDEN_EPSILON],
        });
    };
    let chart = Signal::derive(move || {
        [
            (Arm::Model, "scratch"),
            (Arm::Clean, "tuned"),
            (Arm::Adversarial, "hardened"),
        ]
        .into_iter()
        .map(|(a, c)| state.curve(a).with(|p| series(p, c)))
        .collect::<Vec<_>>()
    });
    // At the fine-tuning's own ε, under FGSM and under PGD: does the adversarial arm beat both others
    // by more than the band?
    let judged = |at: &dyn Fn(Arm) -> Option<(f32, usize)>| {
        let (m, c, a) = (at(Arm::Model)?, at(Arm::Clean)?, at(Arm::Adversarial)?);
        let margin = |x: (f32, usize)| (band(a.0, a.1).powi(2) + band(x.0, x.1).powi(2)).sqrt();
        let helped = a.0 - m.0 > margin(m) && a.0 - c.0 > margin(c);
        Some((helped, m.0, c.0, a.0))
    };
    let verdict = move || {
        let fgsm = judged(&|a| state.accuracy_at(a, HARDEN_EPSILON))?;
        let pgd = judged(&|a| state.pgd_at(a, HARDEN_EPSILON))?;
        Some((fgsm, pgd))
    };
    let settings = format!(
        "{images} · ε = {HARDEN_EPSILON} · {b} + {b} · ",
        b = kernels::attack::FINE_TUNE_BATCH
    );
    let optimiser = move || {
        format!(
            "{} {} · {} {}",
            ui::LR.get(lang.get()),
            FINE_TUNE.lr,
            ui::MOMENTUM.get(lang.get()),
            FINE_TUNE.momentum
        )
    };
    view! {
        <div class="panel wide" data-testid="sturdier">
            <p class="settings" data-testid="harden-settings">{move || ui::HARDEN.get(lang.get())} ": " {settings.clone()} {optimiser} " · " {move || ui::ONE_EPOCH.get(lang.get())}</p>
            <div class="buttons">
                <button data-testid="adv-train" disabled=move || state.busy.get().is_some() on:click=run>{move || ui::HARDEN_RUN.get(lang.get())}</button>
                <button class="secondary" disabled=move || state.busy.get().is_none() on:click=move |_| stop.send(&Command::Stop)>{move || ui::STOP.get(lang.get())}</button>
            </div>
            {progress(state, lang)}
            <LineChart series=chart y_top=1.0 x_top=0.3 y_percent=true x_label=ui::EPS y_label=ui::ACCURACY_UNDER testid="hardened-curve" aria=ui::ACCURACY_UNDER />
            <p class="legend"><span class="swatch scratch"></span>{move || ui::ARM_MODEL.get(lang.get())}
                " " <span class="swatch tuned"></span>{move || ui::ARM_CLEAN.get(lang.get())}
                " " <span class="swatch hardened"></span>{move || ui::ARM_ADV.get(lang.get())}</p>
            {move || curve_table(state, &[Arm::Model, Arm::Clean, Arm::Adversarial], lang)}
            {move || verdict().map(|((helped, m, c, a), (helped_pgd, pm, pcl, pa))| view! {
                <div data-testid="harden-verdict" data-helped=helped.to_string() data-helped-pgd=helped_pgd.to_string()>
                    <p class=if helped { "good" } else { "bad" }>
                        {move || { let l = lang.get(); format!("FGSM, ε = {HARDEN_EPSILON}: {} · {} · {} — ", pc(l, m), pc(l, c), pc(l, a)) }}
                        {move || if helped { ui::HELPED.get(lang.get()) } else { ui::NOT_HELPED.get(lang.get()) }}</p>
                    <p class=if helped_pgd { "good" } else { "bad" }>
                        {move || { let l = lang.get(); format!("PGD-10, ε = {HARDEN_EPSILON}: {} · {} · {} — ", pc(l, pm), pc(l, pcl), pc(l, pa)) }}
                        {move || pgd_sentence(helped, helped_pgd).get(lang.get())}</p>
                </div>
            })}
        </div>
    }
}

/// The PGD verdict's sentence, chosen by both verdicts: it follows the FGSM line printed above it.
fn pgd_sentence(helped_fgsm: bool, helped_pgd: bool) -> crate::ui::i18n::Text {
    match (helped_fgsm, helped_pgd) {
        (true, true) => ui::HELPED_PGD,
        (false, true) => ui::HELPED_PGD_ONLY,
        (true, false) => ui::NOT_HELPED_PGD,
        (false, false) => ui::NOT_HELPED_PGD_EITHER,
    }
}

/// Step 7.
pub fn overconfidence(client: Client, state: State, lang: RwSignal<Lang>) -> impl IntoView {
    let calib = super::calib::calibration(client.clone(), state, lang);
    let prediction = RwSignal::new(Vec::<f32>::new());
    let noise = RwSignal::new(None::<(Vec<u8>, Vec<f32>)>);
    let seed = RwSignal::new(1u64);
    let drawn = {
        let client = client.clone();
        Callback::new(move |pixels: Vec<u8>| {
            classify_drawing(&client, pixels, prediction);
        })
    };
    let classify_noise = move |_| {
        let s = seed.get_untracked();
        seed.set(s + 1);
        ask(
            &client,
            Query::Classify {
                pixels: None,
                seed: s,
            },
            move |r| {
                if let Reply::Classified { probs, pixels } = r {
                    noise.set(Some((pixels.to_vec(), probs)));
                }
            },
        );
    };
    let summary = move |probs: &[f32], testid: &'static str| {
        let (c, p) = top(probs);
        let sum: f32 = probs.iter().sum();
        view! { <p data-testid=testid data-class=c data-p=p.to_string()>
        {move || ui::TOP.get(lang.get())}{move || format!(" {c}: {} · ", pc(lang.get(), p))}{move || ui::SUM.get(lang.get())}{move || format!(" {}", pc(lang.get(), sum))}</p> }
    };
    view! {
        <div class="panel wide" data-testid="overconfidence">
            <DrawingPad prediction on_digit=drawn hint=ui::DRAW_HINT />
            {move || (!prediction.get().is_empty()).then(|| summary(&prediction.get(), "scribble-top"))}
            <button class="secondary" data-testid="noise-image" on:click=classify_noise>{move || ui::NOISE_IMAGE.get(lang.get())}</button>
            {move || noise.get().map(|(px, probs)| view! {
                <div class="figure-row"><DigitImage pixels=Signal::derive(move || px.clone()) testid="noise-pixels"
                    aria=Signal::derive(move || ui::NOISE_IMAGE.get(lang.get()).to_string()) />
                {summary(&probs, "noise-top")}</div>
            })}
            {calib}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::pgd_sentence;

    #[test]
    fn the_pgd_sentence_follows_the_fgsm_verdict() {
        // "Too" and "only blunt FGSM" only where FGSM was helped.
        assert!(pgd_sentence(true, true).en.contains("too"));
        assert!(pgd_sentence(true, false).en.contains("only blunt FGSM"));
        for helped_pgd in [true, false] {
            let t = pgd_sentence(false, helped_pgd);
            assert!(
                !t.en.contains("too") && !t.en.contains("blunt FGSM"),
                "{}",
                t.en
            );
            assert!(!t.zh.contains("钝化"), "{}", t.zh);
        }
        assert!(pgd_sentence(false, false).en.contains("either"));
        assert!(!pgd_sentence(false, true).zh.contains("也"));
    }
}
