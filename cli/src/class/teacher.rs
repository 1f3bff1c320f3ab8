//! `GET /class/teacher?token=T`: the teacher's socket. `Start` makes (or reopens) a class and binds
//! the socket to it: `Class` and `Snapshot` first, then every join, move and stored report as it
//! happens; `Assign`, `Follow`, `Keep` and `End` change the class and reach the students.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use backprop_classroom::{TeacherMessage, ToStudent, ToTeacher};
use serde::Deserialize;
use tokio::sync::broadcast::{self, error::RecvError};

use super::ClassServer;
use super::guard::{is_teacher, now_ms, random, same_origin};
use super::join::class_message;
use super::queries::{self, ClassRow};
use super::state::{ClassLive, TeacherEvent};
use super::ws::{self, Incoming};

/// The token in a teacher's URL.
#[derive(Deserialize)]
pub struct TeacherQuery {
    token: String,
}

/// Checks the Origin and the teacher token, then upgrades.
pub async fn connect(
    State(server): State<Arc<ClassServer>>,
    Query(query): Query<TeacherQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Err(refused) = same_origin(&headers) {
        return refused.into_response();
    }
    if !is_teacher(&query.token, &server.config.teacher_token) {
        return (
            StatusCode::FORBIDDEN,
            "wrong teacher token: open the teacher's URL that `serve --class` printed",
        )
            .into_response();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    ws::upgrade(upgrade, move |socket| session(server, socket, host))
}

/// The class a teacher's socket is bound to.
struct Bound {
    class: Arc<ClassLive>,
    events: broadcast::Receiver<TeacherEvent>,
    /// Reports up to this row id were in the last snapshot.
    snapshot_id: i64,
}

async fn session(server: Arc<ClassServer>, mut socket: WebSocket, host: String) {
    let mut bound: Option<Bound> = None;
    let mut heard = Instant::now();
    let mut ping = tokio::time::interval(ws::PING_EVERY);
    loop {
        tokio::select! {
            received = socket.recv() => match ws::sort(received, &mut heard) {
                Incoming::Gone => return,
                Incoming::TooBig(why) => return ws::close(&mut socket, ws::TOO_BIG, &why).await,
                Incoming::Other { binary: false } => {}
                Incoming::Other { binary: true } => {
                    let refused = ToTeacher::Refused { reason: "text (JSON) messages only".into() };
                    if !ws::send(&mut socket, &refused).await { return; }
                }
                Incoming::Text(text) => {
                    if !handle(&server, &mut socket, &host, &mut bound, &text).await { return; }
                }
            },
            event = next_event(&mut bound) => match event {
                Ok(event) => {
                    let seen = bound.as_ref().is_some_and(|b| event.report_id.is_some_and(|id| id <= b.snapshot_id));
                    if !seen && !ws::send_text(&mut socket, &event.text).await { return; }
                }
                // Fell behind: a fresh snapshot says everything at once.
                Err(RecvError::Lagged(_)) => {
                    if let Some(b) = bound.as_mut()
                        && !send_snapshot(&server, &mut socket, b).await { return; }
                }
                Err(RecvError::Closed) => return,
            },
            _ = ping.tick() => if !ws::keep_alive(&mut socket, heard).await { return; },
        }
    }
}

async fn next_event(bound: &mut Option<Bound>) -> Result<TeacherEvent, RecvError> {
    match bound {
        Some(b) => b.events.recv().await,
        None => std::future::pending().await,
    }
}

/// Sends every student and stored report; later reports up to the snapshot are skipped.
async fn send_snapshot(server: &ClassServer, socket: &mut WebSocket, bound: &mut Bound) -> bool {
    let code = bound.class.code.clone();
    let stored = server.store.call(move |c| queries::reports(c, &code)).await;
    let (reports, last_id) = match stored {
        Ok(stored) => stored,
        Err(e) => {
            let reason = format!("the server could not read the class: {e}");
            return ws::send(socket, &ToTeacher::Refused { reason }).await;
        }
    };
    bound.snapshot_id = last_id;
    let students = bound.class.state().views();
    ws::send(socket, &ToTeacher::Snapshot { students, reports }).await
}

/// One message from the teacher's page; false when the socket is gone.
async fn handle(
    server: &Arc<ClassServer>,
    socket: &mut WebSocket,
    host: &str,
    bound: &mut Option<Bound>,
    text: &str,
) -> bool {
    let message = match backprop_classroom::parse_teacher(text) {
        Ok(message) => message,
        Err(refusal) => return ws::send(socket, &ToTeacher::Refused { reason: refusal.0 }).await,
    };
    let outcome = match (message, bound.as_ref()) {
        (TeacherMessage::Start { resume }, _) => {
            let class = match resume {
                None => new_class(server).await,
                Some(code) => {
                    let code = backprop_classroom::code::normalise(&code).unwrap_or(code);
                    server.class(&code).ok_or_else(|| {
                        format!("no class has the code {code} (it may have expired)")
                    })
                }
            };
            match class {
                Ok(class) => {
                    // Subscribe before the snapshot is read, so nothing falls between the two.
                    let mut b = Bound {
                        events: class.to_teachers.subscribe(),
                        class,
                        snapshot_id: 0,
                    };
                    let message = class_message(server, host, &b.class.code);
                    let sent = match message {
                        Some(m) => ws::send(socket, &m).await,
                        None => true,
                    };
                    if !sent || !send_snapshot(server, socket, &mut b).await {
                        return false;
                    }
                    *bound = Some(b);
                    Ok(())
                }
                Err(why) => Err(why),
            }
        }
        (_, None) => Err("start or resume a class first".to_owned()),
        (message, Some(b)) => change(server, host, &b.class, message).await,
    };
    match outcome {
        Ok(()) => true,
        Err(reason) => ws::send(socket, &ToTeacher::Refused { reason }).await,
    }
}

/// A fresh class with a code no open class has.
async fn new_class(server: &Arc<ClassServer>) -> Result<Arc<ClassLive>, String> {
    for _ in 0..16 {
        let now = now_ms();
        let row = ClassRow {
            code: backprop_classroom::code::from_random(|| random::<1>()[0]),
            expires_ms: now + server.config.expiry.as_millis() as u64,
            kept: false,
            ended: false,
            salt: u32::from_le_bytes(random()),
            follow: None,
        };
        let stored = row.clone();
        let inserted = server
            .store
            .call(move |c| queries::insert_class(c, &stored, now))
            .await
            .map_err(|e| format!("the server could not store the class: {e}"))?;
        if inserted {
            let class = Arc::new(ClassLive::new(&row, []));
            server.live().classes.insert(row.code, class.clone());
            return Ok(class);
        }
    }
    Err("no free class code found; try again".into())
}

/// Assign, Follow, Keep or End on the bound class: stored first, then pushed.
async fn change(
    server: &ClassServer,
    host: &str,
    class: &Arc<ClassLive>,
    message: TeacherMessage,
) -> Result<(), String> {
    let code = class.code.clone();
    let stored = |e: anyhow::Error| format!("the server could not store this: {e}");
    match message {
        TeacherMessage::Start { .. } => unreachable!("handled by the caller"),
        TeacherMessage::Assign { spread } => {
            let numbers: Vec<u32> = class.state().students.keys().copied().collect();
            let assignments: Vec<_> = numbers
                .iter()
                .copied()
                .zip(backprop_classroom::spread::spread(&spread, numbers.len()))
                .collect();
            let to_store = assignments.clone();
            server
                .store
                .call(move |c| queries::set_assignments(c, &code, &to_store))
                .await
                .map_err(stored)?;
            for (number, assignment) in assignments {
                if let Some(s) = class.state().students.get_mut(&number) {
                    s.assignment.clone_from(&assignment);
                }
                let push = ToStudent::Assign(assignment.unwrap_or_default());
                class.tell_students(Some(number), &push);
                class.tell_teachers_student(number);
            }
        }
        TeacherMessage::Follow { follow } => {
            let to_store = follow.clone();
            server
                .store
                .call(move |c| queries::set_follow(c, &code, &to_store))
                .await
                .map_err(stored)?;
            class.state().follow.clone_from(&follow);
            if let Some(f) = follow {
                class.tell_students(None, &ToStudent::Follow(f));
            }
        }
        TeacherMessage::Keep { keep } => {
            server
                .store
                .call(move |c| queries::set_kept(c, &code, keep))
                .await
                .map_err(stored)?;
            class.state().kept = keep;
            if let Some(m) = class_message(server, host, &class.code) {
                class.tell_teachers(&m);
            }
        }
        TeacherMessage::End => {
            server
                .store
                .call(move |c| queries::set_ended(c, &code))
                .await
                .map_err(stored)?;
            class.state().ended = true;
            class.tell_students(None, &ToStudent::Ended);
            class.tell_teachers(&ToTeacher::Ended);
        }
    }
    Ok(())
}
