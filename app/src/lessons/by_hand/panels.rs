//! The lesson's three panels: the forward pass on the batch, the seven backward lines with their
//! grades and hints, and the loop closed (the student's SGD step against the engine's, and finite
//! differences).

use kernels::by_hand::{GRADIENT_NAMES, Grade, answers, shape_text};
use leptos::prelude::*;

use super::grading::{FD_EPS, Outcome, finite_differences, step_check};
use super::graph::{StepGraph, TensorMap};
use super::text::{HINTS, ui};
use super::variants::{ENGINE_BASE_ONLY, VariantPicker, first_hint, forward_code};
use super::{Work, message_lang};
use crate::lessons::live_model::ImagePicker;
use crate::ui::formula::num;
use crate::ui::heatmap::DigitImage;
use crate::ui::i18n::{Lang, Text, tx};

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// The snapshot's step count and the button that takes the weights again.
#[component]
fn SnapshotNote() -> impl IntoView {
    let lang = lang();
    let work = expect_context::<Work>();
    view! {
        <p class="hint" data-testid="bh-snapshot"
            data-value=move || work.snapshot.get().map(|s| s.batch.step.to_string())>
            {move || match work.snapshot.get() {
                Some(s) => ui::SNAPSHOT.get(lang.get()).replace("{n}", &s.batch.step.to_string()),
                None => ui::WAITING.get(lang.get()).to_string(),
            }}
            " "
            <button class="secondary" data-testid="bh-retake" on:click=move |_| work.fetch()>
                {move || ui::RETAKE.get(lang.get())}</button>
        </p>
    }
}

/// Step 1: the batch, the forward pass written out, every tensor's shape, and the loss.
#[component]
pub fn ForwardPanel() -> impl IntoView {
    let lang = lang();
    let work = expect_context::<Work>();
    let images = move || {
        work.snapshot.get().map(|s| {
            let (first, rows) = (s.batch.image, s.batch.rows);
            let b = s.batch.clone();
            (0..rows)
                .map(|k| {
                    let px = b.pixels[k * 784..(k + 1) * 784].to_vec();
                    let label = b.labels[k];
                    let caption = move || {
                        ui::IMAGE
                            .get(lang.get())
                            .replace("{i}", &(first + k).to_string())
                            .replace("{y}", &label.to_string())
                    };
                    let aria = Signal::derive(caption);
                    view! {
                        <figure class="bh-image" data-testid=format!("bh-image-{k}") data-label=label.to_string()>
                            <DigitImage pixels=Signal::derive(move || px.clone()) aria=aria />
                            <figcaption>{caption}</figcaption>
                        </figure>
                    }
                })
                .collect_view()
        })
    };
    let shapes = move || {
        work.snapshot.get().map(|s| {
            let r = &s.reference;
            let n = &s.net;
            let act = match s.variant.activation {
                kernels::by_hand::Activation::Relu => "relu(z1)",
                kernels::by_hand::Activation::Tanh => "tanh(z1)",
            };
            let loss = match s.variant.loss {
                kernels::by_hand::Loss::CrossEntropy if s.variant.label_smoothing > 0.0 => {
                    "cross_entropy(z2, y, label_smoothing=eps)"
                }
                kernels::by_hand::Loss::CrossEntropy => "cross_entropy(z2, y)",
                kernels::by_hand::Loss::MseSoftmax => "sum((softmax(z2, 1) - onehot(y, 10)) ** 2) / B",
            };
            // Code is the same in both languages; the two prose rows are translated.
            let code = |c: &'static str| (Text { en: c, zh: c }, true);
            [
                ("x", n.x.shape().to_vec(), (tx("images, one row each", "图像，每行一张"), false)),
                ("y", n.y.shape().to_vec(), (tx("labels", "标签"), false)),
                ("W1", n.w1.shape().to_vec(), code("fc1.weight")),
                ("b1", n.b1.shape().to_vec(), code("fc1.bias")),
                ("z1", r.z1.shape().to_vec(), code("x @ W1.T + b1")),
                ("h", r.h.shape().to_vec(), code(act)),
                ("W2", n.w2.shape().to_vec(), code("fc2.weight")),
                ("b2", n.b2.shape().to_vec(), code("fc2.bias")),
                ("z2", r.z2.shape().to_vec(), code("h @ W2.T + b2")),
                ("L", vec![], code(loss)),
            ]
            .into_iter()
            .map(|(name, shape, (what, is_code))| {
                let what = move || what.get(lang.get());
                view! {
                    <tr data-testid=format!("bh-shape-{name}") data-shape=shape_text(&shape)>
                        <td><code>{name}</code></td><td>{shape_text(&shape)}</td>
                        <td>{move || if is_code { view! { <code>{what}</code> }.into_any() } else { what().into_any() }}</td>
                    </tr>
                }
            })
            .collect_view()
        })
    };
    let loss = move || work.snapshot.get().map(|s| s.reference.loss);
    view! {
        <div class="panel wide">
            <SnapshotNote />
            <div class="fields"><ImagePicker image=work.image /></div>
            <p>{move || ui::BATCH.get(lang.get())}</p>
            <div class="bh-batch" data-testid="bh-batch">{images}</div>
            <VariantPicker />
            <pre class="bh-code" data-testid="bh-forward"><code>{move || forward_code(work.network())}</code></pre>
            <div class="bh-scroll"><table class="numbers" data-testid="bh-shapes">
                <thead><tr>
                    <th scope="col">{move || ui::TENSOR.get(lang.get())}</th>
                    <th scope="col">{move || ui::SHAPE.get(lang.get())}</th>
                    <th scope="col">{move || ui::MEANING.get(lang.get())}</th>
                </tr></thead>
                <tbody>{shapes}</tbody>
            </table></div>
            <p class="big">{move || ui::LOSS.get(lang.get())} " = "
                <strong data-testid="bh-loss" data-value=move || loss().map(|l| l.to_string())>
                    {move || loss().map(num)}</strong></p>
            <StepGraph />
        </div>
    }
}

