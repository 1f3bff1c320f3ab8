//! Recursive descent with Python's precedence, lowest first:
//!
//! ```text
//! line       = name "=" comparison END
//! comparison = sum [ (">" | "<" | ">=" | "<=" | "==" | "!=") sum ]      (not chained)
//! sum        = term { ("+" | "-") term }                                  (left-assoc)
//! term       = unary { ("*" | "/" | "@") unary }                          (left-assoc)
//! unary      = ("-" | "+") unary | power
//! power      = postfix [ "**" unary ]                                     (so -a**2 = -(a**2))
//! postfix    = primary { "." "T" }
//! primary    = number | name | call | "(" comparison ")"
//! call       = [ ("torch" | "F") "." ] name "(" [ arg { "," arg } ] ")"
//! arg        = [ name "=" ] comparison
//! ```
//!
//! Every cycle of the recursion passes through `unary`, which counts the depth, so no input can overflow
//! the stack; every node is counted, which bounds the tree (and the evaluator's recursion) too.

use super::Limits;
use super::error::{ByHandError, ErrorKind, Expected, Span};
use super::lex::{Tok, lex};

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    MatMul,
    Pow,
    Cmp(&'static str),
}

impl BinOp {
    /// As written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::MatMul => "@",
            BinOp::Pow => "**",
            BinOp::Cmp(op) => op,
        }
    }
}

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    Num(f64),
    Name(String),
    Neg(Box<Node>),
    Transpose(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    Call {
        name: String,
        /// Positional arguments, then keyword ones with their names and spans.
        args: Vec<Node>,
        keywords: Vec<(String, Span, Node)>,
    },
}

/// An expression with the characters it covers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) expr: Expr,
    pub(crate) span: Span,
}

/// A parsed line: `name = expr`.
pub(crate) struct Line {
    pub(crate) name: String,
    pub(crate) expr: Node,
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    nodes: usize,
    depth: usize,
    limits: Limits,
}

/// Parses `name = expr`.
pub(crate) fn parse_line(src: &str, limits: Limits) -> Result<Line, ByHandError> {
    let mut p = Parser::new(src, limits)?;
    let Tok::Ident(name) = p.peek().clone() else {
        return Err(p.unexpected(Expected::Target));
    };
    p.pos += 1;
    if *p.peek() != Tok::Assign {
        return Err(p.unexpected(Expected::Equals));
    }
    p.pos += 1;
    let expr = p.comparison()?;
    p.finish()?;
    Ok(Line { name, expr })
}

/// Parses a bare expression (no `name =`).
pub(crate) fn parse_expr(src: &str, limits: Limits) -> Result<Node, ByHandError> {
    let mut p = Parser::new(src, limits)?;
    let expr = p.comparison()?;
    p.finish()?;
    Ok(expr)
}

