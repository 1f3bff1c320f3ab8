//! Step 4: the run without privacy beside the DP-SGD run (accuracy, fitting, the held-out advantage
//! beside the bound ε gives, digits whose drop is beyond its error), and accuracy against ε from a
//! sweep that runs in the worker one epoch per burst while the page shows where it is.

use leptos::prelude::*;

use super::math;
use super::panels::{DpForm, bound, epsilon_view};
use super::protocol::Client;
use super::protocol::{Arm, ArmResult, Command, DpSettings};
use super::state::{SWEEP, State};
use super::text::ui;
use crate::ui::i18n::{Lang, percent, tx};
use crate::ui::line_chart::{ACCURACY, LineChart, Series};

/// Twice the standard error of the difference of two held-out advantages: a fall smaller than this
/// is within the test's own sampling noise.
pub fn advantage_band(p: &ArmResult, d: &ArmResult) -> f32 {
    let se = |r: &ArmResult| {
        math::advantage_se(r.membership, r.member_losses.len(), r.outsider_losses.len())
    };
    2.0 * (se(p).powi(2) + se(d).powi(2)).sqrt()
}

/// Twice the standard error of the difference of two test accuracies `lo` and `hi`, each measured
/// on `n` test images: 2·√(p_l(1−p_l)/n + p_h(1−p_h)/n). A difference within it is sampling noise.
pub fn accuracy_band(lo: f32, hi: f32, n: usize) -> f64 {
    let (l, h, n) = (f64::from(lo), f64::from(hi), n.max(1) as f64);
    2.0 * (l * (1.0 - l) / n + h * (1.0 - h) / n).sqrt()
}

