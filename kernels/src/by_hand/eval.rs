//! Evaluates a parsed expression against an [`Env`], charging every operation to the line's budget.

use std::borrow::Cow;

use super::Env;
use super::error::{ArgRole, ByHandError, ErrorKind, Span, closest};
use super::parse::{BinOp, Expr, Node};
use super::tensor::{
    Budget, Tensor, map, matmul, normalize_dim, onehot, reduce, softmax, transpose, zip,
};

/// The functions, for suggestions.
pub(crate) const FUNCTIONS: [&str; 8] = [
    "softmax", "onehot", "sum", "mean", "exp", "log", "tanh", "relu",
];

/// A function's canonical name and its parameters in order (`one_hot` is PyTorch's spelling).
fn signature(name: &str) -> Option<(&'static str, &'static [&'static str], usize)> {
    // (name, parameter names, how many are required)
    Some(match name {
        "softmax" => ("softmax", &["input", "dim"], 2),
        "onehot" | "one_hot" => ("onehot", &["input", "num_classes"], 2),
        "sum" => ("sum", &["input", "dim", "keepdim"], 1),
        "mean" => ("mean", &["input", "dim", "keepdim"], 1),
        "exp" => ("exp", &["input"], 1),
        "log" => ("log", &["input"], 1),
        "tanh" => ("tanh", &["input"], 1),
        "relu" => ("relu", &["input"], 1),
        _ => return None,
    })
}

pub(crate) struct Evaluator<'a> {
    pub(crate) env: &'a Env,
    pub(crate) budget: Budget,
}

/// An operation's result, owned, with its error placed at `span`.
fn at<'a>(span: Span, r: Result<Tensor, ErrorKind>) -> Result<Cow<'a, Tensor>, ByHandError> {
    r.map(Cow::Owned)
        .map_err(|kind| ByHandError::new(span, kind))
}

