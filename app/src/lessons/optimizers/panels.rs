//! The lesson's three panels: the playground (every optimiser on a surface, the counts and, on the
//! quadratic, the closed forms), momentum (μ against overshoot), and the predict-then-run questions.
//! Every sentence that states a result is chosen by the computed paths.

use leptos::prelude::*;

use super::playground::{self, Run, SurfaceMap, count_text};
use super::text::ui;
use super::{Choice, KAPPA, Optimiser, Setup, SurfaceChoice};
use crate::ui::i18n::{Lang, tx};

fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

pub fn count(runs: &[Run], id: Optimiser) -> Option<usize> {
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
    // Every row's rate and μ for the surface (on the quadratic, the best settings), keeping the ticks;
    // refusals go with the boxes' old text.
    let reset_rates = move || {
        let fresh = setup.get_untracked().choices();
        choices.update(|cs| {
            for (c, f) in cs.iter_mut().zip(fresh) {
                *c = Choice {
                    enabled: c.enabled,
                    ..f
                };
            }
        });
        refused.set(Vec::new());
    };
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
    let set_row = move |id: Optimiser, f: Box<dyn Fn(&mut Choice)>| {
        choices.update(|cs| {
            if let Some(c) = cs.iter_mut().find(|c| c.id == id) {
                f(c);
            }
        })
    };
    // A box's new text: taken when in range, else refused (and said so) — never replaced silently.
    let typed = move |id: Optimiser, mu: bool, text: String| {
        let ok = text.trim().parse::<f32>().ok().filter(|v| {
            if mu {
                (0.0..1.0).contains(v)
            } else {
                *v > 0.0 && *v <= LR_MAX
            }
        });
        refused.update(|r| r.retain(|x| !(x.id == id && x.mu == mu)));
        match ok {
            Some(v) if mu => set_row(id, Box::new(move |c| c.mu = v)),
            Some(v) => set_row(id, Box::new(move |c| c.lr = v)),
            None => refused.update(|r| r.push(Refusal { id, mu, text })),
        }
    };
    let rows = move || {
        Optimiser::ALL
            .iter()
            .map(|&id| {
                let c = move || choices.with(|cs| *cs.iter().find(|c| c.id == id).unwrap());
                let is_refused = move || refused.with(|r| r.iter().any(|x| x.id == id));
                let cell = move || {
                    if is_refused() {
                        ui::REFUSED.get(lang.get()).to_string()
                    } else {
                        runs.with(|rs| count_text(rs.iter().find(|r| r.id == id), lang.get()))
                    }
                };
                let value = move || runs.with(|rs| count(rs, id).map(|n| n.to_string()).unwrap_or_default());
                view! {
                    <tr data-testid=format!("opt-row-{}", id.id())>
                        <td><label>
                            <input type="checkbox" data-testid=format!("opt-enable-{}", id.id())
                                prop:checked=move || c().enabled
                                on:change=move |ev| { let on = event_target_checked(&ev); set_row(id, Box::new(move |c| c.enabled = on)) } />
                            " " <span class="swatch" style:background=id.colour()></span> " "
                            {move || id.name().get(lang.get())}
                        </label></td>
                        <td><input type="number" step="any" min="0" max=LR_MAX.to_string() class="narrow" data-testid=format!("opt-lr-{}", id.id())
                            prop:value=move || c().lr.to_string()
                            on:change=move |ev| typed(id, false, event_target_value(&ev)) /></td>
                        // A row without μ shows an empty box with a dash placeholder ("–" is not a number).
                        <td><input type="number" step="any" min="0" max="0.999" class="narrow" data-testid=format!("opt-mu-{}", id.id())
                            disabled=!id.has_mu() placeholder="–" prop:value=move || if id.has_mu() { c().mu.to_string() } else { String::new() }
                            on:change=move |ev| typed(id, true, event_target_value(&ev)) /></td>
                        <td class="num" data-testid=format!("opt-iterations-{}", id.id()) data-value=value>{cell}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let kappa_slider = move || {
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
    };
    let theory = move || {
        is_quadratic().then(|| {
            let k = setup.get().kappa;
            let [(gd_rate, gd_exact), (hb_rate, hb_exact)] = playground::theory(k, start.get());
            let row = move |id: Optimiser, rate: f64, exact: usize| view! {
                <tr>
                    <td>{move || id.name().get(lang.get())}</td>
                    <td class="num">{format!("{rate:.1}")}</td>
                    <td class="num" data-testid=format!("opt-theory-{}", id.id()) data-value=exact.to_string() data-rate=format!("{rate:.1}")>{exact}</td>
                    <td class="num">{move || runs.with(|rs| count_text(rs.iter().find(|r| r.id == id), lang.get()))}</td>
                </tr>
            };
            view! {
                <h3>{move || ui::THEORY.get(lang.get())}</h3>
                <table class="numbers">
                    <tr><th>{move || ui::OPTIMISER.get(lang.get())}</th><th>{move || ui::BY_RATE.get(lang.get())}</th>
                        <th>{move || ui::EXACT.get(lang.get())}</th><th>{move || ui::MEASURED.get(lang.get())}</th></tr>
                    {row(Optimiser::Gd, gd_rate, gd_exact)}
                    {row(Optimiser::Momentum, hb_rate, hb_exact)}
                </table>
                <p class="hint">{move || WHY_EXACT.get(lang.get()).replace("{cap}", &playground::MAX_STEPS.to_string())}</p>
            }
        })
    };
    let verdict = move || {
        let l = lang.get();
        runs.with(|rs| {
            let find = |id| rs.iter().find(|r| r.id == id);
            match (find(Optimiser::Gd), find(Optimiser::Momentum)) {
                (Some(gd), Some(hb)) => {
                    match (count(rs, Optimiser::Gd), count(rs, Optimiser::Momentum)) {
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
        })
    };
    let refusal = move || {
        let l = lang.get();
        refused.with(|r| {
            (!r.is_empty()).then(|| {
                let text = r
                    .iter()
                    .map(|x| {
                        if x.mu { REFUSED_MU } else { REFUSED_LR }
                            .get(l)
                            .replace("{name}", x.id.name().get(l))
                            .replace("{text}", &x.text)
                            .replace("{max}", &LR_MAX.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                view! { <p class="error" role="alert" data-testid="opt-refused">{text}</p> }
            })
        })
    };
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
                {kappa_slider}
            </div>
            <SurfaceMap setup=setup runs=runs start=start aria=aria />
            <p class="hint">{move || ui::CLICK.get(lang.get())} " "
                {move || { let s = start.get(); format!("({:.2}, {:.2})", s[0], s[1]) }}</p>
            <table class="numbers">
                <tr><th>{move || ui::OPTIMISER.get(lang.get())}</th><th>{move || ui::LR.get(lang.get())}</th>
                    <th>{move || ui::MOMENTUM_COL.get(lang.get())}</th><th>{move || ui::ITERATIONS.get(lang.get())}</th></tr>
                {rows}
            </table>
            {refusal}
            <p class="hint" class:hidden=move || !is_quadratic()>{move || UNTUNED.get(lang.get())}</p>
            <p data-testid="opt-verdict">{verdict}</p>
            {theory}
        </section>
    }
}

/// The largest learning rate a box takes (a surface's numbers leave any sane range far below it).
pub const LR_MAX: f32 = 10.0;

/// A box's text the table refused.
#[derive(Clone, Debug, PartialEq)]
struct Refusal {
    id: Optimiser,
    /// The μ box (else the learning rate's).
    mu: bool,
    text: String,
}

const REFUSED_LR: crate::ui::i18n::Text = tx(
    "{name}: the learning rate \"{text}\" is refused — it must be a number above 0 and at most {max}; the row does not run until it is.",
    "{name}：学习率“{text}”不被接受——它必须是大于 0、不超过 {max} 的数；在改正之前这一行不运行。",
);
const REFUSED_MU: crate::ui::i18n::Text = tx(
    "{name}: μ \"{text}\" is refused — it must be a number from 0 up to (not including) 1; the row does not run until it is.",
    "{name}：μ“{text}”不被接受——它必须是从 0 到 1（不含 1）之间的数；在改正之前这一行不运行。",
);
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
                id: Optimiser::Gd,
                enabled: true,
                lr: LR,
                mu: 0.0,
            },
            Choice {
                id: Optimiser::Momentum,
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
                .find(|r| r.id == Optimiser::Momentum)
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
                {[Optimiser::Gd, Optimiser::Momentum].map(|id| view! {
                    <tr><td><span class="swatch" style:background=id.colour()></span> " " {move || id.name().get(lang.get())}</td>
                        <td class="num" data-testid=format!("opt-momentum-iterations-{}", id.id())
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
