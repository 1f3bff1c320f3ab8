//! Steps 1–3: the first layer's weights and the classes' mean images, saliency maps (three methods,
//! integrated gradients' completeness), and the sanity check of randomised weights.

use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{Baseline, MapView, Method, Overview, Query, Reply};
use super::state::State;
use super::text::ui;
use crate::ui::drawing::DrawingPad;
use crate::ui::heatmap::{DigitImage, Heatmap, Layout};
use crate::ui::i18n::{Lang, percent};

/// Asks `query` and hands a reply to `done`; a failure is said in the error list.
pub fn ask(client: &Client, query: Query, done: impl FnOnce(Reply) + 'static) {
    let client = client.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(reply) = client.query(query).await {
            done(reply);
        }
    });
}

/// The model's probabilities for a drawing, into `prediction` (the drawing pads' bars).
pub fn classify_drawing(client: &Client, pixels: Vec<u8>, prediction: RwSignal<Vec<f32>>) {
    let query = Query::Classify {
        pixels: Some(pixels.into()),
        seed: 0,
    };
    ask(client, query, move |r| {
        if let Reply::Classified { probs, .. } = r {
            prediction.set(probs);
        }
    });
}

/// The class with the highest probability and that probability.
pub fn top(probs: &[f32]) -> (usize, f32) {
    probs
        .iter()
        .copied()
        .enumerate()
        .fold((0, f32::MIN), |b, (i, p)| if p > b.1 { (i, p) } else { b })
}

const ONE: Layout = Layout::Tiles {
    tiles: 1,
    side: 28,
    per_row: 1,
};

/// What is explained and attacked: test image `image`, or a digit the student drew.
#[derive(Clone, Copy)]
pub struct Pick {
    /// Test image (the test split's first ones).
    pub image: RwSignal<usize>,
    /// A drawing (28×28 bytes, ink high) used instead while the pad is open.
    pub drawn: RwSignal<Option<Vec<u8>>>,
    /// Whether the drawing pad is open.
    pub drawing: RwSignal<bool>,
}

impl Pick {
    /// The picked image as a query names it (tracked).
    pub fn get(&self) -> (usize, Option<serde_bytes::ByteBuf>) {
        let drawn = if self.drawing.get() {
            self.drawn.get().map(serde_bytes::ByteBuf::from)
        } else {
            None
        };
        (self.image.get(), drawn)
    }
}

/// "Another image", the image's number, or a digit drawn on a pad.
#[component]
pub fn ImagePicker(
    pick: Pick,
    client: Client,
    state: State,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let count = move || state.loaded.with(|l| l.as_ref().map_or(1, |l| l.1));
    let image = pick.image;
    let prediction = RwSignal::new(Vec::<f32>::new());
    let on_digit = Callback::new(move |pixels: Vec<u8>| {
        pick.drawn.set(Some(pixels.clone()));
        classify_drawing(&client, pixels, prediction);
    });
    view! {
        <div class="controls picker">
            <label>{move || ui::IMAGE.get(lang.get())} " "
                <input type="number" data-testid="image-index" min="0" max=move || count() - 1
                    prop:value=move || image.get().to_string()
                    on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<usize>() { pick.drawing.set(false); image.set(v.min(count() - 1)) } } /></label>
            <button class="secondary" data-testid="image-next" on:click=move |_| { pick.drawing.set(false); image.update(|i| *i = (*i + 1) % count()) }>
                {move || ui::ANOTHER.get(lang.get())}</button>
            <button class="secondary" data-testid="draw-toggle" class:chosen=move || pick.drawing.get()
                on:click=move |_| pick.drawing.update(|d| *d = !*d)>{move || ui::DRAW_OWN.get(lang.get())}</button>
        </div>
        {move || pick.drawing.get().then(|| view! { <DrawingPad prediction on_digit /> })}
    }
}

