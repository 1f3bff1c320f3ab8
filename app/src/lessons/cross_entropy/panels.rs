//! The cross-entropy lesson's panels: the live image's p and q, the playground, the comparison with
//! squared error, the surprise gallery and the check-yourself question.

use leptos::prelude::*;

use super::math;
use super::text::ui;
use kernels::chain;

use crate::lessons::live_model::protocol::{Command, ImageView, Query, Reply, Surprise};
use crate::lessons::live_model::{ImagePicker, live_answer, text as live_text};
use crate::ui::agreement::AgreementNote;
use crate::ui::bars::{BarChart, BarSeries};
use crate::ui::formula::{Formula, num, tex};
use crate::ui::heatmap::DigitImage;
use crate::ui::i18n::Lang;
use crate::ui::line_chart::{LineChart, Series};

fn classes() -> Vec<String> {
    (0..10).map(|k| k.to_string()).collect()
}

/// p (grey) beside q (blue), one pair of bars per class.
fn pq_bars(p: Vec<f64>, q: Vec<f64>) -> Vec<BarSeries> {
    vec![
        BarSeries {
            values: p,
            class: "p-bar",
        },
        BarSeries {
            values: q,
            class: "q-bar",
        },
    ]
}

/// The bars of a reading of the live model (none before it arrives).
fn reading_bars(r: RwSignal<Option<Reading>>) -> Signal<Vec<BarSeries>> {
    Signal::derive(move || {
        r.get()
            .map_or_else(Vec::new, |r| pq_bars(r.p.clone(), r.q.clone()))
    })
}

/// The relative allowance of the page's H against the kernel's loss, on top of f32's resolution at
/// the logits (the agreement sentences say "plus 10⁻⁵ of the larger loss").
const RELATIVE: f64 = 1e-5;

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// What the page computes from one image's reply: p, q, H and the engine's loss.
#[derive(Clone, Debug, PartialEq)]
struct Reading {
    image: ImageView,
    p: Vec<f64>,
    q: Vec<f64>,
    h: f64,
}

impl Reading {
    fn of(image: ImageView) -> Self {
        let z: Vec<f64> = image.logits.iter().map(|&v| f64::from(v)).collect();
        let p = math::target(usize::from(image.label), 10, 0.0);
        let q = math::softmax(&z);
        let h = math::cross_entropy_logits(&p, &z);
        Self { image, p, q, h }
    }
}

fn read_image(index: impl Fn() -> usize + 'static) -> RwSignal<Option<Reading>> {
    live_answer(
        move || Some(index()),
        |&i| Query::Image { index: i },
        |r| match r {
            Reply::Image(v) => Some(Reading::of(v)),
            _ => None,
        },
    )
}

