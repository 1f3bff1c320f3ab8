//! Step 5's sentences that compare numbers: validation loss against validation accuracy within a run
//! (their best epochs can differ), and one finished run against the one before it (500 against 5,000
//! images). Each is chosen by the measured numbers and says nothing they do not show.

use super::protocol::{OverfitMetrics, OverfitOutcome, OverfitPlan};
use crate::ui::i18n::{Lang, percent};

/// A finished experiment, kept to compare with the next one.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    /// Training images.
    pub train: usize,
    /// The restored epoch (lowest validation loss).
    pub best_epoch: usize,
    /// Training steps up to the end of that epoch.
    pub best_step: usize,
    /// Training minus validation accuracy at that epoch.
    pub gap: f32,
    /// Validation accuracy at that epoch (with `plan.validation`, its standard error).
    pub val_accuracy: f32,
    /// The run's settings: two runs are compared only when nothing but the image count differs.
    pub plan: OverfitPlan,
}

impl RunSummary {
    /// The standard error of the validation accuracy, √(p(1−p)/n) (p kept off 0 and 1 by half an
    /// image, so a perfect score still has an uncertainty).
    fn accuracy_se(&self) -> f64 {
        let n = self.plan.validation.max(1) as f64;
        let p = f64::from(self.val_accuracy).clamp(0.5 / n, 1.0 - 0.5 / n);
        (p * (1.0 - p) / n).sqrt()
    }

    /// Whether the two runs' settings are the same but for the number of training images.
    fn differs_only_in_images(&self, other: &Self) -> bool {
        OverfitPlan {
            train: other.plan.train,
            ..self.plan.clone()
        } == other.plan
    }
}

impl RunSummary {
    /// The summary of a finished run: its plan, its evaluations and how it ended.
    pub fn of(
        plan: &OverfitPlan,
        epochs: &[(OverfitMetrics, Option<usize>)],
        o: &OverfitOutcome,
    ) -> Option<Self> {
        let (m, _) = epochs.iter().find(|(m, _)| m.epoch == o.best_epoch)?;
        Some(Self {
            train: plan.train,
            best_epoch: o.best_epoch,
            best_step: o.best_epoch * plan.train.div_ceil(plan.batch.max(1)),
            gap: m.train_accuracy - m.val_accuracy,
            val_accuracy: m.val_accuracy,
            plan: plan.clone(),
        })
    }
}