/// The comparison in words, each clause chosen by the two runs' numbers.
fn cost_sentence(p: &ArmResult, d: &ArmResult, l: Lang) -> String {
    // ∞ at σ = 0, where the accountant gives no ε: clipping alone bounds nothing.
    let eps = math::shown_epsilon(d.epsilon);
    let ee = math::exp_epsilon(eps);
    let g = math::dp_bound(eps, math::DELTA);
    let pc = |x: f32| percent(l, f64::from(x), 1);
    let (pa, da) = (p.membership.advantage, d.membership.advantage);
    let band = advantage_band(p, d);
    let fell = pa - da > band;
    // Fitting less is a fall of the members' accuracy beyond twice the standard error of the
    // difference on the member images.
    let members = d.member_losses.len();
    let member_band = accuracy_band(p.member_accuracy, d.member_accuracy, members);
    let fits_less = f64::from(p.member_accuracy - d.member_accuracy) > member_band;
    let mpts = 100.0 * member_band;
    let gap = |r: &ArmResult| 100.0 * (r.member_accuracy - r.test_accuracy);
    let (gp, gd) = (gap(p), gap(d));
    let (named, se) =
        math::significant_drops(&p.class_accuracy, &d.class_accuracy, &d.class_counts);
    let se = 100.0 * se;
    let names = named.iter().map(usize::to_string).collect::<Vec<_>>();
    let (test_d, test_p, member_p, member_d) = (
        pc(d.test_accuracy),
        pc(p.test_accuracy),
        pc(p.member_accuracy),
        pc(d.member_accuracy),
    );
    match l {
        Lang::En => {
            let mut s = if eps.is_finite() {
                format!(
                    "With DP-SGD (ε = {eps:.2}, eᵋ ≈ {ee}) the test accuracy is {test_d} instead of {test_p}, and the held-out membership advantage {da:.2} instead of {pa:.2} (no-leak floor {:.2}). ε caps any membership test's advantage at {g:.2}{}: the attack measures a lower bound on what leaks, ε gives an upper bound. ",
                    d.floor,
                    if f64::from(pa) <= g {
                        ", more than this threshold attack found even on the model without privacy: against this attack, the bound adds no guarantee at this ε (it still caps stronger attacks)"
                    } else {
                        ""
                    },
                )
            } else {
                format!(
                    "With DP-SGD at σ = 0 (ε = ∞: clipping alone gives no privacy guarantee) the test accuracy is {test_d} instead of {test_p}, and the held-out membership advantage {da:.2} instead of {pa:.2} (no-leak floor {:.2}). With no finite ε nothing caps what a membership test can find: only the attack's lower bound on what leaks remains. ",
                    d.floor,
                )
            };
            s += &match (fell, fits_less) {
                (true, true) => format!(
                    "Some of that fall may be simply less fitting: accuracy on the members fell too, from {member_p} to {member_d}, beyond its sampling error (±{mpts:.1} points on {members} members), and the members' lead over the test images went from {gp:.1} to {gd:.1} points. "
                ),
                (true, false) => format!(
                    "Accuracy on the members did not fall by more than its sampling error ({member_p} → {member_d}, ±{mpts:.1} points on {members} members), and the members' lead over the test images went from {gp:.1} to {gd:.1} points: less fitting, as accuracy on the members measures it, does not explain the fall. "
                ),
                (false, _) => format!(
                    "The advantage did not fall by more than its sampling error (±{band:.2}). "
                ),
            };
            s += &if names.is_empty() {
                format!(
                    "No digit loses more than 2.8 times its standard error (≈ {se:.0} points; 2.8, not 2, because ten digits are tested at once): one run per model cannot single one out."
                )
            } else {
                format!(
                    "Digits that lose more than 2.8 times their standard error (≈ {se:.0} points; 2.8, not 2, because ten digits are tested at once): {}.",
                    names.join(", ")
                )
            };
            s
        }
        Lang::Zh => {
            let mut s = if eps.is_finite() {
                format!(
                    "使用 DP-SGD（ε = {eps:.2}，eᵋ ≈ {ee}）后，测试准确率为 {test_d}（原为 {test_p}），留出一半上的成员推断优势为 {da:.2}（原为 {pa:.2}；无泄露基线 {:.2}）。ε 把任何成员推断的优势限制在 {g:.2} 以内{}：攻击测得的是泄露的下界，ε 给出的是上界。",
                    d.floor,
                    if f64::from(pa) <= g {
                        "，比这个阈值攻击在不加隐私保护的模型上测得的还多：就这个攻击而言，这个 ε 下的上界没有提供额外保证（它对更强的攻击仍然成立）"
                    } else {
                        ""
                    },
                )
            } else {
                format!(
                    "在 σ = 0 下使用 DP-SGD（ε = ∞：只有裁剪，没有任何隐私保证）后，测试准确率为 {test_d}（原为 {test_p}），留出一半上的成员推断优势为 {da:.2}（原为 {pa:.2}；无泄露基线 {:.2}）。没有有限的 ε，就没有任何东西限制成员推断能发现什么：只剩下攻击测得的泄露下界。",
                    d.floor,
                )
            };
            s += &match (fell, fits_less) {
                (true, true) => format!(
                    "这一下降可能有一部分只是拟合得更少：成员上的准确率也从 {member_p} 降到 {member_d}，超出了它的抽样误差（在 {members} 张成员图像上为 ±{mpts:.1} 个百分点）；成员相对测试图像的领先幅度从 {gp:.1} 个百分点变为 {gd:.1} 个百分点。"
                ),
                (true, false) => format!(
                    "成员上的准确率下降没有超出其抽样误差（{member_p} → {member_d}，在 {members} 张成员图像上为 ±{mpts:.1} 个百分点），成员相对测试图像的领先幅度从 {gp:.1} 个百分点变为 {gd:.1} 个百分点：以成员上的准确率衡量，拟合得更少并不能解释这一下降。"
                ),
                (false, _) => format!("优势的下降没有超出它的抽样误差（±{band:.2}）。"),
            };
            s += &if names.is_empty() {
                format!(
                    "没有哪个数字的降幅超过 2.8 倍标准误（约 {se:.0} 个百分点；十个数字同时检验，所以取 2.8 而不是 2）：每个模型只运行一次，挑不出具体的数字。"
                )
            } else {
                format!(
                    "降幅超过 2.8 倍标准误（约 {se:.0} 个百分点；十个数字同时检验，所以取 2.8 而不是 2）的数字：{}。",
                    names.join("、")
                )
            };
            s
        }
    }
}

