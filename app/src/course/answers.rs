//! The answer keys' figures: `{sgd_lr}` and `{adam_lr}` in a lesson's answer ([`fill`]), and the tests
//! that hold every lesson's demos and answer keys (`lessons/<folder>/teaching.rs`, in the registry
//! row) to the lessons they name. Where a key or an expected result quotes a figure it is one run of
//! this app in the second walkthrough (CPU engine) and is said to be that; everything else is
//! qualitative, because the pages measure their own numbers and a class's runs differ.

/// `{sgd_lr}` and `{adam_lr}` of an answer: SGD's and Adam's tuned rates ([`kernels::NAMED`], the
/// race's).
pub fn fill(answer: &str) -> String {
    let rate = |o: kernels::Optimizer| o.named().tuned_lr.to_string();
    answer
        .replace("{sgd_lr}", &rate(kernels::Optimizer::Sgd))
        .replace("{adam_lr}", &rate(kernels::Optimizer::Adam))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::LESSONS;

    #[test]
    fn every_lesson_with_a_check_yourself_step_has_a_key_at_that_step() {
        for lesson in LESSONS {
            for key in lesson.answers {
                assert!(
                    (1..=lesson.info.steps.len()).contains(&key.step),
                    "{} step {}",
                    lesson.info.id,
                    key.step
                );
                assert!(!key.answer.zh.contains(" %"), "{}", lesson.info.id);
            }
            for demo in lesson.demos {
                assert!(!demo.expect.zh.contains(" %"), "{}", demo.setup);
            }
            // Every "Check yourself" step of the lesson is covered.
            for (i, step) in lesson.info.steps.iter().enumerate() {
                if step.title.en == "Check yourself" {
                    assert!(
                        lesson.answers.iter().any(|k| k.step == i + 1),
                        "{} step {}: no answer key",
                        lesson.info.id,
                        i + 1
                    );
                }
            }
            // The grading code each key names is there, in the lesson's own folder.
            for key in lesson.answers {
                let (file, function) = key.graded_by.split_once(' ').unwrap();
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("src/lessons")
                    .join(lesson.folder())
                    .join(file);
                let code = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(
                    code.contains(&format!("fn {function}")),
                    "{}: {}",
                    lesson.info.id,
                    key.graded_by
                );
            }
        }
        let adam = LESSONS
            .iter()
            .flat_map(|l| l.answers)
            .find(|k| k.answer.en.contains("{adam_lr}"))
            .unwrap();
        let filled = fill(adam.answer.en);
        let adam_lr = kernels::NAMED[5].tuned_lr;
        assert_eq!(kernels::NAMED[5].id, "adam");
        assert!(
            !filled.contains('{') && filled.contains(&adam_lr.to_string()),
            "{filled}"
        );
    }
}