/// When the lowest validation loss and the highest validation accuracy fall in different epochs: what
/// that shows, with the accuracies' difference in images of the `n_val` validation images and a band
/// of two standard errors of that difference (binomial, the two accuracies taken as independent). A
/// difference inside the (conservative) band is said not to be a clear rise. `None` while the two epochs agree.
pub fn loss_vs_accuracy(epochs: &[OverfitMetrics], n_val: usize, lang: Lang) -> Option<String> {
    // The first epoch with the lowest loss (later epochs never go below it).
    let by_loss = epochs
        .iter()
        .min_by(|a, b| a.val_loss.total_cmp(&b.val_loss))?;
    // The first epoch that reached the highest accuracy.
    let by_accuracy = epochs
        .iter()
        .fold(None::<&OverfitMetrics>, |best, m| match best {
            Some(b) if b.val_accuracy >= m.val_accuracy => Some(b),
            _ => Some(m),
        })?;
    let (l, a) = (by_loss.epoch, by_accuracy.epoch);
    if l == a {
        return None;
    }
    let pct = |x: f32| percent(lang, f64::from(x), 1);
    let (loss_l, acc_l, acc_a) = (
        by_loss.val_loss,
        by_loss.val_accuracy,
        by_accuracy.val_accuracy,
    );
    let n = n_val.max(1);
    let nf = n as f64;
    let p = (f64::from(acc_l + acc_a) / 2.0).clamp(0.5 / nf, 1.0 - 0.5 / nf);
    let band = 2.0 * (2.0 * p * (1.0 - p) / nf).sqrt();
    let diff = f64::from(acc_a - acc_l);
    let k = (diff * nf).round() as i64;
    let band_pts = format!("{:.1}", 100.0 * band);
    let beyond = diff > band;
    let last = epochs.last()?;
    if a > l {
        // The loss did not go below its lowest again after epoch l, while the accuracy peaked later.
        Some(match (lang, beyond) {
            (Lang::En, true) => format!(
                "The validation loss was lowest at epoch {l} ({loss_l:.4}, accuracy {}), but the validation accuracy was higher at epoch {a} ({}: {k} more of the {n} validation images right, beyond ±{band_pts} points, two standard errors if the two accuracies were independent — a conservative band, since both are measured on the same images) while the loss did not go below its lowest again (epoch {}: {:.4}). A likely reason: cross-entropy punishes confident mistakes heavily, so a model growing more confident — also on the validation images it gets wrong — can raise the loss even while it gets more of them right. Early stopping here goes by the loss.",
                pct(acc_l),
                pct(acc_a),
                last.epoch,
                last.val_loss
            ),
            (Lang::En, false) => format!(
                "The validation loss was lowest at epoch {l} ({loss_l:.4}, accuracy {}); the highest validation accuracy came at epoch {a} ({}: {k} more of the {n} validation images right), within ±{band_pts} points (two standard errors if the two accuracies were independent — a conservative band, since both are measured on the same images): by this band the accuracy did not clearly rise, while the loss did not go below its lowest again (epoch {}: {:.4}). Early stopping here goes by the loss.",
                pct(acc_l),
                pct(acc_a),
                last.epoch,
                last.val_loss
            ),
            (Lang::Zh, true) => format!(
                "验证损失在第 {l} 轮最低（{loss_l:.4}，准确率 {}），但第 {a} 轮的验证准确率更高（{}：在 {n} 张验证图像中多对 {k} 张，超出 ±{band_pts} 个百分点——按两个准确率相互独立算的两倍标准误；两者是在同一批图像上测得的，所以这个误差带偏保守），而损失没有再低于最低值（第 {} 轮：{:.4}）。一个可能的原因是：交叉熵对有把握的错误惩罚很重，模型越来越自信——在它判错的验证图像上也是如此——即使判对的图像变多，损失也可能上升。这里的早停依据的是损失。",
                pct(acc_l),
                pct(acc_a),
                last.epoch,
                last.val_loss
            ),
            (Lang::Zh, false) => format!(
                "验证损失在第 {l} 轮最低（{loss_l:.4}，准确率 {}）；验证准确率在第 {a} 轮最高（{}：在 {n} 张验证图像中多对 {k} 张），但在 ±{band_pts} 个百分点之内（按两个准确率相互独立算的两倍标准误；两者是在同一批图像上测得的，所以这个误差带偏保守）：按这个误差带看不出准确率明显上升，而损失没有再低于最低值（第 {} 轮：{:.4}）。这里的早停依据的是损失。",
                pct(acc_l),
                pct(acc_a),
                last.epoch,
                last.val_loss
            ),
        })
    } else {
        // The accuracy peaked before the loss's lowest point.
        let noise_en = if beyond {
            String::new()
        } else {
            format!(
                " (the accuracies differ by {k} of the {n} images, within ±{band_pts} points, two standard errors if the two were independent — a conservative band, since both are measured on the same images)"
            )
        };
        let noise_zh = if beyond {
            String::new()
        } else {
            format!(
                "（两个准确率在 {n} 张图像中相差 {k} 张，在 ±{band_pts} 个百分点之内——按两者相互独立算的两倍标准误；两者是在同一批图像上测得的，所以这个误差带偏保守）"
            )
        };
        Some(match lang {
            Lang::En => format!(
                "The validation accuracy was highest at epoch {a} ({}), before the lowest validation loss at epoch {l} ({loss_l:.4}, accuracy {}){noise_en}: the two measures' best epochs differ, and early stopping here goes by the loss.",
                pct(acc_a),
                pct(acc_l)
            ),
            Lang::Zh => format!(
                "验证准确率在第 {a} 轮最高（{}），早于验证损失最低的第 {l} 轮（{loss_l:.4}，准确率 {}）{noise_zh}：两个指标的最佳轮次不一致，这里的早停依据的是损失。",
                pct(acc_a),
                pct(acc_l)
            ),
        })
    }
}

