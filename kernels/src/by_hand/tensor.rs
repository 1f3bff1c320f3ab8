//! Tensors of rank 0, 1 or 2 (row-major) and the language's operations on them, each charged to a
//! [`Budget`] before it allocates or computes anything.
//!
//! Values are stored as f64 although the engine's tensors are f32: a student's `softmax(z2, 1) -
//! onehot(y, 10)` on a confident model cancels to ~1e-6, where f32 rounding alone would exceed the
//! grader's 1e-5 relative tolerance. In f64 the only difference from the reference is the f32 rounding of
//! the inputs, which the reference shares (see `reference`).

use super::Limits;
use super::error::ErrorKind;

/// A tensor of rank 0 (a scalar), 1 or 2. The shape's product always equals the data's length.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    shape: Vec<usize>,
    data: Vec<f64>,
}

/// `[4, 10]`, `[512]`, `[]` (a scalar), as PyTorch prints a `torch.Size`.
pub fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(", "))
}

impl Tensor {
    /// A 0-D tensor.
    pub fn scalar(value: f64) -> Self {
        Self {
            shape: Vec::new(),
            data: vec![value],
        }
    }

    /// A tensor of `shape` from f64 values; `None` unless the rank is at most 2 and the length matches.
    pub fn from_f64(shape: &[usize], data: Vec<f64>) -> Option<Self> {
        let len = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))?;
        (shape.len() <= 2 && len == data.len()).then(|| Self {
            shape: shape.to_vec(),
            data,
        })
    }

    /// A tensor of `shape` from the engine's f32 values (labels are f32 too: `3.0` for class 3).
    pub fn from_f32(shape: &[usize], data: &[f32]) -> Option<Self> {
        Self::from_f64(shape, data.iter().map(|&v| f64::from(v)).collect())
    }

    /// The shape, outermost first.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// 0, 1 or 2.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// The values, row-major.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// The values rounded to f32, for display next to the engine's.
    pub fn to_f32(&self) -> Vec<f32> {
        self.data.iter().map(|&v| v as f32).collect()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when some dimension is 0.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The value of a 0-D tensor if it is a whole number (a dim, a class count, keepdim).
    pub(crate) fn as_integer(&self) -> Option<i64> {
        match (self.rank(), self.data.first()) {
            (0, Some(&v)) if v.fract() == 0.0 && v.abs() < 1e15 => Some(v as i64),
            _ => None,
        }
    }

    /// What an argument was, for a message: its value if 0-D, else its shape.
    pub(crate) fn describe(&self) -> String {
        match (self.rank(), self.data.first()) {
            (0, Some(v)) => v.to_string(),
            _ => shape_text(&self.shape),
        }
    }

    /// (rows, cols) of the tensor seen as 2-D: a 0-D tensor is 1×1, a 1-D one a single row.
    fn dims2(&self) -> (usize, usize) {
        match self.shape[..] {
            [r, c] => (r, c),
            [n] => (1, n),
            _ => (1, 1),
        }
    }
}

/// What a line has spent so far, against its [`Limits`].
pub(crate) struct Budget {
    limits: Limits,
    madds: u128,
    elements: u128,
}

impl Budget {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            madds: 0,
            elements: 0,
        }
    }

    /// Charges a result of `elements` elements made by `op` with `madds` multiply-adds.
    fn charge(&mut self, op: &'static str, elements: u128, madds: u128) -> Result<(), ErrorKind> {
        if elements > self.limits.max_elements as u128 {
            return Err(ErrorKind::TooLarge {
                op,
                elements,
                max: self.limits.max_elements,
            });
        }
        self.elements += elements;
        if self.elements > self.limits.max_total_elements as u128 {
            return Err(ErrorKind::TooMuchMemory {
                max: self.limits.max_total_elements,
            });
        }
        // Element-wise work counts one per element, so no line is free.
        self.madds += madds.max(elements);
        if self.madds > u128::from(self.limits.max_madds) {
            return Err(ErrorKind::TooCostly {
                max: self.limits.max_madds,
            });
        }
        Ok(())
    }
}

fn product(shape: &[usize]) -> u128 {
    shape.iter().map(|&d| d as u128).product()
}