/// One backward line: its input, grade, error, caret and hints.
#[component]
fn Line(i: usize) -> impl IntoView {
    let lang = lang();
    let work = expect_context::<Work>();
    let name = GRADIENT_NAMES[i];
    let graded = move || work.graded.with(|g| g[i].clone());
    let state = move || graded().map(|g| g.state());
    let message = move || {
        let l = lang.get();
        graded().map(|g| match &g.outcome {
            Outcome::Graded { grade, .. } => grade.message(message_lang(l)),
            Outcome::Error(e) => match &e.kind {
                // A gradient not right yet: say why it is not defined.
                kernels::by_hand::ErrorKind::UnknownName { name: n, .. }
                    if GRADIENT_NAMES.contains(&n.as_str()) =>
                {
                    format!(
                        "{} {}",
                        e.message(message_lang(l)),
                        ui::NOT_DEFINED_YET.get(l).replace("{n}", n)
                    )
                }
                _ => e.message(message_lang(l)),
            },
            Outcome::WrongName(n) => ui::WRONG_NAME
                .get(l)
                .replace("{want}", name)
                .replace("{got}", n),
        })
    };
    let caret = move || {
        graded().and_then(|g| match &g.outcome {
            Outcome::Error(e) => Some(view! {
                <pre class="bh-caret" data-testid=format!("bh-caret-{name}") data-value=(e.span.start + 1).to_string()>
                    {e.caret(&g.src)}</pre>
            }),
            _ => None,
        })
    };
    let difference = move || {
        let l = lang.get();
        graded().and_then(|g| match g.outcome {
            Outcome::Graded {
                grade: Grade::Values { .. },
                value,
            } => {
                let s = work.snapshot.get()?;
                let expected = s.reference.gradient(name)?;
                let diff: Vec<f64> = value
                    .data()
                    .iter()
                    .zip(expected.data())
                    .map(|(a, b)| a - b)
                    .collect();
                let t = kernels::by_hand::Tensor::from_f64(expected.shape(), diff)?;
                let caption = ui::DIFFERENCE.get(l).replace("{n}", name);
                Some(view! { <TensorMap tensor=t caption=caption testid="bh-difference" /> })
            }
            _ => None,
        })
    };
    let error = move || graded().and_then(|g| g.max_rel_error());
    let level = move || work.hints.with(|h| h[i]);
    let exhausted = move || level() >= 3;
    let hints = move || {
        let l = lang.get();
        let n = level();
        let variant = work.network();
        let first = first_hint(i, variant).unwrap_or(HINTS[i][0]);
        let mut shown: Vec<String> = [first, HINTS[i][1]]
            .iter()
            .take(n)
            .map(|t| t.get(l).to_string())
            .collect();
        if n >= 3 {
            let line = answers(variant, 10)[i].line.clone();
            shown.push(format!("{} {line}", ui::FORMULA.get(l)));
        }
        shown
            .into_iter()
            .enumerate()
            .map(|(k, h)| {
                view! {
                    <li data-testid=format!("bh-hint-{name}-{}", k + 1)>{h}</li>
                }
            })
            .collect_view()
    };
    let id = format!("bh-line-{name}");
    view! {
        <div class="bh-line" data-state=state>
            <label for=id.clone()><code>{format!("{name} =")}</code></label>
            <input id=id type="text" class="bh-input" data-testid=format!("bh-line-{name}")
                spellcheck="false" autocomplete="off" autocapitalize="off"
                placeholder=move || ui::ENTER.get(lang.get())
                prop:value=move || work.lines.with(|l| l[i].clone())
                on:input=move |ev| { let v = event_target_value(&ev); work.lines.update(|l| l[i] = v) }
                on:keydown=move |ev| { if ev.key() == "Enter" { ev.prevent_default(); work.grade(i) } } />
            <button class="secondary" data-testid=format!("bh-hint-{name}") disabled=exhausted
                on:click=move |_| work.hints.update(|h| h[i] = (h[i] + 1).min(3))>
                {move || if exhausted() { ui::NO_MORE.get(lang.get()) } else { ui::HINT.get(lang.get()) }}</button>
            <p class="bh-grade" role="status" data-testid=format!("bh-grade-{name}") data-state=state
                data-src=move || graded().map(|g| g.src)
                class:good=move || state() == Some("right") class:bad=move || state().is_some_and(|s| s != "right")>
                {message}</p>
            // The error at full precision for tests and tools; the grade's sentence above already says it.
            <span class="bh-error" data-testid=format!("bh-error-{name}") data-value=move || error().map(|e| e.to_string())></span>
            {caret}
            {difference}
            <ol class="bh-hints">{hints}</ol>
        </div>
    }
}

