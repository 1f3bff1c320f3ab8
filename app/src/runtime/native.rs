//! The worker runtime outside a browser: what [`super::host`] does in a Web Worker, done in the native
//! `backprop-lab` process for `serve --native-engine`. A session is one lesson worker on its own thread,
//! fed JSON text (the same envelope `postMessage` carries as a structured clone) from a channel and
//! answering into another; the lesson's code is unchanged. Files come from the server's own source
//! (the embedded app or `--dir`), the browser's store is a map in the process keyed by the browser that
//! opened the session (a reload of the tab finds its kept runs; another browser finds none of them),
//! and one timer thread wakes every session's executor when its sleep is over.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use futures_executor::{LocalPool, LocalSpawner};
use futures_util::task::LocalSpawnExt;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{LessonWorker, Outbox, run, unreadable};
use crate::messages::{MessageCode, WorkerMessage};
use crate::protocol::{FromWorker, Inbound, Status};

/// A session's two ends: the page's messages in, the worker's out (JSON text each).
pub struct NativeIo {
    /// Messages from the page; the session ends when the sender is dropped (the socket closed).
    pub inbox: Receiver<String>,
    /// Messages to the page.
    pub outbox: Sender<String>,
    /// The browser that opened the session (its page's random id, `client::browser_id`): the runs the
    /// session keeps are that browser's only.
    pub browser: String,
}

/// Reads a file of the app (`static/data/mnist/manifest.json`), as the server would serve it.
pub type FileSource = Box<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

static FILES: OnceLock<FileSource> = OnceLock::new();

/// Where the native engine reads the app's files (set once by the server before any session).
pub fn set_files(source: FileSource) {
    let _ = FILES.set(source);
}

/// A file of the app, by the URL a worker would fetch.
pub fn read_file(url: &str) -> Result<Vec<u8>, String> {
    let path = url.trim_start_matches("./").trim_start_matches('/');
    FILES
        .get()
        .and_then(|f| f(path))
        .ok_or_else(|| format!("{path}: not found in the app's files"))
}

/// Kept runs: (browser, key) → CBOR bytes.
type Store = HashMap<(String, String), Vec<u8>>;

static STORE: OnceLock<Mutex<Store>> = OnceLock::new();

