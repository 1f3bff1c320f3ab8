//! The class database's reads and writes, each a plain function of a connection run on the store
//! thread ([`super::store::Store::call`]).

use anyhow::{Context, Result};
use backprop_classroom::pseudonym::Pseudonym;
use backprop_classroom::{Assignment, Follow, Report, ReportBody, StoredReport};
use rusqlite::{Connection, params};

/// A class as stored.
#[derive(Clone, Debug)]
pub struct ClassRow {
    /// Its join code.
    pub code: String,
    /// When it expires unless kept, ms since the epoch.
    pub expires_ms: u64,
    /// Kept past its expiry.
    pub kept: bool,
    /// Ended by the teacher.
    pub ended: bool,
    /// Shuffles the pseudonyms.
    pub salt: u32,
    /// The step everyone is asked to follow.
    pub follow: Option<Follow>,
}

/// A student as stored, with what their reports add up to.
#[derive(Clone, Debug)]
pub struct StudentRow {
    /// The class's code.
    pub class: String,
    /// Number in join order, from 1.
    pub number: u32,
    /// The per-join secret.
    pub token: String,
    /// The pseudonym.
    pub pseudonym: Pseudonym,
    /// What the teacher assigned.
    pub assignment: Option<Assignment>,
    /// Highest stored sequence number (0: none).
    pub acked: u64,
    /// How many reports are stored.
    pub reports: u64,
}

fn to_json<T: serde::Serialize>(value: &Option<T>) -> Option<String> {
    value
        .as_ref()
        .map(|v| serde_json::to_string(v).expect("plain data serialises"))
}

fn from_json<T: serde::de::DeserializeOwned>(text: Option<String>) -> Result<Option<T>> {
    text.map(|t| serde_json::from_str(&t).context("a stored JSON column"))
        .transpose()
}

/// Deletes the classes that expired and were not kept (their students and reports go with them);
/// gives their codes.
pub fn delete_expired(conn: &Connection, now_ms: u64) -> Result<Vec<String>> {
    let codes: Vec<String> = conn
        .prepare("SELECT code FROM classes WHERE kept = 0 AND expires_ms <= ?1")?
        .query_map([now_ms], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for code in &codes {
        // Reports first: their foreign key is on students, whose own is on classes.
        conn.execute("DELETE FROM reports WHERE class = ?1", [code])?;
        conn.execute("DELETE FROM students WHERE class = ?1", [code])?;
        conn.execute("DELETE FROM classes WHERE code = ?1", [code])?;
    }
    Ok(codes)
}

/// Every class and student (after [`delete_expired`]), to resume them after a restart.
pub fn load_all(conn: &Connection) -> Result<(Vec<ClassRow>, Vec<StudentRow>)> {
    let classes = conn
        .prepare("SELECT code, expires_ms, kept, ended, salt, follow FROM classes")?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u64>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .map(|row| {
            let (code, expires_ms, kept, ended, salt, follow) = row?;
            Ok(ClassRow {
                code,
                expires_ms,
                kept,
                ended,
                salt,
                follow: from_json(follow)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let students = conn
        .prepare(
            "SELECT s.class, s.number, s.token, s.pseudonym_en, s.pseudonym_zh, s.assignment,
                    COALESCE(MAX(r.seq), 0), COUNT(r.seq)
             FROM students s LEFT JOIN reports r ON r.class = s.class AND r.student = s.number
             GROUP BY s.class, s.number ORDER BY s.class, s.number",
        )?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, u64>(6)?,
                r.get::<_, u64>(7)?,
            ))
        })?
        .map(|row| {
            let (class, number, token, en, zh, assignment, acked, reports) = row?;
            Ok(StudentRow {
                class,
                number,
                token,
                pseudonym: Pseudonym { en, zh },
                assignment: from_json(assignment)?,
                acked,
                reports,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((classes, students))
}

/// Stores a new class; false when the code is taken (the caller draws another).
pub fn insert_class(conn: &Connection, class: &ClassRow, now_ms: u64) -> Result<bool> {
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO classes (code, created_ms, expires_ms, kept, ended, salt)
         VALUES (?1, ?2, ?3, 0, 0, ?4)",
        params![class.code, now_ms, class.expires_ms, class.salt],
    )?;
    Ok(inserted == 1)
}

/// Stores a student who joined.
pub fn insert_student(conn: &Connection, student: &StudentRow, now_ms: u64) -> Result<()> {
    conn.execute(
        "INSERT INTO students (class, number, token, pseudonym_en, pseudonym_zh, joined_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            student.class,
            student.number,
            student.token,
            student.pseudonym.en,
            student.pseudonym.zh,
            now_ms
        ],
    )?;
    Ok(())
}

/// Stores a report unless this (class, student, seq) is already stored; gives its row id when it
/// is new (the order reports are shown in), `None` for a resend.
pub fn insert_report(
    conn: &Connection,
    class: &str,
    student: u32,
    seq: u64,
    report: &Report,
    now_ms: u64,
) -> Result<Option<i64>> {
    let body = serde_json::to_string(&report.body)?;
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO reports (class, student, seq, stored_ms, run, lesson, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![class, student, seq, now_ms, report.run, report.lesson, body],
    )?;
    Ok((inserted == 1).then(|| conn.last_insert_rowid()))
}

/// Stores the assignments of a class's students (number, assignment).
pub fn set_assignments(
    conn: &Connection,
    class: &str,
    assignments: &[(u32, Option<Assignment>)],
) -> Result<()> {
    let mut update =
        conn.prepare("UPDATE students SET assignment = ?3 WHERE class = ?1 AND number = ?2")?;
    for (number, assignment) in assignments {
        update.execute(params![class, number, to_json(assignment)])?;
    }
    Ok(())
}

/// Stores the step a class is asked to follow.
pub fn set_follow(conn: &Connection, class: &str, follow: &Option<Follow>) -> Result<()> {
    conn.execute(
        "UPDATE classes SET follow = ?2 WHERE code = ?1",
        params![class, to_json(follow)],
    )?;
    Ok(())
}

/// Stores whether a class is kept past its expiry.
pub fn set_kept(conn: &Connection, class: &str, kept: bool) -> Result<()> {
    conn.execute(
        "UPDATE classes SET kept = ?2 WHERE code = ?1",
        params![class, kept],
    )?;
    Ok(())
}

/// Marks a class ended.
pub fn set_ended(conn: &Connection, class: &str) -> Result<()> {
    conn.execute("UPDATE classes SET ended = 1 WHERE code = ?1", [class])?;
    Ok(())
}

/// Every report of a class in the order stored, and the highest row id among them (0: none).
pub fn reports(conn: &Connection, class: &str) -> Result<(Vec<StoredReport>, i64)> {
    let mut last_id = 0;
    let mut out = Vec::new();
    let mut select = conn.prepare(
        "SELECT id, student, seq, stored_ms, run, lesson, body FROM reports
         WHERE class = ?1 ORDER BY id",
    )?;
    let mut rows = select.query([class])?;
    while let Some(r) = rows.next()? {
        last_id = r.get(0)?;
        let body: String = r.get(6)?;
        out.push(StoredReport {
            student: r.get(1)?,
            seq: r.get(2)?,
            at_ms: r.get(3)?,
            report: Report {
                run: r.get(4)?,
                lesson: r.get(5)?,
                body: serde_json::from_str::<ReportBody>(&body).context("a stored report")?,
            },
        });
    }
    Ok((out, last_id))
}
