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
    /// The step it started from (0: a fresh initialisation).
    pub from_step: u32,
    /// It goes on from the student's previous run in the lesson with the very same settings (a saved
    /// run continued after a reload): together they are one run from step 0.
    pub joined: bool,
    /// A later run went on from this one's weights before it finished: `Some(true)` with another
    /// learning rate or other settings (changed mid-run), `Some(false)` with the same (continued).
    pub cut: Option<bool>,
    /// It went on from the previous run's weights with other settings (a rate changed mid-run).
    pub changed: bool,
    /// `(step, validation accuracy)` per evaluation.
    pub evals: Vec<(u32, f64)>,
    /// The last evaluation's loss.
    pub last_loss: Option<f64>,
    /// The final test accuracy.
    pub test_accuracy: Option<f64>,
    /// The step of the final test.
    pub finished_at: Option<u32>,
    /// The privacy budget ε of a DP run.
    pub epsilon: Option<f64>,
    /// The step it diverged at.
    pub diverged: Option<u32>,
}

/// Which figure a dot shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// The test accuracy of a finished run (a filled dot).
    Test,
    /// The last validation accuracy of a run with no test figure (a hollow dot).
    Validation,
    /// Diverged (before or after evaluations): no accuracy (a × on the bottom edge).
    Diverged,
}

/// One dot of a pooled chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The learning rate or ε.
    pub x: f64,
    /// The accuracy (0 for [`Figure::Diverged`]).
    pub y: f64,
    /// The student's number.
    pub student: u32,
    /// The student's run number.
    pub run: u32,
    /// The step the figure was measured (or the run diverged) at.
    pub step: u32,
    /// Which figure.
    pub figure: Figure,
    /// The optimiser's id (`sgd`, `momentum`, `adam`, …).
    pub optimizer: String,
}

/// A run's learning rate (once known) and validation-accuracy curve, `(step, accuracy)`.
pub type Curve = (Option<f64>, Vec<(f64, f64)>);

/// Which runs the learning-rate chart shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Filter {
    /// Each student's latest run that has a figure.
    #[default]
    Latest,
    /// Every run.
    Every,
}

impl Run {
    /// The figure a pooled chart plots, with its step: the test accuracy, else a divergence (a run
    /// whose loss stopped being a number has no accuracy to show, whatever it measured before it
    /// blew up), else the last validation accuracy.
    pub fn figure(&self) -> Option<(f64, u32, Figure)> {
        if let Some(t) = self.test_accuracy {
            let step = self
                .finished_at
                .or_else(|| self.evals.last().map(|e| e.0))
                .unwrap_or(0);
            Some((t, step, Figure::Test))
        } else if let Some(step) = self.diverged {
            Some((0.0, step, Figure::Diverged))
        } else {
            self.evals
                .last()
                .map(|&(step, a)| (a, step, Figure::Validation))
        }
    }

    /// A run that went on from trained weights at other settings than its predecessor's (not one run
    /// at one rate from step 0).
    pub fn continued(&self) -> bool {
        self.from_step > 0 && !self.joined
    }

    /// A Train run without DP-SGD (the learning-rate chart's kind).
    pub fn plain_train(&self) -> bool {
        self.lesson == "train"
            && self.epsilon.is_none()
            && self.settings.as_ref().is_some_and(|s| s.dp_sigma.is_none())
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
        let key = (stored.student, r.run);
        if let ReportBody::Started {
            settings,
            from_step,
        } = &r.body
            && *from_step > 0
        {
            self.went_on(key, &r.lesson, settings);
        }
        let run = self.runs.entry(key).or_insert_with(|| Run {
            student: stored.student,
            run: r.run,
            lesson: r.lesson.clone(),
            ..Run::default()
        });
        match r.body {
            ReportBody::Started {
                settings,
                from_step,
            } => {
                run.settings = Some(settings);
                run.from_step = from_step;
            }
            ReportBody::Evaluation {
                step,
                loss,
                val_accuracy,
            } => {
                run.evals.push((step, val_accuracy));
                run.last_loss = Some(loss);
            }
            ReportBody::Finished {
                step,
                test_accuracy,
                epsilon,
                ..
            } => {
                run.test_accuracy = Some(test_accuracy);
                run.finished_at = Some(step);
                run.epsilon = epsilon;
            }
            ReportBody::Diverged { step } => run.diverged = Some(step),
        }
    }

