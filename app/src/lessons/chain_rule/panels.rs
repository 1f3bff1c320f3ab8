//! The chain-rule lesson's panels: the network diagram, the weight picker with the three factors, the
//! kernel's gradient and a finite difference, and "predict, then run".

use leptos::prelude::*;

use super::text::ui;
use super::{Choice, HIDDEN};
use crate::lessons::live_model::protocol::{
    ChainView, Command, Query, Reply, UpdatePreview, Weight,
};
use crate::lessons::live_model::{ImagePicker, Live, live_answer};
use crate::ui::agreement;
use crate::ui::formula::{Formula, num, tex};
use crate::ui::heatmap::{Heatmap, Layout};
use crate::ui::i18n::Lang;
use kernels::EngineKind;

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// fc1 as one 28×28 tile per hidden neuron.
pub const FC1: Layout = Layout::Tiles {
    tiles: HIDDEN,
    side: 28,
    per_row: 8,
};
/// fc2 as a 10 × 32 matrix.
pub const FC2: Layout = Layout::Matrix {
    rows: 10,
    cols: HIDDEN,
};

const DIAGRAM_W: f64 = 600.0;
const DIAGRAM_H: f64 = 260.0;
/// Neurons drawn per layer (a sample of the 784 inputs and 32 hidden units; all 10 outputs).
const SHOWN: [usize; 3] = [12, 16, 10];
const XS: [f64; 3] = [70.0, 300.0, 510.0];

/// Where neuron `i` of `layer` is drawn (one of the drawn sample stands for it).
fn node(layer: usize, i: usize) -> (f64, f64) {
    let n = SHOWN[layer];
    (
        XS[layer],
        20.0 + (DIAGRAM_H - 50.0) * (i % n) as f64 / (n - 1) as f64,
    )
}

/// The network with the chosen weight's connection drawn heavy.
#[component]
pub fn Diagram(weight: RwSignal<Weight>) -> impl IntoView {
    let lang = lang();
    let (w, h) = (DIAGRAM_W, DIAGRAM_H);
    let shown = SHOWN;
    view! {
        <svg class="diagram" viewBox=format!("0 0 {w} {h}") role="img" data-testid="chain-diagram"
            aria-label=move || format!("{} — {}", ui::DIAGRAM.get(lang.get()), weight.get().name())>
            {move || {
                let wt = weight.get();
                let (from, to) = if wt.layer == 0 {
                    (node(0, wt.input), node(1, wt.out))
                } else {
                    (node(1, wt.input), node(2, wt.out))
                };
                view! { <line x1=from.0 y1=from.1 x2=to.0 y2=to.1 class="edge chosen" /> }
            }}
            {(0..3).map(|layer| (0..shown[layer]).map(move |i| {
                let (x, y) = node(layer, i);
                view! { <circle cx=x cy=y r="6" class="neuron" /> }
            }).collect_view()).collect_view()}
            <text x=XS[0] y=h - 6.0 text-anchor="middle" class="tick">"x (784)"</text>
            <text x=XS[1] y=h - 6.0 text-anchor="middle" class="tick">"y = ReLU(z) (32)"</text>
            <text x=XS[2] y=h - 6.0 text-anchor="middle" class="tick">"q = softmax(z) (10)"</text>
            <text x="300" y="12" text-anchor="middle" class="chosen-label">{move || weight.get().name()}</text>
        </svg>
    }
}

/// The live weights, refreshed as the model trains.
fn live_weights() -> RwSignal<Option<(Vec<f32>, Vec<f32>)>> {
    live_answer(
        || Some(()),
        |_| Query::Weights,
        |r| match r {
            Reply::Weights(w) => Some((w.fc1, w.fc2)),
            _ => None,
        },
    )
}

