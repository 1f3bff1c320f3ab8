//! The article's network in plain Rust (f64), forward and backward, for every lesson variant; and the
//! correct student lines.
//!
//! ```text
//! z1 = x @ W1.T + b1        x [B, in], W1 [hid, in] (PyTorch's [out, in]), b1 [hid]
//! h  = act(z1)              ReLU or tanh
//! z2 = h @ W2.T + b2        W2 [out, hid], b2 [out]
//! p  = softmax(z2, 1)
//! t  = (1 − ε)·onehot(y, K) + ε/K     (PyTorch's label_smoothing ε; t = onehot when ε = 0)
//! L  = −(1/B) Σ_b Σ_k t_bk log p_bk   cross-entropy, as F.cross_entropy(z2, y, label_smoothing=ε)
//! L  =  (1/B) Σ_b Σ_k (p_bk − t_bk)²  MSE on the softmax: summed over classes, averaged over the batch
//! ```
//!
//! The forward values handed to the student (z1, h, z2) are rounded to f32, as the engine holds them,
//! and the backward pass is computed from those rounded values: the reference is then exactly what the
//! correct lines give on the student's environment, up to f64 rounding, so a right answer grades right
//! however confident the model is.

use super::Env;
use super::tensor::Tensor;
use crate::error::ModelError;
use crate::model::Mlp;

/// The gradients a student writes, in the lesson's order.
pub const GRADIENT_NAMES: [&str; 7] = ["dz2", "dW2", "db2", "dh", "dz1", "dW1", "db1"];

/// The hidden layer's activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// max(0, z).
    Relu,
    /// tanh(z).
    Tanh,
}

/// The loss on the logits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Softmax cross-entropy (PyTorch's `F.cross_entropy`).
    CrossEntropy,
    /// Squared error of the softmax against the target, summed over classes, averaged over the batch
    /// (the article's §4.1 comparison).
    MseSoftmax,
}

/// One version of the lesson's network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Variant {
    /// The hidden activation.
    pub activation: Activation,
    /// The loss.
    pub loss: Loss,
    /// PyTorch's `label_smoothing` ε in [0, 1]: the target is (1 − ε)·onehot + ε/K.
    pub label_smoothing: f64,
}

impl Variant {
    /// The article's network: ReLU, cross-entropy, no smoothing.
    pub const BASE: Variant = Variant {
        activation: Activation::Relu,
        loss: Loss::CrossEntropy,
        label_smoothing: 0.0,
    };
}

impl Default for Variant {
    fn default() -> Self {
        Self::BASE
    }
}

/// The network's inputs and parameters as the lesson shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Inputs `[B, in]`.
    pub x: Tensor,
    /// Labels `[B]` (whole numbers below the class count).
    pub y: Tensor,
    /// fc1.weight `[hid, in]`.
    pub w1: Tensor,
    /// fc1.bias `[hid]`.
    pub b1: Tensor,
    /// fc2.weight `[out, hid]`.
    pub w2: Tensor,
    /// fc2.bias `[out]`.
    pub b2: Tensor,
}

/// The reference's forward values and gradients.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// Pre-activation `[B, hid]`, rounded to f32.
    pub z1: Tensor,
    /// Activation `[B, hid]`, rounded to f32.
    pub h: Tensor,
    /// Logits `[B, out]`, rounded to f32.
    pub z2: Tensor,
    /// The mean loss.
    pub loss: f64,
    /// The seven gradients, named and ordered as [`GRADIENT_NAMES`].
    pub gradients: Vec<(&'static str, Tensor)>,
}

impl Reference {
    /// The gradient named `name` (`"dW2"`, …).
    pub fn gradient(&self, name: &str) -> Option<&Tensor> {
        self.gradients
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t)
    }
}

/// One correct line of the lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The gradient's name (one of [`GRADIENT_NAMES`]).
    pub name: &'static str,
    /// The whole line, e.g. `dW2 = dz2.T @ h`.
    pub line: String,
}

