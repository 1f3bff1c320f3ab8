//! Everything that must be refused is, with its reason, and the server keeps serving after each.

use backprop_classroom::{MAX_MESSAGE_BYTES, StudentMessage, TeacherMessage, ToStudent, ToTeacher};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_and_bad_requests_are_refused_with_reasons() {
    let dir = TempDir::new("refusals");
    let server = TestServer::start(TestServer::config(&dir.0)).await;
    let origin = server.origin();
    let (mut teacher, code, _) = start_class(&server, None).await;

    // Wrong teacher token, on the socket and the exports.
    let (status, why) =
        refused_upgrade(connect(server.addr, "/class/teacher?token=guess", Some(&origin)).await);
    assert_eq!(
        (status, why.contains("teacher token")),
        (403, true),
        "{why}"
    );
    let export = http(
        server.addr,
        &format!("/class/export.csv?token=guess&code={code}"),
        None,
        None,
    )
    .await;
    assert_eq!(export.status, 403, "{}", export.body);

    // Another site's page, or none, on the sockets and the join.
    let teacher_path = format!("/class/teacher?token={TEACHER}");
    for bad in [Some("http://evil.example"), None] {
        let (status, why) = refused_upgrade(connect(server.addr, &teacher_path, bad).await);
        assert_eq!((status, why.contains("rigin")), (403, true), "{why}");
        let body = format!(r#"{{"code":"{code}"}}"#);
        let join = http(server.addr, "/class/join", Some(&body), bad).await;
        assert_eq!(
            (join.status, join.body.contains("rigin")),
            (403, true),
            "{}",
            join.body
        );
    }
    let joined = join(&server, &code).await;
    let student_path = format!("/class/student?token={}", joined.token);
    let (status, why) =
        refused_upgrade(connect(server.addr, &student_path, Some("http://evil.example")).await);
    assert_eq!((status, why.contains("rigin")), (403, true), "{why}");
    let (status, why) =
        refused_upgrade(connect(server.addr, "/class/student?token=nobody", Some(&origin)).await);
    assert_eq!((status, why.contains("token")), (403, true), "{why}");

    // Wrong, malformed and oversized joins.
    let post = |body: String| {
        let origin = origin.clone();
        async move { http(server.addr, "/class/join", Some(&body), Some(&origin)).await }
    };
    let wrong = post(r#"{"code":"ZZZZZZ"}"#.into()).await;
    assert_eq!(
        (wrong.status, wrong.body.contains("ZZZZZZ")),
        (404, true),
        "{}",
        wrong.body
    );
    let malformed = post(r#"{"code":"#.into()).await;
    assert_eq!(
        (malformed.status, malformed.body.contains("malformed")),
        (400, true)
    );
    let extra = post(format!(r#"{{"code":"{code}","name":"Ann"}}"#)).await;
    assert_eq!(extra.status, 400, "a name is never sent: {}", extra.body);
    let huge = post(format!(r#"{{"code":"{}"}}"#, "A".repeat(MAX_MESSAGE_BYTES))).await;
    assert_eq!(huge.status, 413, "{}", huge.body);

    // The teacher's bad messages.
    let (mut fresh, _) = (
        connect(server.addr, &teacher_path, Some(&origin))
            .await
            .unwrap(),
        (),
    );
    let refused = |m: ToTeacher| match m {
        ToTeacher::Refused { reason } => reason,
        other => panic!("expected Refused, got {other:?}"),
    };
    // The join above reached the teacher's socket first.
    assert!(matches!(recv(&mut teacher).await, ToTeacher::Student(_)));
    fresh
        .send(Message::text(r#"{"type":"end"}"#))
        .await
        .unwrap();
    assert!(refused(recv(&mut fresh).await).contains("start"));
    fresh
        .send(Message::text(r#"{"type":"start","resume":"ZZZZZZ"}"#))
        .await
        .unwrap();
    assert!(refused(recv(&mut fresh).await).contains("ZZZZZZ"));
    teacher
        .send(Message::text(
            r#"{"type":"assign","spread":{"what":"learning_rates","min":0,"max":100}}"#,
        ))
        .await
        .unwrap();
    assert!(refused(recv(&mut teacher).await).contains("learning rates"));

    // The student's bad messages: each refused with its reason, the socket stays open.
    let (mut ws, _) = student_socket(&server, &joined.token).await;
    let refusal = |m: ToStudent| match m {
        ToStudent::Refused { seq, reason } => (seq, reason),
        other => panic!("expected Refused, got {other:?}"),
    };
    ws.send(Message::text("{not json")).await.unwrap();
    assert!(refusal(recv(&mut ws).await).1.contains("malformed"));
    let mut bad = started(1, 0.1, 1);
    if let backprop_classroom::ReportBody::Started { settings, .. } = &mut bad.body {
        settings.lr = 50.0;
    }
    send(
        &mut ws,
        &StudentMessage::Report {
            seq: 1,
            report: bad,
        },
    )
    .await;
    assert!(refusal(recv(&mut ws).await).1.contains("settings.lr"));
    ws.send(Message::text(
        r#"{"type":"report","seq":1,"report":{"run":1,"lesson":"train","body":{"kind":"evaluation","step":1,"loss":-1,"val_accuracy":0.5}}}"#,
    ))
    .await
    .unwrap();
    assert!(refusal(recv(&mut ws).await).1.contains("loss"));
    let skip = StudentMessage::Report {
        seq: 5,
        report: evaluation(1, 1, 0.5, 0.5),
    };
    send(&mut ws, &skip).await;
    assert_eq!(refusal(recv(&mut ws).await).0, Some(5));
    ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert!(refusal(recv(&mut ws).await).1.contains("text"));
    report_acked(&mut ws, 1, evaluation(1, 1, 0.5, 0.5)).await;
    assert_eq!(next_report(&mut teacher).await.seq, 1);

    // Over the message rate: refused, the socket stays open, a report later is stored.
    for _ in 0..240 {
        let here = StudentMessage::Where {
            lesson: Some("train".into()),
            step: 2,
        };
        send(&mut ws, &here).await;
    }
    let mut rate_refusals = 0;
    while rate_refusals < 30 {
        let (_, why) = refusal(recv(&mut ws).await);
        assert!(why.contains("too many messages"), "{why}");
        rate_refusals += 1;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    while let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_millis(200), ws.next()).await {
        assert!(matches!(m, Message::Text(_) | Message::Ping(_)), "{m:?}");
    }
    report_acked(&mut ws, 2, evaluation(1, 2, 0.4, 0.6)).await;

    // Oversized: the socket closes with the reason; a new one works.
    ws.send(Message::text("x".repeat(MAX_MESSAGE_BYTES + 100)))
        .await
        .unwrap();
    match next_frame(&mut ws).await {
        Message::Close(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::Size);
            assert!(frame.reason.contains("over the limit"), "{}", frame.reason);
        }
        other => panic!("expected a close with a reason, got {other:?}"),
    }
    let (mut ws, welcome) = student_socket(&server, &joined.token).await;
    assert!(matches!(welcome, ToStudent::Welcome { acked: 2, .. }));
    report_acked(&mut ws, 3, evaluation(1, 3, 0.3, 0.7)).await;
    send(&mut teacher, &TeacherMessage::Keep { keep: true }).await;
    loop {
        match recv(&mut teacher).await {
            ToTeacher::Class { kept, .. } => break assert!(kept),
            ToTeacher::Report(_) | ToTeacher::Student(_) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(rows_in_sqlite(&dir.0), 3);

    // A fifth page of the same student is refused (each page has its own message rate).
    let mut tabs = vec![ws];
    for _ in 0..3 {
        tabs.push(student_socket(&server, &joined.token).await.0);
    }
    let (status, why) = refused_upgrade(connect(server.addr, &student_path, Some(&origin)).await);
    assert_eq!(
        (status, why.contains("connected already")),
        (429, true),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_codes_hits_the_join_limit() {
    let dir = TempDir::new("guess");
    let server = TestServer::start(TestServer::config(&dir.0)).await;
    let (mut teacher, code, _) = start_class(&server, None).await;
    let limit = backprop_classroom::code::JOIN_ATTEMPTS_PER_MINUTE;
    let alphabet = backprop_classroom::code::ALPHABET;
    let guess = |i: u32| format!(r#"{{"code":"GUESS{}"}}"#, alphabet[i as usize] as char);
    for i in 0..limit {
        let answer = http(
            server.addr,
            "/class/join",
            Some(&guess(i)),
            Some(&server.origin()),
        )
        .await;
        assert_eq!(answer.status, 404, "attempt {i}: {}", answer.body);
    }
    let body = format!(r#"{{"code":"{code}"}}"#);
    let limited = http(
        server.addr,
        "/class/join",
        Some(&body),
        Some(&server.origin()),
    )
    .await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(
        limited.body.contains("too many join attempts"),
        "{}",
        limited.body
    );
    let wait: u64 = limited.retry_after.unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // The server keeps serving: the teacher's socket still answers.
    send(&mut teacher, &TeacherMessage::Keep { keep: true }).await;
    assert!(matches!(
        recv(&mut teacher).await,
        ToTeacher::Class { kept: true, .. }
    ));
}
