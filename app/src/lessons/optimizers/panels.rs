//! The lesson's three panels: the playground (every optimiser on a surface, the counts and, on the
//! quadratic, the closed forms), momentum (μ against overshoot), and the predict-then-run questions.
//! Every sentence that states a result is chosen by the computed paths.

use kernels::Optimizer;
use leptos::prelude::*;

mod table;

use self::table::Refusal;

use super::playground::{self, Run, SurfaceMap, count_text};
use super::text::ui;
use super::{Choice, KAPPA, Setup, Shown, SurfaceChoice};
use crate::ui::i18n::{Lang, tx};

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

pub fn count(runs: &[Run], id: Optimizer) -> Option<usize> {
    runs.iter()
        .find(|r| r.id == id && !r.diverged)
        .and_then(|r| r.path.iterations)
}

/// Step 1: every optimiser on the chosen surface.
#[component]
pub fn Playground(setup: RwSignal<Setup>) -> impl IntoView {
    let lang = lang();
    let choices = RwSignal::new(setup.get_untracked().choices());
    let start = RwSignal::new(setup.get_untracked().start());
    // Boxes whose text was refused: the row does not run until its box holds a number in range.
    let refused = RwSignal::new(Vec::<Refusal>::new());
    let reset_rates = move || table::reset_rates(setup, choices, refused);
    // A new surface or κ brings that surface's rates and start (on the quadratic, the best settings).
    let shape = Memo::new(move |_| {
        let s = setup.get();
        (s.surface, s.kappa.to_bits())
    });
    Effect::new(move |previous: Option<(SurfaceChoice, u64)>| {
        let now = shape.get();
        if let Some(before) = previous
            && before != now
        {
            reset_rates();
            if before.0 != now.0 {
                start.set(setup.get_untracked().start());
            }
        }
        now
    });
    let runs = Memo::new(move |_| {
        let mut rows = choices.get();
        refused.with(|r| {
            for c in &mut rows {
                c.enabled &= !r.iter().any(|x| x.id == c.id);
            }
        });
        playground::runs(&setup.get(), &rows, start.get())
    });
    let is_quadratic = move || setup.get().surface == SurfaceChoice::Quadratic;
    let aria = Signal::derive(move || {
        format!(
            "{}: {}",
            setup.get().surface.name().get(lang.get()),
            ui::CLICK.get(lang.get())
        )
    });
    view! {
        <section class="panel wide" data-testid="opt-playground">
            <div class="controls">
                <label>{move || ui::SURFACE.get(lang.get())} " "
                    <select data-testid="opt-surface-choice"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(&c) = SurfaceChoice::ALL.iter().find(|c| c.key() == v) {
                                setup.update(|s| s.surface = c);
                            }
                        }>
                        {SurfaceChoice::ALL.iter().map(|&c| view! {
                            <option value=c.key() selected=move || setup.get().surface == c>{move || c.name().get(lang.get())}</option>
                        }).collect_view()}
                    </select>
                </label>
                {kappa_slider(setup, choices, refused)}
            </div>
            <SurfaceMap setup=setup runs=runs start=start aria=aria />
            <p class="hint">{move || ui::CLICK.get(lang.get())} " "
                {move || { let s = start.get(); format!("({:.2}, {:.2})", s[0], s[1]) }}</p>
            <table class="numbers">
                <tr><th>{move || ui::OPTIMISER.get(lang.get())}</th><th>{move || ui::LR.get(lang.get())}</th>
                    <th>{move || ui::MOMENTUM_COL.get(lang.get())}</th><th>{move || ui::ITERATIONS.get(lang.get())}</th></tr>
                {table::optimiser_rows(choices, refused, runs)}
            </table>
            {move || refused.with(|r| table::refusal_text(r, lang.get()))
                .map(|text| view! { <p class="error" role="alert" data-testid="opt-refused">{text}</p> })}
            <p class="hint" class:hidden=move || !is_quadratic()>{move || UNTUNED.get(lang.get())}</p>
            <p data-testid="opt-verdict">{move || runs.with(|rs| verdict(rs, lang.get()))}</p>
            {theory_table(setup, start, runs)}
        </section>
    }
}

