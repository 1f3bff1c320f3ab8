//! The comparison's "3 seeds" option on the page: the button (`ft-seeds`), each seed's held-out
//! accuracy per arm with the mean and standard deviation, a verdict over the means, and whether seed 1
//! reproduced the run above it — every sentence chosen from the numbers.

use leptos::prelude::*;

use super::protocol::Client;
use super::protocol::{Command, PhaseKind, SeedRun};
use super::state::State;
use super::text::{self, ui};
use super::verdict::{self, Arm};
use crate::ui::i18n::Lang;

/// The arms' accuracies over the seeds that finished: the untouched model (when it counts) repeats
/// its one figure, as its measurement does not depend on a seed.
fn arms(runs: &[SeedRun], untouched: Option<f32>) -> Vec<(Arm, Vec<f32>)> {
    let done: Vec<&SeedRun> = runs
        .iter()
        .filter(|r| r.tuned.is_some() && r.scratch.is_some())
        .collect();
    let mut arms = Vec::new();
    if let Some(u) = untouched {
        arms.push((Arm::Untouched, vec![u; done.len()]));
    }
    arms.push((Arm::Tuned, done.iter().filter_map(|r| r.tuned).collect()));
    arms.push((
        Arm::Scratch,
        done.iter().filter_map(|r| r.scratch).collect(),
    ));
    arms
}

/// The section under the verdict.
pub(super) fn seeds_section(
    client: Client,
    state: State,
    lang: RwSignal<Lang>,
    untouched: Signal<Option<f32>>,
    busy: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // The tuned arm is named by the phase it reached; the seeds repeat the same phases.
    let full = move || state.curve.get().iter().any(|&(p, _)| p == PhaseKind::Full);
    let running = move || state.seeds.get().is_some_and(|(_, r)| r);
    // The arms above must have run: the seeds repeat their settings.
    let ready = move || !state.curve.get().is_empty() && !state.scratch_curve.get().is_empty();
    let start = move |_| client.send(&Command::Seeds);
    view! {
        <div class="buttons">
            <button data-testid="ft-seeds" disabled=move || busy() || running() || !ready() on:click=start>
                {move || ui::SEEDS.get(lang.get())}</button>
        </div>
        {move || (!ready()).then(|| view! { <p class="hint">{move || ui::SEEDS_NEED.get(lang.get())}</p> })}
        {move || state.seeds.get().map(|(runs, more)| {
            let done = runs.iter().filter(|r| r.tuned.is_some() && r.scratch.is_some()).count();
            let arms_now = arms(&runs, untouched.get());
            let n = state.counts.get().1;
            let row = |arm: Arm, values: Vec<Option<f32>>| {
                let measured: Vec<f32> = values.iter().flatten().copied().collect();
                let (mean, sd) = verdict::mean_sd(&measured);
                let any = !measured.is_empty();
                view! {
                    <tr><th scope="row">{move || text::arm_name(arm, full(), state.head_replaced.get()).get(lang.get())}</th>
                        {values.into_iter().enumerate().map(|(i, v)| view! {
                            <td data-testid=format!("ft-seed-{}-{i}", arm.key()) data-value=v.map(|v| v.to_string())>
                                {move || v.map_or("…".to_string(), |v| text::percent(lang.get(), v))}</td>
                        }).collect_view()}
                        <td data-testid=format!("ft-seeds-mean-{}", arm.key())
                            data-value=any.then(|| mean.to_string()) data-sd=sd.to_string()>
                            {move || if !any { "…".to_string() } else {
                                format!("{} ± {:.1}", text::percent(lang.get(), mean), 100.0 * sd)
                            }}</td>
                    </tr>
                }
            };
            let tuned: Vec<Option<f32>> = runs.iter().map(|r| r.tuned).collect();
            let scratch: Vec<Option<f32>> = runs.iter().map(|r| r.scratch).collect();
            let untouched_row = untouched.get().map(|u| row(Arm::Untouched, vec![Some(u); runs.len()]));
            let verdict = (done >= 2).then(|| verdict::decide_seeds(&arms_now, n));
            // Seed 1 repeats the recipe the page ran: do its figures match the arms above?
            let repeat = runs.first().and_then(|r| Some((r.tuned?, r.scratch?))).map(|(t, s)| {
                let above = (state.curve.get().last().map(|&(_, a)| a), state.scratch_curve.get().last().copied());
                above == (Some(t), Some(s))
            });
            let seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
            view! {
                <table class="numbers seeds" data-testid="ft-seeds-table" data-done=done.to_string()
                    data-running=more.to_string()>
                    <thead><tr>
                        <th scope="col">{move || ui::ARM.get(lang.get())}</th>
                        {seeds.iter().map(|s| view! { <th scope="col">{move || ui::SEED.get(lang.get())}" "{*s}</th> }).collect_view()}
                        <th scope="col">{move || ui::MEAN_SD.get(lang.get())}</th>
                    </tr></thead>
                    <tbody>
                        {untouched_row}
                        {row(Arm::Tuned, tuned)}
                        {row(Arm::Scratch, scratch)}
                    </tbody>
                </table>
                {repeat.map(|same| view! {
                    <p class="hint" data-testid="ft-seeds-repeat" data-state=if same { "same" } else { "differs" }>
                        {move || if same { ui::REPEAT_SAME.get(lang.get()) } else { ui::REPEAT_DIFFERS.get(lang.get()) }}</p>
                })}
                {(!state.head_replaced.get() && done > 0).then(|| {
                    let (_, sd) = verdict::mean_sd(&arms_now.iter().find(|(a, _)| *a == Arm::Tuned).map(|(_, v)| v.clone()).unwrap_or_default());
                    view! { <p class="hint" data-testid="ft-seeds-head-kept">
                        {move || ui::SEEDS_HEAD_KEPT.get(lang.get()).replace("{sd}", &format!("{:.1}", 100.0 * sd))}</p> }
                })}
                {match (more, verdict) {
                    (true, _) => view! { <p class="verdict" data-testid="ft-seeds-verdict" data-state="running">
                        {move || ui::SEEDS_RUNNING.get(lang.get()).replace("{done}", &done.to_string()).replace("{total}", &runs.len().to_string())}
                        {move || state.seeds_progress.get().map(|(seed, seeds, phase, epoch, epochs)| format!(" {}", ui::SEEDS_PROGRESS.get(lang.get())
                            .replace("{seed}", &(seed + 1).to_string()).replace("{seeds}", &seeds.to_string())
                            .replace("{phase}", text::phase_label(phase).get(lang.get()))
                            .replace("{epoch}", &epoch.to_string()).replace("{epochs}", &epochs.to_string())))}</p> }.into_any(),
                    (false, Some(v)) => { let (key, best) = (v.key(), v.best().map_or("", |a| a.key())); let (f, r) = (full(), state.head_replaced.get()); view! { <p class="verdict" data-testid="ft-seeds-verdict" data-state=key
                        data-best=best>
                        {move || text::seeds_verdict(lang.get(), &v, n, done, f, r)}</p> }.into_any() }
                    (false, None) => view! { <p class="verdict" data-testid="ft-seeds-verdict" data-state="stopped">
                        {move || ui::SEEDS_STOPPED.get(lang.get())}</p> }.into_any(),
                }}
            }
        })}
    }
}
