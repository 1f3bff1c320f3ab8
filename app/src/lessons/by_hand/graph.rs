//! The step's graph: x → z1 → h → z2 → L with the parameters and their shapes, as an SVG. A node
//! clicked (or chosen by keyboard) shows its value and, once the student's line for it is right, its
//! gradient as heat maps; a right line lights the edge its gradient flows back along.

use kernels::by_hand::{GRADIENT_NAMES, Tensor};
use leptos::prelude::*;

use super::Work;
use super::text::ui;
use crate::ui::formula::num;
use crate::ui::heatmap::{Heatmap, Layout};
use crate::ui::i18n::Lang;

/// A node: its name, where it is drawn, and its shape's text.
struct Node {
    name: &'static str,
    x: f64,
    y: f64,
    shape: &'static str,
}

const NODES: [Node; 9] = [
    Node {
        name: "x",
        x: 50.0,
        y: 50.0,
        shape: "[4, 784]",
    },
    Node {
        name: "z1",
        x: 200.0,
        y: 50.0,
        shape: "[4, 32]",
    },
    Node {
        name: "h",
        x: 330.0,
        y: 50.0,
        shape: "[4, 32]",
    },
    Node {
        name: "z2",
        x: 460.0,
        y: 50.0,
        shape: "[4, 10]",
    },
    Node {
        name: "L",
        x: 590.0,
        y: 50.0,
        shape: "[]",
    },
    Node {
        name: "W1",
        x: 145.0,
        y: 150.0,
        shape: "[32, 784]",
    },
    Node {
        name: "b1",
        x: 255.0,
        y: 150.0,
        shape: "[32]",
    },
    Node {
        name: "W2",
        x: 405.0,
        y: 150.0,
        shape: "[10, 32]",
    },
    Node {
        name: "b2",
        x: 515.0,
        y: 150.0,
        shape: "[10]",
    },
];

/// Edges `from → to` and the gradient whose line lights it (the one flowing back along it).
const EDGES: [(&str, &str, Option<&str>); 8] = [
    ("x", "z1", None),
    ("W1", "z1", Some("dW1")),
    ("b1", "z1", Some("db1")),
    ("z1", "h", Some("dz1")),
    ("h", "z2", Some("dh")),
    ("W2", "z2", Some("dW2")),
    ("b2", "z2", Some("db2")),
    ("z2", "L", Some("dz2")),
];

fn node(name: &str) -> &'static Node {
    NODES.iter().find(|n| n.name == name).unwrap_or(&NODES[0])
}

/// How a tensor of `shape` is drawn: its layout and pixels per cell.
pub fn layout_for(shape: &[usize]) -> (Layout, usize) {
    match *shape {
        [t, 784] => (
            Layout::Tiles {
                tiles: t,
                side: 28,
                per_row: t.min(8),
            },
            3,
        ),
        [r, c] => (
            Layout::Matrix { rows: r, cols: c },
            if c > 16 { 10 } else { 16 },
        ),
        [n] => (Layout::Matrix { rows: 1, cols: n }, 12),
        _ => (Layout::Matrix { rows: 1, cols: 1 }, 24),
    }
}

/// A tensor as a heat map with its caption (what it is, its shape, the colours' scale).
#[component]
pub fn TensorMap(tensor: Tensor, caption: String, testid: &'static str) -> AnyView {
    let lang = expect_context::<RwSignal<Lang>>();
    let (layout, px) = layout_for(tensor.shape());
    let max = tensor.data().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let shape = kernels::by_hand::shape_text(tensor.shape());
    if tensor.rank() == 0 {
        // One number: said, not painted.
        let v = tensor.data().first().copied().unwrap_or(f64::NAN);
        return view! {
            <p class="big" data-testid=testid data-value=v.to_string()>{caption} " = " {num(v)}</p>
        }
        .into_any();
    }
    let values = tensor.to_f32();
    let aria = caption.clone();
    view! {
        <figure class="bh-map">
            <Heatmap values=Signal::derive(move || values.clone()) layout=layout px=px testid=testid
                aria=Signal::derive(move || aria.clone()) />
            <figcaption data-testid=format!("{testid}-caption") data-value=max.to_string()>
                {caption} " " {shape} " · " {move || ui::SCALE.get(lang.get()).replace("{max}", &num(max))}
            </figcaption>
        </figure>
    }
    .into_any()
}