/// The correct lines for `variant` with `classes` output classes, in [`GRADIENT_NAMES`] order. They use
/// the names [`Network::env`] defines (`eps` only when ε ≠ 0).
pub fn answers(variant: Variant, classes: usize) -> Vec<Answer> {
    let target = if variant.label_smoothing == 0.0 {
        format!("onehot(y, {classes})")
    } else {
        format!("((1 - eps) * onehot(y, {classes}) + eps / {classes})")
    };
    let dz2 = match variant.loss {
        Loss::CrossEntropy => format!("dz2 = (softmax(z2, 1) - {target}) / B"),
        // p ⊙ (g − Σ_k g_k p_k) with g = 2(p − t)/B: the softmax's Jacobian applied to the MSE's gradient.
        Loss::MseSoftmax => format!(
            "dz2 = 2 / B * softmax(z2, 1) * (softmax(z2, 1) - {target} - sum((softmax(z2, 1) - {target}) * softmax(z2, 1), 1, keepdim=True))"
        ),
    };
    let dz1 = match variant.activation {
        Activation::Relu => "dz1 = dh * (z1 > 0)",
        Activation::Tanh => "dz1 = dh * (1 - h ** 2)",
    };
    let lines = [
        dz2,
        "dW2 = dz2.T @ h".into(),
        "db2 = sum(dz2, 0)".into(),
        "dh = dz2 @ W2".into(),
        dz1.into(),
        "dW1 = dz1.T @ x".into(),
        "db1 = sum(dz1, 0)".into(),
    ];
    GRADIENT_NAMES
        .into_iter()
        .zip(lines)
        .map(|(name, line)| Answer { name, line })
        .collect()
}

impl Network {
    /// The batch `x` (`[rows, in]` row-major, e.g. `StepTrace::inputs`) and `labels` on the first two
    /// layers of `model` (which must have exactly two).
    pub fn from_mlp(model: &Mlp, x: &[f32], labels: &[u32]) -> Result<Self, ModelError> {
        let [l1, l2] = &model.layers[..] else {
            return Err(ModelError::InvalidShape(format!(
                "the lesson's network has 2 layers, this model {}",
                model.layers.len()
            )));
        };
        let bad = |what: &str| ModelError::InvalidShape(format!("{what} does not fit the model"));
        let rows = labels.len();
        let y: Vec<f32> = labels.iter().map(|&l| l as f32).collect();
        Ok(Self {
            x: Tensor::from_f32(&[rows, l1.in_features], x).ok_or_else(|| bad("x"))?,
            y: Tensor::from_f32(&[rows], &y).ok_or_else(|| bad("y"))?,
            w1: Tensor::from_f32(&[l1.out_features, l1.in_features], &l1.weight)
                .ok_or_else(|| bad("fc1.weight"))?,
            b1: Tensor::from_f32(&[l1.out_features], &l1.bias).ok_or_else(|| bad("fc1.bias"))?,
            w2: Tensor::from_f32(&[l2.out_features, l2.in_features], &l2.weight)
                .ok_or_else(|| bad("fc2.weight"))?,
            b2: Tensor::from_f32(&[l2.out_features], &l2.bias).ok_or_else(|| bad("fc2.bias"))?,
        })
    }

    /// The student's environment: `x`, `y`, `W1`, `b1`, `W2`, `b2`, `z1`, `h`, `z2` (from `reference`),
    /// the batch size `B`, and `eps` (ε, 0 without smoothing).
    pub fn env(&self, reference: &Reference, variant: Variant) -> Env {
        let mut env = Env::new();
        for (name, t) in [
            ("x", &self.x),
            ("y", &self.y),
            ("W1", &self.w1),
            ("b1", &self.b1),
            ("W2", &self.w2),
            ("b2", &self.b2),
            ("z1", &reference.z1),
            ("h", &reference.h),
            ("z2", &reference.z2),
        ] {
            env.insert(name, t.clone());
        }
        let rows = self.x.shape().first().copied().unwrap_or(0);
        env.insert("B", Tensor::scalar(rows as f64));
        env.insert("eps", Tensor::scalar(variant.label_smoothing));
        env
    }