/// PyTorch's broadcast of two shapes (aligned at the right; a 1 stretches), or `None`.
pub(crate) fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    let pad = |s: &[usize], i: usize| s.iter().rev().nth(i).copied().unwrap_or(1);
    for (i, o) in out.iter_mut().rev().enumerate() {
        let (x, y) = (pad(a, i), pad(b, i));
        *o = if x == y || y == 1 {
            x
        } else if x == 1 {
            y
        } else {
            return None;
        };
    }
    Some(out)
}

/// `f(a, b)` element-wise with broadcasting; `op` names the operator in errors.
pub(crate) fn zip(
    budget: &mut Budget,
    op: &'static str,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(f64, f64) -> f64,
) -> Result<Tensor, ErrorKind> {
    let shape = broadcast_shape(&a.shape, &b.shape).ok_or_else(|| ErrorKind::Broadcast {
        op,
        left: a.shape.clone(),
        right: b.shape.clone(),
    })?;
    budget.charge(op, product(&shape), 0)?;
    let (rows, cols) = match shape[..] {
        [r, c] => (r, c),
        [n] => (1, n),
        _ => (1, 1),
    };
    // A dimension of size 1 is read with stride 0, which is what broadcasting means.
    let strides = |t: &Tensor| {
        let (r, c) = t.dims2();
        (if r == 1 { 0 } else { c }, usize::from(c != 1))
    };
    let ((ar, ac), (br, bc)) = (strides(a), strides(b));
    let mut data = Vec::with_capacity(rows * cols);
    for i in 0..rows {
        for j in 0..cols {
            let x = a.data.get(i * ar + j * ac).copied().unwrap_or(f64::NAN);
            let y = b.data.get(i * br + j * bc).copied().unwrap_or(f64::NAN);
            data.push(f(x, y));
        }
    }
    Ok(Tensor { shape, data })
}

/// `f` on every element.
pub(crate) fn map(
    budget: &mut Budget,
    op: &'static str,
    t: &Tensor,
    f: impl Fn(f64) -> f64,
) -> Result<Tensor, ErrorKind> {
    budget.charge(op, t.len() as u128, 0)?;
    Ok(Tensor {
        shape: t.shape.clone(),
        data: t.data.iter().map(|&v| f(v)).collect(),
    })
}

/// The matrix product of two 2-D tensors.
pub(crate) fn matmul(budget: &mut Budget, a: &Tensor, b: &Tensor) -> Result<Tensor, ErrorKind> {
    let (left, right) = (a.shape.clone(), b.shape.clone());
    let (&[m, k], &[k2, n]) = (&a.shape[..], &b.shape[..]) else {
        return Err(ErrorKind::MatmulRank { left, right });
    };
    if k != k2 {
        return Err(ErrorKind::MatmulInner { left, right });
    }
    budget.charge(
        "@",
        m as u128 * n as u128,
        m as u128 * k as u128 * n as u128,
    )?;
    let mut data = vec![0.0; m * n];
    if k > 0 && n > 0 {
        // i-p-j order: both inner reads are contiguous rows.
        for (out, arow) in data.chunks_exact_mut(n).zip(a.data.chunks_exact(k)) {
            for (&x, brow) in arow.iter().zip(b.data.chunks_exact(n)) {
                for (o, &y) in out.iter_mut().zip(brow) {
                    *o += x * y;
                }
            }
        }
    }
    Ok(Tensor {
        shape: vec![m, n],
        data,
    })
}

/// `.T`: a 2-D tensor transposed; 0-D and 1-D tensors unchanged, as PyTorch returns them.
pub(crate) fn transpose(budget: &mut Budget, t: &Tensor) -> Result<Tensor, ErrorKind> {
    budget.charge(".T", t.len() as u128, 0)?;
    let [r, c] = t.shape[..] else {
        return Ok(t.clone());
    };
    let mut data = Vec::with_capacity(r * c);
    for j in 0..c {
        for i in 0..r {
            data.push(t.data.get(i * c + j).copied().unwrap_or(f64::NAN));
        }
    }
    Ok(Tensor {
        shape: vec![c, r],
        data,
    })
}