/// Step 1.
pub fn first_layer(client: Client, lang: RwSignal<Lang>) -> impl IntoView {
    let overview = RwSignal::new(None::<Overview>);
    ask(&client, Query::Overview, move |r| {
        if let Reply::Overview(o) = r {
            overview.set(Some(o));
        }
    });
    view! {
        <div class="panel wide" data-testid="first-layer">
            {move || overview.get().map(|o| {
                let per_row = 8;
                let tiles = o.units;
                let shown = format!(" ({} / {})", o.units, o.hidden);
                view! {
                    <div class="figure-row">
                        <figure>
                            <Heatmap values=Signal::derive(move || overview.with(|o| o.as_ref().map(|o| o.tiles.clone()).unwrap_or_default()))
                                layout=Layout::Tiles { tiles, side: 28, per_row } px=2 testid="weight-tiles"
                                aria=Signal::derive(move || ui::TILES.get(lang.get()).to_string()) />
                            <figcaption>{move || ui::TILES.get(lang.get())}{shown.clone()}</figcaption>
                        </figure>
                        <figure>
                            <Heatmap values=Signal::derive(move || overview.with(|o| o.as_ref().map(|o| o.class_means.clone()).unwrap_or_default()))
                                layout=Layout::Tiles { tiles: 10, side: 28, per_row: 5 } px=3 testid="class-means"
                                aria=Signal::derive(move || ui::MEANS.get(lang.get()).to_string()) />
                            <figcaption>{move || ui::MEANS.get(lang.get())}
                                {format!(" (n = {})", o.class_counts.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))}</figcaption>
                        </figure>
                    </div>
                }
            })}
        </div>
    }
}

/// One map beside its image, with what it explains.
fn map_figure(
    m: MapView,
    testid: &'static str,
    caption: String,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let (class, p, ms) = (m.class, m.probs.get(m.class).copied().unwrap_or(0.0), m.ms);
    let values = m.map.clone();
    let key = map_key(m.method, false);
    view! {
        <figure data-testid=testid data-method=m.method.key() data-image=m.image data-class=m.class data-ms=m.ms.to_string()>
            <Heatmap values=Signal::derive(move || values.clone()) layout=ONE px=8 testid="map-canvas"
                aria=Signal::derive(move || key.get(lang.get()).to_string()) />
            <figcaption>{caption} " · " {move || ui::EXPLAINS.get(lang.get())}
                {move || format!(" {class} (p = {}) · {ms:.0} ", percent(lang.get(), f64::from(p), 1))}{move || ui::MS.get(lang.get())}</figcaption>
        </figure>
    }
}

/// What a map's colours mean for `m` (W2: integrated gradients' red is about the difference from
/// the baseline, not about ink).
pub fn map_key(m: Method, magnitude: bool) -> crate::ui::i18n::Text {
    match m {
        _ if magnitude => ui::KEY_MAGNITUDE,
        Method::Gradient => ui::KEY_GRADIENT,
        Method::SmoothGrad { .. } => ui::KEY_SMOOTHGRAD,
        Method::Integrated { .. } => ui::KEY_INTEGRATED,
    }
}

/// The method's name on the page.
fn method_label(m: Method) -> crate::ui::i18n::Text {
    match m {
        Method::Gradient => ui::GRADIENT,
        Method::SmoothGrad { .. } => ui::SMOOTHGRAD,
        Method::Integrated { .. } => ui::INTEGRATED,
    }
}

