//! A full class under load, on loopback: 100 simulated students each sending one evaluation a
//! second. Nothing acknowledged is missing from SQLite, the teacher's page hears of each report
//! within 2 s at the 95th percentile, and memory stays bounded. `CLASS_LOAD_SECONDS` sets the
//! length (30 by default); the figures are printed for the README.

use std::collections::HashMap;
use std::time::Instant;

use backprop_classroom::{StudentMessage, ToStudent, ToTeacher};

use super::*;

const STUDENTS: u32 = 100;

/// Resident memory of this process, KiB (Linux's /proc; 0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_students_reporting_every_second() {
    let seconds: u64 = std::env::var("CLASS_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let dir = TempDir::new("load");
    let mut config = TestServer::config(&dir.0);
    // Every simulated student joins from 127.0.0.1; a class's students each have their own address.
    config.joins_per_minute = 10 * STUDENTS;
    let server = TestServer::start(config).await;
    let (mut teacher, code, _) = start_class(&server, None).await;
    let rss_before = rss_kib();

    let sent_at: Shared<HashMap<(u32, u64), Instant>> = Arc::default();
    let expected = u64::from(STUDENTS) * seconds;
    // The teacher's page: the time from each report's sending to its arrival here.
    let teacher_task = {
        let sent_at = sent_at.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while (latencies.len() as u64) < expected {
                match recv(&mut teacher).await {
                    ToTeacher::Report(r) => {
                        let sent = sent_at.lock().unwrap()[&(r.student, r.seq)];
                        latencies.push(sent.elapsed());
                    }
                    ToTeacher::Student(_) => {}
                    other => panic!("{other:?}"),
                }
            }
            latencies
        })
    };

    let start = Instant::now();
    let mut students = Vec::new();
    for i in 0..STUDENTS {
        let joined = join(&server, &code).await;
        let (mut ws, _) = student_socket(&server, &joined.token).await;
        let sent_at = sent_at.clone();
        students.push(tokio::spawn(async move {
            // Spread over the second, as a real class's pages would be.
            let offset = Duration::from_millis(u64::from(i) * 1000 / u64::from(STUDENTS));
            let mut acked = 0u64;
            for seq in 1..=seconds {
                tokio::time::sleep_until((start + offset + Duration::from_secs(seq)).into()).await;
                let report = evaluation(1, seq as u32, 1.0 / seq as f64, 0.9);
                sent_at
                    .lock()
                    .unwrap()
                    .insert((joined.student, seq), Instant::now());
                send(&mut ws, &StudentMessage::Report { seq, report }).await;
                assert_eq!(recv::<ToStudent>(&mut ws).await, ToStudent::Ack { seq });
                acked += 1;
            }
            acked
        }));
    }
    let mut acked = 0;
    for s in students {
        acked += tokio::time::timeout(Duration::from_secs(seconds + 60), s)
            .await
            .expect("a student did not finish in time")
            .unwrap();
    }
    let mut latencies = tokio::time::timeout(WAIT, teacher_task)
        .await
        .expect("the teacher did not hear of every report")
        .unwrap();
    let rss_after = rss_kib();
    let rows = rows_in_sqlite(&dir.0);
    latencies.sort();
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let (p50, p95, max) = (at(0.5), at(0.95), *latencies.last().unwrap());
    println!(
        "class load: {STUDENTS} students × {seconds} s: {acked} reports acknowledged, {rows} rows \
         in SQLite; teacher's receive latency p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; RSS {} MiB \
         before, {} MiB after ({:.1} s wall)",
        p50.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        rss_before / 1024,
        rss_after / 1024,
        start.elapsed().as_secs_f64()
    );
    assert_eq!(acked, expected);
    assert_eq!(rows, acked, "rows in SQLite = acknowledged");
    assert_eq!(
        latencies.len() as u64,
        acked,
        "the teacher heard of every report"
    );
    assert!(p95 <= Duration::from_secs(2), "p95 {p95:?}");
    assert!(
        rss_after.saturating_sub(rss_before) < 256 * 1024,
        "memory grew by {} MiB",
        (rss_after - rss_before) / 1024
    );
}
