//! `GET /class/student?token=S`: a student's socket. `Welcome` first (with the highest stored
//! sequence number, so the page resends only what was not stored), then reports stored and
//! acknowledged one by one, where the page is, and the teacher's pushes.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use backprop_classroom::{
    MAX_MESSAGES_PER_SECOND, MAX_REPORTS_PER_STUDENT, Report, StoredReport, StudentMessage,
    ToStudent, ToTeacher,
};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::ClassServer;
use super::guard::{Bucket, now_ms, same_origin};
use super::queries;
use super::state::{ClassLive, TeacherEvent, to_text};
use super::ws::{self, Incoming};

/// The token a student's page got when it joined.
#[derive(Deserialize)]
pub struct StudentQuery {
    token: String,
}

/// Messages a socket may save up: [`MAX_MESSAGES_PER_SECOND`] on average over ten seconds.
const BURST: f64 = MAX_MESSAGES_PER_SECOND as f64 * 10.0;

/// Pages one student may have connected at once (tabs); each socket has its own message rate, so
/// this bounds what one token may send.
const MAX_TABS: u32 = 4;

/// Checks the Origin, the student token and the number of the student's open pages, then upgrades.
pub async fn connect(
    State(server): State<Arc<ClassServer>>,
    Query(query): Query<StudentQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Err(refused) = same_origin(&headers) {
        return refused.into_response();
    }
    let Some((class, number)) = server.live().tokens.get(&query.token).cloned() else {
        return (
            StatusCode::FORBIDDEN,
            "unknown student token (the class may have expired): join the class again",
        )
            .into_response();
    };
    if class
        .state()
        .students
        .get(&number)
        .is_some_and(|s| s.online >= MAX_TABS)
    {
        let why = format!("{MAX_TABS} pages of this student are connected already; close one");
        return (StatusCode::TOO_MANY_REQUESTS, why).into_response();
    }
    ws::upgrade(upgrade, move |socket| async move {
        set_online(&class, number, true);
        session(&server, &class, number, socket).await;
        set_online(&class, number, false);
    })
}

fn set_online(class: &ClassLive, number: u32, online: bool) {
    if let Some(s) = class.state().students.get_mut(&number) {
        if online {
            s.online += 1;
        } else {
            s.online = s.online.saturating_sub(1);
        }
    }
    class.tell_teachers_student(number);
}

async fn session(server: &ClassServer, class: &Arc<ClassLive>, number: u32, mut socket: WebSocket) {
    // Subscribe before the welcome is made, so a push between the two is not lost.
    let mut pushes = class.to_students.subscribe();
    let (welcome, ended) = {
        let state = class.state();
        let Some(me) = state.students.get(&number) else {
            return;
        };
        let welcome = ToStudent::Welcome {
            pseudonym: me.pseudonym.clone(),
            code: class.code.clone(),
            acked: me.acked,
            assignment: me.assignment.clone(),
            follow: state.follow.clone(),
        };
        (welcome, state.ended)
    };
    if !ws::send(&mut socket, &welcome).await {
        return;
    }
    if ended {
        ws::send(&mut socket, &ToStudent::Ended).await;
        return ws::close(&mut socket, ws::NORMAL, "the class has ended").await;
    }
    let mut bucket = Bucket::new(BURST);
    let mut heard = Instant::now();
    let mut ping = tokio::time::interval(ws::PING_EVERY);
    loop {
        tokio::select! {
            received = socket.recv() => match ws::sort(received, &mut heard) {
                Incoming::Gone => return,
                Incoming::TooBig(why) => return ws::close(&mut socket, ws::TOO_BIG, &why).await,
                Incoming::Other { binary: false } => {}
                Incoming::Other { binary: true } => {
                    let refused = ToStudent::Refused { seq: None, reason: "text (JSON) messages only".into() };
                    if !ws::send(&mut socket, &refused).await { return; }
                }
                Incoming::Text(text) => {
                    let rate = bucket.take(f64::from(MAX_MESSAGES_PER_SECOND), BURST, BURST);
                    if rate.is_err() && bucket.owed() >= BURST {
                        let why = format!("over {MAX_MESSAGES_PER_SECOND} messages a second for too long");
                        return ws::close(&mut socket, ws::POLICY, &why).await;
                    }
                    let answer = handle(server, class, number, &text, rate.is_ok()).await;
                    if let Some(answer) = answer && !ws::send(&mut socket, &answer).await { return; }
                }
            },
            push = pushes.recv() => match push {
                Ok(push) if push.to.is_none_or(|to| to == number) => {
                    if !ws::send_text(&mut socket, &push.text).await { return; }
                    if push.ends { return ws::close(&mut socket, ws::NORMAL, "the class has ended").await; }
                }
                Ok(_) => {}
                // Pushes are settings and steps; a page that fell this far behind gets the latest on
                // its next welcome, so it reconnects.
                Err(RecvError::Lagged(_)) => return ws::close(&mut socket, ws::NORMAL, "fell behind; reconnect").await,
                Err(RecvError::Closed) => return,
            },
            _ = ping.tick() => if !ws::keep_alive(&mut socket, heard).await { return; },
        }
    }
}

