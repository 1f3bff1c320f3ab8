//! The language's errors: what went wrong, where (a span of characters), in English and Chinese, and a
//! caret line that points at the spot.

use thiserror::Error;

/// The language of a message (the app's `ui::i18n::Lang` maps onto it one to one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

/// Characters `start..end` of the line, counted in Unicode scalar values from 0 (what a person sees,
/// not UTF-8 bytes). Messages name `start + 1`, the way an editor counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// First character.
    pub start: usize,
    /// One past the last character (equal to `start` at the end of the line).
    pub end: usize,
}

impl Span {
    /// The span from `self`'s start to `other`'s end.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end.max(self.start),
        }
    }
}

/// A line's error: its kind and the characters it is about.
#[derive(Clone, Debug, PartialEq, Error)]
#[error("{}", self.message(Lang::En))]
pub struct ByHandError {
    /// Where in the line.
    pub span: Span,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What the parser wanted where it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A name, a number, `(`, `-` or a call.
    Expression,
    /// The name a line assigns (`dz2 = …`).
    Target,
    /// `=` after the name.
    Equals,
    /// `)` closing a parenthesis or a call.
    CloseParen,
    /// `,` or `)` in a call's arguments.
    CommaOrClose,
    /// `T` after `.` (the only attribute).
    Transpose,
    /// Nothing more.
    EndOfLine,
}

/// A named argument of a function, for messages about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgRole {
    /// The dimension of `softmax`, `sum`, `mean`.
    Dim,
    /// `onehot`'s class count.
    Classes,
    /// `keepdim` of `sum`, `mean`.
    Keepdim,
}

/// The kinds of error, each with what a message needs. Shapes are PyTorch's `[rows, cols]` order.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorKind {
    /// The line is longer than the limit.
    LineTooLong {
        /// Characters in the line.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A character that is no part of the language.
    UnexpectedChar {
        /// The character.
        found: char,
    },
    /// A number literal that does not parse or is not finite (`1e`, `1e999`).
    BadNumber {
        /// The literal as written.
        text: String,
    },
    /// The parser expected something else.
    Syntax {
        /// What it expected.
        expected: Expected,
        /// What it found, as written (`None`: the end of the line).
        found: Option<String>,
    },
    /// A name not defined (yet) in the environment.
    UnknownName {
        /// The name.
        name: String,
        /// The closest defined name, if one is close.
        suggestion: Option<String>,
    },
    /// A call of a function that does not exist.
    UnknownFunction {
        /// The name called.
        name: String,
        /// The closest function, if one is close.
        suggestion: Option<String>,
    },
    /// An element-wise operation whose shapes do not broadcast.
    Broadcast {
        /// The operator (`+`, `*`, `>`, …).
        op: &'static str,
        /// Left shape.
        left: Vec<usize>,
        /// Right shape.
        right: Vec<usize>,
    },
    /// `@` whose inner sizes differ.
    MatmulInner {
        /// Left shape.
        left: Vec<usize>,
        /// Right shape.
        right: Vec<usize>,
    },
    /// `@` with an operand that is not 2-D.
    MatmulRank {
        /// Left shape.
        left: Vec<usize>,
        /// Right shape.
        right: Vec<usize>,
    },
    /// Too few or too many arguments.
    Arity {
        /// The function.
        function: &'static str,
        /// How many it takes, in words (`"1"`, `"1 to 3"`).
        expected: &'static str,
        /// How many were given.
        got: usize,
    },
    /// A keyword argument the function does not have.
    UnknownKeyword {
        /// The function.
        function: &'static str,
        /// The keyword.
        name: String,
    },
    /// An argument given both by position and by keyword, or twice by keyword.
    DuplicateArgument {
        /// The function.
        function: &'static str,
        /// The argument's name.
        name: &'static str,
    },
    /// A dimension outside `-rank..rank` (a 0-D tensor counts as 1-D, as in PyTorch).
    DimOutOfRange {
        /// The function.
        function: &'static str,
        /// The dimension given.
        dim: i64,
        /// The tensor's rank.
        rank: usize,
    },
    /// An argument that must be one whole number is not.
    NotAnInteger {
        /// The function.
        function: &'static str,
        /// Which argument.
        role: ArgRole,
        /// What was given: its shape, or its value if it is 0-D.
        found: String,
    },
    /// A label `onehot` cannot encode.
    LabelOutOfRange {
        /// The label.
        value: f64,
        /// The class count.
        classes: usize,
    },
    /// `onehot` of labels with more than one dimension (the result would be 3-D).
    OnehotRank {
        /// The labels' shape.
        shape: Vec<usize>,
    },
    /// More syntax-tree nodes than allowed.
    TooManyNodes {
        /// The limit.
        max: usize,
    },
    /// Parentheses, minus signs or calls nested deeper than allowed.
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// One result with more elements than allowed.
    TooLarge {
        /// The operation.
        op: &'static str,
        /// Elements it would have.
        elements: u128,
        /// The limit.
        max: usize,
    },
    /// More multiply-adds in the line than allowed.
    TooCostly {
        /// The limit.
        max: u64,
    },
    /// More intermediate elements in the line than allowed (memory).
    TooMuchMemory {
        /// The limit.
        max: usize,
    },
}

impl ByHandError {
    /// An error of `kind` about `span`.
    pub fn new(span: Span, kind: ErrorKind) -> Self {
        Self { span, kind }
    }

    /// The full message with its position, e.g. "at character 12: expected ')', found the end of the
    /// line" / "第 12 个字符处：此处应为 ')'，却是行尾".
    pub fn message(&self, lang: Lang) -> String {
        let at = self.span.start + 1;
        let detail = self.detail(lang);
        match (&self.kind, lang) {
            // The whole line is at fault: no position.
            (ErrorKind::LineTooLong { .. }, _) => detail,
            (_, Lang::En) => format!("at character {at}: {detail}"),
            (_, Lang::Zh) => format!("第 {at} 个字符处：{detail}"),
        }
    }

    /// The line and, under it, carets under the error's characters, for a monospace display:
    ///
    /// ```text
    /// dW2 = h.T @ dz2 +
    ///                  ^
    /// ```
    pub fn caret(&self, src: &str) -> String {
        caret_line(src, self.span)
    }
}

/// `src` and a second line with `^` under the characters of `span` (one `^` at the end of the line for an
/// empty span). Wide (CJK) characters before the span count two columns, tabs are kept, so the caret
/// lines up in a monospace font.
pub fn caret_line(src: &str, span: Span) -> String {
    let mut under = String::new();
    let mut carets = 0;
    for (i, c) in src.chars().enumerate() {
        if i >= span.end {
            break;
        }
        let width = if c == '\t' || is_wide(c) { 2 } else { 1 };
        if i < span.start {
            if c == '\t' {
                under.push('\t');
            } else {
                under.extend(std::iter::repeat_n(' ', width));
            }
        } else {
            carets += width;
        }
    }
    let line_chars = src.chars().count();
    if span.start >= line_chars {
        // At the end of the line: pad to it.
        let pad = span.start.saturating_sub(line_chars);
        under.extend(std::iter::repeat_n(' ', pad));
    }
    under.extend(std::iter::repeat_n('^', carets.max(1)));
    format!("{src}\n{under}")
}

/// East Asian wide characters (the common blocks), which take two columns in a monospace font.
fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Levenshtein distance over lower-cased characters (so `w2` is no distance from `W2`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is within a third of the name's length (at least one edit).
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = distance(name, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}
