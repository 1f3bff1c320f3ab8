//! What the server keeps in memory about the open classes: who joined, who is connected and where,
//! and the channels that carry pushes to the teachers' and students' sockets. Reports are not kept
//! here (the database has them), so memory stays bounded by the number of students.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use backprop_classroom::pseudonym::Pseudonym;
use backprop_classroom::{Assignment, Follow, StudentView, ToStudent, ToTeacher};
use tokio::sync::broadcast;

use super::queries::{ClassRow, StudentRow};

/// Pushes a teacher's socket may fall behind by before it is sent a fresh snapshot instead.
const TEACHER_BACKLOG: usize = 4096;
/// Pushes a student's socket may fall behind by (an assignment for each of a full class, twice).
const STUDENT_BACKLOG: usize = 2 * backprop_classroom::CLASS_CAPACITY + 16;

/// A message for the teachers' sockets, serialised once for all of them.
#[derive(Clone, Debug)]
pub struct TeacherEvent {
    /// The report's row id when this is a report (a socket skips those its snapshot already had).
    pub report_id: Option<i64>,
    /// The `ToTeacher` JSON.
    pub text: Arc<str>,
}

impl TeacherEvent {
    /// A message that is not a report.
    pub fn new(message: &ToTeacher) -> Self {
        Self {
            report_id: None,
            text: to_text(message),
        }
    }
}

/// A message for one student's sockets (`to`) or every student's.
#[derive(Clone, Debug)]
pub struct StudentPush {
    /// The student's number, or none for everyone.
    pub to: Option<u32>,
    /// The `ToStudent` JSON.
    pub text: Arc<str>,
    /// The class has ended: the socket closes after sending this.
    pub ends: bool,
}

/// JSON of a message the server made (its types always serialise).
pub fn to_text<T: serde::Serialize>(message: &T) -> Arc<str> {
    serde_json::to_string(message)
        .expect("server messages serialise")
        .into()
}

/// A student of an open class.
#[derive(Debug)]
pub struct StudentLive {
    /// The pseudonym.
    pub pseudonym: Pseudonym,
    /// What the teacher assigned.
    pub assignment: Option<Assignment>,
    /// Open sockets (a student may have two tabs).
    pub online: u32,
    /// The lesson the page said it is on.
    pub lesson: Option<String>,
    /// The step the page said it is on.
    pub step: u32,
    /// Highest stored sequence number.
    pub acked: u64,
    /// Reports stored.
    pub reports: u64,
    /// Held while one of the student's reports is checked and stored, so two tabs cannot store
    /// reports out of order.
    pub report_lock: Arc<tokio::sync::Mutex<()>>,
}

/// The parts of an open class that change.
#[derive(Debug)]
pub struct ClassState {
    /// When it expires unless kept.
    pub expires_ms: u64,
    /// Kept past expiry.
    pub kept: bool,
    /// Ended by the teacher.
    pub ended: bool,
    /// The step everyone is asked to follow.
    pub follow: Option<Follow>,
    /// Students by number (join order).
    pub students: BTreeMap<u32, StudentLive>,
    /// The number the next student to join gets (numbers are reserved before the database write).
    pub next_number: u32,
}

/// An open class.
#[derive(Debug)]
pub struct ClassLive {
    /// Its join code.
    pub code: String,
    /// Shuffles its pseudonyms.
    pub salt: u32,
    state: Mutex<ClassState>,
    /// Pushes to the teachers' sockets.
    pub to_teachers: broadcast::Sender<TeacherEvent>,
    /// Pushes to the students' sockets.
    pub to_students: broadcast::Sender<StudentPush>,
}

impl ClassLive {
    /// A class from its stored row and students.
    pub fn new(row: &ClassRow, students: impl IntoIterator<Item = StudentRow>) -> Self {
        let students: BTreeMap<u32, StudentLive> = students
            .into_iter()
            .map(|s| {
                (
                    s.number,
                    StudentLive {
                        pseudonym: s.pseudonym,
                        assignment: s.assignment,
                        online: 0,
                        lesson: None,
                        step: 0,
                        acked: s.acked,
                        reports: s.reports,
                        report_lock: Arc::default(),
                    },
                )
            })
            .collect();
        let next_number = students.keys().next_back().map_or(1, |n| n + 1);
        Self {
            code: row.code.clone(),
            salt: row.salt,
            state: Mutex::new(ClassState {
                expires_ms: row.expires_ms,
                kept: row.kept,
                ended: row.ended,
                follow: row.follow.clone(),
                students,
                next_number,
            }),
            to_teachers: broadcast::channel(TEACHER_BACKLOG).0,
            to_students: broadcast::channel(STUDENT_BACKLOG).0,
        }
    }

    /// The class's changing parts, locked (never held across an await).
    pub fn state(&self) -> MutexGuard<'_, ClassState> {
        // A panic while holding the lock leaves plain data behind, still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends to the teachers' sockets (none listening is fine).
    pub fn tell_teachers(&self, message: &ToTeacher) {
        let _ = self.to_teachers.send(TeacherEvent::new(message));
    }

    /// Sends to one student's sockets or (`to: None`) everyone's.
    pub fn tell_students(&self, to: Option<u32>, message: &ToStudent) {
        let _ = self.to_students.send(StudentPush {
            to,
            text: to_text(message),
            ends: matches!(message, ToStudent::Ended),
        });
    }

    /// The teacher's view of student `number`.
    pub fn view(&self, number: u32) -> Option<StudentView> {
        self.state().view(number)
    }

    /// Tells the teachers how student `number` is now.
    pub fn tell_teachers_student(&self, number: u32) {
        if let Some(view) = self.view(number) {
            self.tell_teachers(&ToTeacher::Student(view));
        }
    }
}

impl ClassState {
    /// The teacher's view of student `number`.
    pub fn view(&self, number: u32) -> Option<StudentView> {
        self.students.get(&number).map(|s| StudentView {
            student: number,
            pseudonym: s.pseudonym.clone(),
            online: s.online > 0,
            lesson: s.lesson.clone(),
            step: s.step,
            assignment: s.assignment.clone(),
        })
    }

    /// Every student's view, in join order.
    pub fn views(&self) -> Vec<StudentView> {
        self.students.keys().filter_map(|&n| self.view(n)).collect()
    }
}

/// Every open class, and which student each token belongs to.
#[derive(Default)]
pub struct Live {
    /// Classes by code.
    pub classes: HashMap<String, Arc<ClassLive>>,
    /// Student tokens → (class, student number).
    pub tokens: HashMap<String, (Arc<ClassLive>, u32)>,
}