/// The two weight pickers and the explicit fields (keyboard, screen readers, tests).
#[component]
pub fn WeightPicker(choice: Choice) -> impl IntoView {
    let lang = lang();
    let weights = live_weights();
    let weight = choice.weight;
    let fc1 = Signal::derive(move || weights.get().map(|w| w.0).unwrap_or_default());
    let fc2 = Signal::derive(move || weights.get().map(|w| w.1).unwrap_or_default());
    let sel = move |layer: usize| {
        Signal::derive(move || {
            let w = weight.get();
            (w.layer == layer).then_some((w.out, w.input))
        })
    };
    let pick = move |layer: usize| {
        Callback::new(move |(out, input): (usize, usize)| {
            choice.set_weight(Weight { layer, out, input })
        })
    };
    let field = move |which: usize, ev: leptos::ev::Event| {
        let Ok(v) = event_target_value(&ev).parse::<usize>() else {
            return;
        };
        let mut w = weight.get_untracked();
        match which {
            0 => w.layer = v.min(1),
            1 => w.out = v,
            _ => w.input = v,
        }
        let (rows, cols) = if w.layer == 0 {
            (HIDDEN, 784)
        } else {
            (10, HIDDEN)
        };
        w.out = w.out.min(rows - 1);
        w.input = w.input.min(cols - 1);
        choice.set_weight(w);
    };
    view! {
        <div class="pickers">
            <figure>
                <Heatmap values=fc1 layout=FC1 px=3 selected=sel(0) on_pick=pick(0) testid="pick-fc1"
                    aria=Signal::derive(move || ui::PICK_FC1.get(lang.get()).to_string()) />
                <figcaption>{move || ui::PICK_FC1.get(lang.get())}</figcaption>
            </figure>
            <figure>
                <Heatmap values=fc2 layout=FC2 px=12 selected=sel(1) on_pick=pick(1) testid="pick-fc2"
                    aria=Signal::derive(move || ui::PICK_FC2.get(lang.get()).to_string()) />
                <figcaption>{move || ui::PICK_FC2.get(lang.get())}</figcaption>
            </figure>
            <div class="fields">
                <label for="chain-layer">{move || ui::LAYER.get(lang.get())}</label>
                <select id="chain-layer" data-testid="chain-layer" on:change=move |ev| field(0, ev)>
                    <option value="0" selected=move || weight.get().layer == 0>"fc1"</option>
                    <option value="1" selected=move || weight.get().layer == 1>"fc2"</option>
                </select>
                <label for="chain-out">{move || ui::OUT.get(lang.get())}</label>
                <input id="chain-out" type="number" min="0" data-testid="chain-out"
                    prop:value=move || weight.get().out.to_string() on:change=move |ev| field(1, ev) />
                <label for="chain-input">{move || ui::INPUT.get(lang.get())}</label>
                <input id="chain-input" type="number" min="0" data-testid="chain-input"
                    prop:value=move || weight.get().input.to_string() on:change=move |ev| field(2, ev) />
            </div>
        </div>
    }
}