/// Step 2.
pub fn saliency(client: Client, state: State, pick: Pick, lang: RwSignal<Lang>) -> impl IntoView {
    let picker = client.clone();
    let method = RwSignal::new("integrated");
    let samples = RwSignal::new(25usize);
    let noise = RwSignal::new(0.15f32);
    let steps = RwSignal::new(64usize);
    let baseline = RwSignal::new(Baseline::Black);
    let map = RwSignal::new(None::<MapView>);
    let magnitude = RwSignal::new(false);
    let asked = RwSignal::new(0u32);
    Effect::new(move |_| {
        let m = match method.get() {
            "gradient" => Method::Gradient,
            "smoothgrad" => Method::SmoothGrad {
                samples: samples.get(),
                noise: noise.get(),
            },
            _ => Method::Integrated {
                steps: steps.get(),
                baseline: baseline.get(),
            },
        };
        let (i, drawn) = pick.get();
        // Only the latest question's answer is drawn.
        let n = asked.get_untracked() + 1;
        asked.set(n);
        ask(
            &client,
            Query::Explain {
                image: i,
                drawn,
                method: m,
                randomized: 0,
            },
            move |r| {
                if let Reply::Map(v) = r
                    && asked.get_untracked() == n
                {
                    map.set(Some(*v));
                }
            },
        );
    });
    let methods = [
        ("gradient", ui::GRADIENT),
        ("smoothgrad", ui::SMOOTHGRAD),
        ("integrated", ui::INTEGRATED),
    ];
    view! {
        <div class="panel wide" data-testid="saliency">
            <ImagePicker pick client=picker.clone() state lang />
            <div class="buttons" role="group">
                {methods.into_iter().map(|(key, label)| view! {
                    <button class="secondary" class:chosen=move || method.get() == key data-testid=format!("method-{key}")
                        on:click=move |_| method.set(key)>{move || label.get(lang.get())}</button>
                }).collect_view()}
                <label><input type="checkbox" data-testid="saliency-magnitude" prop:checked=move || magnitude.get()
                    on:change=move |ev| magnitude.set(event_target_checked(&ev)) />
                    " " {move || ui::MAGNITUDE.get(lang.get())}</label>
            </div>
            {move || match method.get() {
                "smoothgrad" => view! {
                    <div class="controls">
                        <label>{move || ui::SAMPLES.get(lang.get())} " " {move || samples.get()}
                            <input type="range" data-testid="sg-samples" min="1" max="100" prop:value=move || samples.get().to_string()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { samples.set(v) } } /></label>
                        <label>{move || ui::NOISE.get(lang.get())} " " {move || format!("{:.2}", noise.get())}
                            <input type="range" data-testid="sg-noise" min="0" max="0.5" step="0.01" prop:value=move || noise.get().to_string()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { noise.set(v) } } /></label>
                    </div>
                }.into_any(),
                "integrated" => view! {
                    <div class="controls">
                        <label>{move || ui::STEPS.get(lang.get())} " " {move || steps.get()}
                            <input type="range" data-testid="ig-steps" min="1" max="256" prop:value=move || steps.get().to_string()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { steps.set(v) } } /></label>
                        <label>{move || ui::BASELINE.get(lang.get())} " "
                            <select data-testid="ig-baseline" on:change=move |ev| baseline.set(match event_target_value(&ev).as_str() {
                                "blurred" => Baseline::Blurred, "mean" => Baseline::Mean, _ => Baseline::Black })>
                                <option value="black">{move || ui::BLACK.get(lang.get())}</option>
                                <option value="blurred">{move || ui::BLURRED.get(lang.get())}</option>
                                <option value="mean">{move || ui::MEAN.get(lang.get())}</option>
                            </select></label>
                    </div>
                }.into_any(),
                _ => ().into_any(),
            }}
            {move || map.get().map(|mut m| {
                // Its magnitude: how much each pixel matters, whichever way.
                let shown = magnitude.get();
                if shown {
                    m.map.iter_mut().for_each(|v| *v = v.abs());
                }
                let pixels = m.pixels.to_vec();
                let label = m.label;
                let completeness = m.completeness;
                let key = map_key(m.method, shown);
                view! {
                    <div class="figure-row" data-testid="saliency-map" data-method=m.method.key() data-magnitude=shown.to_string() data-image=if m.drawn { "drawn".to_string() } else { m.image.to_string() }>
                        <figure>
                            <DigitImage pixels=Signal::derive(move || pixels.clone()) testid="saliency-image"
                                aria=Signal::derive(move || format!("{} {label}", ui::IMAGE.get(lang.get()))) />
                            <figcaption>{if m.drawn { format!("✎ · {label}") } else { format!("#{} · {label}", m.image) }}</figcaption>
                        </figure>
                        {map_figure(m.clone(), "saliency-figure", method_label(m.method).get(lang.get_untracked()).to_string(), lang)}
                    </div>
                    <p class="hint" data-testid="map-key" data-method=m.method.key()>{move || key.get(lang.get())}</p>
                    {completeness.map(|(sum, diff, rel)| view! {
                        <p data-testid="ig-completeness" data-value=rel.to_string() class=if rel <= 0.05 { "good" } else { "bad" }>
                            {move || format!("Σ = {sum:.3} · Δz = z(x) − z(x₀) = {diff:.3} · |Σ − Δz| / max(|Δz|, |z(x)|, 1) = {} · ", percent(lang.get(), f64::from(rel), 2))}
                            {move || if rel <= 0.05 { ui::COMPLETE.get(lang.get()) } else { ui::INCOMPLETE.get(lang.get()) }}</p>
                    })}
                }
            })}
        </div>
    }
}

