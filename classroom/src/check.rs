//! The checks every incoming message passes: size, JSON shape (unknown fields refused), and every
//! number and string in range. A refusal says which field and why; the server sends it back and keeps
//! serving.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::message::{
    Follow, JoinRequest, Report, ReportBody, RunSettings, Spread, StudentMessage, TeacherMessage,
};
use crate::{MAX_MESSAGE_BYTES, MAX_NAME_BYTES};

/// Why a message was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

fn refuse<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(why.into()))
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Refusal> {
    if text.len() > MAX_MESSAGE_BYTES {
        return refuse(format!(
            "message of {} bytes is over the limit of {MAX_MESSAGE_BYTES}",
            text.len()
        ));
    }
    serde_json::from_str(text).or_else(|e| refuse(format!("malformed message: {e}")))
}

/// A student's message, checked.
pub fn parse_student(text: &str) -> Result<StudentMessage, Refusal> {
    let message: StudentMessage = parse(text)?;
    match &message {
        StudentMessage::Report { seq, report } => {
            if *seq == 0 {
                return refuse("seq counts from 1");
            }
            check_report(report)?;
        }
        StudentMessage::Where { lesson, step } => {
            if let Some(l) = lesson {
                check_name("lesson", l)?;
            }
            check_step(*step)?;
        }
    }
    Ok(message)
}

/// A teacher's message, checked.
pub fn parse_teacher(text: &str) -> Result<TeacherMessage, Refusal> {
    let message: TeacherMessage = parse(text)?;
    match &message {
        TeacherMessage::Start { resume: Some(code) } if crate::code::normalise(code).is_none() => {
            refuse("resume: not a class code")?
        }
        TeacherMessage::Assign { spread } => check_spread(spread)?,
        TeacherMessage::Follow {
            follow: Some(Follow { lesson, step }),
        } => {
            check_name("follow.lesson", lesson)?;
            check_step(*step)?;
        }
        _ => {}
    }
    Ok(message)
}

/// A join request, checked; gives the normalised code.
pub fn parse_join(text: &str) -> Result<String, Refusal> {
    let join: JoinRequest = parse(text)?;
    crate::code::normalise(&join.code).map_or_else(
        || refuse("code: a class code is six letters and digits"),
        Ok,
    )
}

fn check_report(report: &Report) -> Result<(), Refusal> {
    if report.run == 0 {
        return refuse("run counts from 1");
    }
    check_name("lesson", &report.lesson)?;
    match &report.body {
        ReportBody::Started {
            settings,
            from_step,
        } => {
            check_step(*from_step)?;
            check_settings(settings)
        }
        ReportBody::Evaluation {
            step,
            loss,
            val_accuracy,
        } => {
            check_step(*step)?;
            check_range("loss", *loss, 0.0, 1e6)?;
            check_range("val_accuracy", *val_accuracy, 0.0, 1.0)
        }
        ReportBody::Finished {
            step,
            test_accuracy,
            confusion,
            epsilon,
        } => {
            check_step(*step)?;
            check_range("test_accuracy", *test_accuracy, 0.0, 1.0)?;
            if !(confusion.is_empty() || confusion.len() == 100) {
                return refuse(format!(
                    "confusion: 100 counts (10 × 10) or none, not {}",
                    confusion.len()
                ));
            }
            if confusion.iter().any(|&c| c > 1_000_000) {
                return refuse("confusion: a count over 1,000,000");
            }
            if let Some(e) = epsilon {
                check_range("epsilon", *e, 0.0, 1e9)?;
            }
            Ok(())
        }
        ReportBody::Diverged { step } => check_step(*step),
    }
}

fn check_settings(s: &RunSettings) -> Result<(), Refusal> {
    if !(s.lr.is_finite() && s.lr > 0.0 && s.lr <= 10.0) {
        return refuse(format!("settings.lr: in (0, 10], not {}", s.lr));
    }
    if !(s.momentum.is_finite() && (0.0..1.0).contains(&s.momentum)) {
        return refuse(format!("settings.momentum: in [0, 1), not {}", s.momentum));
    }
    if !(1..=60_000).contains(&s.batch) {
        return refuse(format!("settings.batch: 1 to 60000, not {}", s.batch));
    }
    check_name("settings.optimizer", &s.optimizer)?;
    if s.seed >= 1 << 53 {
        return refuse("settings.seed: below 2^53");
    }
    if s.hidden.len() > 4 || s.hidden.iter().any(|&h| !(1..=4096).contains(&h)) {
        return refuse("settings.hidden: at most 4 layers of 1 to 4096 units");
    }
    if let Some(sigma) = s.dp_sigma {
        check_range("settings.dp_sigma", sigma, 0.0, 100.0)?;
    }
    if let Some(clip) = s.dp_clip
        && !(clip.is_finite() && clip > 0.0 && clip <= 1000.0)
    {
        return refuse(format!("settings.dp_clip: in (0, 1000], not {clip}"));
    }
    Ok(())
}

fn check_spread(spread: &Spread) -> Result<(), Refusal> {
    match *spread {
        Spread::LearningRates { min, max } => {
            if !(min.is_finite() && max.is_finite() && 0.0 < min && min <= max && max <= 10.0) {
                return refuse(format!(
                    "spread: learning rates need 0 < min ≤ max ≤ 10, not {min} to {max}"
                ));
            }
        }
        Spread::Sigmas { min, max } => {
            if !(min.is_finite() && max.is_finite() && 0.0 <= min && min <= max && max <= 100.0) {
                return refuse(format!(
                    "spread: noise multipliers need 0 ≤ min ≤ max ≤ 100, not {min} to {max}"
                ));
            }
        }
        Spread::Seeds | Spread::Clear => {}
    }
    Ok(())
}