/// The graph and, under it, the chosen node's value and gradient.
#[component]
pub fn StepGraph() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let work = expect_context::<Work>();
    let chosen = RwSignal::new("z2");
    let right = move |g: &str| {
        work.graded.with(|v| {
            GRADIENT_NAMES
                .iter()
                .position(|n| *n == g)
                .and_then(|i| v[i].as_ref())
                .is_some_and(|g| g.right_value().is_some())
        })
    };
    let edges = EDGES
        .iter()
        .map(|&(from, to, by)| {
            let (a, b) = (node(from), node(to));
            let lit = move || by.is_some_and(right);
            view! {
                <line x1=a.x y1=a.y x2=b.x y2=b.y class="bh-edge" class:lit=lit
                    data-testid=format!("bh-edge-{from}-{to}") data-lit=move || lit().to_string() />
            }
        })
        .collect_view();
    let nodes = NODES
        .iter()
        .map(|n| {
            let name = n.name;
            let pick = move || chosen.set(name);
            view! {
                <g class="bh-node" class:chosen=move || chosen.get() == name role="button" tabindex="0"
                    data-testid=format!("bh-node-{name}") aria-label=format!("{name} {}", n.shape)
                    on:click=move |_| pick()
                    on:keydown=move |ev| { if ev.key() == "Enter" || ev.key() == " " { ev.prevent_default(); pick() } }>
                    <rect x=n.x - 42.0 y=n.y - 22.0 width="84" height="44" rx="8" />
                    <text x=n.x y=n.y - 3.0 text-anchor="middle" class="bh-name">{name}</text>
                    <text x=n.x y=n.y + 14.0 text-anchor="middle" class="tick">{n.shape}</text>
                </g>
            }
        })
        .collect_view();
    let value = move |name: &str| -> Option<Tensor> {
        let s = work.snapshot.get()?;
        Some(match name {
            "x" => s.net.x.clone(),
            "W1" => s.net.w1.clone(),
            "b1" => s.net.b1.clone(),
            "W2" => s.net.w2.clone(),
            "b2" => s.net.b2.clone(),
            "z1" => s.reference.z1.clone(),
            "h" => s.reference.h.clone(),
            "z2" => s.reference.z2.clone(),
            _ => Tensor::scalar(s.reference.loss),
        })
    };
    let gradient = move |name: &str| -> Option<Tensor> {
        let d = format!("d{name}");
        let i = GRADIENT_NAMES.iter().position(|n| *n == d)?;
        work.graded
            .with(|g| g[i].as_ref().and_then(|g| g.right_value().cloned()))
    };
    let detail = move || {
        let name = chosen.get();
        let l = lang.get();
        let v = value(name).map(|t| {
            let caption = ui::VALUE.get(l).replace("{n}", name);
            view! { <TensorMap tensor=t caption=caption testid="bh-node-value" /> }
        });
        let g = match (name, gradient(name)) {
            ("L", _) => ().into_any(),
            ("x", _) => view! { <p class="hint">{ui::NO_INPUT_GRADIENT.get(l)}</p> }.into_any(),
            (_, Some(t)) => {
                let caption = ui::GRADIENT.get(l).replace("{n}", name);
                view! { <TensorMap tensor=t caption=caption testid="bh-node-gradient" /> }
                    .into_any()
            }
            (_, None) => view! { <p class="hint">{ui::NO_GRADIENT.get(l)}</p> }.into_any(),
        };
        view! { <div class="bh-detail" data-testid="bh-node-detail" data-node=name>{v}{g}</div> }
    };
    view! {
        <figure class="bh-graph-figure">
            <svg class="diagram bh-graph" viewBox="0 0 640 200" role="group" data-testid="bh-graph"
                aria-label=move || ui::GRAPH.get(lang.get())>
                {edges}
                {nodes}
            </svg>
            <figcaption>{move || ui::GRAPH.get(lang.get())}</figcaption>
        </figure>
        {detail}
    }
}