/// On the quadratic, the κ slider and the button that brings every row's best settings back.
fn kappa_slider(
    setup: RwSignal<Setup>,
    choices: RwSignal<Vec<Choice>>,
    refused: RwSignal<Vec<Refusal>>,
) -> impl IntoView {
    let lang = lang();
    let is_quadratic = move || setup.get().surface == SurfaceChoice::Quadratic;
    let reset_rates = move || table::reset_rates(setup, choices, refused);
    move || {
        is_quadratic().then(|| view! {
            <label class="slider">{move || ui::KAPPA.get(lang.get())} " = "
                <strong data-testid="opt-kappa-value">{move || format!("{}", setup.get().kappa)}</strong>
                <input type="range" min="0" max="3" step="0.01" data-testid="opt-kappa"
                    data-value=move || setup.get().kappa.to_string()
                    prop:value=move || setup.get().kappa.log10().to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            let k = (10f64.powf(v) * 10.0).round() / 10.0;
                            setup.update(|s| s.kappa = k.clamp(KAPPA.0, KAPPA.1));
                        }
                    } />
            </label>
            <button class="secondary" data-testid="opt-optimal"
                on:click=move |_| reset_rates()>
                {move || ui::OPTIMAL.get(lang.get())}</button>
        })
    }
}

/// On the quadratic, the closed-form iteration counts of gradient descent and heavy ball against the
/// measured ones.
fn theory_table(
    setup: RwSignal<Setup>,
    start: RwSignal<[f64; 2]>,
    runs: Memo<Vec<Run>>,
) -> impl IntoView {
    let lang = lang();
    let is_quadratic = move || setup.get().surface == SurfaceChoice::Quadratic;
    move || {
        is_quadratic().then(|| {
            let k = setup.get().kappa;
            let [(gd_rate, gd_exact), (hb_rate, hb_exact)] = playground::theory(k, start.get());
            let row = move |id: Optimizer, rate: f64, exact: usize| view! {
                <tr>
                    <td>{move || id.name().get(lang.get())}</td>
                    <td class="num">{format!("{rate:.1}")}</td>
                    <td class="num" data-testid=format!("opt-theory-{}", id.testid()) data-value=exact.to_string() data-rate=format!("{rate:.1}")>{exact}</td>
                    <td class="num">{move || runs.with(|rs| count_text(rs.iter().find(|r| r.id == id), lang.get()))}</td>
                </tr>
            };
            view! {
                <h3>{move || ui::THEORY.get(lang.get())}</h3>
                <table class="numbers">
                    <tr><th>{move || ui::OPTIMISER.get(lang.get())}</th><th>{move || ui::BY_RATE.get(lang.get())}</th>
                        <th>{move || ui::EXACT.get(lang.get())}</th><th>{move || ui::MEASURED.get(lang.get())}</th></tr>
                    {row(Optimizer::Sgd, gd_rate, gd_exact)}
                    {row(Optimizer::Momentum, hb_rate, hb_exact)}
                </table>
                <p class="hint">{move || WHY_EXACT.get(lang.get()).replace("{cap}", &playground::MAX_STEPS.to_string())}</p>
            }
        })
    }
}