    /// (B, in, hid, out) if every shape agrees and every label is a class.
    fn dims(&self) -> Result<(usize, usize, usize, usize), ModelError> {
        let bad = |what: &str| ModelError::InvalidShape(format!("by hand: {what}"));
        let (&[b, i], &[h, i2], &[o, h2]) = (self.x.shape(), self.w1.shape(), self.w2.shape())
        else {
            return Err(bad("x, W1 and W2 must be 2-D"));
        };
        if i != i2 || h != h2 || self.b1.shape() != [h] || self.b2.shape() != [o] {
            return Err(bad("the parameters' shapes do not chain"));
        }
        if b == 0 || i == 0 || h == 0 || o == 0 {
            return Err(bad("every size must be at least 1"));
        }
        if self.y.shape() != [b] {
            return Err(bad("y must hold one label per row of x"));
        }
        let label_ok = |&l: &f64| l.fract() == 0.0 && l >= 0.0 && l < o as f64;
        if !self.y.data().iter().all(label_ok) {
            return Err(bad("a label is not a class"));
        }
        Ok((b, i, h, o))
    }
}

/// `a @ w.T + bias` (a linear layer) for row-major `a` [rows, k], `w` [n, k].
pub(crate) fn linear(a: &[f64], w: &[f64], bias: &[f64], k: usize) -> Vec<f64> {
    a.chunks_exact(k.max(1))
        .flat_map(|row| {
            w.chunks_exact(k.max(1))
                .zip(bias)
                .map(move |(wr, b)| b + row.iter().zip(wr).map(|(x, y)| x * y).sum::<f64>())
        })
        .collect()
}

fn round(v: Vec<f64>, to_f32: bool) -> Vec<f64> {
    if to_f32 {
        v.into_iter().map(|x| f64::from(x as f32)).collect()
    } else {
        v
    }
}

fn tensor(shape: &[usize], data: Vec<f64>) -> Result<Tensor, ModelError> {
    Tensor::from_f64(shape, data)
        .ok_or_else(|| ModelError::InvalidShape("by hand: internal".into()))
}

/// `a.T @ b` for `a` [rows, m], `b` [rows, n]: [m, n] (a weight gradient).
fn outer_sum(a: &[f64], b: &[f64], m: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for (ar, br) in a.chunks_exact(m.max(1)).zip(b.chunks_exact(n.max(1))) {
        for (orow, &x) in out.chunks_exact_mut(n.max(1)).zip(ar) {
            for (o, &y) in orow.iter_mut().zip(br) {
                *o += x * y;
            }
        }
    }
    out
}

/// Column sums of `a` [rows, n].
fn column_sum(a: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for row in a.chunks_exact(n.max(1)) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
    out
}

/// The reference for the lesson: forward values rounded to f32 and the backward pass from them.
pub fn reference(net: &Network, variant: Variant) -> Result<Reference, ModelError> {
    compute(net, variant, true)
}

/// The mean loss of `net` computed in f64 throughout, nothing rounded to f32: what a finite difference
/// of a weight needs (a rounded forward pass would drown a small ε in rounding).
pub fn exact_loss(net: &Network, variant: Variant) -> Result<f64, ModelError> {
    Ok(compute(net, variant, false)?.loss)
}