/// Step 3.
pub fn sanity(client: Client, state: State, pick: Pick, lang: RwSignal<Lang>) -> impl IntoView {
    let picker = client.clone();
    let layers = RwSignal::new(0usize);
    // The plain gradient, or integrated gradients from black: the one that multiplies by the input,
    // where a random model's map still shows the digit (Adebayo et al.).
    let integrated = RwSignal::new(false);
    let trained = RwSignal::new(None::<MapView>);
    let random = RwSignal::new(None::<MapView>);
    let asked = RwSignal::new(0u32);
    Effect::new(move |_| {
        let ((i, drawn), k) = (pick.get(), layers.get());
        let method = if integrated.get() {
            Method::Integrated {
                steps: 64,
                baseline: Baseline::Black,
            }
        } else {
            Method::Gradient
        };
        let n = asked.get_untracked() + 1;
        asked.set(n);
        random.set(None);
        for r in if k == 0 { vec![0] } else { vec![0, k] } {
            ask(
                &client,
                Query::Explain {
                    image: i,
                    drawn: drawn.clone(),
                    method,
                    randomized: r,
                },
                move |reply| {
                    if let Reply::Map(v) = reply
                        && asked.get_untracked() == n
                    {
                        if r == 0 {
                            trained.set(Some(*v))
                        } else {
                            random.set(Some(*v))
                        }
                    }
                },
            );
        }
    });
    let rho = move || {
        trained.with(|t| {
            random.with(|r| match (t, r) {
                (Some(t), Some(r)) if r.randomized > 0 && r.method == t.method => Some((
                    kernels::saliency::rank_correlation(&t.map, &r.map),
                    t.method.key(),
                )),
                _ => None,
            })
        })
    };
    view! {
        <div class="panel wide" data-testid="sanity">
            <ImagePicker pick client=picker.clone() state lang />
            <label>{move || ui::RANDOMIZE.get(lang.get())} " "
                <select data-testid="randomize-layer" on:change=move |ev| layers.set(event_target_value(&ev).parse().unwrap_or(0))>
                    <option value="0">{move || ui::NONE.get(lang.get())}</option>
                    <option value="1">{move || ui::OUTPUT.get(lang.get())}</option>
                    <option value="2">{move || ui::BOTH.get(lang.get())}</option>
                </select></label>
            <label>{move || ui::SANITY_METHOD.get(lang.get())} " "
                <select data-testid="sanity-method" on:change=move |ev| integrated.set(event_target_value(&ev) == "integrated")>
                    <option value="gradient">{move || ui::GRADIENT.get(lang.get())}</option>
                    <option value="integrated">{move || ui::SANITY_IG.get(lang.get())}</option>
                </select></label>
            <div class="figure-row">
                {move || trained.get().map(|m| map_figure(m, "sanity-trained", ui::TRAINED_MAP.get(lang.get_untracked()).to_string(), lang))}
                {move || random.get().map(|m| map_figure(m, "sanity-random", ui::RANDOM_MAP.get(lang.get_untracked()).to_string(), lang))}
            </div>
            {move || trained.get().map(|m| {
                let key = map_key(m.method, false);
                view! { <p class="hint">{move || key.get(lang.get())}</p> }
            })}
            {move || match rho() {
                Some((rho, method)) => view! {
                    <p data-testid="sanity-verdict" data-rho=rho.to_string() data-passed=(rho < 0.5).to_string()
                        data-method=method class=if rho < 0.5 { "good" } else { "bad" }>
                        {format!("ρ = {rho:.2} · ")}{move || if rho < 0.5 { ui::PASSED.get(lang.get()) } else { ui::FAILED.get(lang.get()) }}</p>
                }.into_any(),
                None => view! { <p class="hint">{move || ui::PICK_LAYERS.get(lang.get())}</p> }.into_any(),
            }}
        </div>
    }
}
