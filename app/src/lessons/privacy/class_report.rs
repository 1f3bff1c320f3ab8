//! The privacy lesson's runs as class mode's summaries ([`crate::class::report`], nothing outside a
//! class): each run the student starts on this page (the plain arm, the private arm, each run of the
//! accuracy-against-ε sweep) is reported when it has been measured — its settings, with DP-SGD's σ and
//! C for a private run, then its test accuracy and ε. Runs replayed from this browser after a reload
//! are not reported again. Numbers only.

use backprop_classroom::{ReportBody, RunEngine, RunSettings};
use kernels::engine::Preference;
use leptos::prelude::*;

use super::ID;
use super::protocol::{Arm, ArmResult, Event};
use super::state::State;
use super::worker::{HIDDEN, OPTIMIZER};

/// The settings of a measured run.
pub fn settings(r: &ArmResult, seed: u64, engine: RunEngine) -> RunSettings {
    let exact = |x: f32| x.to_string().parse::<f64>().unwrap_or(f64::from(x));
    let private = r.arm == Arm::Private;
    RunSettings {
        lr: exact(OPTIMIZER.lr),
        momentum: exact(OPTIMIZER.momentum),
        batch: r.dp.lot.clamp(1, 60_000) as u32,
        optimizer: if OPTIMIZER.momentum > 0.0 {
            "momentum"
        } else {
            "sgd"
        }
        .to_string(),
        seed,
        hidden: vec![HIDDEN as u32],
        engine,
        dp_sigma: private.then(|| exact(r.dp.noise)),
        dp_clip: private.then(|| exact(r.dp.clip)),
    }
}

/// A worker event: a measured run the student started here is reported.
pub fn on_event(state: State, event: &Event) {
    let r = match event {
        Event::Result(r) => r,
        Event::Stopped => {
            state.class_live.set(false);
            return;
        }
        _ => return,
    };
    if !state.class_live.get_untracked() {
        return;
    }
    // One run ends the page's run; the sweep's last run ends the sweep.
    let sweep_done = state.sweep.with_untracked(Vec::len) + 1 >= super::state::SWEEP.len();
    if r.tag == 0 || sweep_done {
        state.class_live.set(false);
    }
    let engine = state
        .status
        .engine
        .with_untracked(|e| e.as_ref().map(|e| e.kind))
        .ok_or(Preference::Auto);
    let settings = settings(
        r,
        state.class_seed.get_untracked(),
        crate::class::run_engine(engine),
    );
    crate::class::report(
        ID,
        ReportBody::Started {
            settings,
            from_step: 0,
        },
    );
    crate::class::report(
        ID,
        ReportBody::Finished {
            step: r.steps.min(10_000_000) as u32,
            test_accuracy: f64::from(r.test_accuracy).clamp(0.0, 1.0),
            confusion: Vec::new(),
            epsilon: r.epsilon.filter(|e| e.is_finite() && *e >= 0.0),
        },
    );
}