/// Accuracy against ε: DP-SGD runs at σ chosen by the accountant for ε ≈ 1, 3, 8 (same C, L and epochs
/// as the meter), beside the run without privacy.
fn sweep_section(
    client: Client,
    state: State,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let plan = form.plan;
    let start = move |_| {
        let s = form.settings();
        let runs: Vec<(DpSettings, u32)> = plan
            .get()
            .into_iter()
            .enumerate()
            .filter_map(|(i, sigma)| sigma.map(|noise| (DpSettings { noise, ..s }, i as u32 + 1)))
            .collect();
        if runs.len() == SWEEP.len() {
            state.sweep.set(Vec::new());
            state.running.set(Some(Arm::Private));
            state.class_live.set(true);
            client.send(&Command::Sweep {
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
            <button data-testid="dp-sweep" disabled=move || state.data.get().is_none() || state.running.get().is_some() || plan.with(|p| p.iter().any(Option::is_none)) on:click=start>
                {move || tx("Measure at ε ≈ 1, 3 and 8", "在 ε ≈ 1、3、8 处测量").get(lang.get())}</button>
            <span class="hint">{move || {
                let line = plan.with(|sigmas| SWEEP.iter().zip(sigmas).map(|(t, s)| s.map_or_else(|| format!("ε {t}: —"), |s| format!("ε {t} (eᵋ ≈ {}): σ {s:.2}", math::exp_epsilon(*t)))).collect::<Vec<_>>().join(" · "));
                format!("C {}, L {}, {} {} · {line}", form.clip.get(), form.lot.get(), form.epochs.get(), tx("epochs", "轮").get(lang.get()))
            }}</span>
            {move || state.sweep_at.get().map(|(tag, e, epochs)| view! {
                <span class="hint" role="status" data-testid="dp-sweep-progress" data-run=tag.to_string() data-epoch=e.to_string()>
                    {move || match lang.get() {
                        Lang::En => format!("run {tag}/{}, epoch {e}/{epochs}", SWEEP.len()),
                        Lang::Zh => format!("第 {tag}/{} 次运行，第 {e}/{epochs} 轮", SWEEP.len()),
                    }}</span>
            })}
        </div>
        <div class="two">
        <LineChart series=series y_top=1.0 y_percent=true zoom=true x_label=tx("ε (δ = 10⁻⁵)", "ε（δ = 10⁻⁵）") y_label=ACCURACY testid="dp-sweep-chart"
            aria=tx("test accuracy against ε, DP-SGD runs and the run without privacy", "测试准确率与 ε：DP-SGD 各次运行与无隐私保护的运行") />
        <table class="numbers">
            <tbody>
                {move || state.sweep.get().into_iter().map(|r| {
                    let e = math::shown_epsilon(r.epsilon);
                    view! {
                    <tr data-testid="dp-sweep-row" data-epsilon=r.epsilon.map(|e| e.to_string()).unwrap_or_default() data-accuracy=r.test_accuracy.to_string()
                        data-advantage=r.membership.advantage.to_string()>
                        <td>"ε = " {epsilon_view(r.epsilon, 2, lang)}</td><td>{format!("σ = {:.2}", r.dp.noise)}</td>
                        <td>{move || percent(lang.get(), f64::from(r.test_accuracy), 1)}</td>
                        <td>{move || ui::ADVANTAGE.get(lang.get())} {format!(" {:.2}", r.membership.advantage)}</td>
                        <td>{bound(e, r.tag.to_string(), ui::BOUND, lang)}</td>
                    </tr>
                }}).collect_view()}
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
                // The sweep's σ are at least 0.3 (math::sigma_for), so the accountant gives both.
                let (ea, eb) = (math::shown_epsilon(lo.epsilon), math::shown_epsilon(hi.epsilon));
                let (xa, xb) = (math::exp_epsilon(ea), math::exp_epsilon(eb));
                let (ea, eb) = (math::epsilon_text(ea, 2), math::epsilon_text(eb, 2));
                let (members, tests) = state.data.get().map_or((0, 0), |(m, _, t)| (m, t));
                let band = accuracy_band(lo.test_accuracy, hi.test_accuracy, tests);
                let rises = f64::from(hi.test_accuracy - lo.test_accuracy) > band;
                let pts = 100.0 * band;
                let text = match (l, rises) {
                    (Lang::En, true) => format!("More privacy, less accuracy: {a} at ε = {ea} (eᵋ ≈ {xa}), {b} at ε = {eb} (eᵋ ≈ {xb}){}; the difference is beyond the test's sampling error (±{pts:.1} points on {tests} test images).", plain.map(|p| format!(", {p} without privacy")).unwrap_or_default()),
                    (Lang::En, false) => format!("Here accuracy did not rise with ε by more than the test's sampling error ({a} at ε = {ea}, {b} at ε = {eb}, ±{pts:.1} points on {tests} test images): trained on {members} images, the difference is within the runs' noise."),
                    (Lang::Zh, true) => format!("隐私越强，准确率越低：ε = {ea}（eᵋ ≈ {xa}）时 {a}，ε = {eb}（eᵋ ≈ {xb}）时 {b}{}；差异超出了测试的抽样误差（在 {tests} 张测试图像上为 ±{pts:.1} 个百分点）。", plain.map(|p| format!("，不加隐私保护时 {p}")).unwrap_or_default()),
                    (Lang::Zh, false) => format!("这里准确率随 ε 的上升没有超出测试的抽样误差（ε = {ea} 时 {a}，ε = {eb} 时 {b}，在 {tests} 张测试图像上为 ±{pts:.1} 个百分点）：在 {members} 张图像上训练，这一差异落在各次运行本身的噪声之内。"),
                };
                view! { <p data-testid="dp-sweep-sentence" data-band=band.to_string() data-rises=rises.to_string()>{text}</p> }
            })
        }}
    }
}

