//! `GET /class/export.csv?token=T&code=C` and `/class/export.json?…`: one row per student run, its
//! settings and what it reached, for a spreadsheet or a notebook. Teacher token needed.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use backprop_classroom::{ReportBody, StoredReport};
use serde::{Deserialize, Serialize};

use super::ClassServer;
use super::guard::is_teacher;
use super::queries;

/// The teacher token and the class.
#[derive(Deserialize)]
pub struct ExportQuery {
    token: String,
    code: String,
}

/// One student run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunRow {
    /// The student's pseudonym (English).
    pub pseudonym: String,
    /// The student's number.
    pub student: u32,
    /// The lesson.
    pub lesson: String,
    /// The student's run number.
    pub run: u32,
    /// Settings from the run's `started` report (none if it was not received).
    pub lr: Option<f64>,
    /// Momentum.
    pub momentum: Option<f64>,
    /// Batch size.
    pub batch: Option<u32>,
    /// Optimiser.
    pub optimizer: Option<String>,
    /// Seed.
    pub seed: Option<u64>,
    /// Hidden widths joined by `-` (`128-64`).
    pub hidden: Option<String>,
    /// Engine.
    pub engine: Option<String>,
    /// DP noise multiplier.
    pub dp_sigma: Option<f64>,
    /// DP clipping norm.
    pub dp_clip: Option<f64>,
    /// Evaluations received.
    pub evaluations: u32,
    /// The last step reported.
    pub last_step: Option<u32>,
    /// The last evaluation's loss.
    pub last_loss: Option<f64>,
    /// The last evaluation's validation accuracy.
    pub last_val_accuracy: Option<f64>,
    /// The test accuracy when it finished.
    pub test_accuracy: Option<f64>,
    /// ε of a DP run.
    pub epsilon: Option<f64>,
    /// The step its loss stopped being a number at, if it did.
    pub diverged_step: Option<u32>,
}

/// The CSV header, in [`RunRow`]'s order.
const HEADER: &str = "pseudonym,student,lesson,run,lr,momentum,batch,optimizer,seed,hidden,engine,dp_sigma,dp_clip,evaluations,last_step,last_loss,last_val_accuracy,test_accuracy,epsilon,diverged_step";

/// The rows of a class's reports (in stored order), sorted by student and run.
pub fn rows(reports: &[StoredReport], pseudonym: impl Fn(u32) -> String) -> Vec<RunRow> {
    let mut runs: BTreeMap<(u32, u32, String), RunRow> = BTreeMap::new();
    for r in reports {
        let key = (r.student, r.report.run, r.report.lesson.clone());
        let row = runs.entry(key).or_insert_with(|| RunRow {
            pseudonym: pseudonym(r.student),
            student: r.student,
            lesson: r.report.lesson.clone(),
            run: r.report.run,
            ..RunRow::default()
        });
        match &r.report.body {
            ReportBody::Started { settings: s, .. } => {
                row.lr = Some(s.lr);
                row.momentum = Some(s.momentum);
                row.batch = Some(s.batch);
                row.optimizer = Some(s.optimizer.clone());
                row.seed = Some(s.seed);
                row.hidden = Some(
                    s.hidden
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join("-"),
                );
                row.engine = Some(s.engine.to_string());
                row.dp_sigma = s.dp_sigma;
                row.dp_clip = s.dp_clip;
            }
            ReportBody::Evaluation {
                step,
                loss,
                val_accuracy,
            } => {
                row.evaluations += 1;
                row.last_step = Some(row.last_step.map_or(*step, |s| s.max(*step)));
                row.last_loss = Some(*loss);
                row.last_val_accuracy = Some(*val_accuracy);
            }
            ReportBody::Finished {
                step,
                test_accuracy,
                epsilon,
                ..
            } => {
                row.last_step = Some(row.last_step.map_or(*step, |s| s.max(*step)));
                row.test_accuracy = Some(*test_accuracy);
                row.epsilon = *epsilon;
            }
            ReportBody::Diverged { step } => {
                row.last_step = Some(row.last_step.map_or(*step, |s| s.max(*step)));
                row.diverged_step = Some(*step);
            }
        }
    }
    runs.into_values().collect()
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(String::new, T::to_string)
}