fn check_range(field: &str, x: f64, lo: f64, hi: f64) -> Result<(), Refusal> {
    if x.is_finite() && (lo..=hi).contains(&x) {
        Ok(())
    } else {
        refuse(format!("{field}: in [{lo}, {hi}], not {x}"))
    }
}

fn check_step(step: u32) -> Result<(), Refusal> {
    if step <= 10_000_000 {
        Ok(())
    } else {
        refuse(format!("step: at most 10000000, not {step}"))
    }
}

/// A lesson id or optimiser: 1 to [`MAX_NAME_BYTES`] of `a-z 0-9 _ -`.
fn check_name(field: &str, name: &str) -> Result<(), Refusal> {
    if !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        Ok(())
    } else {
        refuse(format!(
            "{field}: 1 to {MAX_NAME_BYTES} characters of a-z, 0-9, _ and -"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::*;

    fn settings() -> RunSettings {
        RunSettings {
            lr: 0.01,
            momentum: 0.0,
            batch: 64,
            optimizer: "sgd".into(),
            seed: 42,
            hidden: vec![128],
            engine: RunEngine::Gpu,
            dp_sigma: None,
            dp_clip: None,
        }
    }

    fn report(body: ReportBody) -> String {
        serde_json::to_string(&StudentMessage::Report {
            seq: 1,
            report: Report {
                run: 1,
                lesson: "train".into(),
                body,
            },
        })
        .unwrap()
    }

    #[test]
    fn good_messages_round_trip() {
        for body in [
            ReportBody::Started {
                settings: settings(),
                from_step: 0,
            },
            ReportBody::Started {
                settings: settings(),
                from_step: 4000,
            },
            ReportBody::Evaluation {
                step: 100,
                loss: 0.4,
                val_accuracy: 0.9,
            },
            ReportBody::Finished {
                step: 1000,
                test_accuracy: 0.97,
                confusion: vec![1; 100],
                epsilon: Some(2.5),
            },
            ReportBody::Diverged { step: 3 },
        ] {
            let text = report(body.clone());
            match parse_student(&text).unwrap() {
                StudentMessage::Report { report, .. } => assert_eq!(report.body, body),
                other => panic!("{other:?}"),
            }
        }
        for m in [
            TeacherMessage::Start { resume: None },
            TeacherMessage::Assign {
                spread: Spread::LearningRates {
                    min: 0.001,
                    max: 10.0,
                },
            },
            TeacherMessage::Assign {
                spread: Spread::Seeds,
            },
            TeacherMessage::Follow {
                follow: Some(Follow {
                    lesson: "train".into(),
                    step: 3,
                }),
            },
            TeacherMessage::Keep { keep: true },
            TeacherMessage::End,
        ] {
            assert_eq!(
                parse_teacher(&serde_json::to_string(&m).unwrap()).unwrap(),
                m
            );
        }
        let to: ToStudent = serde_json::from_str(
            &serde_json::to_string(&ToStudent::Assign(Assignment {
                lr: Some(0.1),
                ..Default::default()
            }))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            to,
            ToStudent::Assign(Assignment {
                lr: Some(0.1),
                ..Default::default()
            })
        );
        assert_eq!(parse_join(r#"{"code":"abc-def"}"#).unwrap(), "ABCDEF");
    }

    #[test]
    fn bad_messages_are_refused_with_the_field_named() {
        let refused = |text: &str| parse_student(text).unwrap_err().0;
        assert!(refused("{").contains("malformed"));
        assert!(refused(&"x".repeat(MAX_MESSAGE_BYTES + 1)).contains("over the limit"));
        assert!(refused(r#"{"type":"report","seq":1,"report":{"run":1,"lesson":"train","body":{"kind":"evaluation","step":1,"loss":0.1,"val_accuracy":0.5}},"image":[1,2]}"#).contains("malformed"));
        let mut s = settings();
        s.lr = 11.0;
        assert!(
            refused(&report(ReportBody::Started {
                settings: s,
                from_step: 0,
            }))
            .contains("settings.lr")
        );
        let mut s = settings();
        s.optimizer = "SGD; DROP TABLE".into();
        assert!(
            refused(&report(ReportBody::Started {
                settings: s,
                from_step: 0,
            }))
            .contains("settings.optimizer")
        );
        assert!(
            refused(&report(ReportBody::Evaluation {
                step: 1,
                loss: 0.1,
                val_accuracy: 1.5
            }))
            .contains("val_accuracy")
        );
        // NaN does not survive JSON (serde_json writes null), and null is not a number here.
        assert!(
            refused(&report(ReportBody::Evaluation {
                step: 1,
                loss: f64::NAN,
                val_accuracy: 0.5
            }))
            .contains("malformed")
        );
        assert!(
            refused(&report(ReportBody::Finished {
                step: 1,
                test_accuracy: 0.5,
                confusion: vec![0; 99],
                epsilon: None
            }))
            .contains("confusion")
        );
        assert!(refused(r#"{"type":"where","lesson":"../etc","step":1}"#).contains("lesson"));
        assert!(refused(r#"{"type":"report","seq":0,"report":{"run":1,"lesson":"train","body":{"kind":"diverged","step":1}}}"#).contains("seq"));
        let t = |text: &str| parse_teacher(text).unwrap_err().0;
        assert!(
            t(r#"{"type":"assign","spread":{"what":"learning_rates","min":0,"max":1}}"#)
                .contains("learning rates")
        );
        assert!(
            t(r#"{"type":"assign","spread":{"what":"sigmas","min":5,"max":1}}"#).contains("noise")
        );
        assert!(t(r#"{"type":"start","resume":"nope"}"#).contains("resume"));
        assert!(
            parse_join(r#"{"code":"ABC"}"#)
                .unwrap_err()
                .0
                .contains("six")
        );
    }
}
