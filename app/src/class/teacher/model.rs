//! The class as the dashboard knows it, built from the server's `Snapshot` and live messages: the
//! students, each student's runs (settings, evaluations, final figures), and the points of the pooled
//! charts. Pure, so the extraction is tested without a browser.

use std::collections::{BTreeMap, BTreeSet};

use backprop_classroom::{ReportBody, RunSettings, StoredReport, StudentView};

use crate::ui::i18n::Lang;

/// One run of one student, as its reports tell it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Run {
    /// The student's number.
    pub student: u32,
    /// The student's run number.
    pub run: u32,
    /// The lesson.
    pub lesson: String,
    /// Its settings, once its `Started` arrived.
    pub settings: Option<RunSettings>,
    /// `(step, validation accuracy)` per evaluation.
    pub evals: Vec<(u32, f64)>,
    /// The last evaluation's loss.
    pub last_loss: Option<f64>,
    /// The final test accuracy.
    pub test_accuracy: Option<f64>,
    /// The privacy budget ε of a DP run.
    pub epsilon: Option<f64>,
    /// The step it diverged at.
    pub diverged: Option<u32>,
}

impl Run {
    /// The figure a pooled chart plots: the test accuracy, else the last validation accuracy.
    pub fn accuracy(&self) -> Option<f64> {
        self.test_accuracy
            .or_else(|| self.evals.last().map(|&(_, a)| a))
    }
}

/// Everything the dashboard shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClassModel {
    /// Students by number.
    pub students: BTreeMap<u32, StudentView>,
    /// Runs by (student, run).
    pub runs: BTreeMap<(u32, u32), Run>,
    /// (student, seq) of every report applied, so a report seen twice counts once.
    seen: BTreeSet<(u32, u64)>,
}

impl ClassModel {
    /// The server's snapshot replaces everything (after a reconnect too: nothing is counted twice).
    pub fn snapshot(students: Vec<StudentView>, reports: Vec<StoredReport>) -> Self {
        let mut m = Self {
            students: students.into_iter().map(|s| (s.student, s)).collect(),
            ..Self::default()
        };
        for r in reports {
            m.report(r);
        }
        m
    }

    /// A student joined, moved, or came and went.
    pub fn student(&mut self, s: StudentView) {
        self.students.insert(s.student, s);
    }

    /// A stored report.
    pub fn report(&mut self, stored: StoredReport) {
        if !self.seen.insert((stored.student, stored.seq)) {
            return;
        }
        let r = stored.report;
        let run = self
            .runs
            .entry((stored.student, r.run))
            .or_insert_with(|| Run {
                student: stored.student,
                run: r.run,
                lesson: r.lesson.clone(),
                ..Run::default()
            });
        match r.body {
            ReportBody::Started { settings } => run.settings = Some(settings),
            ReportBody::Evaluation {
                step,
                loss,
                val_accuracy,
            } => {
                run.evals.push((step, val_accuracy));
                run.last_loss = Some(loss);
            }
            ReportBody::Finished {
                test_accuracy,
                epsilon,
                ..
            } => {
                run.test_accuracy = Some(test_accuracy);
                run.epsilon = epsilon;
            }
            ReportBody::Diverged { step } => run.diverged = Some(step),
        }
    }

    /// Learning rate against accuracy: one point per Train run with a learning rate and a figure
    /// (other lessons train other models; private runs are the privacy chart's). `(lr, accuracy,
    /// student)`.
    pub fn lr_points(&self) -> Vec<(f64, f64, u32)> {
        self.runs
            .values()
            .filter_map(|r| {
                let s = r.settings.as_ref()?;
                (r.lesson == "train" && s.dp_sigma.is_none() && r.epsilon.is_none()).then_some((
                    s.lr,
                    r.accuracy()?,
                    r.student,
                ))
            })
            .collect()
    }

    /// ε against test accuracy, one point per finished private run: `(ε, accuracy, student)`.
    pub fn privacy_points(&self) -> Vec<(f64, f64, u32)> {
        self.runs
            .values()
            .filter_map(|r| Some((r.epsilon?, r.test_accuracy?, r.student)))
            .collect()
    }

    /// Every run's validation-accuracy curve, `(step, accuracy)`.
    pub fn curves(&self) -> Vec<Vec<(f64, f64)>> {
        self.runs
            .values()
            .filter(|r| !r.evals.is_empty())
            .map(|r| r.evals.iter().map(|&(s, a)| (f64::from(s), a)).collect())
            .collect()
    }