/// Step 2: the three factors, their product, the kernel's gradient and the finite difference.
#[component]
pub fn ChainPanel(choice: Choice) -> impl IntoView {
    let lang = lang();
    let Choice {
        weight,
        image,
        rows,
    } = choice;
    let view_ = live_answer(
        move || Some((weight.get(), image.get(), rows.get())),
        |&(weight, image, rows)| Query::Chain {
            weight,
            image,
            rows,
        },
        |r| match r {
            Reply::Chain(v) => Some(v),
            _ => None,
        },
    );
    // Only the answer for the weight on screen counts (a newer one may be on its way).
    let current = move || view_.get().filter(|v| v.weight == weight.get());
    let first = move || current().and_then(|v| v.rows.first().copied());
    let live_values = Signal::derive(move || {
        current().map_or_else(Vec::new, |v: ChainView| {
            let f = v.rows[0];
            vec![
                num(f64::from(f.dl_dy)),
                num(f64::from(f.dy_dz)),
                num(f64::from(f.dz_dw)),
                num(v.product),
            ]
        })
    });
    let fd =
        Signal::derive(move || current().map_or_else(Vec::new, |v| vec![num(v.finite_difference)]));
    let output = move || weight.get().layer == 1;
    // The three computations' verdict is shown with a sentence naming the pair that differs.
    // The engine that ran names the kernel's gradient (B7).
    let live = expect_context::<Live>();
    let engine = move || live.status.engine.get().map(|e| e.kind);
    let cell = move |testid: &'static str, value: Box<dyn Fn() -> Option<f64> + Send + Sync>| {
        let value = std::sync::Arc::new(value);
        let v2 = value.clone();
        view! { <dd data-testid=testid data-value=move || v2().map(|v| v.to_string())>{move || value().map(num)}</dd> }
    };
    view! {
        <div class="panel wide">
            <Formula mathml=tex::CHAIN_RULE />
            <WeightPicker choice=choice />
            <div class="fields">
                <ImagePicker image=image />
                <label for="chain-rows">{move || ui::ROWS.get(lang.get())}</label>
                <select id="chain-rows" data-testid="chain-rows"
                    on:change=move |ev| { if let Ok(n) = event_target_value(&ev).parse::<usize>() { choice.set_rows(n) } }>
                    <option value="1" selected=move || rows.get() == 1>{move || ui::ONE.get(lang.get())}</option>
                    <option value="16" selected=move || rows.get() == 16>{move || ui::BATCH.get(lang.get())}</option>
                </select>
            </div>
            <p class="big">{move || ui::WEIGHT.get(lang.get())} " "
                <strong data-testid="chain-weight" data-value=move || weight.get().to_param()>{move || weight.get().name()}</strong>
                " = " {move || current().map(|v| num(f64::from(v.value)))}</p>
            <Formula mathml=tex::CHAIN_LIVE values=live_values testid="chain-live-formula" />
            <dl class="factors">
                <dt>"∂L/∂y_j"</dt>
                {cell("chain-factor-1", Box::new(move || first().map(|f| f64::from(f.dl_dy))))}
                <dt>{move || if output() { ui::FACTOR_2_OUT.get(lang.get()) } else { ui::FACTOR_2.get(lang.get()) }}</dt>
                {cell("chain-factor-2", Box::new(move || first().map(|f| f64::from(f.dy_dz))))}
                <dt>{move || if output() { ui::FACTOR_3_OUT.get(lang.get()) } else { ui::FACTOR_3_HIDDEN.get(lang.get()) }}</dt>
                {cell("chain-factor-3", Box::new(move || first().map(|f| f64::from(f.dz_dw))))}
                <dt>{move || ui::PRODUCT.get(lang.get())}</dt>
                {cell("chain-product", Box::new(move || current().map(|v| v.product)))}
                <dt data-testid="chain-kernel-label" data-engine=move || engine().map(crate::client::engine_label)>
                    {move || if engine() == Some(EngineKind::Cpu) { ui::KERNEL_CPU.get(lang.get()) } else { ui::KERNEL.get(lang.get()) }}</dt>
                {cell("chain-kernel-grad", Box::new(move || current().map(|v| f64::from(v.kernel))))}
                <dt>{move || ui::FD.get(lang.get())} {move || current().map(|v| format!(" (ε = {})", num(f64::from(v.eps))))}</dt>
                {cell("chain-fd", Box::new(move || current().map(|v| v.finite_difference)))}
            </dl>
            <Formula mathml=tex::FINITE_DIFFERENCE values=fd />
            <p class="agreement" data-testid="agreement" role="status"
                data-state=move || current().map(|v| agreement::key(v.agreement))
                data-resolution=move || current().map(|v| v.difference_resolution.to_string())
                class:differ=move || current().is_some_and(|v| v.agreement == kernels::chain::Agreement::Differ)>
                {move || current().map(|v| ui::verdict(v.agreement, v.kernel_agreement, v.weight.layer)
                    .get(lang.get()).replace("{res}", &num(v.difference_resolution)))}
            </p>
            <p class="hint" data-testid="kernel-agreement" data-state=move || current().map(|v| agreement::key(v.kernel_agreement))>
                {move || current().map(|v| ui::kernel_agreement(v.kernel_agreement).get(lang.get()))}</p>
            {move || (rows.get() > 1).then(|| view! {
                <p class="hint">{move || ui::FIRST_IMAGE.get(lang.get())}</p>
                <table class="numbers" data-testid="chain-rows-table">
                    <thead><tr><th scope="col">"#"</th><th scope="col">"y"</th><th scope="col">"∂L/∂y_j"</th>
                        <th scope="col">{move || if output() { ui::COLUMN_2_OUT.get(lang.get()) } else { "ReLU′" }}</th>
                        <th scope="col">{move || if output() { "h_i" } else { "x_i" }}</th><th scope="col">"×"</th></tr></thead>
                    <tbody>{move || current().map(|v| v.rows.iter().map(|r| view! {
                        <tr><td>{r.image}</td><td>{r.label}</td><td>{num(f64::from(r.dl_dy))}</td><td>{num(f64::from(r.dy_dz))}</td>
                            <td>{num(f64::from(r.dz_dw))}</td>
                            <td>{num(f64::from(r.dl_dy) * f64::from(r.dy_dz) * f64::from(r.dz_dw))}</td></tr>
                    }).collect_view())}</tbody>
                </table>
            })}
        </div>
    }
}