    /// Run `key` starts from trained weights: the student's previous unfinished run in the lesson
    /// stops there. With the very same settings the new run joins it (one run from step 0, if that one
    /// was); otherwise both are marked and kept off the learning-rate chart.
    fn went_on(&mut self, key: (u32, u32), lesson: &str, settings: &RunSettings) {
        let previous = self
            .runs
            .range_mut((key.0, 0)..(key.0, key.1))
            .rev()
            .map(|(_, r)| r)
            .find(|r| r.lesson == lesson);
        let (mut joined, mut changed) = (false, false);
        if let Some(p) = previous {
            let same = p.settings.as_ref() == Some(settings);
            changed = !same;
            if p.test_accuracy.is_none() {
                joined = same && !p.continued();
                p.cut = Some(!same);
            }
        }
        let run = self.runs.entry(key).or_insert_with(|| Run {
            student: key.0,
            run: key.1,
            lesson: lesson.to_string(),
            ..Run::default()
        });
        run.joined = joined;
        run.changed = changed;
    }

    /// Train runs without DP-SGD, however they went (the chart's `data-runs`).
    pub fn train_runs(&self) -> usize {
        self.runs.values().filter(|r| r.plain_train()).count()
    }

    /// Learning rate against accuracy: one dot per Train run without DP-SGD that has a figure and ran
    /// at one rate from step 0 (other lessons train other models; private runs are the privacy
    /// chart's), every run or each student's latest.
    pub fn lr_points(&self, filter: Filter) -> Vec<Point> {
        let mut points: Vec<Point> = self
            .runs
            .values()
            .filter(|r| r.plain_train() && !r.continued() && r.cut.is_none())
            .filter_map(|r| {
                let s = r.settings.as_ref()?;
                let (y, step, figure) = r.figure()?;
                Some(Point {
                    x: s.lr,
                    y,
                    student: r.student,
                    run: r.run,
                    step,
                    figure,
                    optimizer: s.optimizer.clone(),
                })
            })
            .collect();
        if filter == Filter::Latest {
            // Runs come in (student, run) order: the last of each student's is the latest.
            let mut latest: BTreeMap<u32, Point> = BTreeMap::new();
            for p in points {
                latest.insert(p.student, p);
            }
            points = latest.into_values().collect();
        }
        points
    }