    /// A student's latest run (the highest run number), for the grid's sparkline and figure.
    pub fn latest_run(&self, student: u32) -> Option<&Run> {
        self.runs
            .range((student, 0)..=(student, u32::MAX))
            .next_back()
            .map(|(_, r)| r)
    }

    /// Students online now.
    pub fn online(&self) -> usize {
        self.students.values().filter(|s| s.online).count()
    }
}

/// The name the dashboard shows: the pseudonym, or "Student 7" when anonymised for the projector.
pub fn display_name(s: &StudentView, anonymise: bool, lang: Lang) -> String {
    match (anonymise, lang) {
        (true, Lang::En) => format!("Student {}", s.student),
        (true, Lang::Zh) => format!("学生 {}", s.student),
        (false, Lang::En) => s.pseudonym.en.clone(),
        (false, Lang::Zh) => s.pseudonym.zh.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backprop_classroom::Report;
    use backprop_classroom::pseudonym::Pseudonym;

    fn settings(lr: f64, dp: bool) -> RunSettings {
        RunSettings {
            lr,
            momentum: 0.9,
            batch: 64,
            optimizer: "momentum".into(),
            seed: 1,
            hidden: vec![128],
            engine: "cpu".into(),
            dp_sigma: dp.then_some(1.0),
            dp_clip: dp.then_some(1.0),
        }
    }

    fn stored(student: u32, seq: u64, run: u32, body: ReportBody) -> StoredReport {
        StoredReport {
            student,
            seq,
            at_ms: 0,
            report: Report {
                run,
                lesson: "train".into(),
                body,
            },
        }
    }

    fn eval(step: u32, a: f64) -> ReportBody {
        ReportBody::Evaluation {
            step,
            loss: 0.3,
            val_accuracy: a,
        }
    }

    fn view(student: u32) -> StudentView {
        StudentView {
            student,
            pseudonym: Pseudonym::new(student - 1, 5),
            online: true,
            lesson: Some("train".into()),
            step: 4,
            assignment: None,
        }
    }

    #[test]
    fn pooled_points_come_one_per_run_and_a_report_seen_twice_counts_once() {
        let started = |lr, dp| ReportBody::Started {
            settings: settings(lr, dp),
        };
        let reports = vec![
            stored(1, 1, 1, started(0.1, false)),
            stored(1, 2, 1, eval(100, 0.8)),
            stored(1, 3, 1, eval(200, 0.9)),
            stored(
                1,
                4,
                1,
                ReportBody::Finished {
                    step: 200,
                    test_accuracy: 0.91,
                    confusion: vec![],
                    epsilon: None,
                },
            ),
            // Unfinished: its last validation accuracy stands in.
            stored(2, 1, 1, started(0.001, false)),
            stored(2, 2, 1, eval(100, 0.5)),
            // Started, no figure yet: no point.
            stored(3, 1, 1, started(1.0, false)),
            // A private run: on the privacy chart, not the learning-rate one.
            stored(3, 2, 2, started(0.1, true)),
            stored(
                3,
                3,
                2,
                ReportBody::Finished {
                    step: 50,
                    test_accuracy: 0.7,
                    confusion: vec![],
                    epsilon: Some(2.0),
                },
            ),
        ];
        let mut m = ClassModel::snapshot(vec![view(1), view(2), view(3)], reports.clone());
        let mut points = m.lr_points();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(points, vec![(0.001, 0.5, 2), (0.1, 0.91, 1)]);
        assert_eq!(m.privacy_points(), vec![(2.0, 0.7, 3)]);
        assert_eq!(m.curves().len(), 2);
        assert_eq!(m.latest_run(3).map(|r| r.run), Some(2));
        // The same report again (a resend the server relayed twice) changes nothing.
        let before = m.clone();
        m.report(reports[1].clone());
        assert_eq!(m, before);
        // A snapshot after a reconnect replaces the model, not adds to it.
        assert_eq!(
            ClassModel::snapshot(vec![view(1), view(2), view(3)], reports),
            before
        );
    }

    #[test]
    fn anonymised_names_are_student_numbers_in_both_languages() {
        let s = view(7);
        assert_eq!(display_name(&s, true, Lang::En), "Student 7");
        assert_eq!(display_name(&s, true, Lang::Zh), "学生 7");
        assert_eq!(display_name(&s, false, Lang::En), s.pseudonym.en);
        assert_eq!(display_name(&s, false, Lang::Zh), s.pseudonym.zh);
    }
}
