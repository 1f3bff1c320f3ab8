//! "Backprop by hand": a small PyTorch-flavoured tensor language in which a student writes the
//! backward pass of the article's network one line at a time, the reference gradients it is graded
//! against, and the grader.
//!
//! A line is `name = expr`. Expressions, in Python's precedence from lowest to highest:
//!
//! - comparisons `> < >= <= == !=` (not chained), giving 0/1 tensors (`z1 > 0` is ReLU's mask);
//! - `+ -`, then `* / @` (left-associative, the same level, as in Python);
//! - unary `-` (and `+`), then `**` (right-associative and binding tighter than a unary minus on its
//!   left, so `-h**2` is `-(h**2)`);
//! - postfix `.T` and calls; parentheses; names from the [`Env`]; number literals (`1`, `0.5`, `1e-3`).
//!
//! Element-wise operators broadcast as PyTorch does (shapes aligned at the right, a size 1 stretches).
//! `@` multiplies two 2-D tensors. `.T` transposes a 2-D tensor and, as PyTorch does, returns a 0-D or
//! 1-D tensor unchanged. Functions: `softmax(t, dim)`, `onehot(y, n)` (also `one_hot`, and the
//! `num_classes=` keyword), `sum(t)` / `sum(t, dim)` / `sum(t, dim, keepdim=True)` (the dim is dropped
//! unless `keepdim`, as `torch.sum`), `mean` likewise, `exp`, `log`, `tanh`, `relu`; a `torch.` or `F.`
//! prefix is accepted, as are `dim=` keywords. Dims may be negative. `True` and `False` are 1 and 0.
//! Tensors have rank 0, 1 or 2; labels are tensors of whole numbers.
//!
//! Every line is bounded ([`Limits`]): its length, its syntax tree's size and nesting, each result's
//! elements, all results' elements together, and its multiply-adds. There are no loops. Errors
//! ([`ByHandError`]) carry the span they are about and read in English or Chinese ([`Lang`]).
//!
//! A lesson builds a [`Network`] from the live batch and the weights before the step
//! ([`Network::from_mlp`]), computes its [`reference()`] for a [`Variant`], gives the student
//! [`Network::env`] (`x y W1 b1 W2 b2 z1 h z2 B eps`), evaluates each typed line with [`eval_line`],
//! [`grade`]s the value against [`Reference::gradient`] of the same name, and inserts it into the
//! environment for the next lines. [`answers`] are the correct lines, for hints and tests.

mod error;
#[cfg(test)]
mod error_tests;
mod eval;
mod grade;
mod lex;
mod messages;
mod parse;
mod reference;
#[cfg(test)]
mod reference_tests;
mod tensor;
#[cfg(test)]
mod tests;

pub use error::{ArgRole, ByHandError, ErrorKind, Expected, Lang, Span, caret_line};
pub use grade::{Grade, RELATIVE_FLOOR, TOLERANCE, grade, max_relative_error};
pub use reference::{
    Activation, Answer, GRADIENT_NAMES, Loss, Network, Reference, Variant, answers, exact_loss,
    reference,
};
pub use tensor::{Tensor, shape_text};

/// How much one line may ask for. Every bound is checked before the work or allocation it limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Characters in the line.
    pub max_line_chars: usize,
    /// Nodes of the syntax tree (names, numbers, operators, calls).
    pub max_nodes: usize,
    /// Nesting of parentheses, unary minus signs, exponents and call arguments.
    pub max_depth: usize,
    /// Elements of any one result.
    pub max_elements: usize,
    /// Elements of all the line's results together (its memory).
    pub max_total_elements: usize,
    /// Multiply-adds of the whole line (an element-wise operation counts one per element).
    pub max_madds: u64,
}

impl Limits {
    /// 400 characters, 200 nodes, 40 levels, 4 Mi elements per result and 16 Mi in all (128 MiB of
    /// f64), 256 Mi multiply-adds (well under a second): far above the lesson's 784-32-10 network at
    /// batch 4 (and a 784-512-10 one, whose largest product is 4 × 512 × 784 ≈ 1.6 M multiply-adds).
    pub const DEFAULT: Limits = Limits {
        max_line_chars: 400,
        max_nodes: 200,
        max_depth: 40,
        max_elements: 1 << 22,
        max_total_elements: 1 << 24,
        max_madds: 1 << 28,
    };
}

impl Default for Limits {
    /// [`Limits::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Named tensors, in the order they were defined: what a line may use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Env {
    entries: Vec<(String, Tensor)>,
}

impl Env {
    /// An empty environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines `name`, replacing (in its place) a tensor of the same name.
    pub fn insert(&mut self, name: impl Into<String>, tensor: Tensor) {
        let name = name.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some((_, t)) => *t = tensor,
            None => self.entries.push((name, tensor)),
        }
    }

    /// The tensor named `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// Removes `name`, returning its tensor.
    pub fn remove(&mut self, name: &str) -> Option<Tensor> {
        let i = self.entries.iter().position(|(n, _)| n == name)?;
        Some(self.entries.remove(i).1)
    }

    /// The names, in definition order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// Names and tensors, in definition order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.entries.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// How many names are defined.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is defined.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Evaluates the line `name = expr` with the default [`Limits`]: the name and its value. The caller
/// decides whether to add it to `env` for the next lines ([`Env::insert`]).
pub fn eval_line(src: &str, env: &Env) -> Result<(String, Tensor), ByHandError> {
    eval_line_with(src, env, Limits::default())
}

/// [`eval_line`] with other limits.
pub fn eval_line_with(
    src: &str,
    env: &Env,
    limits: Limits,
) -> Result<(String, Tensor), ByHandError> {
    let line = parse::parse_line(src, limits)?;
    let mut evaluator = eval::Evaluator {
        env,
        budget: tensor::Budget::new(limits),
    };
    Ok((line.name, evaluator.eval(&line.expr)?.into_owned()))
}

/// Evaluates a bare expression (no `name =`), e.g. for a scratch cell.
pub fn eval_expr(src: &str, env: &Env, limits: Limits) -> Result<Tensor, ByHandError> {
    let expr = parse::parse_expr(src, limits)?;
    let mut evaluator = eval::Evaluator {
        env,
        budget: tensor::Budget::new(limits),
    };
    Ok(evaluator.eval(&expr)?.into_owned())
}