impl Parser {
    fn new(src: &str, limits: Limits) -> Result<Self, ByHandError> {
        let chars = src.chars().count();
        if chars > limits.max_line_chars {
            return Err(ByHandError::new(
                Span {
                    start: limits.max_line_chars,
                    end: chars,
                },
                ErrorKind::LineTooLong {
                    chars,
                    max: limits.max_line_chars,
                },
            ));
        }
        Ok(Self {
            toks: lex(src)?,
            pos: 0,
            nodes: 0,
            depth: 0,
            limits,
        })
    }

    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::End, |(t, _)| t)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.toks
            .get(self.pos + ahead)
            .map_or(&Tok::End, |(t, _)| t)
    }

    fn span(&self) -> Span {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or(Span::default(), |(_, s)| *s)
    }

    fn unexpected(&self, expected: Expected) -> ByHandError {
        ByHandError::new(
            self.span(),
            ErrorKind::Syntax {
                expected,
                found: self.peek().text(),
            },
        )
    }

    fn finish(&self) -> Result<(), ByHandError> {
        match self.peek() {
            Tok::End => Ok(()),
            _ => Err(self.unexpected(Expected::EndOfLine)),
        }
    }

    fn expect(&mut self, tok: &Tok, expected: Expected) -> Result<Span, ByHandError> {
        if self.peek() == tok {
            let s = self.span();
            self.pos += 1;
            Ok(s)
        } else {
            Err(self.unexpected(expected))
        }
    }

    /// A node, counted against the limit.
    fn node(&mut self, expr: Expr, span: Span) -> Result<Node, ByHandError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(ByHandError::new(
                span,
                ErrorKind::TooManyNodes {
                    max: self.limits.max_nodes,
                },
            ));
        }
        Ok(Node { expr, span })
    }

    fn bin(&mut self, op: BinOp, l: Node, r: Node) -> Result<Node, ByHandError> {
        let span = l.span.to(r.span);
        self.node(Expr::Bin(op, Box::new(l), Box::new(r)), span)
    }

    fn comparison(&mut self) -> Result<Node, ByHandError> {
        let left = self.sum()?;
        if let Tok::Cmp(op) = *self.peek() {
            self.pos += 1;
            let right = self.sum()?;
            return self.bin(BinOp::Cmp(op), left, right);
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<Node, ByHandError> {
        let mut left = self.term()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.term()?;
            left = self.bin(op, left, right)?;
        }
    }

    fn term(&mut self) -> Result<Node, ByHandError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::At => BinOp::MatMul,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.unary()?;
            left = self.bin(op, left, right)?;
        }
    }

    fn unary(&mut self) -> Result<Node, ByHandError> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(ByHandError::new(
                self.span(),
                ErrorKind::TooDeep {
                    max: self.limits.max_depth,
                },
            ));
        }
        let result = self.unary_inner();
        self.depth -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<Node, ByHandError> {
        let start = self.span();
        match self.peek() {
            Tok::Minus => {
                self.pos += 1;
                let inner = self.unary()?;
                let span = start.to(inner.span);
                self.node(Expr::Neg(Box::new(inner)), span)
            }
            Tok::Plus => {
                self.pos += 1;
                self.unary()
            }
            _ => {
                let base = self.postfix()?;
                if *self.peek() == Tok::Power {
                    self.pos += 1;
                    let exponent = self.unary()?;
                    return self.bin(BinOp::Pow, base, exponent);
                }
                Ok(base)
            }
        }
    }

    fn postfix(&mut self) -> Result<Node, ByHandError> {
        let mut node = self.primary()?;
        while *self.peek() == Tok::Dot {
            self.pos += 1;
            let end = self.expect(&Tok::Ident("T".into()), Expected::Transpose)?;
            let span = node.span.to(end);
            node = self.node(Expr::Transpose(Box::new(node)), span)?;
        }
        Ok(node)
    }

    fn primary(&mut self) -> Result<Node, ByHandError> {
        let start = self.span();
        match self.peek().clone() {
            Tok::Num(v) => {
                self.pos += 1;
                self.node(Expr::Num(v), start)
            }
            Tok::LParen => {
                self.pos += 1;
                let inner = self.comparison()?;
                let end = self.expect(&Tok::RParen, Expected::CloseParen)?;
                // The parenthesis is kept in the span, so errors point at what the student grouped.
                Ok(Node {
                    span: start.to(end),
                    ..inner
                })
            }
            Tok::Ident(name) => {
                self.pos += 1;
                // `torch.softmax(…)` and `F.softmax(…)` are the same calls.
                let module = matches!(name.as_str(), "torch" | "F")
                    && *self.peek() == Tok::Dot
                    && matches!(self.peek_at(1), Tok::Ident(n) if n != "T")
                    && *self.peek_at(2) == Tok::LParen;
                let name = if module {
                    self.pos += 1;
                    let Tok::Ident(f) = self.peek().clone() else {
                        return Err(self.unexpected(Expected::Expression));
                    };
                    self.pos += 1;
                    f
                } else {
                    name
                };
                if *self.peek() == Tok::LParen {
                    self.pos += 1;
                    return self.call(name, start);
                }
                self.node(Expr::Name(name), start)
            }
            _ => Err(self.unexpected(Expected::Expression)),
        }
    }

    fn call(&mut self, name: String, start: Span) -> Result<Node, ByHandError> {
        let mut args = Vec::new();
        let mut keywords = Vec::new();
        if *self.peek() != Tok::RParen {
            loop {
                if let (Tok::Ident(key), Tok::Assign) = (self.peek().clone(), self.peek_at(1)) {
                    let key_span = self.span();
                    self.pos += 2;
                    let value = self.comparison()?;
                    keywords.push((key, key_span, value));
                } else {
                    args.push(self.comparison()?);
                }
                match self.peek() {
                    Tok::Comma => self.pos += 1,
                    _ => break,
                }
                // Python allows a trailing comma.
                if *self.peek() == Tok::RParen {
                    break;
                }
            }
        }
        let end = self.expect(&Tok::RParen, Expected::CommaOrClose)?;
        self.node(
            Expr::Call {
                name,
                args,
                keywords,
            },
            start.to(end),
        )
    }
}