/// Steps 1 and 4: a test image, its p and q, H from the page; with `compare`, the engine's own loss.
#[component]
pub fn LiveImagePanel(image: RwSignal<usize>, compare: bool) -> impl IntoView {
    let lang = lang();
    let reading = read_image(move || image.get());
    let pixels = Signal::derive(move || {
        reading
            .get()
            .map(|r| r.image.pixels.to_vec())
            .unwrap_or_default()
    });
    let bars = reading_bars(reading);
    let one_hot = Signal::derive(move || {
        reading.get().map_or_else(Vec::new, |r| {
            let y = usize::from(r.image.label);
            vec![y.to_string(), num(r.q[y]), num(r.h)]
        })
    });
    let h = move || reading.get().map(|r| r.h);
    let engine = move || reading.get().map(|r| f64::from(r.image.engine_loss));
    let rel = move || {
        reading
            .get()
            .map(|r| (r.h - f64::from(r.image.engine_loss)).abs() / r.h.abs().max(1e-12))
    };
    // The page's H (f64 from the f32 logits) against the kernel's f32 loss, judged at what f32
    // resolves for these logits.
    let verdict = Signal::derive(move || {
        reading.get().map(|r| {
            let res = chain::loss_resolution(&r.image.logits);
            (
                chain::compare(r.h, f64::from(r.image.engine_loss), res, RELATIVE),
                res,
            )
        })
    });
    let digit_aria = Signal::derive(move || {
        reading.get().map_or(String::new(), |r| {
            format!(
                "{} {} ({})",
                live_text::IMAGE.get(lang.get()),
                r.image.index,
                r.image.label
            )
        })
    });
    view! {
        <div class="panel wide">
            <Formula mathml=tex::CE_DEFINITION />
            <Formula mathml=tex::SOFTMAX />
            <div class="image-row">
                <div>
                    <ImagePicker image=image />
                    <DigitImage pixels=pixels testid="ce-image" aria=digit_aria />
                    <p>{move || live_text::TRUE_CLASS.get(lang.get())} ": "
                        <strong data-testid="ce-label">{move || reading.get().map(|r| r.image.label.to_string())}</strong></p>
                </div>
                <div class="grow">
                    <BarChart series=bars labels=classes() range=(0.0, 1.0) testid="ce-live-bars"
                        aria=Signal::derive(move || ui::BARS_ARIA.get(lang.get()).to_string()) />
                    <p class="legend"><span class="key p-key"></span>{move || ui::P.get(lang.get())}
                        <span class="key q-key"></span>{move || ui::Q.get(lang.get())}</p>
                </div>
            </div>
            <Formula mathml=tex::CE_ONE_HOT values=one_hot testid="ce-live-formula" />
            {compare.then(|| view! {
                <dl class="compare">
                    <dt>{move || ui::PAGE_H.get(lang.get())}</dt>
                    <dd data-testid="ce-live-h" data-value=move || h().map(|v| v.to_string())>{move || h().map(num)}</dd>
                    <dt>{move || ui::ENGINE_LOSS.get(lang.get())}</dt>
                    <dd data-testid="ce-engine-loss" data-value=move || engine().map(|v| v.to_string())>{move || engine().map(num)}</dd>
                    <dt>{move || ui::DIFFERENCE.get(lang.get())}</dt>
                    <dd data-testid="ce-difference" data-value=move || rel().map(|v| v.to_string())>{move || rel().map(num)}</dd>
                </dl>
                <AgreementNote verdict=verdict text=ui::agreement />
            })}
        </div>
    }
}