fn store() -> std::sync::MutexGuard<'static, Store> {
    STORE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    /// The browser whose session runs on this thread (a session is one thread: its worker and the
    /// tasks it spawns). Empty outside a session.
    static BROWSER: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f` as browser `id`'s: what it keeps and reads in the store is that browser's only.
pub fn as_browser<R>(id: &str, f: impl FnOnce() -> R) -> R {
    let before = BROWSER.with(|b| std::mem::replace(&mut *b.borrow_mut(), id.to_string()));
    let out = f();
    BROWSER.with(|b| *b.borrow_mut() = before);
    out
}

/// `key` as the current browser's.
fn owned(key: &str) -> (String, String) {
    (BROWSER.with(|b| b.borrow().clone()), key.to_string())
}

/// Keeps `value` under `key` for this process and this browser (the browser's IndexedDB store,
/// natively). CBOR, not JSON: a kept run's losses may hold the NaN that made it diverge, and must read
/// back as NaN.
pub fn store_put<T: Serialize>(key: &str, value: &T) -> Result<(), String> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).map_err(|e| e.to_string())?;
    store().insert(owned(key), bytes);
    Ok(())
}

/// The value this browser kept under `key`, if any.
pub fn store_get<T: DeserializeOwned>(key: &str) -> Result<Option<T>, String> {
    match store().get(&owned(key)) {
        Some(bytes) => ciborium::from_reader(bytes.as_slice())
            .map(Some)
            .map_err(|e| e.to_string()),
        None => Ok(None),
    }
}

/// Forgets this browser's `key` (another browser's stays).
pub fn store_delete(key: &str) {
    store().remove(&owned(key));
}

fn start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Seconds since the process started.
pub fn now() -> f64 {
    start().elapsed().as_secs_f64()
}

/// No wasm memory natively.
pub fn wasm_memory_bytes() -> f64 {
    0.0
}

/// A timer: ready once `seconds` have passed, and never before the executor has run other tasks once
/// (`sleep(0.0)` yields, as a resolved promise does in the browser).
pub fn sleep(seconds: f64) -> impl Future<Output = ()> {
    Sleep {
        until: Instant::now() + Duration::from_secs_f64(seconds.max(0.0)),
        armed: false,
    }
}

struct Sleep {
    until: Instant,
    armed: bool,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.armed && Instant::now() >= self.until {
            return Poll::Ready(());
        }
        if !self.armed {
            self.armed = true;
            if self.until <= Instant::now() {
                cx.waker().wake_by_ref();
            } else {
                wake_at(self.until, cx.waker().clone());
            }
        }
        Poll::Pending
    }
}

/// Every session's pending timers, woken by one thread: an idle lesson looks at its inbox every 30 ms,
/// and a thread per timer would start that many threads a second per tab.
struct Timers {
    due: Mutex<Vec<(Instant, Waker)>>,
    changed: Condvar,
}

/// Wakes `waker` at `at` (on the timer thread; on a thread of its own if that could not start).
fn wake_at(at: Instant, waker: Waker) {
    static TIMERS: OnceLock<Option<&'static Timers>> = OnceLock::new();
    let timers = TIMERS.get_or_init(|| {
        let timers: &'static Timers = Box::leak(Box::new(Timers {
            due: Mutex::new(Vec::new()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("backprop-lab timers".into())
            .spawn(move || timers.run())
            .ok()
            .map(|_| timers)
    });
    match timers {
        Some(t) => {
            t.due
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((at, waker));
            t.changed.notify_one();
        }
        None => {
            std::thread::spawn(move || {
                std::thread::sleep(at.saturating_duration_since(Instant::now()));
                waker.wake();
            });
        }
    }
}

impl Timers {
    fn run(&self) {
        let mut due = self.due.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            let mut i = 0;
            while i < due.len() {
                if due[i].0 <= now {
                    due.swap_remove(i).1.wake();
                } else {
                    i += 1;
                }
            }
            due = match due.iter().map(|d| d.0).min() {
                Some(next) => {
                    self.changed
                        .wait_timeout(due, next - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
                None => self.changed.wait(due).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

thread_local! {
    static SPAWNER: RefCell<Option<LocalSpawner>> = const { RefCell::new(None) };
}

/// Runs `task` beside the session's worker (a loader streaming a dataset).
pub fn spawn_local(task: impl Future<Output = ()> + 'static) {
    SPAWNER.with(|s| {
        if let Some(spawner) = s.borrow().as_ref()
            && let Err(e) = spawner.spawn_local(task)
        {
            eprintln!("backprop-lab: a lesson task could not start: {e}");
        }
    });
}

/// Ends the session when the page's side is gone.
struct Session<F> {
    run: Pin<Box<F>>,
    closed: Rc<Cell<bool>>,
}

impl<F: Future<Output = ()>> Future for Session<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.closed.get() || self.run.as_mut().poll(cx).is_ready() || self.closed.get() {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

/// Runs lesson worker `W` on this thread until the page's side closes: every text from `io.inbox` is
/// one message as the Web Worker receives it (an unreadable one is said to the page, as there); every
/// message out is JSON on `io.outbox`. A panic in the lesson ends the session with an error event,
/// never the process.
pub fn serve<W: LessonWorker>(io: NativeIo) {
    let NativeIo {
        inbox,
        outbox,
        browser,
    } = io;
    let send = outbox.clone();
    let out = Outbox::<W::Protocol>::new(move |msg| match super::native_json::to_string(&msg) {
        Ok(text) => {
            let _ = send.send(text);
        }
        Err(e) => eprintln!("backprop-lab: a worker message could not be written: {e}"),
    });
    let closed = Rc::new(Cell::new(false));
    let next = {
        let (closed, out) = (closed.clone(), out.clone());
        move || loop {
            match inbox.try_recv() {
                Ok(text) => match serde_json::from_str::<Inbound<W::Protocol>>(&text) {
                    Ok(message) => return Some(message),
                    Err(e) => unreadable(&out, e.to_string()),
                },
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => {
                    closed.set(true);
                    return None;
                }
            }
        }
    };
    let finished = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        as_browser(&browser, || {
            let mut pool = LocalPool::new();
            SPAWNER.with(|s| *s.borrow_mut() = Some(pool.spawner()));
            let worker = W::new(out);
            pool.run_until(Session {
                run: Box::pin(run(worker, next)),
                closed,
            });
            SPAWNER.with(|s| *s.borrow_mut() = None);
        })
    }));
    if let Err(panic) = finished {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        let said = Status::Error(WorkerMessage::new(
            MessageCode::EngineFailed,
            format!("the native engine's session stopped: {why}"),
        ));
        let envelope: FromWorker<&(), &()> = FromWorker::Status(said);
        if let Ok(text) = super::native_json::to_string(&envelope) {
            let _ = outbox.send(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_end_no_sooner_than_asked_and_in_their_order() {
        let t0 = Instant::now();
        let done = Rc::new(RefCell::new(Vec::new()));
        let mut pool = LocalPool::new();
        for (id, seconds) in [(0, 0.05), (1, 0.01), (2, 0.0), (3, 0.03)] {
            let done = done.clone();
            pool.spawner()
                .spawn_local(async move {
                    sleep(seconds).await;
                    done.borrow_mut()
                        .push((id, seconds, t0.elapsed().as_secs_f64()));
                })
                .unwrap();
        }
        pool.run();
        let done = done.borrow();
        assert_eq!(done.iter().map(|d| d.0).collect::<Vec<_>>(), [2, 1, 3, 0]);
        for &(id, seconds, at) in done.iter() {
            assert!(
                at >= seconds,
                "timer {id}: woke at {at} s, asked {seconds} s"
            );
        }
    }

    #[test]
    fn the_store_keeps_what_json_cannot() {
        let history = vec![2.3f32, f32::NAN, f32::INFINITY, -0.0];
        store_put("native-test-history", &history).unwrap();
        let back: Vec<f32> = store_get("native-test-history").unwrap().unwrap();
        assert_eq!(back[0], 2.3);
        assert!(back[1].is_nan());
        assert_eq!(back[2], f32::INFINITY);
        assert!(back[3].is_sign_negative());
        // A value read as the wrong type is an error, never a panic.
        assert!(store_get::<String>("native-test-history").is_err());
        store_delete("native-test-history");
        assert_eq!(store_get::<Vec<f32>>("native-test-history"), Ok(None));
    }

    #[test]
    fn a_browser_sees_only_the_runs_it_kept() {
        let key = "native-test-owned";
        as_browser("aaaaaaaaaaaaaaaa", || store_put(key, &1u32)).unwrap();
        // Another browser finds nothing under the same key, and keeps its own beside it.
        as_browser("bbbbbbbbbbbbbbbb", || {
            assert_eq!(store_get::<u32>(key), Ok(None));
            store_put(key, &2u32).unwrap();
            assert_eq!(store_get::<u32>(key), Ok(Some(2)));
        });
        // The first browser's run is still its own; its "Start afresh" leaves the other's alone.
        as_browser("aaaaaaaaaaaaaaaa", || {
            assert_eq!(store_get::<u32>(key), Ok(Some(1)));
            store_delete(key);
            assert_eq!(store_get::<u32>(key), Ok(None));
        });
        assert_eq!(
            as_browser("bbbbbbbbbbbbbbbb", || store_get::<u32>(key)),
            Ok(Some(2))
        );
        // Outside a session (no browser) nothing of either is seen.
        assert_eq!(store_get::<u32>(key), Ok(None));
        as_browser("bbbbbbbbbbbbbbbb", || store_delete(key));
    }
}