/// A dimension in PyTorch's range `-rank..rank` (a 0-D tensor accepts 0 and -1), made non-negative.
pub(crate) fn normalize_dim(dim: i64, rank: usize) -> Option<usize> {
    let r = rank.max(1) as i64;
    (-r..r).contains(&dim).then(|| dim.rem_euclid(r) as usize)
}

/// The lanes along `dim` (already normalised): how many, each's length, the step between a lane's
/// elements, and each lane's first index.
fn lanes(t: &Tensor, dim: usize) -> (usize, usize, usize, impl Fn(usize) -> usize) {
    let (r, c) = t.dims2();
    if t.rank() == 2 && dim == 0 {
        (c, r, c, Box::new(|k| k) as Box<dyn Fn(usize) -> usize>)
    } else {
        (
            r,
            c,
            1,
            Box::new(move |k| k * c) as Box<dyn Fn(usize) -> usize>,
        )
    }
}

/// `sum` (or `mean` when `mean`) over `dim` (`None`: everything, giving a 0-D tensor), dropping the
/// dimension unless `keepdim`, as `torch.sum`.
pub(crate) fn reduce(
    budget: &mut Budget,
    op: &'static str,
    t: &Tensor,
    dim: Option<usize>,
    keepdim: bool,
    mean: bool,
) -> Result<Tensor, ErrorKind> {
    let finish = |s: f64, n: usize| if mean { s / n as f64 } else { s };
    let Some(dim) = dim else {
        budget.charge(op, 1, t.len() as u128)?;
        let shape = if keepdim { vec![1; t.rank()] } else { vec![] };
        let data = vec![finish(t.data.iter().sum(), t.len())];
        return Ok(Tensor { shape, data });
    };
    let (count, len, step, first) = lanes(t, dim);
    budget.charge(op, count as u128, t.len() as u128)?;
    let data = (0..count)
        .map(|k| {
            let s = (0..len)
                .map(|i| t.data.get(first(k) + i * step).copied().unwrap_or(f64::NAN))
                .sum();
            finish(s, len)
        })
        .collect();
    let mut shape = t.shape.clone();
    if dim < shape.len() {
        if keepdim {
            shape[dim] = 1;
        } else {
            shape.remove(dim);
        }
    }
    Ok(Tensor { shape, data })
}

/// Softmax along `dim` (normalised), shifted by each lane's maximum so large logits do not overflow.
pub(crate) fn softmax(budget: &mut Budget, t: &Tensor, dim: usize) -> Result<Tensor, ErrorKind> {
    budget.charge("softmax", t.len() as u128, 3 * t.len() as u128)?;
    let (count, len, step, first) = lanes(t, dim);
    let mut out = t.clone();
    for k in 0..count {
        let idx = |i: usize| first(k) + i * step;
        let max = (0..len)
            .filter_map(|i| t.data.get(idx(i)))
            .fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let mut total = 0.0;
        for i in 0..len {
            if let Some(o) = out.data.get_mut(idx(i)) {
                *o = (*o - max).exp();
                total += *o;
            }
        }
        for i in 0..len {
            if let Some(o) = out.data.get_mut(idx(i)) {
                *o /= total;
            }
        }
    }
    Ok(out)
}

/// One-hot rows of `classes` columns for labels of rank 0 or 1 (`F.one_hot`).
pub(crate) fn onehot(budget: &mut Budget, y: &Tensor, classes: usize) -> Result<Tensor, ErrorKind> {
    if y.rank() > 1 {
        return Err(ErrorKind::OnehotRank {
            shape: y.shape.clone(),
        });
    }
    budget.charge("onehot", y.len() as u128 * classes as u128, 0)?;
    let mut data = vec![0.0; y.len() * classes];
    for (row, &label) in y.data.iter().enumerate() {
        let ok = label.fract() == 0.0 && label >= 0.0 && label < classes as f64;
        if !ok {
            return Err(ErrorKind::LabelOutOfRange {
                value: label,
                classes,
            });
        }
        if let Some(v) = data.get_mut(row * classes + label as usize) {
            *v = 1.0;
        }
    }
    let mut shape = y.shape.clone();
    shape.push(classes);
    Ok(Tensor { shape, data })
}
