//! Train's runs as class mode's summaries ([`crate::class::report`], nothing outside a class): the
//! settings when a run starts, each evaluation's training loss and validation accuracy, the final test
//! accuracy, a divergence. Numbers only: no image, drawing or weight ever leaves the page.

use backprop_classroom::{ReportBody, RunEngine, RunSettings};
use kernels::{EngineKind, Optimizer};
use leptos::prelude::*;

use super::ID;
use super::protocol::Event;
use super::setup::Setup;
use super::state::State;
use crate::class;

/// A run's settings as the class sees them. `engine` is the engine that runs (the preference while
/// none is known yet); [`RunEngine::Native`] when the backprop-lab program computes.
pub fn settings(c: &Setup, engine: Option<EngineKind>, native: bool) -> RunSettings {
    // An f32 rate as the form writes it (0.1, not 0.10000000149011612).
    let exact = |x: f32| x.to_string().parse::<f64>().unwrap_or(f64::from(x));
    RunSettings {
        lr: exact(c.lr),
        momentum: if c.optimizer == Optimizer::Momentum {
            exact(c.momentum)
        } else {
            0.0
        },
        batch: c.batch as u32,
        optimizer: c.optimizer.id().to_string(),
        seed: c.seed,
        hidden: c.hidden.iter().map(|&h| h as u32).collect(),
        engine: match (native, engine) {
            (true, _) => RunEngine::Native,
            (false, engine) => class::run_engine(engine.ok_or(c.engine)),
        },
        dp_sigma: None,
        dp_clip: None,
    }
}

/// The student starts (or steps) the run with `config`: a new class run begins unless the current one
/// has these very settings (a pause and resume is the same run; a new rate after a divergence is not).
/// A run that begins from trained weights (a saved run continued after a reload, a rolled-back or paused
/// run resumed with new settings) says the step it starts from, so the dashboard does not take it for a
/// fresh run at its rate.
pub fn begin(state: State, config: &Setup) {
    let engine = state
        .status
        .engine
        .with_untracked(|e| e.as_ref().map(|e| e.kind));
    let s = settings(config, engine, crate::client::native_engine().is_some());
    if state.class_run.with_untracked(|r| r.as_ref() == Some(&s)) {
        return;
    }
    state.class_run.set(Some(s.clone()));
    class::report(
        ID,
        ReportBody::Started {
            settings: s,
            from_step: step(state.step.get_untracked()),
        },
    );
}

/// The learning rate or momentum changed while a class run trains: the class sees a new run from the
/// current step (the old run stops there), so no dot claims one rate for a run trained at two. (While
/// paused, the next Start does the same; a Reset before it starts afresh.)
pub fn rates_changed(state: State, config: &Setup) {
    if state.running.get_untracked() && state.class_run.with_untracked(Option::is_some) {
        begin(state, config);
    }
}

/// The run is over for the class (a reset, a loaded or resumed model): the next start is a new run.
pub fn end(state: State) {
    state.class_run.set(None);
}

fn step(s: u64) -> u32 {
    s.min(10_000_000) as u32
}

/// A worker event, reported when it belongs to a run the class saw start.
pub fn on_event(state: State, event: &Event) {
    if state.class_run.with_untracked(Option::is_none) {
        if let Event::Resumed { .. } | Event::Imported { .. } = event {
            end(state);
        }
        return;
    }
    let body = match *event {
        Event::Evaluation {
            step: s, accuracy, ..
        } => {
            // The training loss of the last steps, as the report's field says.
            let loss = f64::from(state.losses.with_untracked(|l| l.window_mean(false)));
            if !(loss.is_finite() && (0.0..=1e6).contains(&loss)) {
                return;
            }
            ReportBody::Evaluation {
                step: step(s),
                loss,
                val_accuracy: f64::from(accuracy).clamp(0.0, 1.0),
            }
        }
        // The page has the validation set's confusion matrix, not the test set's: none is sent.
        Event::TestFinal {
            step: s, accuracy, ..
        } => ReportBody::Finished {
            step: step(s),
            test_accuracy: f64::from(accuracy).clamp(0.0, 1.0),
            confusion: Vec::new(),
            epsilon: None,
        },
        Event::Diverged { step: s, .. } => ReportBody::Diverged { step: step(s) },
        Event::Resumed { .. } | Event::Imported { .. } => {
            end(state);
            return;
        }
        _ => return,
    };
    class::report(ID, body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runs_settings_read_as_the_form_wrote_them_and_pass_the_servers_check() {
        let (c, _) = Setup::from_query("?lr=0.1&optimizer=adam&hidden=64,32&seed=7");
        let s = settings(&c, Some(EngineKind::Cpu), false);
        assert_eq!((s.lr, s.momentum, s.seed), (0.1, 0.0, 7));
        assert_eq!((s.optimizer.as_str(), s.engine), ("adam", RunEngine::Cpu));
        assert_eq!(s.hidden, vec![64, 32]);
        let d = settings(&Setup::default(), None, true);
        assert_eq!(d.engine, RunEngine::Native);
        // On the wire and in a class database, the engine is the name it always was.
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["engine"], "native");
        let pending = settings(&Setup::default(), None, false);
        assert_eq!(serde_json::to_value(&pending).unwrap()["engine"], "auto");
        assert_eq!(
            d.momentum.to_string(),
            Setup::default().momentum.to_string()
        );
        // What the page sends is what the server accepts.
        for s in [s, d] {
            let text = serde_json::to_string(&backprop_classroom::StudentMessage::Report {
                seq: 1,
                report: backprop_classroom::Report {
                    run: 1,
                    lesson: ID.into(),
                    body: ReportBody::Started {
                        settings: s,
                        from_step: 0,
                    },
                },
            })
            .unwrap();
            backprop_classroom::parse_student(&text).unwrap();
        }
    }
}
