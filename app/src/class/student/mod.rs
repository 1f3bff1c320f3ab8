//! The student's side of a class: the join (kept in this browser), the socket to
//! `/class/student?token=…`, the outbox of reports, and what the teacher pushes (settings for the next
//! run, a step to follow, the end of the class). Lessons reach it only through [`crate::class::report`].

pub mod bar;
pub mod join;

use std::cell::{Cell, RefCell};

use backprop_classroom::{Assignment, Follow, Report, ReportBody, StudentMessage, ToStudent};
use leptos::prelude::*;

use super::outbox::Record;
use super::socket::{Socket, Status, from_json, to_json};
use crate::route::{Route, Router};

/// Where this browser keeps its join.
const STORE_KEY: &str = "backprop-lab.class.join";

/// What the teacher pushed that the bar tells the student.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// Settings for the next run.
    Assigned(Assignment),
    /// The teacher brought everyone to a step.
    Followed,
}

/// The student's class as the page shows it (signals, so `Copy`).
#[derive(Clone, Copy)]
pub struct Class {
    /// The join, with the outbox; `None` before joining.
    pub record: RwSignal<Option<Record>>,
    /// The socket's status.
    pub status: RwSignal<Status>,
    /// The server's `Welcome` arrived on the current connection.
    pub welcomed: RwSignal<bool>,
    /// The last thing the teacher pushed.
    pub notice: RwSignal<Option<Notice>>,
    /// The last refusal's reason.
    pub refused: RwSignal<Option<String>>,
    /// Settings the teacher assigned that no lesson's form has taken yet.
    pub assigned: RwSignal<Option<Assignment>>,
    /// Whether a run had begun when a lesson's form took the last assignment (`None`: not taken yet).
    pub begun: RwSignal<Option<bool>>,
    /// The code of a class the page was opened to join (`?class=`), kept while the student looks
    /// around before joining (opening a lesson drops it from the URL).
    pub invited: RwSignal<Option<String>>,
    router: Router,
}

thread_local! {
    static CLASS: Cell<Option<Class>> = const { Cell::new(None) };
    static SOCKET: RefCell<Option<Socket<ToStudent, StudentMessage>>> = const { RefCell::new(None) };
    /// The run each lesson's reports belong to (a `Started` opens the next).
    static RUNS: RefCell<Vec<(String, u32)>> = const { RefCell::new(Vec::new()) };
}

