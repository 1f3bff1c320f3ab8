//! "3 seeds": the comparison's two trained arms rerun from the model as loaded with seeds s, s + 1,
//! s + 2 (new head, shuffling, flips and crops, the scratch initialisation), each with the settings its
//! phases last ran with, on an engine of its own so the lesson's models stay as they are. Seed s
//! repeats the recipe the page ran, so its figures reproduce the page's (a check anyone can read off).
//! Runs in bursts between the page's messages; the results go to the page after each run.

use kernels::dataset::{Dataset, Split};
use kernels::early_stop::Verdict;
use kernels::training::EpochBatches;
use kernels::{AnyEngine, Engine, EngineError, Mlp, OptimizerConfig};

use super::early::EarlyRun;
use super::{MAX_ROWS, Worker, engine_for};
use crate::lessons::finetune::protocol::{
    Event, MessageCode, PhaseKind, PhaseSettings, SeedRun, Slot,
};
use crate::runtime::{BURST_SECONDS, now};

/// Seeds the option runs.
pub const SEEDS: usize = 3;

/// One model trained through its phases for one seed.
struct Track {
    /// Index into the job's seeds.
    seed_index: usize,
    slot: Slot,
    phases: Vec<PhaseSettings>,
}

/// The seeds job in progress.
pub(super) struct SeedsJob {
    seeds: Vec<u64>,
    tracks: Vec<Track>,
    /// The track and phase running, and where in it.
    track: usize,
    phase: usize,
    epoch: usize,
    index: usize,
    batches: Option<EpochBatches>,
    engine: Option<AnyEngine>,
    /// Epochs of the head phase in this track (the full phase's shuffling continues after them).
    head_epochs: usize,
    /// The current phase's early stopping (on the page's validation split), and the examples it
    /// trains on.
    early: Option<EarlyRun>,
    phase_len: usize,
    /// The page's seed: the validation split is the page's, whatever the run's seed.
    page_seed: u64,
    results: Vec<SeedRun>,
    /// The recipe's model as loaded, its head-phase frozen flags, and a new head's classes.
    loaded: Mlp,
    frozen: Vec<bool>,
    new_head: Option<usize>,
}

impl Worker {
    /// Starts the seeds job from the settings each phase last ran with.
    pub(super) async fn begin_seeds(&mut self) -> Result<(), EngineError> {
        if self.run.is_some() {
            self.out.say(MessageCode::NotReady, "a phase is running");
            return Ok(());
        }
        let Some(loaded) = self.loaded.clone() else {
            self.out.say(MessageCode::NotReady, "no model is loaded");
            return Ok(());
        };
        let setting = |phase: PhaseKind| {
            self.history
                .settings
                .iter()
                .find(|s| s.phase == phase)
                .copied()
        };
        let tuned: Vec<PhaseSettings> = [PhaseKind::Head, PhaseKind::Full]
            .into_iter()
            .filter_map(setting)
            .collect();
        let (Some(scratch), false) = (setting(PhaseKind::Scratch), tuned.is_empty()) else {
            self.out.say(
                MessageCode::NotReady,
                "run a fine-tuning phase and the from-scratch arm first",
            );
            return Ok(());
        };
        let seeds: Vec<u64> = (0..SEEDS as u64).map(|i| self.seed + i).collect();
        let mut tracks = Vec::new();
        for (i, &seed) in seeds.iter().enumerate() {
            let with_seed = |s: &PhaseSettings| PhaseSettings { seed, ..*s };
            tracks.push(Track {
                seed_index: i,
                slot: Slot::Tuned,
                phases: tuned.iter().map(with_seed).collect(),
            });
            tracks.push(Track {
                seed_index: i,
                slot: Slot::Scratch,
                phases: vec![with_seed(&scratch)],
            });
        }
        let frozen = match (&self.history.head_frozen, self.tuned.as_mut()) {
            (Some(f), _) => f.clone(),
            (None, Some(e)) => e
                .model()
                .await?
                .layers
                .iter()
                .map(|l| l.weight_frozen)
                .collect(),
            (None, None) => Vec::new(),
        };
        let new_head = self
            .history
            .head_replaced
            .then(|| self.train.as_ref().map(|t| t.classes()))
            .flatten();
        let results = seeds
            .iter()
            .map(|&seed| SeedRun {
                seed,
                tuned: None,
                scratch: None,
            })
            .collect();
        self.seeds = Some(SeedsJob {
            seeds,
            tracks,
            track: 0,
            phase: 0,
            epoch: 0,
            index: 0,
            batches: None,
            engine: None,
            head_epochs: 0,
            early: None,
            phase_len: 0,
            page_seed: self.seed,
            results,
            loaded,
            frozen,
            new_head,
        });
        self.post_seeds(true);
        Ok(())
    }

    pub(super) fn post_seeds(&mut self, running: bool) {
        let Some(job) = &self.seeds else { return };
        let event = Event::Seeds {
            runs: job.results.clone(),
            running,
        };
        self.tell(&event);
    }

    /// Builds the engine of the job's current track at its first phase.
    async fn start_track(&mut self) -> Result<(), EngineError> {
        let gpu = self.gpu.for_kind(self.kind).cloned();
        let augmentation = self.augmentation;
        let (Some(job), Some(train), Some(test)) = (self.seeds.as_mut(), &self.train, &self.test)
        else {
            return Ok(());
        };
        let track = &job.tracks[job.track];
        let seed = job.seeds[track.seed_index];
        let model = match track.slot {
            Slot::Tuned => {
                let mut m = job.loaded.clone();
                for (l, &f) in job.frozen.iter().enumerate() {
                    m.set_layer_frozen(l, f)?;
                }
                if let Some(k) = job.new_head {
                    m.replace_head(k, seed)?;
                }
                m
            }
            Slot::Scratch => {
                let w = job.loaded.widths();
                let k = job.new_head.unwrap_or(w[w.len() - 1]);
                Mlp::new(w[0], &w[1..w.len() - 1], k, seed)?
            }
        };
        let mut engine = engine_for(gpu.as_ref(), &model, augmentation)?;
        engine.set_splits(train, test)?;
        job.engine = Some(engine);
        job.phase = 0;
        job.head_epochs = 0;
        Self::start_phase(job, train, augmentation)
    }

