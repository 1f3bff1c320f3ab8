//! The class database (SQLite through rusqlite, WAL): one connection on its own thread, so no SQLite
//! call ever runs on the async threads. Jobs that arrive together are committed together (group
//! commit: one fsync for a burst of a class's reports), each inside its own savepoint so one job's
//! error undoes only that job; a job's answer is released only after the commit, so nothing is
//! acknowledged before it is on disk.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use rusqlite::{Connection, Transaction};
use tokio::sync::oneshot;

/// The schema (version 1). Reports keep their body as the checked message's JSON; the columns beside
/// it are what the export and the snapshot select by.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    kept INTEGER NOT NULL DEFAULT 0,
    ended INTEGER NOT NULL DEFAULT 0,
    salt INTEGER NOT NULL,
    follow TEXT
);
CREATE TABLE IF NOT EXISTS students (
    class TEXT NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    token TEXT NOT NULL UNIQUE,
    pseudonym_en TEXT NOT NULL,
    pseudonym_zh TEXT NOT NULL,
    joined_ms INTEGER NOT NULL,
    assignment TEXT,
    PRIMARY KEY (class, number)
);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    class TEXT NOT NULL,
    student INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    stored_ms INTEGER NOT NULL,
    run INTEGER NOT NULL,
    lesson TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (class, student, seq),
    FOREIGN KEY (class, student) REFERENCES students(class, number) ON DELETE CASCADE
);
PRAGMA user_version = 1;
";

/// What the store thread runs: the job's work inside a savepoint, giving back whether it succeeded
/// (its savepoint is kept) and what to do once the batch's commit succeeded or failed.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Done) + Send>;
type Done = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Jobs committed in one transaction at most (a burst bigger than this takes several commits).
const BATCH: usize = 256;

/// A handle on the store thread; cloning shares the thread. The thread ends when the last handle
/// is dropped (after finishing the jobs already sent).
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
}

impl Store {
    /// Opens (or creates) the database at `path`, runs `init` on it on the calling thread (startup
    /// work, before any job), and starts the store thread.
    pub fn open<R>(path: &Path, init: impl FnOnce(&Connection) -> Result<R>) -> Result<(Self, R)> {
        let mut conn =
            Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        // WAL: readers never wait for the writer; FULL: a commit is on disk before it returns, so an
        // acknowledged report survives a power cut as well as a killed process.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > 1 {
            anyhow::bail!(
                "{} was written by a newer backprop-lab (schema {version}); use a new --data folder",
                path.display()
            );
        }
        conn.execute_batch(SCHEMA)
            .with_context(|| format!("creating the class tables in {}", path.display()))?;
        let t = conn.transaction()?;
        let first = init(&t)?;
        t.commit()?;
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("class-store".into())
            .spawn(move || run(&mut conn, &rx))?;
        Ok((Self { jobs }, first))
    }

    /// [`Store::call`] from a thread outside the async runtime (it blocks until committed).
    pub fn call_blocking<R, F>(&self, work: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        let (job, rx) = Self::job(work);
        self.jobs
            .send(job)
            .map_err(|_| anyhow!("the class store has stopped"))?;
        rx.blocking_recv().map_err(|_| not_run())?
    }

    /// Runs `work` on the store thread and gives its result once it is committed.
    pub async fn call<R, F>(&self, work: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        let (job, rx) = Self::job(work);
        self.jobs
            .send(job)
            .map_err(|_| anyhow!("the class store has stopped"))?;
        rx.await.map_err(|_| not_run())?
    }

    /// A job for `work` and where its answer arrives.
    fn job<R, F>(work: F) -> (Job, oneshot::Receiver<Result<R>>)
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = work(conn);
            let ok = result.is_ok();
            let done: Done = Box::new(move |committed: Result<(), String>| {
                let answer = committed
                    .map_err(|e| anyhow!("the class database could not commit: {e}"))
                    .and(result);
                let _ = tx.send(answer);
            });
            (ok, done)
        });
        (job, rx)
    }
}

/// The answer when a job was dropped unrun (the store thread could not begin a transaction).
fn not_run() -> anyhow::Error {
    anyhow!("the class database could not run this (see the server's log)")
}

/// The store thread: waits for a job, takes whatever else is already queued, runs each in a
/// savepoint of one transaction, commits, then answers them all.
fn run(conn: &mut Connection, rx: &mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut done = Vec::with_capacity(batch.len());
        let committed = match conn.transaction() {
            Ok(mut t) => {
                for job in batch {
                    done.push(run_in_savepoint(&mut t, job));
                }
                t.commit().map_err(|e| e.to_string())
            }
            Err(e) => {
                // Without a transaction nothing runs; dropping the jobs answers each with an error.
                tracing::error!("class store: cannot begin a transaction: {e}");
                drop(batch);
                Err(e.to_string())
            }
        };
        for d in done {
            d(committed.clone());
        }
    }
}

/// One job in its own savepoint: a job that failed is rolled back alone (a savepoint dropped
/// uncommitted rolls back), the others in the batch still commit.
fn run_in_savepoint(t: &mut Transaction<'_>, job: Job) -> Done {
    match t.savepoint() {
        Ok(sp) => {
            let (ok, done) = job(&sp);
            if ok && let Err(e) = sp.commit() {
                let why = e.to_string();
                return Box::new(move |_| {
                    tracing::error!("class store: releasing a savepoint failed: {why}")
                });
            }
            done
        }
        Err(e) => {
            tracing::error!("class store: cannot open a savepoint: {e}");
            drop(job);
            Box::new(|_| {})
        }
    }
}
