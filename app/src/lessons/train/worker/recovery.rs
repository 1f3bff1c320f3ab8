//! When training goes wrong: a diverged loss rolls the run back to its last good state; a lost GPU
//! device moves it to a new device (or the CPU engine) from that state; any other engine error stops it
//! with a message. The position is restored in one place ([`super::Session::rewind`]).

use kernels::{AnyEngine, Engine, EngineError, EngineKind};

use super::{MAX_ROWS, Worker};
use crate::lessons::train::protocol::{Event, MessageCode, WorkerMessage};
use crate::runtime::wasm_memory_bytes;

impl Worker {
    /// Pauses, restores the last good snapshot and says so; the accuracy and weights shown become the
    /// restored model's.
    pub(super) async fn roll_back(
        &mut self,
        diverged: u64,
        loss: f32,
        losses: Vec<f32>,
    ) -> Result<(), EngineError> {
        let s = self.session.as_mut().expect("a session exists");
        s.running = false;
        let Some(good) = s.good.as_ref() else {
            return Ok(());
        };
        s.engine.restore(&good.model, &good.optimizer)?;
        s.history.extend(&losses);
        s.rewind();
        s.finished = false;
        self.out.post(&Event::Progress {
            step: diverged.saturating_sub(1),
            epoch: s.epoch,
            epoch_fraction: 0.0,
            losses,
            samples_per_second: 0.0,
            running: false,
            finished: false,
            worker_memory: wasm_memory_bytes(),
        });
        self.out.post(&Event::Diverged {
            step: diverged,
            loss,
            lr: s.opt.lr,
            rolled_back_to: s.step,
        });
        self.evaluate().await?;
        self.send_weights().await
    }

    /// A lost GPU device: training goes on — on a new WebGPU device if one can be had, else on the CPU
    /// engine — from the last good snapshot (at most one evaluation interval old: weights, optimiser
    /// state and position in the epochs), and says so.
    pub(super) async fn recover(&mut self, why: &str) {
        self.kind = if self.gpu.reopen().await {
            EngineKind::Gpu
        } else {
            EngineKind::Cpu
        };
        let Some(s) = self.session.as_mut() else {
            self.announce();
            return;
        };
        let Some(good) = s.good.as_ref() else {
            return;
        };
        let restored = AnyEngine::gpu_or_cpu(self.gpu.ctx.as_ref(), &good.model, MAX_ROWS)
            .and_then(|mut e| {
                e.set_optimizer_state(&good.optimizer)?;
                Ok(e)
            });
        match restored {
            Ok(engine) => {
                s.engine = engine;
                s.data_version = 0;
                s.rewind();
                self.out.post(&Event::Restored { step: s.step });
                self.note = WorkerMessage::new(
                    if self.kind == EngineKind::Gpu {
                        MessageCode::DeviceLostNewGpu
                    } else {
                        MessageCode::DeviceLostCpu
                    },
                    format!("{} ({why})", s.step),
                );
            }
            Err(e) => {
                s.running = false;
                self.out
                    .say(MessageCode::DeviceLostNoEngine, format!("{why}; {e}"));
            }
        }
        if let Err(e) = self.sync_data() {
            self.out.say(MessageCode::EngineFailed, e.to_string());
        }
        self.announce();
        let _ = self.report(0, None).await;
    }

    /// An engine error: a lost device is recovered from; anything else stops training with a message.
    pub(super) async fn handle_error(&mut self, e: EngineError) {
        if let Some(why) = self.gpu.lost(self.kind, &e).await {
            self.recover(&why).await;
            return;
        }
        if let Some(s) = self.session.as_mut() {
            s.running = false;
        }
        self.out.say(MessageCode::EngineFailed, e.to_string());
    }
}
