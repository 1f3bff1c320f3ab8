//! A server killed mid-class and opened again on the same data: nothing acknowledged is lost, the
//! students reconnect with their tokens and go on; classes expire unless kept.

use backprop_classroom::{StudentMessage, TeacherMessage, ToStudent, ToTeacher};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_resumes_its_class() {
    let dir = TempDir::new("restart");
    let server = TestServer::start(TestServer::config(&dir.0)).await;
    let (mut teacher, code, _) = start_class(&server, None).await;
    let mut tokens = Vec::new();
    // The sockets stay open: the kill drops them mid-class.
    let mut open = Vec::new();
    for _ in 0..2 {
        let joined = join(&server, &code).await;
        let (mut ws, _) = student_socket(&server, &joined.token).await;
        for seq in 1..=3 {
            report_acked(&mut ws, seq, evaluation(1, seq as u32 * 10, 0.5, 0.5)).await;
        }
        tokens.push(joined.token);
        open.push(ws);
    }
    let assign = TeacherMessage::Assign {
        spread: backprop_classroom::Spread::Seeds,
    };
    send(&mut teacher, &assign).await;
    loop {
        // The last student's view with its seed: the assignment is stored.
        if let ToTeacher::Student(view) = recv(&mut teacher).await
            && view.student == 2
            && view.assignment.is_some()
        {
            break;
        }
    }
    server.kill();
    drop(teacher);
    assert_eq!(
        rows_in_sqlite(&dir.0),
        6,
        "every acknowledged report is stored"
    );

    let server = TestServer::start(TestServer::config(&dir.0)).await;
    let (mut teacher, again, reports) = start_class(&server, Some(&code)).await;
    assert_eq!((again.as_str(), reports), (code.as_str(), 6));
    let (mut ws, welcome) = student_socket(&server, &tokens[1]).await;
    match welcome {
        ToStudent::Welcome {
            acked, assignment, ..
        } => {
            assert_eq!(acked, 3);
            assert_eq!(assignment.unwrap().seed, Some(2));
        }
        other => panic!("{other:?}"),
    }
    // A resend of a stored report is acknowledged and not stored twice; the next one arrives.
    report_acked(&mut ws, 3, evaluation(1, 30, 0.5, 0.5)).await;
    report_acked(&mut ws, 4, evaluation(1, 40, 0.4, 0.6)).await;
    let stored = next_report(&mut teacher).await;
    assert_eq!((stored.student, stored.seq), (2, 4));
    assert_eq!(rows_in_sqlite(&dir.0), 7);
    send(
        &mut ws,
        &StudentMessage::Report {
            seq: 6,
            report: evaluation(1, 60, 0.3, 0.7),
        },
    )
    .await;
    assert!(matches!(
        recv(&mut ws).await,
        ToStudent::Refused { seq: Some(6), .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classes_expire_unless_kept() {
    let dir = TempDir::new("expiry");
    let mut config = TestServer::config(&dir.0);
    config.expiry = Duration::ZERO;
    let server = TestServer::start(config.clone()).await;
    let (mut kept, kept_code, _) = start_class(&server, None).await;
    let (_, gone_code, _) = start_class(&server, None).await;
    let body = format!(r#"{{"code":"{gone_code}"}}"#);
    let expired = http(
        server.addr,
        "/class/join",
        Some(&body),
        Some(&server.origin()),
    )
    .await;
    assert_eq!(expired.status, 404, "{}", expired.body);
    send(&mut kept, &TeacherMessage::Keep { keep: true }).await;
    assert!(matches!(
        recv(&mut kept).await,
        ToTeacher::Class { kept: true, .. }
    ));
    let joined = join(&server, &kept_code).await;
    server.kill();

    let server = TestServer::start(config).await;
    let (_, code, _) = start_class(&server, Some(&kept_code)).await;
    assert_eq!(code, kept_code);
    let (_ws, welcome) = student_socket(&server, &joined.token).await;
    assert!(matches!(welcome, ToStudent::Welcome { acked: 0, .. }));
    let path = format!("/class/teacher?token={TEACHER}");
    let mut teacher = connect(server.addr, &path, Some(&server.origin()))
        .await
        .unwrap();
    let resume = TeacherMessage::Start {
        resume: Some(gone_code.clone()),
    };
    send(&mut teacher, &resume).await;
    match recv(&mut teacher).await {
        ToTeacher::Refused { reason } => assert!(reason.contains(&gone_code), "{reason}"),
        other => panic!("the expired class was deleted at open, got {other:?}"),
    }
}
