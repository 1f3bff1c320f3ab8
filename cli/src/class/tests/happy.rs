//! A class from start to export: three students join, report, get learning rates assigned, and the
//! export has exactly what they sent.

use backprop_classroom::{
    Assignment, Follow, Report, ReportBody, Spread, TeacherMessage, ToStudent, ToTeacher,
};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_from_start_to_export() {
    let dir = TempDir::new("happy");
    let server = TestServer::start(TestServer::config(&dir.0)).await;
    let (mut teacher, code, reports) = start_class(&server, None).await;
    assert_eq!(reports, 0);

    // Three students join and connect; the teacher sees each.
    let mut students = Vec::new();
    for i in 1..=3u32 {
        let joined = join(&server, &code.to_lowercase()).await;
        assert_eq!((joined.student, joined.code.as_str()), (i, code.as_str()));
        // The teacher hears of the join (after the previous student's socket opening).
        loop {
            match recv(&mut teacher).await {
                ToTeacher::Student(view) if view.student == i => {
                    break assert_eq!(view.pseudonym, joined.pseudonym);
                }
                ToTeacher::Student(view) => assert_eq!(view.student, i - 1),
                other => panic!("{other:?}"),
            }
        }
        let (ws, welcome) = student_socket(&server, &joined.token).await;
        assert!(matches!(welcome, ToStudent::Welcome { acked: 0, .. }));
        students.push((joined, ws));
    }
    let names: std::collections::HashSet<_> = students
        .iter()
        .map(|(j, _)| j.pseudonym.en.clone())
        .collect();
    assert_eq!(names.len(), 3, "pseudonyms differ");

    // Each runs once: started, two evaluations, finished; every report acknowledged and shown.
    let mut sent: Vec<(u32, Vec<Report>)> = Vec::new();
    for (i, (joined, ws)) in students.iter_mut().enumerate() {
        let k = i as f64;
        let run = vec![
            started(1, 0.01 * (k + 1.0), 7 + i as u64),
            evaluation(1, 100, 0.9 - 0.1 * k, 0.5 + 0.1 * k),
            evaluation(1, 200, 0.5 - 0.1 * k, 0.7 + 0.1 * k),
            Report {
                run: 1,
                lesson: "train".into(),
                body: ReportBody::Finished {
                    step: 250,
                    test_accuracy: 0.8 + 0.05 * k,
                    confusion: vec![1; 100],
                    epsilon: None,
                },
            },
        ];
        for (seq, report) in run.iter().enumerate() {
            report_acked(ws, seq as u64 + 1, report.clone()).await;
        }
        sent.push((joined.student, run));
    }
    for (student, run) in &sent {
        for (seq, report) in run.iter().enumerate() {
            let stored = next_report(&mut teacher).await;
            assert_eq!(
                (stored.student, stored.seq, &stored.report),
                (*student, seq as u64 + 1, report)
            );
        }
    }

    // Assign settings: learning rates 0.001 to 10 over the class reach each student's page.
    let spread = Spread::LearningRates {
        min: 0.001,
        max: 10.0,
    };
    send(&mut teacher, &TeacherMessage::Assign { spread }).await;
    for ((_, ws), lr) in students.iter_mut().zip([0.001, 0.1, 10.0]) {
        let expected = Assignment {
            lr: Some(lr),
            ..Assignment::default()
        };
        assert_eq!(recv::<ToStudent>(ws).await, ToStudent::Assign(expected));
    }
    let follow = Follow {
        lesson: "train".into(),
        step: 3,
    };
    let message = TeacherMessage::Follow {
        follow: Some(follow.clone()),
    };
    send(&mut teacher, &message).await;
    for (_, ws) in students.iter_mut() {
        assert_eq!(
            recv::<ToStudent>(ws).await,
            ToStudent::Follow(follow.clone())
        );
    }

    // A student who reconnects is told what is stored and assigned.
    let (joined, ws) = students.pop().unwrap();
    drop(ws);
    let (mut ws, welcome) = student_socket(&server, &joined.token).await;
    match welcome {
        ToStudent::Welcome {
            acked,
            assignment,
            follow: f,
            ..
        } => {
            assert_eq!(acked, 4);
            assert_eq!(assignment.unwrap().lr, Some(10.0));
            assert_eq!(f, Some(follow));
        }
        other => panic!("{other:?}"),
    }

    // The exports have one row per run, equal to what was sent.
    let export = |ext: &str| format!("/class/export.{ext}?token={TEACHER}&code={code}");
    let csv = http(server.addr, &export("csv"), None, None).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{}", csv.body);
    assert!(lines[0].starts_with("pseudonym,student,lesson,run,lr,"));
    for (i, line) in lines[1..].iter().enumerate() {
        let k = i as f64;
        let name = &students.get(i).map_or(&joined, |s| &s.0).pseudonym.en;
        let expected = format!(
            "{name},{},train,1,{},0.9,64,momentum,{},128-64,cpu,,,2,250,{},{},{},,",
            i + 1,
            0.01 * (k + 1.0),
            7 + i,
            0.5 - 0.1 * k,
            0.7 + 0.1 * k,
            0.8 + 0.05 * k,
        );
        assert_eq!(*line, expected);
    }
    let json = http(server.addr, &export("json"), None, None).await;
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json.body).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[2]["test_accuracy"],
        serde_json::json!(0.8 + 0.05 * 2.0)
    );
    assert_eq!(rows[0]["evaluations"], serde_json::json!(2));

    // A second teacher's socket resuming the class sees everything.
    let (_second, again, reports) = start_class(&server, Some(&code)).await;
    assert_eq!((again.as_str(), reports), (code.as_str(), 12));

    // End: students are told and the class takes no more joins.
    send(&mut teacher, &TeacherMessage::End).await;
    assert_eq!(recv::<ToStudent>(&mut ws).await, ToStudent::Ended);
    let late = http(
        server.addr,
        "/class/join",
        Some(&format!(r#"{{"code":"{code}"}}"#)),
        Some(&server.origin()),
    )
    .await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(late.body.contains("ended"));
}