/// Step 4: the two arms side by side, and accuracy against ε.
pub fn cost_panel(
    client: Client,
    state: State,
    form: DpForm,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    view! {
        <div class="panel wide" data-testid="dp-cost">
            {move || match (state.plain.get(), state.private.get()) {
                (Some(p), Some(d)) => {
                    let l = lang.get();
                    let sentence = cost_sentence(&p, &d, l);
                    let e = math::shown_epsilon(d.epsilon);
                    view! {
                        <table class="numbers">
                            <thead><tr><th></th><th scope="col">{ui::NO_PRIVACY.get(l)}</th><th scope="col">{ui::DP_SGD.get(l)}</th></tr></thead>
                            <tbody>
                                <tr><th scope="row">{ui::EPSILON.get(l)}</th><td>"∞"</td><td data-testid="cost-epsilon">{epsilon_view(d.epsilon, 2, lang)}</td></tr>
                                <tr><th scope="row">{ui::TEST_ACCURACY.get(l)}</th><td>{percent(l, f64::from(p.test_accuracy), 1)}</td><td>{percent(l, f64::from(d.test_accuracy), 1)}</td></tr>
                                <tr><th scope="row">{tx("Accuracy on the members", "成员上的准确率").get(l)}</th><td>{percent(l, f64::from(p.member_accuracy), 1)}</td><td>{percent(l, f64::from(d.member_accuracy), 1)}</td></tr>
                                <tr><th scope="row">{ui::ADVANTAGE.get(l)}</th><td data-testid="cost-advantage-plain" data-value=p.membership.advantage.to_string()>{format!("{:.2}", p.membership.advantage)}</td>
                                    <td><span data-testid="cost-advantage-private" data-value=d.membership.advantage.to_string()>{format!("{:.2}", d.membership.advantage)}</span>
                                        " · " {bound(e, "run".into(), ui::BOUND, lang)}</td></tr>
                                <tr><th scope="row">{ui::FLOOR.get(l)}</th><td>{format!("{:.2}", p.floor)}</td><td>{format!("{:.2}", d.floor)}</td></tr>
                                <tr><th scope="row">{tx("Settings", "设置").get(l)}</th><td>{match l {
                                    Lang::En => format!("batch {}, {} epochs", p.dp.lot, p.epochs),
                                    Lang::Zh => format!("批大小 {}，{} 轮", p.dp.lot, p.epochs),
                                }}</td><td>{match l {
                                    Lang::En => format!("C {}, σ {}, L {}, {} epochs", d.dp.clip, d.dp.noise, d.dp.lot, d.epochs),
                                    Lang::Zh => format!("C {}，σ {}，L {}，{} 轮", d.dp.clip, d.dp.noise, d.dp.lot, d.epochs),
                                }}</td></tr>
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::privacy::protocol::Membership;

    /// A run on 1,000 members and 1,000 outsiders (500 + 500 judged) with these figures.
    fn run(epsilon: Option<f64>, member: f32, test: f32, (tpr, fpr): (f32, f32)) -> ArmResult {
        ArmResult {
            arm: if epsilon.is_some() {
                Arm::Private
            } else {
                Arm::Plain
            },
            tag: 0,
            dp: DpSettings {
                clip: 1.0,
                noise: 0.0,
                lot: 50,
            },
            epochs: 30,
            steps: 600,
            epsilon,
            member_accuracy: member,
            test_accuracy: test,
            class_accuracy: vec![test; 10],
            member_losses: vec![0.1; 1000],
            outsider_losses: vec![0.5; 1000],
            membership: Membership {
                threshold: 0.2,
                tpr,
                fpr,
                advantage: tpr - fpr,
            },
            floor: 0.05,
            class_counts: vec![200; 10],
        }
    }

    #[test]
    fn the_cost_sentence_at_sigma_zero_says_infinity_and_no_guarantee() {
        let plain = run(None, 1.0, 0.88, (0.7, 0.3));
        let private = run(None, 0.97, 0.86, (0.6, 0.35));
        for l in [Lang::En, Lang::Zh] {
            let s = cost_sentence(&plain, &private, l);
            assert!(s.contains("ε = ∞") && s.contains("σ = 0"), "{s}");
            assert!(!s.contains("NaN") && !s.contains("= inf"), "{s}");
        }
    }

    #[test]
    fn less_fitting_is_chosen_by_the_members_sampling_error_and_the_bound_clause_names_the_attack()
    {
        let plain = run(Some(5.2), 0.95, 0.88, (0.7, 0.3));
        // A 1.9-point fall on 1,000 members is within ±2.1 points: not called less fitting.
        let held = run(Some(5.2), 0.931, 0.86, (0.55, 0.45));
        let s = cost_sentence(&plain, &held, Lang::En);
        assert!(s.contains("did not fall by more than its sampling error (95.0 % → 93.1 %, ±2.1 points on 1000 members)"), "{s}");
        assert!(s.contains("went from 7.0 to 7.1 points"), "{s}");
        // ε 5.2: the bound (≈ 0.99) is above what this attack found without privacy.
        assert!(s.contains("against this attack, the bound adds no guarantee at this ε (it still caps stronger attacks)"), "{s}");
        assert!(!s.contains("promises nothing"), "{s}");
        let fell = run(Some(5.2), 0.90, 0.86, (0.55, 0.45));
        let s = cost_sentence(&plain, &fell, Lang::En);
        assert!(
            s.contains("Some of that fall may be simply less fitting"),
            "{s}"
        );
        let zh = cost_sentence(&plain, &fell, Lang::Zh);
        assert!(zh.contains("可能有一部分只是拟合得更少"), "{zh}");
        // At ε 0.5 the bound (0.24) is below the plain model's 0.40: the clause goes.
        let tight = run(Some(0.5), 0.90, 0.86, (0.55, 0.45));
        assert!(!cost_sentence(&plain, &tight, Lang::En).contains("adds no guarantee"));
    }

    #[test]
    fn the_sweeps_band_is_two_standard_errors_of_the_difference() {
        // 80 % and 84 % on 2,000 test images: 2·√(0.16/2000 + 0.1344/2000) ≈ 0.0243, so a
        // 4-point rise is beyond it and a 2-point one is not.
        let band = accuracy_band(0.80, 0.84, 2000);
        assert!((band - 0.02426).abs() < 1e-4, "{band}");
        assert!(0.04 > band && 0.02 < accuracy_band(0.80, 0.82, 2000));
    }
}