/// A graded prediction: the update the student predicted (its preview), the guess and what happened.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Graded {
    preview: UpdatePreview,
    up: bool,
    before: f32,
    after: f32,
    expected: f32,
}

/// What the worker's answer to a prediction amounts to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    /// The step taken is the one previewed: graded.
    Graded(Graded),
    /// The live model was no longer at the previewed step (it trained on, or was replaced): nothing is
    /// graded; the model is at `now` steps.
    MovedOn { now: u64 },
}

/// The grade of `up` for the step `preview` showed, from the worker's `reply`: only a step that
/// started from the previewed state (the step count one past the preview's, the weight where the
/// preview had it) is graded, so the grade, "before", "after" and "expected" describe one step.
fn outcome(preview: UpdatePreview, up: bool, reply: Reply) -> Option<Outcome> {
    match reply {
        Reply::Updated {
            before,
            after,
            step,
        } => Some(
            if step == preview.step + 1 && before.to_bits() == preview.value.to_bits() {
                Outcome::Graded(Graded {
                    preview,
                    up,
                    before,
                    after,
                    expected: preview.value
                        - preview.lr * (preview.momentum * preview.velocity + preview.gradient),
                })
            } else {
                Outcome::MovedOn { now: step }
            },
        ),
        Reply::MovedOn { step } => Some(Outcome::MovedOn { now: step }),
        _ => None,
    }
}

impl Graded {
    /// Which way the weight moved (`None`: it did not), and whether the guess matched it.
    fn verdict(&self) -> (Option<bool>, Option<bool>) {
        let moved = if self.after > self.before {
            Some(true)
        } else if self.after < self.before {
            Some(false)
        } else {
            None
        };
        (moved, moved.map(|m| m == self.up))
    }
}

/// The update formula's numbers for `p`; its result only when `revealed`.
fn update_values(p: &UpdatePreview, revealed: bool) -> Vec<String> {
    let next = p.value - p.lr * (p.momentum * p.velocity + p.gradient);
    let mut v: Vec<String> = [p.value, p.lr, p.momentum, p.velocity, p.gradient]
        .map(|v| num(f64::from(v)))
        .to_vec();
    v.push(if revealed {
        num(f64::from(next))
    } else {
        "?".into()
    });
    v
}

