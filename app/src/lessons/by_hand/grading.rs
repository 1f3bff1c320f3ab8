//! The lesson's arithmetic, free of the page: the batch as the kernels' by-hand network, a typed line
//! graded against the exact reference, the student's SGD step against the engine's, and finite
//! differences. The reference is built from the weights before any step and computed in f64
//! ([`kernels::by_hand::reference`]); the engine's f32 gradients are not what a line is graded on.

use kernels::by_hand::{
    self as bh, ByHandError, Env, GRADIENT_NAMES, Grade, Limits, Network, Reference, Tensor,
    Variant,
};

use crate::lessons::live_model::protocol::{ByHandBatch, Params};

/// Images in the batch (B).
pub const ROWS: usize = 4;
/// The finite differences' step.
pub const FD_EPS: f64 = 1e-4;

/// A batch, the network on it, and the reference the lines are graded against.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// What the worker sent.
    pub batch: ByHandBatch,
    /// The network before the step.
    pub net: Network,
    /// Its forward values and exact gradients.
    pub reference: Reference,
    /// The lesson's version of the network.
    pub variant: Variant,
}

/// The network of `params` on `inputs` and `labels`, if the shapes fit.
fn network(inputs: &[f32], labels: &[u8], p: &Params) -> Option<Network> {
    let rows = labels.len();
    let (hid, out) = (p.b1.len(), p.b2.len());
    let inp = inputs.len().checked_div(rows)?;
    let y: Vec<f32> = labels.iter().map(|&l| f32::from(l)).collect();
    Some(Network {
        x: Tensor::from_f32(&[rows, inp], inputs)?,
        y: Tensor::from_f32(&[rows], &y)?,
        w1: Tensor::from_f32(&[hid, inp], &p.w1)?,
        b1: Tensor::from_f32(&[hid], &p.b1)?,
        w2: Tensor::from_f32(&[out, hid], &p.w2)?,
        b2: Tensor::from_f32(&[out], &p.b2)?,
    })
}

impl Snapshot {
    /// The snapshot of `batch` for `variant`; `None` if its shapes do not fit the network.
    pub fn new(batch: ByHandBatch, variant: Variant) -> Option<Self> {
        let net = network(&batch.inputs, &batch.labels, &batch.before)?;
        let reference = bh::reference(&net, variant).ok()?;
        Some(Self {
            batch,
            net,
            reference,
            variant,
        })
    }

    /// The names every line may use: `x y W1 b1 W2 b2 z1 h z2 B eps`.
    pub fn env(&self) -> Env {
        self.net.env(&self.reference, self.variant)
    }
}

/// What became of a line.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// It evaluated; the grade and the value.
    Graded {
        /// The verdict.
        grade: Grade,
        /// What the line computed.
        value: Tensor,
    },
    /// It did not parse or evaluate.
    Error(ByHandError),
    /// It assigns another name than its gradient's.
    WrongName(String),
}

/// A graded line.
#[derive(Clone, Debug, PartialEq)]
pub struct Graded {
    /// The line as typed.
    pub src: String,
    /// Its outcome.
    pub outcome: Outcome,
}

impl Graded {
    /// `right`, `shape`, `values` or `error` (the page's `data-state`).
    pub fn state(&self) -> &'static str {
        match &self.outcome {
            Outcome::Graded {
                grade: Grade::Right { .. },
                ..
            } => "right",
            Outcome::Graded {
                grade: Grade::Shape { .. },
                ..
            } => "shape",
            Outcome::Graded {
                grade: Grade::Values { .. },
                ..
            } => "values",
            _ => "error",
        }
    }

    /// The value of a right line (what enters the names the next lines may use).
    pub fn right_value(&self) -> Option<&Tensor> {
        match &self.outcome {
            Outcome::Graded { grade, value } if grade.is_right() => Some(value),
            _ => None,
        }
    }

    /// The largest relative error, where the line had the right shape.
    pub fn max_rel_error(&self) -> Option<f64> {
        match &self.outcome {
            Outcome::Graded {
                grade: Grade::Right { max_rel_error } | Grade::Values { max_rel_error, .. },
                ..
            } => Some(*max_rel_error),
            _ => None,
        }
    }
}