impl<'a> Evaluator<'a> {
    /// The value of `node`. Names are borrowed from the environment, not copied, so a line that names a
    /// large tensor many times costs no memory for it.
    pub(crate) fn eval(&mut self, node: &Node) -> Result<Cow<'a, Tensor>, ByHandError> {
        let span = node.span;
        match &node.expr {
            Expr::Num(v) => Ok(Cow::Owned(Tensor::scalar(*v))),
            Expr::Name(name) => self.lookup(name, span),
            Expr::Neg(inner) => {
                let t = self.eval(inner)?;
                at(span, map(&mut self.budget, "-", &t, |v| -v))
            }
            Expr::Transpose(inner) => {
                let t = self.eval(inner)?;
                at(span, transpose(&mut self.budget, &t))
            }
            Expr::Bin(op, l, r) => {
                let (a, b) = (self.eval(l)?, self.eval(r)?);
                let b_ = &mut self.budget;
                let sym = op.symbol();
                let result = match op {
                    BinOp::Add => zip(b_, sym, &a, &b, |x, y| x + y),
                    BinOp::Sub => zip(b_, sym, &a, &b, |x, y| x - y),
                    BinOp::Mul => zip(b_, sym, &a, &b, |x, y| x * y),
                    BinOp::Div => zip(b_, sym, &a, &b, |x, y| x / y),
                    BinOp::Pow => zip(b_, sym, &a, &b, f64::powf),
                    BinOp::MatMul => matmul(b_, &a, &b),
                    BinOp::Cmp(c) => {
                        let test: fn(f64, f64) -> bool = match *c {
                            ">" => |x, y| x > y,
                            "<" => |x, y| x < y,
                            ">=" => |x, y| x >= y,
                            "<=" => |x, y| x <= y,
                            "==" => |x, y| x == y,
                            _ => |x, y| x != y,
                        };
                        zip(b_, sym, &a, &b, |x, y| f64::from(u8::from(test(x, y))))
                    }
                };
                at(span, result)
            }
            Expr::Call {
                name,
                args,
                keywords,
            } => self.call(name, args, keywords, span),
        }
    }

    fn lookup(&self, name: &str, span: Span) -> Result<Cow<'a, Tensor>, ByHandError> {
        if let Some(t) = self.env.get(name) {
            return Ok(Cow::Borrowed(t));
        }
        // Python's booleans, for `keepdim=True`, unless the environment defines them.
        match name {
            "True" => return Ok(Cow::Owned(Tensor::scalar(1.0))),
            "False" => return Ok(Cow::Owned(Tensor::scalar(0.0))),
            _ => {}
        }
        Err(ByHandError::new(
            span,
            ErrorKind::UnknownName {
                name: name.to_string(),
                suggestion: closest(name, self.env.names()),
            },
        ))
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Node],
        keywords: &[(String, Span, Node)],
        span: Span,
    ) -> Result<Cow<'a, Tensor>, ByHandError> {
        let Some((function, params, required)) = signature(name) else {
            return Err(ByHandError::new(
                span,
                ErrorKind::UnknownFunction {
                    name: name.to_string(),
                    suggestion: closest(name, FUNCTIONS),
                },
            ));
        };
        let arity = || match params.len() {
            1 => "1",
            2 => "2",
            _ => "1 to 3",
        };
        let given = args.len() + keywords.len();
        if args.len() > params.len() {
            return Err(ByHandError::new(
                span,
                ErrorKind::Arity {
                    function,
                    expected: arity(),
                    got: given,
                },
            ));
        }
        // Each parameter's node, by position then by keyword.
        let mut slots: Vec<Option<&Node>> = vec![None; params.len()];
        for (slot, arg) in slots.iter_mut().zip(args) {
            *slot = Some(arg);
        }
        for (key, key_span, value) in keywords {
            let Some(i) = params.iter().position(|p| p == key) else {
                return Err(ByHandError::new(
                    *key_span,
                    ErrorKind::UnknownKeyword {
                        function,
                        name: key.clone(),
                    },
                ));
            };
            match slots.get_mut(i) {
                Some(slot @ None) => *slot = Some(value),
                _ => {
                    return Err(ByHandError::new(
                        *key_span,
                        ErrorKind::DuplicateArgument {
                            function,
                            name: params.get(i).copied().unwrap_or("input"),
                        },
                    ));
                }
            }
        }
        if slots.iter().take(required).any(Option::is_none) {
            return Err(ByHandError::new(
                span,
                ErrorKind::Arity {
                    function,
                    expected: arity(),
                    got: given,
                },
            ));
        }
        let mut values = Vec::with_capacity(slots.len());
        for slot in &slots {
            values.push(match slot {
                Some(node) => Some((self.eval(node)?, node.span)),
                None => None,
            });
        }
        let mut values = values.into_iter();
        let Some(Some((input, _))) = values.next() else {
            return Err(ByHandError::new(
                span,
                ErrorKind::Arity {
                    function,
                    expected: arity(),
                    got: given,
                },
            ));
        };
        let second = values.next().flatten();
        let third = values.next().flatten();
        let integer = |arg: &(Cow<Tensor>, Span), role| {
            arg.0.as_integer().ok_or_else(|| {
                ByHandError::new(
                    arg.1,
                    ErrorKind::NotAnInteger {
                        function,
                        role,
                        found: arg.0.describe(),
                    },
                )
            })
        };
        let dim = |arg: &(Cow<Tensor>, Span)| {
            let d = integer(arg, ArgRole::Dim)?;
            normalize_dim(d, input.rank()).ok_or_else(|| {
                ByHandError::new(
                    arg.1,
                    ErrorKind::DimOutOfRange {
                        function,
                        dim: d,
                        rank: input.rank(),
                    },
                )
            })
        };
        let b = &mut self.budget;
        let result = match function {
            "softmax" => {
                let d = second.as_ref().map(dim).transpose()?.unwrap_or(0);
                softmax(b, &input, d)
            }
            "onehot" => {
                let n = match &second {
                    Some(arg) => match integer(arg, ArgRole::Classes)? {
                        n if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
                        _ => {
                            return Err(ByHandError::new(
                                arg.1,
                                ErrorKind::NotAnInteger {
                                    function,
                                    role: ArgRole::Classes,
                                    found: arg.0.describe(),
                                },
                            ));
                        }
                    },
                    None => 0,
                };
                onehot(b, &input, n)
            }
            "sum" | "mean" => {
                let d = second.as_ref().map(dim).transpose()?;
                let keep = match &third {
                    Some(arg) => integer(arg, ArgRole::Keepdim)? != 0,
                    None => false,
                };
                reduce(b, function, &input, d, keep, function == "mean")
            }
            "exp" => map(b, function, &input, f64::exp),
            "log" => map(b, function, &input, f64::ln),
            "tanh" => map(b, function, &input, f64::tanh),
            // NaN stays NaN, as in torch.relu.
            _ => map(b, function, &input, |v| {
                if v > 0.0 || v.is_nan() { v } else { 0.0 }
            }),
        };
        at(span, result)
    }
}