/// Step 2: the seven backward lines, and the graph they light.
#[component]
pub fn LinesPanel() -> impl IntoView {
    let work = expect_context::<Work>();
    view! {
        <div class="panel wide">
            <SnapshotNote />
            <VariantPicker />
            <pre class="bh-code"><code>{move || forward_code(work.network())}</code></pre>
            <div class="bh-lines" data-testid="bh-lines">
                {(0..GRADIENT_NAMES.len()).map(|i| view! { <Line i=i /> }).collect_view()}
            </div>
            <StepGraph />
        </div>
    }
}

/// Step 3: the student's SGD step against the engine's, the losses, and finite differences.
#[component]
pub fn LoopPanel() -> impl IntoView {
    let lang = lang();
    let work = expect_context::<Work>();
    let results = Memo::new(move |_| {
        let s = work.snapshot.get()?;
        let grads: Vec<_> = work.graded.with(|g| {
            g.iter()
                .map(|g| g.as_ref().and_then(|g| g.right_value().cloned()))
                .collect::<Option<Vec<_>>>()
        })?;
        // GRADIENT_NAMES: dz2 dW2 db2 dh dz1 dW1 db1.
        let check = step_check(&s, [&grads[5], &grads[6], &grads[1], &grads[2]])?;
        let seed = s.batch.image as u64 * 1_000_003 + s.batch.step;
        let fd = finite_differences(&s, [&grads[5], &grads[6], &grads[1]], seed);
        Some((check, fd))
    });
    let stat = |testid: &'static str, v: f64| {
        view! { <dd data-testid=testid data-value=v.to_string()>{num(v)}</dd> }
    };
    view! {
        <div class="panel wide">
            <SnapshotNote />
            <VariantPicker />
            {move || match results.get() {
                None => view! {
                    <p class="hint" data-testid="bh-not-yet">
                        {move || ui::NOT_YET.get(lang.get()).replace("{n}", &work.right().to_string())}</p>
                }.into_any(),
                Some((c, fd)) => {
                    let l = lang.get();
                    let lr = work.snapshot.get_untracked().map_or(0.0, |s| s.batch.lr);
                    let sentence = if c.max_diff == 0.0 {
                        ui::STEP_EXACT.get(l)
                            .replace("{lr}", &num(f64::from(lr)))
                            .replace("{all}", &c.all.to_string())
                    } else {
                        ui::STEP_CHECK.get(l)
                            .replace("{lr}", &num(f64::from(lr)))
                            .replace("{d}", &format!("{:.3e}", c.max_diff))
                            .replace("{same}", &c.same.to_string())
                            .replace("{all}", &c.all.to_string())
                    };
                    // The engine trains the article's network only.
                    let base = work.variant.get() == 0;
                    view! {
                        {if base {
                            view! {
                                <p class="big" role="status" data-testid="bh-step-check" data-value=c.max_diff.to_string()
                                    data-same=c.same.to_string() data-all=c.all.to_string()>{sentence}</p>
                            }.into_any()
                        } else {
                            view! { <p class="hint" data-testid="bh-engine-base-only">{ENGINE_BASE_ONLY.get(l)}</p> }.into_any()
                        }}
                        <dl class="factors">
                            <dt>{ui::LOSS_BEFORE.get(l)}</dt>{stat("bh-loss-before", c.loss_before)}
                            <dt>{ui::LOSS_AFTER.get(l)}</dt>{stat("bh-loss-after", c.loss_after)}
                            {base.then(|| view! { <dt>{ui::LOSS_ENGINE.get(l)}</dt>{stat("bh-loss-engine", c.loss_engine)} })}
                        </dl>
                        <h3>{ui::FD.get(l).replace("{eps}", &format!("{FD_EPS:e}"))}</h3>
                        <div class="bh-scroll"><table class="numbers" data-testid="bh-fd">
                            <thead><tr>
                                <th scope="col">{ui::FD_WEIGHT.get(l)}</th><th scope="col">{ui::FD_YOURS.get(l)}</th>
                                <th scope="col">{ui::FD_VALUE.get(l)}</th><th scope="col">{ui::FD_REL.get(l)}</th>
                            </tr></thead>
                            <tbody>{fd.into_iter().enumerate().map(|(k, r)| view! {
                                <tr data-testid=format!("bh-fd-{k}") data-value=r.relative().to_string()>
                                    <td><code>{r.name.clone()}</code></td><td>{num(r.yours)}</td><td>{num(r.fd)}</td>
                                    <td>{format!("{:.1e}", r.relative())}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any()
                }
            }}
        </div>
    }
}
