//! Splits a line into tokens, each with its span in characters.

use super::error::{ByHandError, ErrorKind, Span};

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A name: letters, digits and `_`, not starting with a digit.
    Ident(String),
    /// A number literal.
    Num(f64),
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `**`
    Power,
    /// `/`
    Slash,
    /// `@`
    At,
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `=`
    Assign,
    /// `>`, `<`, `>=`, `<=`, `==`, `!=`
    Cmp(&'static str),
    /// After the last token.
    End,
}

impl Tok {
    /// The token as written, for "found …" in messages (`None` for the end of the line).
    pub(crate) fn text(&self) -> Option<String> {
        Some(match self {
            Tok::Ident(s) => s.clone(),
            Tok::Num(v) => v.to_string(),
            Tok::Plus => "+".into(),
            Tok::Minus => "-".into(),
            Tok::Star => "*".into(),
            Tok::Power => "**".into(),
            Tok::Slash => "/".into(),
            Tok::At => "@".into(),
            Tok::Dot => ".".into(),
            Tok::Comma => ",".into(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Assign => "=".into(),
            Tok::Cmp(op) => (*op).into(),
            Tok::End => return None,
        })
    }
}

/// The tokens of `src` (the last one [`Tok::End`]), or the first character that is no token.
pub(crate) fn lex(src: &str) -> Result<Vec<(Tok, Span)>, ByHandError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        let next = chars.get(i + 1).copied();
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    i += 1;
                }
                out.push((Tok::Ident(chars[start..i].iter().collect()), span(start, i)));
                continue;
            }
            c if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
                i = number_end(&chars, i);
                let text: String = chars[start..i].iter().collect();
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() => {
                        out.push((Tok::Num(v), span(start, i)));
                        continue;
                    }
                    _ => {
                        return Err(ByHandError::new(
                            span(start, i),
                            ErrorKind::BadNumber { text },
                        ));
                    }
                }
            }
            '*' if next == Some('*') => Tok::Power,
            '>' | '<' | '=' | '!' if next == Some('=') => Tok::Cmp(match c {
                '>' => ">=",
                '<' => "<=",
                '=' => "==",
                _ => "!=",
            }),
            '>' => Tok::Cmp(">"),
            '<' => Tok::Cmp("<"),
            '=' => Tok::Assign,
            '+' => Tok::Plus,
            '-' => Tok::Minus,
            '*' => Tok::Star,
            '/' => Tok::Slash,
            '@' => Tok::At,
            '.' => Tok::Dot,
            ',' => Tok::Comma,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            found => {
                return Err(ByHandError::new(
                    span(start, start + 1),
                    ErrorKind::UnexpectedChar { found },
                ));
            }
        };
        i += match tok {
            Tok::Power | Tok::Cmp(">=" | "<=" | "==" | "!=") => 2,
            _ => 1,
        };
        out.push((tok, span(start, i)));
    }
    out.push((Tok::End, span(chars.len(), chars.len())));
    Ok(out)
}

fn span(start: usize, end: usize) -> Span {
    Span { start, end }
}

/// The end of the number starting at `i`: digits, an optional fraction, an optional exponent. A `.`
/// followed by a letter is left alone, so `2.T` reads as `2` `.T` (an exponent needs a digit after it,
/// else `1e` is read whole and refused as a bad number).
fn number_end(chars: &[char], mut i: usize) -> usize {
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    while digit(i) {
        i += 1;
    }
    if chars.get(i) == Some(&'.') && !chars.get(i + 1).is_some_and(|c| c.is_alphabetic()) {
        i += 1;
        while digit(i) {
            i += 1;
        }
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        i += 1;
        if matches!(chars.get(i), Some('+' | '-')) {
            i += 1;
        }
        while digit(i) {
            i += 1;
        }
    }
    i
}