/// One message from the student's page; the answer to send, if any.
async fn handle(
    server: &ClassServer,
    class: &ClassLive,
    number: u32,
    text: &str,
    within_rate: bool,
) -> Option<ToStudent> {
    let message = match backprop_classroom::parse_student(text) {
        Ok(message) => message,
        Err(refusal) => {
            return Some(ToStudent::Refused {
                seq: None,
                reason: refusal.0,
            });
        }
    };
    if !within_rate {
        let seq = match message {
            StudentMessage::Report { seq, .. } => Some(seq),
            StudentMessage::Where { .. } => None,
        };
        let reason = format!("too many messages: at most {MAX_MESSAGES_PER_SECOND} a second");
        return Some(ToStudent::Refused { seq, reason });
    }
    match message {
        StudentMessage::Report { seq, report } => Some(
            store_report(server, class, number, seq, report)
                .await
                .unwrap_or_else(|reason| ToStudent::Refused {
                    seq: Some(seq),
                    reason,
                }),
        ),
        StudentMessage::Where { lesson, step } => {
            if let Some(s) = class.state().students.get_mut(&number) {
                s.lesson = lesson;
                s.step = step;
            }
            class.tell_teachers_student(number);
            None
        }
    }
}

/// Stores a report (once, however often it is resent) and acknowledges it after the commit; the
/// teachers get it as soon as it is stored.
async fn store_report(
    server: &ClassServer,
    class: &ClassLive,
    number: u32,
    seq: u64,
    report: Report,
) -> Result<ToStudent, String> {
    let lock = class
        .state()
        .students
        .get(&number)
        .map(|s| s.report_lock.clone())
        .ok_or("you are no longer in this class")?;
    // Held until this report is stored, so the next one is checked against it.
    let _in_order = lock.lock().await;
    let (acked, reports, ended) = {
        let state = class.state();
        let me = state
            .students
            .get(&number)
            .ok_or("you are no longer in this class")?;
        (me.acked, me.reports, state.ended)
    };
    if seq <= acked {
        return Ok(ToStudent::Ack { seq });
    }
    if ended {
        return Err("the class has ended; this report was not stored".into());
    }
    if seq > acked + 1 {
        return Err(format!(
            "seq {seq} skips ahead: the next report this server expects is {}",
            acked + 1
        ));
    }
    if reports >= MAX_REPORTS_PER_STUDENT {
        return Err(format!(
            "this class already has {MAX_REPORTS_PER_STUDENT} reports from you; no more are stored"
        ));
    }
    let code = class.code.clone();
    let at_ms = now_ms();
    let to_store = report.clone();
    let id = server
        .store
        .call(move |c| queries::insert_report(c, &code, number, seq, &to_store, at_ms))
        .await
        .map_err(|e| {
            tracing::error!("storing a report: {e:#}");
            format!("the server could not store this report: {e}")
        })?;
    if let Some(s) = class.state().students.get_mut(&number) {
        s.acked = s.acked.max(seq);
        s.reports += u64::from(id.is_some());
    }
    if let Some(id) = id {
        let stored = ToTeacher::Report(StoredReport {
            student: number,
            seq,
            at_ms,
            report,
        });
        let _ = class.to_teachers.send(TeacherEvent {
            report_id: Some(id),
            text: to_text(&stored),
        });
    }
    Ok(ToStudent::Ack { seq })
}