/// The forward and backward pass; `to_f32` rounds z1, h and z2 as the engine stores them.
pub(crate) fn compute(
    net: &Network,
    variant: Variant,
    to_f32: bool,
) -> Result<Reference, ModelError> {
    let (b, inp, hid, out) = net.dims()?;
    let z1 = round(
        linear(net.x.data(), net.w1.data(), net.b1.data(), inp),
        to_f32,
    );
    let act = |z: f64| match variant.activation {
        Activation::Relu => z.max(0.0),
        Activation::Tanh => z.tanh(),
    };
    // h is not rounded: ReLU of an f32 value is that f32 value already, and tanh's h stays the f64
    // tanh(z1) a student's `tanh(z1)` computes (the engine never trains the tanh variation), so
    // `1 - tanh(z1) ** 2` and `1 - h ** 2` are the same tensor even where a unit saturates.
    let h: Vec<f64> = z1.iter().map(|&z| act(z)).collect();
    let z2 = round(linear(&h, net.w2.data(), net.b2.data(), hid), to_f32);

    let (loss, dz2) = head(&z2, net.y.data(), out, variant);
    let dw2 = outer_sum(&dz2, &h, out, hid);
    let db2 = column_sum(&dz2, out);
    // dh = dz2 @ W2: [B, out] @ [out, hid].
    let mut dh = vec![0.0; b * hid];
    for (dhr, dzr) in dh
        .chunks_exact_mut(hid.max(1))
        .zip(dz2.chunks_exact(out.max(1)))
    {
        for (&d, wr) in dzr.iter().zip(net.w2.data().chunks_exact(hid.max(1))) {
            for (o, &w) in dhr.iter_mut().zip(wr) {
                *o += d * w;
            }
        }
    }
    let dz1: Vec<f64> = match variant.activation {
        Activation::Relu => dh
            .iter()
            .zip(&z1)
            .map(|(&d, &z)| if z > 0.0 { d } else { 0.0 })
            .collect(),
        Activation::Tanh => dh
            .iter()
            .zip(&h)
            .map(|(&d, &a)| d * (1.0 - a * a))
            .collect(),
    };
    let dw1 = outer_sum(&dz1, net.x.data(), hid, inp);
    let db1 = column_sum(&dz1, hid);
    let gradients = vec![
        ("dz2", tensor(&[b, out], dz2)?),
        ("dW2", tensor(&[out, hid], dw2)?),
        ("db2", tensor(&[out], db2)?),
        ("dh", tensor(&[b, hid], dh)?),
        ("dz1", tensor(&[b, hid], dz1)?),
        ("dW1", tensor(&[hid, inp], dw1)?),
        ("db1", tensor(&[hid], db1)?),
    ];
    Ok(Reference {
        z1: tensor(&[b, hid], z1)?,
        h: tensor(&[b, hid], h)?,
        z2: tensor(&[b, out], z2)?,
        loss,
        gradients,
    })
}

/// The loss and its gradient dz2 from the logits `z2` [B, out] and the labels.
pub(crate) fn head(z2: &[f64], labels: &[f64], out: usize, variant: Variant) -> (f64, Vec<f64>) {
    let eps = variant.label_smoothing;
    let rows = labels.len().max(1) as f64;
    let mut loss = 0.0;
    let mut dz2 = Vec::with_capacity(z2.len());
    for (logits, &label) in z2.chunks_exact(out.max(1)).zip(labels) {
        let max = logits.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let log_total = logits.iter().map(|&v| (v - max).exp()).sum::<f64>().ln();
        let log_p: Vec<f64> = logits.iter().map(|&v| v - max - log_total).collect();
        let t = |k: usize| (1.0 - eps) * f64::from(u8::from(k as f64 == label)) + eps / out as f64;
        match variant.loss {
            Loss::CrossEntropy => {
                for (k, &lp) in log_p.iter().enumerate() {
                    loss -= t(k) * lp / rows;
                    dz2.push((lp.exp() - t(k)) / rows);
                }
            }
            Loss::MseSoftmax => {
                // p ⊙ (g − Σ_k g_k p_k): the softmax's Jacobian applied to g = ∂L/∂p = 2(p − t)/B.
                let p: Vec<f64> = log_p.iter().map(|lp| lp.exp()).collect();
                let g: Vec<f64> = p
                    .iter()
                    .enumerate()
                    .map(|(k, &pk)| 2.0 * (pk - t(k)) / rows)
                    .collect();
                let gp: f64 = g.iter().zip(&p).map(|(g, p)| g * p).sum();
                for (k, (&pk, &gk)) in p.iter().zip(&g).enumerate() {
                    loss += (pk - t(k)).powi(2) / rows;
                    dz2.push(pk * (gk - gp));
                }
            }
        }
    }
    (loss, dz2)
}