/// The name `src` assigns if it begins `name =` (an assignment, not `==`).
fn assignment(src: &str) -> Option<&str> {
    let t = src.trim_start();
    let ident = t
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(t.len(), |(i, _)| i);
    if ident == 0 {
        return None;
    }
    let rest = t[ident..].trim_start();
    (rest.starts_with('=') && !rest.starts_with("==")).then(|| &t[..ident])
}

/// The lesson's bounds on a line: it is evaluated on the page's own thread, so a line may cost at most
/// 16 Mi multiply-adds (a few milliseconds) and hold 1 Mi elements per result, 4 Mi in all (32 MiB):
/// 160 times the lesson's largest product (dW1 = dz1.T @ x, 4 × 32 × 784 ≈ 100 k), and room for
/// x.T @ x (784 × 784 ≈ 615 k elements). A line past them is an error that says which bound.
pub const PAGE_LIMITS: Limits = Limits {
    max_elements: 1 << 20,
    max_total_elements: 1 << 22,
    max_madds: 1 << 24,
    ..Limits::DEFAULT
};

/// Grades `src`, the line for gradient `name` (either `expr` or `name = expr`), evaluated with `env`.
pub fn grade_line(src: &str, name: &str, env: &Env, reference: &Reference) -> Graded {
    let evaluated = match assignment(src) {
        Some(_) => bh::eval_line_with(src, env, PAGE_LIMITS).map(|(n, t)| (Some(n), t)),
        None => bh::eval_expr(src, env, PAGE_LIMITS).map(|t| (None, t)),
    };
    let outcome = match evaluated {
        Err(e) => Outcome::Error(e),
        Ok((Some(n), _)) if n != name => Outcome::WrongName(n),
        Ok((_, value)) => match reference.gradient(name) {
            Some(expected) => Outcome::Graded {
                grade: bh::grade(&value, expected),
                value,
            },
            None => Outcome::WrongName(name.to_string()),
        },
    };
    Graded {
        src: src.to_string(),
        outcome,
    }
}

/// The names a line for gradient `skip` may use: the snapshot's and every right line's but its own.
pub fn env_for(snapshot: &Snapshot, graded: &[Option<Graded>], skip: &str) -> Env {
    let mut env = snapshot.env();
    for (name, g) in GRADIENT_NAMES.iter().zip(graded) {
        if *name != skip
            && let Some(v) = g.as_ref().and_then(Graded::right_value)
        {
            env.insert(*name, v.clone());
        }
    }
    env
}

/// The student's SGD step against the engine's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepCheck {
    /// The largest |student − engine| over every parameter.
    pub max_diff: f64,
    /// Parameters equal to the bit.
    pub same: usize,
    /// Parameters.
    pub all: usize,
    /// The batch's loss before the step (f64).
    pub loss_before: f64,
    /// After the student's step.
    pub loss_after: f64,
    /// After the engine's step.
    pub loss_engine: f64,
}

/// `w − lr·g` in f32, as an SGD step without momentum computes it.
fn sgd(w: &[f32], g: &Tensor, lr: f32) -> Vec<f32> {
    w.iter()
        .zip(g.data())
        .map(|(&w, &g)| w - lr * g as f32)
        .collect()
}