/// The rows as CSV (CRLF line ends, a header line).
pub fn to_csv(rows: &[RunRow]) -> String {
    let mut out = String::from(HEADER);
    out.push_str("\r\n");
    for r in rows {
        let cells = [
            r.pseudonym.clone(),
            r.student.to_string(),
            r.lesson.clone(),
            r.run.to_string(),
            opt(&r.lr),
            opt(&r.momentum),
            opt(&r.batch),
            opt(&r.optimizer),
            opt(&r.seed),
            opt(&r.hidden),
            opt(&r.engine),
            opt(&r.dp_sigma),
            opt(&r.dp_clip),
            r.evaluations.to_string(),
            opt(&r.last_step),
            opt(&r.last_loss),
            opt(&r.last_val_accuracy),
            opt(&r.test_accuracy),
            opt(&r.epsilon),
            opt(&r.diverged_step),
        ];
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, cell);
        }
        out.push_str("\r\n");
    }
    out
}

/// The class's rows, or the refusal.
async fn class_rows(
    server: &ClassServer,
    query: &ExportQuery,
) -> Result<(String, Vec<RunRow>), Response> {
    if !is_teacher(&query.token, &server.config.teacher_token) {
        return Err((StatusCode::FORBIDDEN, "wrong teacher token").into_response());
    }
    let code = backprop_classroom::code::normalise(&query.code).unwrap_or_default();
    let Some(class) = server.class(&code) else {
        return Err((
            StatusCode::NOT_FOUND,
            format!("no class has the code {} (it may have expired)", query.code),
        )
            .into_response());
    };
    let wanted = code.clone();
    let (reports, _) = server
        .store
        .call(move |c| queries::reports(c, &wanted))
        .await
        .map_err(|e| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the server could not read the class: {e}"),
            )
                .into_response()
        })?;
    let state = class.state();
    let rows = rows(&reports, |n| {
        state
            .students
            .get(&n)
            .map_or_else(String::new, |s| s.pseudonym.en.clone())
    });
    Ok((code, rows))
}

/// `GET /class/export.csv`.
pub async fn csv(State(server): State<Arc<ClassServer>>, Query(q): Query<ExportQuery>) -> Response {
    match class_rows(&server, &q).await {
        Ok((code, rows)) => {
            let disposition = format!("attachment; filename=\"class-{code}.csv\"");
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                to_csv(&rows),
            )
                .into_response()
        }
        Err(refused) => refused,
    }
}

/// `GET /class/export.json`: the same rows as an array of objects (missing values are `null`).
pub async fn json(
    State(server): State<Arc<ClassServer>>,
    Query(q): Query<ExportQuery>,
) -> Response {
    match class_rows(&server, &q).await {
        Ok((code, rows)) => (
            [(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"class-{code}.json\""),
            )],
            axum::Json(rows),
        )
            .into_response(),
        Err(refused) => refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_they_need_it() {
        let mut out = String::new();
        field(&mut out, "plain");
        field(&mut out, "a,b");
        field(&mut out, "say \"hi\"");
        field(&mut out, "two\nlines");
        assert_eq!(out, "plain\"a,b\"\"say \"\"hi\"\"\"\"two\nlines\"");
        let csv = to_csv(&[RunRow {
            pseudonym: "Blue Otter 17".into(),
            student: 1,
            lesson: "train".into(),
            run: 2,
            lr: Some(0.01),
            ..RunRow::default()
        }]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0].split(',').count(), 20);
        assert_eq!(lines[1], "Blue Otter 17,1,train,2,0.01,,,,,,,,,0,,,,,,");
    }
}