/// The class, when the shell installed one.
pub fn class() -> Option<Class> {
    CLASS.with(Cell::get)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load() -> Option<Record> {
    let text = storage()?.get_item(STORE_KEY).ok().flatten()?;
    from_json(&text).ok()
}

/// Whether this browser kept a join (read without the class's code: the shell asks before it
/// downloads the bar).
pub fn kept_join() -> bool {
    storage().is_some_and(|s| s.get_item(STORE_KEY).ok().flatten().is_some())
}

fn save(record: Option<&Record>) {
    let Some(s) = storage() else { return };
    // Private browsing may refuse: the join and the outbox then last as long as the page.
    let _ = match record.map(to_json) {
        Some(Ok(text)) => s.set_item(STORE_KEY, &text),
        Some(Err(_)) => Ok(()),
        None => s.remove_item(STORE_KEY),
    };
}

impl Class {
    /// Changes the record and writes it to this browser at once (before anything is sent, so a reload
    /// right after loses nothing).
    fn edit<T>(&self, f: impl FnOnce(&mut Record) -> T) -> Option<T> {
        let mut out = None;
        self.record.update(|r| {
            if let Some(r) = r {
                out = Some(f(r));
                save(Some(r));
            }
        });
        out
    }

    fn send(&self, message: &StudentMessage) -> bool {
        SOCKET.with(|s| s.borrow().as_ref().is_some_and(|s| s.send(message)))
    }

    /// Joined: keeps the record and connects.
    pub fn joined(&self, record: Record) {
        save(Some(&record));
        self.record.set(Some(record));
        self.invited.set(None);
        self.connect();
    }

    /// Opens the socket for the kept join (unless the class ended).
    pub fn connect(&self) {
        let Some(record) = self.record.get_untracked() else {
            return;
        };
        if record.ended {
            return;
        }
        let this = *self;
        self.welcomed.set(false);
        let socket = Socket::open(
            &format!("/class/student?token={}", record.joined.token),
            self.status,
            move || this.welcomed.set(false),
            move |m| this.receive(m),
            |e| web_sys::console::warn_1(&format!("class: a message not understood: {e}").into()),
        );
        SOCKET.with(|s| s.borrow_mut().replace(socket));
    }

    /// Leaves the class: the socket closes, the join and its outbox are forgotten.
    pub fn leave(&self) {
        if let Some(s) = SOCKET.with(|s| s.borrow_mut().take()) {
            s.close("left");
        }
        save(None);
        self.record.set(None);
        self.welcomed.set(false);
        self.notice.set(None);
        self.assigned.set(None);
        self.invited.set(None);
        let mut r = self.router.0.get_untracked();
        if r.get("class").is_some() {
            r.set("class", None);
            self.router.replace(r);
        }
    }

    fn receive(&self, message: ToStudent) {
        match message {
            ToStudent::Welcome {
                acked,
                assignment,
                follow,
                ..
            } => {
                self.edit(|r| r.outbox.welcome(acked));
                self.welcomed.set(true);
                let waiting = self
                    .record
                    .with_untracked(|r| {
                        r.as_ref()
                            .map(|r| r.outbox.to_resend().cloned().collect::<Vec<_>>())
                    })
                    .unwrap_or_default();
                for (seq, report) in waiting {
                    self.send(&StudentMessage::Report { seq, report });
                }
                self.send_where();
                if let Some(a) = assignment {
                    self.assign(a);
                }
                self.follow(follow);
            }
            ToStudent::Ack { seq } => {
                self.edit(|r| r.outbox.ack(seq));
            }
            ToStudent::Refused { seq, reason } => {
                // A refused report is never stored: resending it would only be refused again.
                if let Some(seq) = seq {
                    self.edit(|r| r.outbox.ack(seq));
                }
                self.refused.set(Some(reason));
            }
            ToStudent::Assign(a) => self.assign(a),
            ToStudent::Follow(f) => self.follow(Some(f)),
            ToStudent::Ended => {
                self.edit(|r| r.ended = true);
                if let Some(s) = SOCKET.with(|s| s.borrow_mut().take()) {
                    s.close("ended");
                }
                self.status.set(Status::Closed("ended".into()));
            }
        }
    }

    /// Settings from the teacher: the bar says so, and the lesson's form takes them unless this
    /// browser applied the very same ones before (a reconnect does not undo the student's own change).
    fn assign(&self, a: Assignment) {
        let key = to_json(&a).ok();
        let applied = self
            .record
            .with_untracked(|r| r.as_ref().and_then(|r| r.applied.clone()));
        if key.is_some() && key == applied {
            return;
        }
        self.begun.set(None);
        self.notice.set(Some(Notice::Assigned(a.clone())));
        self.assigned.set(Some(a));
    }

    /// A lesson's form took the assigned settings (`begun`: a run had begun, so Reset is needed).
    pub fn taken(&self, a: &Assignment, begun: bool) {
        self.begun.set(Some(begun));
        let key = to_json(a).ok();
        self.edit(|r| r.applied = key);
        self.assigned.set(None);
    }

    fn follow(&self, follow: Option<Follow>) {
        let key = follow.as_ref().map(|f| format!("{}/{}", f.lesson, f.step));
        let before = self
            .record
            .with_untracked(|r| r.as_ref().and_then(|r| r.followed.clone()));
        if key == before {
            return;
        }
        self.edit(|r| r.followed = key);
        let Some(f) = follow else { return };
        let current = self.router.0.get_untracked();
        if current.lesson.as_deref() == Some(f.lesson.as_str()) && current.step == f.step as usize {
            return;
        }
        let mut route = Route {
            lesson: Some(f.lesson),
            step: (f.step as usize).max(1),
            rest: Vec::new(),
        };
        for key in ["lang", "present"] {
            route.set(key, current.get(key).map(str::to_string));
        }
        self.router.push(route);
        self.notice.set(Some(Notice::Followed));
    }

    fn send_where(&self) {
        let (lesson, step) = self
            .router
            .0
            .with_untracked(|r| (r.lesson.clone(), r.step as u32));
        self.send(&StudentMessage::Where {
            lesson,
            step: step.max(1),
        });
    }

    /// Queues a report (kept until acknowledged) and sends it if connected.
    fn report(&self, lesson: &str, body: ReportBody) {
        if self
            .record
            .with_untracked(|r| r.as_ref().is_none_or(|r| r.ended))
        {
            return;
        }
        let run = if matches!(body, ReportBody::Started { .. }) {
            let Some(run) = self.edit(Record::next_run) else {
                return;
            };
            RUNS.with(|runs| {
                let mut runs = runs.borrow_mut();
                runs.retain(|(l, _)| l != lesson);
                runs.push((lesson.to_string(), run));
            });
            run
        } else {
            // A report of a run this page did not see start (a run resumed after a reload) has no run.
            match RUNS.with(|runs| {
                runs.borrow()
                    .iter()
                    .find(|(l, _)| l == lesson)
                    .map(|&(_, r)| r)
            }) {
                Some(run) => run,
                None => return,
            }
        };
        let report = Report {
            run,
            lesson: lesson.to_string(),
            body,
        };
        let Some(seq) = self.edit(|r| r.outbox.push(report.clone())) else {
            return;
        };
        if self.welcomed.get_untracked() {
            self.send(&StudentMessage::Report { seq, report });
        }
    }
}

/// Sets up the student's class for the page (once, by the shell): a kept join reconnects by itself.
pub fn install(router: Router) -> Class {
    if let Some(c) = class() {
        return c;
    }
    let record = load();
    let class = Class {
        record: RwSignal::new(record),
        status: RwSignal::new(Status::Connecting),
        welcomed: RwSignal::new(false),
        notice: RwSignal::new(None),
        refused: RwSignal::new(None),
        assigned: RwSignal::new(None),
        begun: RwSignal::new(None),
        invited: RwSignal::new(None),
        router,
    };
    CLASS.with(|c| c.set(Some(class)));
    super::set_student(super::StudentHooks {
        report,
        taken: |a, begun| {
            if let Some(c) = self::class() {
                c.taken(a, begun);
            }
        },
        assigned: class.assigned,
    });
    // A join for another class than the URL's waits for the student to join the new one.
    let url_code = router
        .0
        .with_untracked(|r| r.get("class").and_then(backprop_classroom::code::normalise));
    let kept = class
        .record
        .with_untracked(|r| r.as_ref().map(|r| r.joined.code.clone()));
    if kept.is_some() && (url_code.is_none() || url_code == kept) {
        class.connect();
    }
    // The teacher's grid shows where each student is.
    let place = Memo::new(move |_| router.0.with(|r| (r.lesson.clone(), r.step)));
    Effect::new(move |_| {
        place.track();
        if class.welcomed.get() {
            class.send_where();
        }
    });
    class
}

/// Queues a report for the teacher (nothing outside a class).
fn report(lesson: &str, body: ReportBody) {
    if let Some(c) = class() {
        c.report(lesson, body);
    }
}