/// The student's gradients `[dW1, db1, dW2, db2]` step the snapshot's weights; compared with the
/// engine's step on the same batch.
pub fn step_check(s: &Snapshot, grads: [&Tensor; 4]) -> Option<StepCheck> {
    let (before, engine, lr) = (&s.batch.before, &s.batch.after, s.batch.lr);
    let [dw1, db1, dw2, db2] = grads;
    let mine = Params {
        w1: sgd(&before.w1, dw1, lr),
        b1: sgd(&before.b1, db1, lr),
        w2: sgd(&before.w2, dw2, lr),
        b2: sgd(&before.b2, db2, lr),
    };
    let pairs = [
        (&mine.w1, &engine.w1),
        (&mine.b1, &engine.b1),
        (&mine.w2, &engine.w2),
        (&mine.b2, &engine.b2),
    ];
    let (mut max_diff, mut same, mut all) = (0.0f64, 0, 0);
    for (a, b) in pairs {
        if a.len() != b.len() {
            return None;
        }
        for (&x, &y) in a.iter().zip(b.iter()) {
            all += 1;
            if x.to_bits() == y.to_bits() {
                same += 1;
            }
            let d = (f64::from(x) - f64::from(y)).abs();
            max_diff = if d.is_nan() {
                f64::INFINITY
            } else {
                max_diff.max(d)
            };
        }
    }
    let loss = |p: &Params| {
        network(&s.batch.inputs, &s.batch.labels, p)
            .and_then(|n| bh::exact_loss(&n, s.variant).ok())
            .unwrap_or(f64::NAN)
    };
    Some(StepCheck {
        max_diff,
        same,
        all,
        loss_before: bh::exact_loss(&s.net, s.variant).unwrap_or(f64::NAN),
        loss_after: loss(&mine),
        loss_engine: loss(engine),
    })
}

/// One finite-difference check.
#[derive(Clone, Debug, PartialEq)]
pub struct FdRow {
    /// The weight, PyTorch-named (`fc1.weight[3, 406]`).
    pub name: String,
    /// The student's gradient there.
    pub yours: f64,
    /// (L(w+ε) − L(w−ε))/2ε in f64.
    pub fd: f64,
}

impl FdRow {
    /// |yours − fd| / |fd|.
    pub fn relative(&self) -> f64 {
        (self.yours - self.fd).abs() / self.fd.abs().max(1e-300)
    }
}

/// A parameter of the network, reached for a nudge.
type Field = fn(&mut Network) -> &mut Tensor;

/// A small xorshift, so the page picks the same weights for the same batch.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Central differences of the exact loss at three weights picked at random among those with a
/// gradient of at least a hundredth of their tensor's largest (one of fc1.weight, fc1.bias and
/// fc2.weight), against the student's `[dW1, db1, dW2]`.
pub fn finite_differences(s: &Snapshot, grads: [&Tensor; 3], seed: u64) -> Vec<FdRow> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let tensors: [(&str, Field); 3] = [
        ("fc1.weight", |n| &mut n.w1),
        ("fc1.bias", |n| &mut n.b1),
        ("fc2.weight", |n| &mut n.w2),
    ];
    let mut rows = Vec::new();
    for ((label, field), g) in tensors.into_iter().zip(grads) {
        let max = g.data().iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let candidates: Vec<usize> = (0..g.len())
            .filter(|&i| g.data()[i].abs() >= 0.01 * max && max > 0.0)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let i = candidates[(next(&mut state) % candidates.len() as u64) as usize];
        let loss_at = |delta: f64| {
            let mut net = s.net.clone();
            let t = field(&mut net);
            let mut data = t.data().to_vec();
            data[i] += delta;
            *t = Tensor::from_f64(t.shape(), data).expect("same shape");
            bh::exact_loss(&net, s.variant).unwrap_or(f64::NAN)
        };
        let fd = (loss_at(FD_EPS) - loss_at(-FD_EPS)) / (2.0 * FD_EPS);
        let name = match g.shape() {
            [_, cols] => format!("{label}[{}, {}]", i / cols, i % cols),
            _ => format!("{label}[{i}]"),
        };
        rows.push(FdRow {
            name,
            yours: g.data()[i],
            fd,
        });
    }
    rows
}

#[cfg(test)]
#[path = "grading_tests.rs"]
mod tests;