    /// Sets up the current phase of the current track.
    fn start_phase(
        job: &mut SeedsJob,
        train: &Dataset,
        augmentation: Option<kernels::ops::gather_normalize::Augmentation>,
    ) -> Result<(), EngineError> {
        let s = job.tracks[job.track].phases[job.phase];
        let Some(engine) = job.engine.as_mut() else {
            return Ok(());
        };
        // As the page's phases: the head phase trains the head alone, the full phase everything.
        let layers = engine.widths().len() - 1;
        for l in 0..layers {
            engine.set_frozen(l, s.phase == PhaseKind::Head && l + 1 < layers)?;
        }
        engine.reset_optimizer_state()?;
        engine.set_freezing(s.freezing)?;
        if let Some(mut aug) = augmentation {
            aug.seed = s.seed;
            engine.set_augmentation(Some(aug))?;
        }
        let offset = if s.phase == PhaseKind::Full {
            job.head_epochs
        } else {
            0
        };
        // As the page's phase: with a patience it trains on what the validation split leaves.
        job.early = if s.patience > 0 {
            EarlyRun::begin(engine, train, job.page_seed, s.patience)?
        } else {
            engine.set_data(Split::Train, train)?;
            None
        };
        job.phase_len = job.early.as_ref().map_or(train.len(), EarlyRun::train_len);
        job.epoch = 0;
        job.index = 0;
        job.batches = Some(EpochBatches::new(
            job.phase_len,
            s.batch.clamp(1, MAX_ROWS),
            s.seed,
            offset,
        ));
        Ok(())
    }

    /// One burst of the seeds job; returns whether it continues.
    pub(super) async fn seeds_burst(&mut self) -> Result<bool, EngineError> {
        if self.train.is_none() || self.test.is_none() {
            self.seeds = None;
            return Ok(false);
        }
        if self.seeds.as_ref().is_some_and(|j| j.engine.is_none()) {
            self.start_track().await?;
        }
        let augmentation = self.augmentation;
        let (Some(job), Some(train), Some(held_out)) =
            (self.seeds.as_mut(), self.train.as_ref(), self.test.as_ref())
        else {
            return Ok(false);
        };
        let t0 = now();
        let mut track_done = false;
        while now() - t0 < BURST_SECONDS && !track_done {
            let s = job.tracks[job.track].phases[job.phase];
            let opt = OptimizerConfig {
                lr: s.lr,
                momentum: s.momentum,
                weight_decay: s.weight_decay,
                ..OptimizerConfig::default()
            };
            let (Some(engine), Some(batches)) = (job.engine.as_mut(), job.batches.as_ref()) else {
                break;
            };
            if s.epochs > 0 {
                engine.train_step(batches.batch(job.index), &opt)?;
                job.index += 1;
            }
            if s.epochs == 0 || job.index >= batches.len() {
                job.epoch += 1;
                job.index = 0;
                let offset = if s.phase == PhaseKind::Full {
                    job.head_epochs
                } else {
                    0
                };
                job.batches = Some(EpochBatches::new(
                    job.phase_len,
                    s.batch.clamp(1, MAX_ROWS),
                    s.seed,
                    offset + job.epoch,
                ));
                if s.phase == PhaseKind::Head {
                    job.head_epochs += 1;
                }
                let mut phase_done = job.epoch >= s.epochs;
                if let (Some(early), Some(engine)) = (job.early.as_mut(), job.engine.as_mut()) {
                    let (_, verdict) = early.observe(engine, held_out, job.epoch).await?;
                    phase_done |= verdict == Verdict::Stop;
                }
                if phase_done
                    && let (Some(early), Some(engine)) = (job.early.take(), job.engine.as_mut())
                {
                    // The best epoch's weights, as the page's phase keeps them.
                    early.finish(engine, train, s.phase, s.epochs, job.epoch)?;
                }
                if phase_done {
                    if job.phase + 1 < job.tracks[job.track].phases.len() {
                        job.phase += 1;
                        Self::start_phase(job, train, augmentation)?;
                    } else {
                        track_done = true;
                    }
                }
            }
        }
        // Where the job is (seed k of 3, the phase, its epoch): the page shows it while it waits.
        {
            let track = &job.tracks[job.track];
            let s = track.phases[job.phase];
            self.out.post(&Event::SeedsProgress {
                seed: track.seed_index,
                seeds: job.seeds.len(),
                phase: s.phase,
                epoch: job.epoch.min(s.epochs),
                epochs: s.epochs,
            });
        }
        // The losses are not shown; reading them keeps the engine's ring from piling up.
        if let Some(engine) = job.engine.as_mut() {
            engine.take_losses().await?;
        }
        if !track_done {
            return Ok(true);
        }
        let mut engine = job
            .engine
            .take()
            .expect("a track in progress has an engine");
        let accuracy = engine.evaluate(None).await?.accuracy();
        let track = &job.tracks[job.track];
        let run = &mut job.results[track.seed_index];
        match track.slot {
            Slot::Tuned => run.tuned = Some(accuracy),
            Slot::Scratch => run.scratch = Some(accuracy),
        }
        job.track += 1;
        let more = job.track < job.tracks.len();
        self.post_seeds(more);
        if !more {
            self.seeds = None;
        }
        Ok(more)
    }
}
