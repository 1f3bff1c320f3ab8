//! The lesson's variations of the article's network (`variant=` in the URL): squared error on the
//! softmax (the article's §4.1 names MSE beside cross-entropy), tanh instead of ReLU, and label smoothing. Each is graded
//! the same way against [`kernels::by_hand::reference`]; the engine trains only the article's network,
//! so only that one's step is compared with the engine's.

use kernels::by_hand::{Activation, Loss, Variant};
use leptos::prelude::*;

use super::Work;
use crate::route::{Route, Router};
use crate::ui::i18n::{Lang, Text, tx};

/// One variation: its URL key, its name, and the network.
#[derive(Clone, Copy, Debug)]
pub struct Choice {
    /// `variant=` in the URL.
    pub key: &'static str,
    /// What the selector says.
    pub name: Text,
    /// The network.
    pub variant: Variant,
}

/// The label smoothing ε of the smoothing variation.
pub const SMOOTHING: f64 = 0.1;

/// The variations, the article's network first.
pub const CHOICES: [Choice; 4] = [
    Choice {
        key: "base",
        name: tx(
            "The article's network (ReLU, cross-entropy)",
            "文章中的网络（ReLU，交叉熵）",
        ),
        variant: Variant::BASE,
    },
    Choice {
        key: "mse",
        name: tx(
            "Squared error on the softmax (summed over the classes, mean over B)",
            "对 softmax 输出用平方误差（对类别求和，对批次取平均）",
        ),
        variant: Variant {
            activation: Activation::Relu,
            loss: Loss::MseSoftmax,
            label_smoothing: 0.0,
        },
    },
    Choice {
        key: "tanh",
        name: tx("tanh instead of ReLU", "用 tanh 代替 ReLU"),
        variant: Variant {
            activation: Activation::Tanh,
            loss: Loss::CrossEntropy,
            label_smoothing: 0.0,
        },
    },
    Choice {
        key: "smooth",
        name: tx("Label smoothing (eps = 0.1)", "标签平滑（eps = 0.1）"),
        variant: Variant {
            activation: Activation::Relu,
            loss: Loss::CrossEntropy,
            label_smoothing: SMOOTHING,
        },
    },
];

/// The variation a URL names (the article's network when none or an unknown one).
pub fn from_route(route: &Route) -> usize {
    route
        .get("variant")
        .and_then(|v| CHOICES.iter().position(|c| c.key == v))
        .unwrap_or(0)
}

/// What is wrong with the lesson's URL: the live model's keys and `variant`.
pub fn url_problems(query: &str) -> Vec<String> {
    let mut problems = crate::lessons::live_model::url_problems(query);
    let route = Route::parse(query);
    if let Some(v) = route
        .get("variant")
        .filter(|v| !CHOICES.iter().any(|c| c.key == *v))
    {
        problems.push(format!("variant={v}"));
    }
    problems
}

/// The forward pass as code, for `variant`.
pub fn forward_code(variant: Variant) -> String {
    let act = match variant.activation {
        Activation::Relu => "relu",
        Activation::Tanh => "tanh",
    };
    let loss = match (variant.loss, variant.label_smoothing) {
        (Loss::MseSoftmax, _) => {
            "L  = sum((softmax(z2, 1) - onehot(y, 10)) ** 2) / B   # summed over classes, mean over B"
                .to_string()
        }
        (Loss::CrossEntropy, e) if e > 0.0 => {
            format!("L  = cross_entropy(z2, y, label_smoothing=eps)   # eps = {e}, mean over B = 4")
        }
        _ => "L  = cross_entropy(z2, y)   # mean over B = 4".to_string(),
    };
    format!("z1 = x @ W1.T + b1\nh  = {act}(z1)\nz2 = h @ W2.T + b2\n{loss}")
}

/// The first hint of gradient `i` where the variation changes it.
pub fn first_hint(i: usize, variant: Variant) -> Option<Text> {
    match (i, variant.loss, variant.activation) {
        (0, Loss::MseSoftmax, _) => Some(tx(
            "With p = softmax(z2) and g = ∂L/∂p = 2(p − onehot)/B, the softmax's Jacobian gives dz2 = p ⊙ (g − Σ_k g_k p_k): the sum over classes, keepdim=True.",
            "设 p = softmax(z2)，g = ∂L/∂p = 2(p − onehot)/B，softmax 的雅可比矩阵给出 dz2 = p ⊙ (g − Σ_k g_k p_k)：对类别求和，keepdim=True。",
        )),
        (0, _, _) if variant.label_smoothing > 0.0 => Some(tx(
            "With label smoothing the target is t = (1 − eps)·onehot(y, 10) + eps/10; the derivative is still the softmax minus the target, over B.",
            "使用标签平滑时，目标是 t = (1 − eps)·onehot(y, 10) + eps/10；导数仍然是 softmax 减去目标，再除以 B。",
        )),
        (4, _, Activation::Tanh) => Some(tx(
            "h = tanh(z1): its derivative is 1 − tanh(z1)² = 1 − h², element by element.",
            "h = tanh(z1)：它的导数是 1 − tanh(z1)² = 1 − h²，逐元素相乘。",
        )),
        _ => None,
    }
}

/// The variation selector; a change regrades the lines on the same batch.
#[component]
pub fn VariantPicker() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let work = expect_context::<Work>();
    let router = expect_context::<Router>();
    let change = move |ev: leptos::ev::Event| {
        let Some(i) = event_target_value(&ev)
            .parse::<usize>()
            .ok()
            .filter(|&i| i < CHOICES.len())
        else {
            return;
        };
        let mut r = router.0.get_untracked();
        r.set("variant", (i > 0).then(|| CHOICES[i].key.to_string()));
        router.replace(r);
        work.set_variant(i);
    };
    view! {
        <div class="fields">
            <label for="bh-variant">{move || VARIANT.get(lang.get())}</label>
            <select id="bh-variant" data-testid="bh-variant" on:change=change>
                {CHOICES.iter().enumerate().map(|(i, c)| view! {
                    <option value=i.to_string() selected=move || work.variant.get() == i>
                        {move || c.name.get(lang.get())}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// The selector's label.
const VARIANT: Text = tx("Network", "网络");
/// Why a variation's step is not compared with the engine's.
pub const ENGINE_BASE_ONLY: Text = tx(
    "The engine trains the article's network only: for this variation your step is checked by its loss and by finite differences, not against an engine step.",
    "引擎只训练文章中的网络：对这个变体，你的一步通过损失和有限差分来核对，而不与引擎的一步比较。",
);