/// Step 4: predict the direction of the next update, then run it. The question on screen is always
/// the update that has not run yet, its result hidden ("?") until it is predicted (B6); the graded
/// step is shown apart, fully computed, under the grade.
#[component]
pub fn PredictPanel(choice: Choice) -> impl IntoView {
    let lang = lang();
    let live = expect_context::<Live>();
    let weight = choice.weight;
    let preview = live_answer(
        move || Some(weight.get()),
        |&weight| Query::NextUpdate { weight },
        |r| match r {
            Reply::Preview(p) => Some(p),
            _ => None,
        },
    );
    let current = move || {
        preview
            .get()
            .filter(|p: &UpdatePreview| p.weight == weight.get())
    };
    let result = RwSignal::new(None::<Graded>);
    // The last prediction found the model moved on (the step it is at now): nothing was graded.
    let moved_on = RwSignal::new(None::<u64>);
    // The question on screen has been answered: the preview is still the one graded (the next one is
    // on its way) — its buttons stay off and its result may be shown. The whole preview is compared,
    // so a replaced model's question at the same step count is a new question.
    let answered = move || current().is_some_and(|p| result.get().is_some_and(|g| g.preview == p));
    // A running model takes steps between the preview on screen and the click: the prediction waits
    // for a pause (the panel pauses a running model when it opens, as the quiz does).
    let running = move || live.progress.get().is_some_and(|p| p.running);
    if live.progress.get_untracked().is_some_and(|p| p.running) {
        live.send(&Command::Run { on: false });
    }
    let busy = RwSignal::new(false);
    let guess = move |up: bool| {
        let Some(p) = current() else { return };
        busy.set(true);
        moved_on.set(None);
        leptos::task::spawn_local(async move {
            let reply = live
                .ask(Query::StepWatching {
                    weight: p.weight,
                    at: p.step,
                })
                .await;
            match reply.and_then(|r| outcome(p, up, r)) {
                Some(Outcome::Graded(g)) => {
                    result.try_set(Some(g));
                }
                Some(Outcome::MovedOn { now }) => {
                    moved_on.try_set(Some(now));
                }
                None => {}
            }
            busy.try_set(false);
        });
    };
    // A new weight is a new question: its answer is hidden again.
    Effect::new(move |_| {
        weight.track();
        result.set(None);
        moved_on.set(None);
    });
    // The question's formula: the update's inputs, its result only once this very update is graded.
    let values =
        Signal::derive(move || current().map_or_else(Vec::new, |p| update_values(&p, answered())));
    let graded_values = Signal::derive(move || {
        result
            .get()
            .map_or_else(Vec::new, |g| update_values(&g.preview, true))
    });
    let stat = |testid: &'static str, v: Option<f32>| {
        view! { <dd data-testid=testid data-value=v.map(|v| v.to_string())>{v.map(|v| num(f64::from(v)))}</dd> }
    };
    let disabled = move || busy.get() || current().is_none() || answered() || running();
    let step_text =
        |t: crate::ui::i18n::Text, n: u64, lang: Lang| t.get(lang).replace("{n}", &n.to_string());
    view! {
        <div class="panel wide">
            <Formula mathml=tex::MOMENTUM_UPDATE />
            <WeightPicker choice=choice />
            <p class="big">{move || ui::WEIGHT.get(lang.get())} " " <strong data-testid="chain-weight" data-value=move || weight.get().to_param()>{move || weight.get().name()}</strong></p>
            {move || current().map(|p| view! {
                <p class="hint" data-testid="update-question" data-step=(p.step + 1).to_string()
                    data-answered=answered().to_string()>
                    {step_text(ui::QUESTION, p.step + 1, lang.get())}</p>
                <dl class="factors">
                    <dt>{ui::VALUE.get(lang.get())}</dt>{stat("update-value", Some(p.value))}
                    <dt>{ui::GRADIENT.get(lang.get())}</dt>{stat("update-gradient", Some(p.gradient))}
                    <dt>{ui::VELOCITY.get(lang.get())}</dt>{stat("update-velocity", Some(p.velocity))}
                    <dt>{ui::LR.get(lang.get())}</dt>{stat("update-lr", Some(p.lr))}
                    <dt>{ui::MOMENTUM.get(lang.get())}</dt>{stat("update-momentum", Some(p.momentum))}
                </dl>
            })}
            <Formula mathml=tex::UPDATE_LIVE values=values testid="update-formula" />
            {move || running().then(|| view! {
                <p class="hint" data-testid="predict-running">{move || ui::PAUSE_TO_PREDICT.get(lang.get())}</p>
            })}
            {move || moved_on.get().map(|n| view! {
                <p class="hint" data-testid="predict-moved-on" role="status" data-value=n.to_string()>
                    {move || step_text(ui::MOVED_ON, n, lang.get())}</p>
            })}
            <div class="buttons">
                <button data-testid="predict-up" disabled=disabled on:click=move |_| guess(true)>{move || ui::UP.get(lang.get())}</button>
                <button data-testid="predict-down" disabled=disabled on:click=move |_| guess(false)>{move || ui::DOWN.get(lang.get())}</button>
            </div>
            {move || result.get().map(|g| {
                let (moved, correct) = g.verdict();
                let Graded { preview, before, after, expected, .. } = g;
                view! {
                    <section class="graded" data-testid="update-graded" data-step=(preview.step + 1).to_string()>
                        <p data-testid="predict-result" role="status"
                            data-correct=correct.map_or("none".to_string(), |c| c.to_string())
                            class=match correct { Some(true) => "good", Some(false) => "bad", None => "" }>
                            {match correct { Some(true) => ui::RIGHT.get(lang.get()), Some(false) => ui::WRONG.get(lang.get()), None => "" }}
                            {match moved { Some(true) => ui::WENT_UP.get(lang.get()), Some(false) => ui::WENT_DOWN.get(lang.get()), None => ui::UNCHANGED.get(lang.get()) }}
                            " " {ui::WHY.get(lang.get())}
                        </p>
                        <p class="hint">{step_text(ui::GRADED, preview.step + 1, lang.get())}</p>
                        <dl class="factors">
                            <dt>{ui::BEFORE.get(lang.get())}</dt>{stat("update-before", Some(before))}
                            <dt>{ui::AFTER.get(lang.get())}</dt>{stat("update-after", Some(after))}
                            <dt>{ui::EXPECTED.get(lang.get())}</dt>{stat("update-expected", Some(expected))}
                        </dl>
                        <Formula mathml=tex::UPDATE_LIVE values=graded_values testid="update-graded-formula" />
                    </section>
                }
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(step: u64, value: f32) -> UpdatePreview {
        UpdatePreview {
            weight: Weight {
                layer: 1,
                out: 3,
                input: 5,
            },
            value,
            gradient: 0.2,
            velocity: -0.1,
            lr: 0.05,
            momentum: 0.5,
            step,
        }
    }

    #[test]
    fn only_the_previewed_step_is_graded() {
        let p = preview(7, 0.25);
        // The step that followed the preview: graded on its own before and after.
        let taken = Reply::Updated {
            before: 0.25,
            after: 0.2475,
            step: 8,
        };
        let Some(Outcome::Graded(g)) = outcome(p, false, taken) else {
            panic!("the previewed step is graded");
        };
        assert_eq!(g.verdict(), (Some(false), Some(true)));
        assert!((g.expected - (0.25 - 0.05 * (0.5 * -0.1 + 0.2))).abs() < 1e-7);
        let Some(Outcome::Graded(g)) = outcome(
            p,
            true,
            Reply::Updated {
                before: 0.25,
                after: 0.2475,
                step: 8,
            },
        ) else {
            panic!("graded");
        };
        assert_eq!(g.verdict(), (Some(false), Some(false)));
        // The model trained on meanwhile: the worker took no step, nothing is graded.
        assert_eq!(
            outcome(p, true, Reply::MovedOn { step: 12 }),
            Some(Outcome::MovedOn { now: 12 })
        );
        // A step several steps after the preview, or from another weight value: not graded either.
        assert_eq!(
            outcome(
                p,
                true,
                Reply::Updated {
                    before: 0.25,
                    after: 0.26,
                    step: 11,
                }
            ),
            Some(Outcome::MovedOn { now: 11 })
        );
        assert_eq!(
            outcome(
                p,
                true,
                Reply::Updated {
                    before: 0.3,
                    after: 0.31,
                    step: 8,
                }
            ),
            Some(Outcome::MovedOn { now: 8 })
        );
        // A weight that did not move: no verdict either way.
        let Some(Outcome::Graded(g)) = outcome(
            p,
            true,
            Reply::Updated {
                before: 0.25,
                after: 0.25,
                step: 8,
            },
        ) else {
            panic!("graded");
        };
        assert_eq!(g.verdict(), (None, None));
    }
}
