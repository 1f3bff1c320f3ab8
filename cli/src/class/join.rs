//! `POST /class/join`: a student's page asks to join a class by its code and gets a pseudonym and a
//! per-join token. Refusals are a status and a plain-text reason the page shows.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use backprop_classroom::pseudonym::Pseudonym;
use backprop_classroom::{CLASS_CAPACITY, Joined, ToTeacher};

use super::guard::{now_ms, same_origin};
use super::queries::{self, StudentRow};
use super::state::StudentLive;
use super::{ClassServer, guard};

/// The join handler: Origin, then the address's attempt count, then the request, then the class.
pub async fn join(
    State(server): State<Arc<ClassServer>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = same_origin(&headers) {
        return refused.into_response();
    }
    let limited = server
        .joins
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .attempt(peer.ip());
    if let Err(wait) = limited {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            format!(
                "too many join attempts from this address ({} a minute); try again in {wait} s",
                server.config.joins_per_minute
            ),
        )
            .into_response();
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return (StatusCode::BAD_REQUEST, "malformed message: not UTF-8").into_response();
    };
    let code = match backprop_classroom::parse_join(text) {
        Ok(code) => code,
        Err(refusal) => return (StatusCode::BAD_REQUEST, refusal.0).into_response(),
    };
    match admit(&server, &code).await {
        Ok(joined) => Json(joined).into_response(),
        Err(refused) => refused.into_response(),
    }
}

/// Adds a student to the class `code`: a number in join order, a pseudonym, a token, stored before
/// the answer goes out.
async fn admit(server: &Arc<ClassServer>, code: &str) -> Result<Joined, (StatusCode, String)> {
    let unknown = || {
        (
            StatusCode::NOT_FOUND,
            format!("no class has the code {code} (check it on the projector; classes expire)"),
        )
    };
    let class = server.class(code).ok_or_else(unknown)?;
    let number = {
        let mut state = class.state();
        if !state.kept && state.expires_ms <= now_ms() {
            return Err(unknown());
        }
        if state.ended {
            return Err((StatusCode::CONFLICT, "this class has ended".into()));
        }
        if state.next_number as usize > CLASS_CAPACITY {
            return Err((
                StatusCode::SERVICE_UNAVAILABLE,
                format!("this class is full ({CLASS_CAPACITY} students)"),
            ));
        }
        state.next_number += 1;
        state.next_number - 1
    };
    let row = StudentRow {
        class: code.to_owned(),
        number,
        token: guard::new_token(),
        pseudonym: Pseudonym::new(number - 1, class.salt),
        assignment: None,
        acked: 0,
        reports: 0,
    };
    let stored = row.clone();
    server
        .store
        .call(move |c| queries::insert_student(c, &stored, now_ms()))
        .await
        .map_err(|e| {
            tracing::error!("storing a join: {e:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the server could not store the join: {e}"),
            )
        })?;
    class.state().students.insert(
        number,
        StudentLive {
            pseudonym: row.pseudonym.clone(),
            assignment: None,
            online: 0,
            lesson: None,
            step: 0,
            acked: 0,
            reports: 0,
            report_lock: Arc::default(),
        },
    );
    server
        .live()
        .tokens
        .insert(row.token.clone(), (class.clone(), number));
    class.tell_teachers_student(number);
    Ok(Joined {
        student: number,
        token: row.token,
        code: code.to_owned(),
        pseudonym: row.pseudonym,
    })
}

/// Tells the teachers about the class (after a change to its expiry or keep flag).
pub fn class_message(server: &ClassServer, host: &str, code: &str) -> Option<ToTeacher> {
    let class = server.class(code)?;
    let state = class.state();
    let base = server.config.public_base.clone().unwrap_or_else(|| {
        let scheme = if server.config.https { "https" } else { "http" };
        format!("{scheme}://{host}")
    });
    Some(ToTeacher::Class {
        code: code.to_owned(),
        join_url: format!("{}/?class={code}", base.trim_end_matches('/')),
        expires_ms: state.expires_ms,
        kept: state.kept,
        capacity: CLASS_CAPACITY as u32,
    })
}