/// The verdict under the table: how many times fewer iterations momentum needed than gradient descent,
/// or why the two counts cannot be compared.
fn verdict(rs: &[Run], l: Lang) -> String {
    let find = |id| rs.iter().find(|r| r.id == id);
    match (find(Optimizer::Sgd), find(Optimizer::Momentum)) {
        (Some(gd), Some(hb)) => {
            match (count(rs, Optimizer::Sgd), count(rs, Optimizer::Momentum)) {
                (Some(g), Some(h)) if h < g => {
                    format!("{} {:.1}× ({g} / {h}).", FEWER.get(l), g as f64 / h as f64)
                }
                (Some(g), Some(h)) => format!("{} ({g} / {h}).", NOT_FEWER.get(l)),
                // Both run; one or both diverged or did not arrive: say which, and why no ratio.
                _ => [gd, hb]
                    .iter()
                    .filter(|r| r.diverged || r.path.iterations.is_none())
                    .map(|r| {
                        if r.diverged {
                            DIVERGED_ROW
                        } else {
                            NOT_ARRIVED_ROW
                        }
                        .get(l)
                        .replace("{name}", r.id.name().get(l))
                        .replace("{cap}", &playground::MAX_STEPS.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            }
        }
        _ => NO_COMPARISON.get(l).to_string(),
    }
}

/// The largest learning rate a box takes (a surface's numbers leave any sane range far below it).
pub const LR_MAX: f32 = 10.0;

const UNTUNED: crate::ui::i18n::Text = tx(
    "\"Best settings\" sets each rule's own optimum on this quadratic for gradient descent, momentum and Nesterov; AdaGrad, RMSprop, Adam and AdamW have no such closed form and keep safe, untuned rates. On a quadratic, heavy ball's tuned optimum is the fastest of the three; Nesterov's advantage is its guarantee on every smooth convex function, which a quadratic does not show.",
    "“最佳设置”为梯度下降、动量和 Nesterov 动量设置各自在这个二次曲面上的最优值；AdaGrad、RMSprop、Adam 和 AdamW 没有这样的闭式解，保留安全但未调过的学习率。在二次曲面上，重球动量调好的最优设置是三者中最快的；Nesterov 的优势在于它对所有光滑凸函数都有收敛保证，而二次曲面体现不出这一点。",
);
const DIVERGED_ROW: crate::ui::i18n::Text = tx(
    "{name} diverged at its rate, so there is no count to compare: lower its learning rate.",
    "{name}在这个学习率下发散了，没有可比较的次数：请调低它的学习率。",
);
const NOT_ARRIVED_ROW: crate::ui::i18n::Text = tx(
    "{name} did not stay within 1/1000 of the start's distance by iteration {cap}, so the two counts cannot be compared.",
    "{name}到第 {cap} 次迭代时仍未稳定进入起点距离的 1/1000 范围，所以两者的次数无法比较。",
);
const FEWER: crate::ui::i18n::Text = tx(
    "Here momentum needed fewer iterations than gradient descent:",
    "这里动量比梯度下降需要的迭代次数更少：",
);
const NOT_FEWER: crate::ui::i18n::Text = tx(
    "Here momentum did not need fewer iterations than gradient descent",
    "这里动量需要的迭代次数并不比梯度下降少",
);
const NO_COMPARISON: crate::ui::i18n::Text = tx(
    "Tick gradient descent and momentum (with rates the table takes) to compare them.",
    "勾选梯度下降和动量（并填入表格接受的学习率），才能比较。",
);
const WHY_EXACT: crate::ui::i18n::Text = tx(
    "The rate alone is the long-run shrink factor per step. Momentum's exact count is higher because at its best μ the solution is x₀·(±√μ)ᵗ·(1 + t·(1 ∓ √μ)): the factor t delays it at first. The measured column uses the rows above, so it matches the closed forms only at the best settings. Every count is an arrival: the first iteration from which the path stays within 1/1000 of the start's distance (to the nearest minimum) up to the cap of {cap} iterations — a path that swings into that ball and out again has not arrived.",
    "仅按收敛率，是长期每一步的缩小倍数。动量的精确次数更高，因为在最佳 μ 下解为 x₀·(±√μ)ᵗ·(1 + t·(1 ∓ √μ))：因子 t 让它起初慢一些。实测一列使用上面表格中的设置，所以只有在最佳设置下才与闭式解一致。每个次数都是“到达”：从这一次迭代起，直到 {cap} 次的上限，路径与（最近的）极小值的距离一直不超过起点距离的 1/1000——进入这个范围又离开的路径不算到达。",
);

/// Step 2: gradient descent against momentum on a κ = 10 valley, μ on a slider.
#[component]
pub fn MomentumPanel() -> impl IntoView {
    let lang = lang();
    let setup = RwSignal::new(Setup {
        kappa: 10.0,
        ..Setup::default()
    });
    let mu = RwSignal::new(0.9f32);
    let start = RwSignal::new([-1.5, 1.0]);
    const LR: f32 = 0.05;
    let choices = move || {
        [
            Choice {
                id: Optimizer::Sgd,
                enabled: true,
                lr: LR,
                mu: 0.0,
            },
            Choice {
                id: Optimizer::Momentum,
                enabled: true,
                lr: LR,
                mu: mu.get(),
            },
        ]
    };
    let runs = Memo::new(move |_| playground::runs(&setup.get(), &choices(), start.get()));
    let crossings = move || {
        runs.with(|rs| {
            rs.iter()
                .find(|r| r.id == Optimizer::Momentum)
                .map(|r| overshoots(&r.path.points))
                .unwrap_or(0)
        })
    };
    let sentence = move || {
        let n = crossings();
        let l = lang.get();
        match n {
            0 => NO_OVERSHOOT.get(l).to_string(),
            n => format!("{} {n}.", OVERSHOOT.get(l)),
        }
    };
    let aria = Signal::derive(move || ui::MU.get(lang.get()).to_string());
    view! {
        <section class="panel wide" data-testid="opt-momentum">
            <label class="slider">{move || ui::MU.get(lang.get())} " = "
                <strong>{move || format!("{:.2}", mu.get())}</strong>
                <input type="range" min="0" max="0.99" step="0.01" data-testid="opt-mu"
                    prop:value=move || mu.get().to_string()
                    on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f32>() { mu.set(v.clamp(0.0, 0.99)) } } />
            </label>
            <p>{move || ui::EFFECTIVE.get(lang.get())} " = " {move || format!("{LR} / (1 − {:.2}) = {:.3}", mu.get(), f64::from(LR) / (1.0 - f64::from(mu.get())))}</p>
            <SurfaceMap setup=setup runs=runs start=start aria=aria />
            <table class="numbers">
                <tr><th>{move || ui::OPTIMISER.get(lang.get())}</th><th>{move || ui::ITERATIONS.get(lang.get())}</th></tr>
                {[Optimizer::Sgd, Optimizer::Momentum].map(|id| view! {
                    <tr><td><span class="swatch" style:background=id.colour()></span> " " {move || id.name().get(lang.get())}</td>
                        <td class="num" data-testid=format!("opt-momentum-iterations-{}", id.testid())
                            data-value=move || runs.with(|rs| count(rs, id).map(|n| n.to_string()).unwrap_or_default())>
                            {move || runs.with(|rs| count_text(rs.iter().find(|r| r.id == id), lang.get()))}</td></tr>
                })}
            </table>
            <p data-testid="opt-overshoot" data-value=move || crossings().to_string()>{sentence}</p>
        </section>
    }
}

/// How many times a path crosses the minimum's x (the flat direction, where momentum overshoots).
pub fn overshoots(points: &[[f64; 2]]) -> usize {
    points
        .windows(2)
        .filter(|w| w[0][0] != 0.0 && w[0][0].signum() != w[1][0].signum())
        .count()
}

const NO_OVERSHOOT: crate::ui::i18n::Text = tx(
    "Momentum's path never passes the minimum along the flat direction.",
    "动量的路径在平坦方向上从未越过极小值。",
);
const OVERSHOOT: crate::ui::i18n::Text = tx(
    "Momentum's path passes the minimum along the flat direction and swings back; times it crosses:",
    "动量的路径在平坦方向上越过极小值又摆回来；穿越次数：",
);