/// The last two finished runs with different numbers of training images, compared by their numbers:
/// the accuracy gap at the restored epoch, and where the best epoch fell, in epochs and in steps.
/// Differences are credited to the image count only when no other setting differs, and the gaps are
/// called smaller or larger only beyond two standard errors of their difference (from the validation
/// set sizes).
pub fn compare_runs(runs: &[RunSummary], lang: Lang) -> Option<String> {
    let b = runs.last()?;
    let a = runs.iter().rev().find(|r| r.train != b.train)?;
    if !a.differs_only_in_images(b) {
        return Some(match lang {
            Lang::En => format!(
                "Your last two runs ({} and {} images) also differ in other settings, so their gaps and stopping points cannot be put down to the number of images: settings differ. Run both sizes with the same other settings to compare them.",
                a.train, b.train
            ),
            Lang::Zh => format!(
                "你最近的两次运行（{} 张和 {} 张图像）还有其他设置不同，所以它们的差距和停止位置不能归因于图像数量：设置不同。请用相同的其他设置运行这两种数量再比较。",
                a.train, b.train
            ),
        });
    }
    // Smaller first.
    let (small, large) = if a.train < b.train { (a, b) } else { (b, a) };
    let pts = |g: f32| format!("{:.1}", 100.0 * g);
    let cmp = |x: f64, y: f64, eps: f64| {
        if (y - x).abs() <= eps {
            0
        } else if y > x {
            1
        } else {
            -1
        }
    };
    let band = 2.0 * small.accuracy_se().hypot(large.accuracy_se());
    let gap = cmp(f64::from(small.gap), f64::from(large.gap), band);
    let epochs = cmp(small.best_epoch as f64, large.best_epoch as f64, 0.0);
    let steps = cmp(small.best_step as f64, large.best_step as f64, 0.0);
    let band_pts = format!("{:.1}", 100.0 * band);
    let nv = small.plan.validation;
    let covers_en = format!(
        "two standard errors from the {nv} validation images only; one run per size, so run-to-run variation is not included"
    );
    let covers_zh = format!(
        "仅按 {nv} 张验证图像算出的两倍标准误；每种数量只跑了一次，未计入不同运行之间的波动"
    );
    let (en_gap, zh_gap) = match gap {
        -1 => (
            format!("smaller (beyond ±{band_pts} points: {covers_en})"),
            format!("更小（超出 ±{band_pts} 个百分点：{covers_zh}）"),
        ),
        1 => (
            format!("larger (beyond ±{band_pts} points: {covers_en})"),
            format!("更大（超出 ±{band_pts} 个百分点：{covers_zh}）"),
        ),
        _ => (
            format!("not measurably different (within ±{band_pts} points: {covers_en})"),
            format!("没有可测出的差别（在 ±{band_pts} 个百分点之内：{covers_zh}）"),
        ),
    };
    let word = |c: i32, lang: Lang| match (c, lang) {
        (1, Lang::En) => "later",
        (-1, Lang::En) => "earlier",
        (_, Lang::En) => "at the same point",
        (1, Lang::Zh) => "出现得更晚",
        (-1, Lang::Zh) => "出现得更早",
        (_, Lang::Zh) => "与另一次运行相同",
    };
    Some(match lang {
        Lang::En => format!(
            "Your two runs: with {} images the best epoch was {} (step {}) with a gap of {} points between training and validation accuracy; with {} images, epoch {} (step {}) and a gap of {} points. More images: the gap was {en_gap}; the best epoch came {} counted in epochs and {} counted in steps.",
            small.train,
            small.best_epoch,
            small.best_step,
            pts(small.gap),
            large.train,
            large.best_epoch,
            large.best_step,
            pts(large.gap),
            word(epochs, lang),
            word(steps, lang)
        ),
        Lang::Zh => format!(
            "你的两次运行：{} 张图像时最佳轮次为第 {} 轮（第 {} 步），训练与验证准确率相差 {} 个百分点；{} 张图像时为第 {} 轮（第 {} 步），相差 {} 个百分点。图像更多时：差距{zh_gap}；按轮次计，最佳轮次{}；按步数计，{}。",
            small.train,
            small.best_epoch,
            small.best_step,
            pts(small.gap),
            large.train,
            large.best_epoch,
            large.best_step,
            pts(large.gap),
            word(epochs, lang),
            word(steps, lang)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(epoch: usize, val_loss: f32, val_accuracy: f32) -> OverfitMetrics {
        OverfitMetrics {
            epoch,
            train_loss: 0.1,
            train_accuracy: 1.0,
            val_loss,
            val_accuracy,
        }
    }

    #[test]
    fn loss_and_accuracy_disagreeing_is_said_only_when_they_do() {
        let agree = [m(1, 0.5, 0.8), m(2, 0.4, 0.85), m(3, 0.45, 0.84)];
        assert_eq!(loss_vs_accuracy(&agree, 1000, Lang::En), None);
        // 2 points on 1,000 images is inside the band (about ±3.1 points): within noise, no mechanism.
        let rose = [m(1, 0.5, 0.8), m(2, 0.4, 0.85), m(3, 0.45, 0.87)];
        let s = loss_vs_accuracy(&rose, 1000, Lang::En).unwrap();
        assert!(
            s.contains("lowest at epoch 2")
                && s.contains("epoch 3")
                && s.contains("20 more of the 1000"),
            "{s}"
        );
        assert!(
            s.contains("did not clearly rise") && !s.contains("likely reason"),
            "{s}"
        );
        // 6 points is beyond it: the difference, the band and a hedged reason.
        let rose = [m(1, 0.5, 0.8), m(2, 0.4, 0.85), m(3, 0.45, 0.91)];
        let s = loss_vs_accuracy(&rose, 1000, Lang::En).unwrap();
        assert!(
            s.contains("beyond ±") && s.contains("A likely reason"),
            "{s}"
        );
        assert!(!s.contains("kept rising"), "{s}");
        let zh = loss_vs_accuracy(&rose, 1000, Lang::Zh).unwrap();
        assert!(
            zh.contains("多对 60 张") && zh.contains("可能的原因"),
            "{zh}"
        );
        let earlier = [m(1, 0.5, 0.86), m(2, 0.4, 0.85)];
        let s = loss_vs_accuracy(&earlier, 1000, Lang::Zh).unwrap();
        assert!(s.contains("第 1 轮最高"), "{s}");
    }

    fn plan(train: usize) -> OverfitPlan {
        OverfitPlan {
            train,
            validation: 1000,
            patience: 3,
            max_epochs: 30,
            batch: 64,
            lr: 0.05,
            momentum: 0.5,
            hidden: vec![128],
            seed: 1,
        }
    }

    #[test]
    fn two_runs_are_compared_by_their_numbers_in_epochs_and_in_steps() {
        let small = RunSummary {
            train: 500,
            best_epoch: 12,
            best_step: 12 * 8,
            gap: 0.15,
            val_accuracy: 0.85,
            plan: plan(500),
        };
        // Stopping earlier in epochs but later in steps: both said, neither "later" alone.
        let large = RunSummary {
            train: 5000,
            best_epoch: 6,
            best_step: 6 * 79,
            gap: 0.03,
            val_accuracy: 0.95,
            plan: plan(5000),
        };
        let s = compare_runs(&[small.clone(), large.clone()], Lang::En).unwrap();
        assert!(
            s.contains("gap was smaller")
                && s.contains("earlier counted in epochs")
                && s.contains("later counted in steps")
                && s.contains("run-to-run variation is not included"),
            "{s}"
        );
        let zh = compare_runs(&[small.clone(), large.clone()], Lang::Zh).unwrap();
        assert!(
            zh.contains("按轮次计，最佳轮次出现得更早；按步数计，出现得更晚"),
            "{zh}"
        );
        // A difference inside two standard errors (1,000 validation images: about ±3 points) is not
        // called smaller.
        let close = RunSummary {
            gap: 0.13,
            ..large.clone()
        };
        let s = compare_runs(&[small.clone(), close], Lang::En).unwrap();
        assert!(s.contains("not measurably different"), "{s}");
        // Another setting differs too: the image count is not credited.
        let other = RunSummary {
            plan: OverfitPlan {
                lr: 0.1,
                ..plan(5000)
            },
            ..large.clone()
        };
        let s = compare_runs(&[small.clone(), other], Lang::En).unwrap();
        assert!(
            s.contains("settings differ") && !s.contains("gap was"),
            "{s}"
        );
        // One run, or two of the same size: nothing to compare.
        assert_eq!(compare_runs(std::slice::from_ref(&small), Lang::En), None);
        assert_eq!(compare_runs(&[small.clone(), small], Lang::En), None);
        let s = compare_runs(&[large], Lang::Zh);
        assert!(s.is_none());
    }
}