    /// ε against test accuracy, one dot per finished private run with a finite ε above 0.
    pub fn privacy_points(&self) -> Vec<Point> {
        self.runs
            .values()
            .filter_map(|r| {
                let e = r.epsilon.filter(|e| e.is_finite() && *e > 0.0)?;
                Some(Point {
                    x: e,
                    y: r.test_accuracy?,
                    student: r.student,
                    run: r.run,
                    step: r.finished_at.unwrap_or(0),
                    figure: Figure::Test,
                    optimizer: r
                        .settings
                        .as_ref()
                        .map(|s| s.optimizer.clone())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Every run's validation-accuracy curve, `(step, accuracy)`, with the run's learning rate.
    pub fn curves(&self) -> Vec<Curve> {
        self.runs
            .values()
            .filter(|r| !r.evals.is_empty())
            .map(|r| {
                (
                    r.settings.as_ref().map(|s| s.lr),
                    r.evals.iter().map(|&(s, a)| (f64::from(s), a)).collect(),
                )
            })
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
            engine: backprop_classroom::RunEngine::Cpu,
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

    fn started(lr: f64, dp: bool) -> ReportBody {
        ReportBody::Started {
            settings: settings(lr, dp),
            from_step: 0,
        }
    }

    fn finished(step: u32, test: f64, epsilon: Option<f64>) -> ReportBody {
        ReportBody::Finished {
            step,
            test_accuracy: test,
            confusion: vec![],
            epsilon,
        }
    }

    /// `(lr, accuracy, student, figure)` of the learning-rate chart's dots, by rate.
    fn dots(m: &ClassModel, filter: Filter) -> Vec<(f64, f64, u32, Figure)> {
        let mut d: Vec<_> = m
            .lr_points(filter)
            .into_iter()
            .map(|p| (p.x, p.y, p.student, p.figure))
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0));
        d
    }

    #[test]
    fn pooled_points_come_one_per_run_and_a_report_seen_twice_counts_once() {
        let reports = vec![
            stored(1, 1, 1, started(0.1, false)),
            stored(1, 2, 1, eval(100, 0.8)),
            stored(1, 3, 1, eval(200, 0.9)),
            stored(1, 4, 1, finished(200, 0.91, None)),
            // Unfinished: its last validation accuracy stands in (hollow).
            stored(2, 1, 1, started(0.001, false)),
            stored(2, 2, 1, eval(100, 0.5)),
            // Started, no figure yet: no point.
            stored(3, 1, 1, started(1.0, false)),
            // A private run: on the privacy chart, not the learning-rate one.
            stored(3, 2, 2, started(0.1, true)),
            stored(3, 3, 2, finished(50, 0.7, Some(2.0))),
            // Diverged before its first evaluation: a × at the bottom.
            stored(4, 1, 1, started(5.0, false)),
            stored(4, 2, 1, ReportBody::Diverged { step: 40 }),
            // Diverged after an evaluation: still a ×, not the accuracy it had before.
            stored(5, 1, 1, started(2.0, false)),
            stored(5, 2, 1, eval(100, 0.3)),
            stored(5, 3, 1, ReportBody::Diverged { step: 140 }),
        ];
        let students = vec![view(1), view(2), view(3), view(4), view(5)];
        let mut m = ClassModel::snapshot(students.clone(), reports.clone());
        assert_eq!(
            dots(&m, Filter::Every),
            vec![
                (0.001, 0.5, 2, Figure::Validation),
                (0.1, 0.91, 1, Figure::Test),
                (2.0, 0.0, 5, Figure::Diverged),
                (5.0, 0.0, 4, Figure::Diverged),
            ]
        );
        let p = &m.privacy_points()[0];
        assert_eq!((p.x, p.y, p.student), (2.0, 0.7, 3));
        assert_eq!(m.train_runs(), 5);
        assert_eq!(m.curves().len(), 3);
        assert_eq!(m.latest_run(3).map(|r| r.run), Some(2));
        // The same report again (a resend the server relayed twice) changes nothing.
        let before = m.clone();
        m.report(reports[1].clone());
        assert_eq!(m, before);
        // A snapshot after a reconnect replaces the model, not adds to it.
        assert_eq!(ClassModel::snapshot(students, reports), before);
    }

    #[test]
    fn a_students_second_run_replaces_the_first_unless_every_run_is_shown() {
        let reports = vec![
            stored(1, 1, 1, started(0.1, false)),
            stored(1, 2, 1, finished(900, 0.9, None)),
            stored(2, 1, 1, started(0.01, false)),
            stored(2, 2, 1, finished(900, 0.8, None)),
            stored(1, 3, 2, started(0.001, false)),
            stored(1, 4, 2, finished(900, 0.7, None)),
            // A second run with no figure yet leaves the first on the chart.
            stored(2, 3, 2, started(1.0, false)),
        ];
        let m = ClassModel::snapshot(vec![view(1), view(2)], reports);
        assert_eq!(
            dots(&m, Filter::Latest),
            vec![(0.001, 0.7, 1, Figure::Test), (0.01, 0.8, 2, Figure::Test)]
        );
        assert_eq!(m.lr_points(Filter::Every).len(), 3);
        assert_eq!(m.train_runs(), 4);
        assert_eq!(m.lr_points(Filter::Latest)[0].step, 900);
    }

    #[test]
    fn a_run_that_goes_on_from_trained_weights_is_no_clean_dot() {
        let went_on = |lr, from_step| ReportBody::Started {
            settings: settings(lr, false),
            from_step,
        };
        let reports = vec![
            // Student 1 changes the rate mid-run: neither part is a run at one rate.
            stored(1, 1, 1, started(0.1, false)),
            stored(1, 2, 1, eval(300, 0.8)),
            stored(1, 3, 2, went_on(1.0, 450)),
            stored(1, 4, 2, eval(600, 0.6)),
            stored(1, 5, 2, finished(900, 0.62, None)),
            // Student 2 reloads and goes on with the same settings: one run from step 0.
            stored(2, 1, 1, started(0.01, false)),
            stored(2, 2, 1, eval(300, 0.7)),
            stored(2, 3, 2, went_on(0.01, 300)),
            stored(2, 4, 2, finished(900, 0.85, None)),
            // Student 3 continues a run the class never saw start: marked, off the chart.
            stored(3, 1, 1, went_on(0.1, 2000)),
            stored(3, 2, 1, finished(3000, 0.95, None)),
        ];
        let m = ClassModel::snapshot(vec![view(1), view(2), view(3)], reports);
        assert_eq!(dots(&m, Filter::Every), vec![(0.01, 0.85, 2, Figure::Test)]);
        assert_eq!(m.runs[&(1, 1)].cut, Some(true));
        assert!(m.runs[&(1, 2)].continued() && m.runs[&(1, 2)].changed);
        assert_eq!(m.runs[&(2, 1)].cut, Some(false));
        assert!(m.runs[&(2, 2)].joined && !m.runs[&(2, 2)].continued());
        assert!(m.runs[&(3, 1)].continued() && !m.runs[&(3, 1)].changed);
        assert_eq!(m.train_runs(), 5);
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