/// Step 2: the playground.
#[component]
pub fn Playground() -> impl IntoView {
    let lang = lang();
    let logits = RwSignal::new(vec![0.5, -0.5, 0.0, 2.0, -1.0, 0.0, 0.3, -0.7, 1.0, 0.0]);
    let label = RwSignal::new(3usize);
    let smoothing = RwSignal::new(0.0f64);
    let q = Memo::new(move |_| math::softmax(&logits.get()));
    let p = Memo::new(move |_| math::target(label.get(), 10, smoothing.get()));
    let terms = Memo::new(move |_| math::terms(&p.get(), &q.get()));
    let h = Memo::new(move |_| math::cross_entropy_logits(&p.get(), &logits.get()));
    let grad = Memo::new(move |_| math::gradient(&p.get(), &q.get()));
    let bars = Signal::derive(move || pq_bars(p.get(), q.get()));
    let grad_bars = Signal::derive(move || {
        vec![BarSeries {
            values: grad.get(),
            class: "grad-bar",
        }]
    });
    let drag = Callback::new(move |(k, v): (usize, f64)| {
        let q2 = math::set_probability(&q.get_untracked(), k, v);
        logits.set(math::logits_of(&q2));
    });
    view! {
        <div class="panel wide">
            <Formula mathml=tex::CE_DEFINITION />
            <div class="fields">
                <label for="ce-true-class">{move || ui::TRUE_CLASS.get(lang.get())}</label>
                <select id="ce-true-class" data-testid="ce-true-class"
                    on:change=move |ev| { if let Ok(k) = event_target_value(&ev).parse::<usize>() { label.set(k.min(9)) } }>
                    {(0..10).map(|k| view! { <option value=k.to_string() selected=move || label.get() == k>{k}</option> }).collect_view()}
                </select>
                <label for="ce-smoothing">{move || ui::SMOOTHING.get(lang.get())}</label>
                <input id="ce-smoothing" type="range" min="0" max="0.5" step="0.01" data-testid="ce-smoothing"
                    prop:value=move || smoothing.get().to_string()
                    on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { smoothing.set(v.clamp(0.0, 0.5)) } } />
            </div>
            <p class="big">"H(p, q) = " <strong data-testid="ce-value" data-value=move || h.get().to_string()>{move || num(h.get())}</strong></p>
            <div class="two">
                <div>
                    <BarChart series=bars labels=classes() range=(0.0, 1.0) on_drag=drag testid="ce-bars"
                        aria=Signal::derive(move || ui::BARS_ARIA.get(lang.get()).to_string()) />
                    <p class="legend"><span class="key p-key"></span>{move || ui::P.get(lang.get())}
                        <span class="key q-key"></span>{move || ui::Q.get(lang.get())}</p>
                </div>
                <div>
                    <BarChart series=grad_bars labels=classes() range=(-1.0, 1.0) testid="ce-grad-bars"
                        aria=Signal::derive(move || ui::GRAD_ARIA.get(lang.get()).to_string()) />
                    <p class="legend"><span class="key grad-key"></span>{move || ui::GRADIENT.get(lang.get())}</p>
                </div>
            </div>
            <table class="numbers">
                <thead><tr>
                    <th scope="col">{move || live_text::CLASS.get(lang.get())}</th>
                    <th scope="col">{move || ui::LOGIT.get(lang.get())}</th>
                    <th scope="col">"p"</th><th scope="col">"q"</th>
                    <th scope="col">{move || ui::TERM.get(lang.get())}</th>
                    <th scope="col">"q − p"</th>
                </tr></thead>
                <tbody>
                    {(0..10).map(|k| view! {
                        <tr class:true-class=move || label.get() == k>
                            <th scope="row">{k}</th>
                            <td><input type="range" min="-8" max="8" step="0.1" data-testid=format!("ce-logit-{k}")
                                aria-label=move || format!("{} {k}", ui::LOGIT.get(lang.get()))
                                prop:value=move || logits.with(|z| z[k].to_string())
                                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { logits.update(|z| z[k] = v.clamp(-30.0, 30.0)) } } />
                                <span class="value">{move || logits.with(|z| num(z[k]))}</span></td>
                            <td data-testid=format!("ce-p-{k}") data-value=move || p.with(|p| p[k].to_string())>{move || p.with(|p| num(p[k]))}</td>
                            <td data-testid=format!("ce-q-{k}") data-value=move || q.with(|q| q[k].to_string())>{move || q.with(|q| num(q[k]))}</td>
                            <td data-testid=format!("ce-term-{k}") data-value=move || terms.with(|t| t[k].to_string())>{move || terms.with(|t| num(t[k]))}</td>
                            <td data-testid=format!("ce-grad-{k}") data-value=move || grad.with(|g| g[k].to_string())>{move || grad.with(|g| num(g[k]))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <Formula mathml=tex::CE_GRADIENT />
            <button class="advanced" data-testid="ce-reset" on:click=move |_| logits.set(vec![0.0; 10])>{move || ui::RESET.get(lang.get())}</button>
        </div>
    }
}

/// Step 3: cross-entropy against squared error along q(true).
#[component]
pub fn Versus() -> impl IntoView {
    let lang = lang();
    let at = RwSignal::new(0.05f64);
    let p = math::target(0, 10, 0.0);
    let curve = move |f: &dyn Fn(f64) -> f64| {
        (1..=200)
            .map(|i| {
                let t = i as f64 / 200.0;
                (t, f(t))
            })
            .collect::<Vec<_>>()
    };
    let pp = p.clone();
    let series = Signal::derive(move || {
        let p = &pp;
        vec![
            Series {
                points: curve(&|t| -t.ln()),
                class: "ce-line",
                dots: false,
            },
            Series {
                points: curve(&|t| math::mse(p, &math::q_with_true(t, 0, 10))),
                class: "mse-line",
                dots: false,
            },
            Series {
                points: curve(&|t| (t - 1.0).abs()),
                class: "ce-grad-line",
                dots: false,
            },
            Series {
                points: curve(&|t| math::mse_gradient(p, &math::q_with_true(t, 0, 10))[0].abs()),
                class: "mse-grad-line",
                dots: false,
            },
        ]
    });
    let values = Memo::new(move |_| {
        let t = at.get();
        let q = math::q_with_true(t, 0, 10);
        (
            math::cross_entropy(&p, &q),
            math::mse(&p, &q),
            math::gradient(&p, &q)[0],
            math::mse_gradient(&p, &q)[0],
        )
    });
    let values = move || values.get();
    view! {
        <div class="panel wide">
            <Formula mathml=tex::CE_DEFINITION />
            <Formula mathml=tex::MSE_DEFINITION />
            <LineChart series=series y_top=5.0 x_label=ui::Q_TRUE y_label=ui::VALUE testid="ce-versus"
                aria=ui::VERSUS_ARIA />
            <p class="legend">{move || ui::LEGEND.get(lang.get())}</p>
            <label>{move || ui::AT.get(lang.get())} " " <strong>{move || num(at.get())}</strong>
                <input type="range" min="0.01" max="1" step="0.01" data-testid="ce-versus-q"
                    prop:value=move || at.get().to_string()
                    on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { at.set(v.clamp(0.01, 1.0)) } } /></label>
            <table class="numbers">
                <thead><tr><th></th><th scope="col">{move || ui::CE.get(lang.get())}</th><th scope="col">{move || ui::MSE.get(lang.get())}</th></tr></thead>
                <tbody>
                    <tr><th scope="row">{move || ui::LOSS_ROW.get(lang.get())}</th>
                        <td data-testid="versus-ce-loss">{move || num(values().0)}</td>
                        <td data-testid="versus-mse-loss">{move || num(values().1)}</td></tr>
                    <tr><th scope="row">{move || ui::GRAD_ROW.get(lang.get())}</th>
                        <td data-testid="versus-ce-grad" data-value=move || values().2.to_string()>{move || num(values().2)}</td>
                        <td data-testid="versus-mse-grad" data-value=move || values().3.to_string()>{move || num(values().3)}</td></tr>
                </tbody>
            </table>
        </div>
    }
}

/// Step 5: the images the live model finds most surprising.
#[component]
pub fn Gallery() -> impl IntoView {
    let lang = lang();
    let refresh = RwSignal::new(0u32);
    let items = live_answer(
        move || Some(refresh.get()),
        |_| Query::Surprises { count: 12 },
        |r| match r {
            Reply::Surprises(v) => Some(v),
            _ => None,
        },
    );
    let item = move |s: Surprise| {
        let label = usize::from(s.label);
        let aria = format!(
            "{} {}: {} {}, {} {}",
            live_text::IMAGE.get(lang.get_untracked()),
            s.index,
            live_text::TRUE_CLASS.get(lang.get_untracked()),
            s.label,
            live_text::PREDICTED.get(lang.get_untracked()),
            s.predicted
        );
        view! {
            <li class="surprise" data-testid="surprise-item" data-loss=s.loss.to_string() data-index=s.index.to_string()>
                <DigitImage pixels=s.pixels.to_vec() aria=aria />
                <span>{move || live_text::TRUE_CLASS.get(lang.get())} " " <strong>{s.label}</strong></span>
                <span>{move || live_text::PREDICTED.get(lang.get())} " " <strong>{s.predicted}</strong></span>
                <span>"H = " {num(f64::from(s.loss))}</span>
                <span>"q(" {s.label} ") = " {num(f64::from(s.q[label]))}</span>
            </li>
        }
    };
    view! {
        <div class="panel wide">
            <p class="hint">{move || ui::GALLERY_NOTE.get(lang.get())}</p>
            <button class="advanced" data-testid="surprise-refresh" on:click=move |_| refresh.update(|n| *n += 1)>
                {move || ui::REFRESH.get(lang.get())}</button>
            <ol class="gallery" data-testid="surprise-gallery">
                {move || items.get().unwrap_or_default().into_iter().map(item).collect_view()}
            </ol>
        </div>
    }
}

/// Step 6: which of two live predictions has the lower loss, graded by the computation.
#[component]
pub fn Quiz() -> impl IntoView {
    let lang = lang();
    let pair = RwSignal::new(0usize);
    // Two images whose q(true) differ visibly, chosen by the worker from the live model's numbers.
    let chosen = live_answer(
        move || Some(pair.get()),
        |&round| Query::QuizPair { round },
        |r| match r {
            Reply::QuizPair(p) => Some(p),
            _ => None,
        },
    );
    let indices = move || chosen.get().and_then(Result::ok);
    // The quiz stops a running live model, so the pair it chose is still the one being read.
    let live = expect_context::<crate::lessons::live_model::Live>();
    if live.progress.get_untracked().is_some_and(|p| p.running) {
        live.send(&Command::Run { on: false });
    }
    let live_a = read_image(move || indices().map_or(0, |p| p.0));
    let live_b = read_image(move || indices().map_or(0, |p| p.1));
    let answer = RwSignal::new(None::<bool>);
    // What the cards show and the grade uses: the two readings of the current pair taken at one
    // step, pinned once the student answers (a Step or Start meanwhile cannot change them).
    let a = RwSignal::new(None::<Reading>);
    let b = RwSignal::new(None::<Reading>);
    Effect::new(move |_| {
        if answer.get().is_some() {
            return;
        }
        let (Some((i, j)), Some(ra), Some(rb)) = (indices(), live_a.get(), live_b.get()) else {
            a.set(None);
            b.set(None);
            return;
        };
        if ra.image.index == i && rb.image.index == j && ra.image.step == rb.image.step {
            a.set(Some(ra));
            b.set(Some(rb));
        }
    });
    let correct = move || {
        let (a, b) = (a.get()?, b.get()?);
        let picked_a = answer.get()?;
        Some(picked_a == (a.h <= b.h))
    };
    let card = move |which: &'static str, r: RwSignal<Option<Reading>>| {
        let bars = reading_bars(r);
        view! {
            <div class="quiz-card">
                <h3>{move || ui::PREDICTION.get(lang.get())} " " {which}</h3>
                <BarChart series=bars labels=classes() range=(0.0, 1.0) testid="quiz-bars"
                    aria=Signal::derive(move || ui::BARS_ARIA.get(lang.get()).to_string()) />
                <p>{move || live_text::TRUE_CLASS.get(lang.get())} ": " {move || r.get().map(|r| r.image.label)}</p>
                {move || answer.get().is_some().then(|| view! {
                    <p data-testid=format!("quiz-h-{}", which.to_lowercase()) data-value=move || r.get().map(|r| r.h.to_string())>
                        "H = " {move || r.get().map(|r| num(r.h))}</p>
                })}
            </div>
        }
    };
    let untrained = move || chosen.get().and_then(Result::err);
    view! {
        <div class="panel wide">
            <p class="big">{move || ui::QUESTION.get(lang.get())}</p>
            {move || untrained().map(|spread| view! {
                <p class="hint" data-testid="quiz-untrained" data-value=spread.to_string()>
                    {move || ui::QUIZ_UNTRAINED.get(lang.get()).replace("{spread}", &num(f64::from(spread)))}</p>
            })}
            <div class="two" class:hidden=move || untrained().is_some()>{card("A", a)}{card("B", b)}</div>
            <div class="buttons">
                <button data-testid="quiz-a" disabled=move || answer.get().is_some() || a.get().is_none() || b.get().is_none() on:click=move |_| answer.set(Some(true))>
                    {move || ui::OPTION_A.get(lang.get())}</button>
                <button data-testid="quiz-b" disabled=move || answer.get().is_some() || a.get().is_none() || b.get().is_none() on:click=move |_| answer.set(Some(false))>
                    {move || ui::OPTION_B.get(lang.get())}</button>
                <button data-testid="quiz-next" on:click=move |_| { answer.set(None); pair.update(|p| *p += 1); }>
                    {move || ui::ANOTHER.get(lang.get())}</button>
            </div>
            {move || correct().map(|ok| view! {
                <p data-testid="quiz-result" data-correct=ok.to_string() class=if ok { "good" } else { "bad" } role="status">
                    {if ok { ui::RIGHT.get(lang.get()) } else { ui::WRONG.get(lang.get()) }} " " {ui::WHY.get(lang.get())}
                </p>
            })}
        </div>
    }
}
