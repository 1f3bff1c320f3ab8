//! What `backprop-lab lesson-bench` plays of this lesson (the registry's `lessons::BENCHED`): the page's
//! `Reset` with a URL's setup and `Start`, `Pause`, and the `Progress`/`Diverged` events and engine
//! status it measures.

use super::protocol::{Command, Event, Query, Reply};
use super::setup::Setup;
use crate::lessons::lesson::{BenchEvent, BenchPlay, BenchShape};
use crate::protocol::{FromWorker, Status, ToWorker};
use kernels::engine::Preference;

/// The lesson as `lesson-bench` plays it.
pub const PLAY: BenchPlay = BenchPlay {
    worker: super::WORKER.name,
    read_setup,
    start,
    pause,
    read,
};

fn read_setup(setup: &str) -> Result<BenchShape, Vec<String>> {
    let (c, problems) = Setup::from_query(setup);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(BenchShape {
        train: c.train,
        hidden: c.hidden,
        seed: c.seed,
        batch: c.batch,
    })
}

fn command(c: Command) -> String {
    serde_json::to_string(&ToWorker::<Command, Query>::Command(c)).expect("a command serialises")
}

fn start(setup: &str, engine: Preference) -> Vec<String> {
    let (mut config, _) = Setup::from_query(setup);
    config.engine = engine;
    vec![command(Command::Reset(config)), command(Command::Start)]
}

fn pause() -> String {
    command(Command::Pause)
}

fn read(text: &str) -> Result<BenchEvent, String> {
    let message: FromWorker<Event, Reply> =
        serde_json::from_str(text).map_err(|e| format!("an unreadable message ({e}): {text}"))?;
    Ok(match message {
        FromWorker::Status(Status::Engine(e)) => BenchEvent::Engine {
            kind: e.kind,
            adapter: e.adapter,
        },
        FromWorker::Status(Status::Error(m)) => {
            BenchEvent::Error(format!("{:?}: {}", m.code, m.detail))
        }
        FromWorker::Event(Event::Diverged { step, loss, .. }) => {
            BenchEvent::Diverged { step, loss }
        }
        FromWorker::Event(Event::Progress {
            step,
            samples_per_second,
            finished,
            ..
        }) => BenchEvent::Progress {
            step,
            samples_per_second,
            finished,
        },
        _ => BenchEvent::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_reads_a_setup_and_starts_the_run_it_describes() {
        let shape = read_setup("hidden=32&batch=16&train=1000").unwrap();
        assert_eq!(
            (shape.hidden, shape.batch, shape.train),
            (vec![32], 16, 1000)
        );
        assert!(read_setup("batch=0").is_err());
        let sent = start("hidden=32", Preference::Cpu);
        assert_eq!(sent.len(), 2);
        assert!(
            sent[0].contains("Reset") && sent[0].contains("\"Cpu\"") && sent[1].contains("Start")
        );
        let status = r#"{"Status":{"Error":{"code":"EngineFailed","detail":"x"}}}"#;
        assert_eq!(
            read(status).unwrap(),
            BenchEvent::Error("EngineFailed: x".into())
        );
        assert!(read("{").is_err());
    }
}
