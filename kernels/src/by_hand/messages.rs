//! The English and Chinese text of every error.

use super::error::{ArgRole, ByHandError, ErrorKind, Expected, Lang};
use super::tensor::shape_text;

impl ByHandError {
    /// The message without its position.
    pub fn detail(&self, lang: Lang) -> String {
        use ErrorKind as K;
        let en = lang == Lang::En;
        match &self.kind {
            K::LineTooLong { .. }
            | K::UnexpectedChar { .. }
            | K::BadNumber { .. }
            | K::Syntax { .. } => source_detail(&self.kind, en),
            K::UnknownName { .. } | K::UnknownFunction { .. } => name_detail(&self.kind, en),
            K::Broadcast { .. }
            | K::MatmulInner { .. }
            | K::MatmulRank { .. }
            | K::OnehotRank { .. } => shape_detail(&self.kind, en),
            K::Arity { .. }
            | K::UnknownKeyword { .. }
            | K::DuplicateArgument { .. }
            | K::DimOutOfRange { .. }
            | K::NotAnInteger { .. }
            | K::LabelOutOfRange { .. } => argument_detail(&self.kind, en),
            K::TooManyNodes { .. }
            | K::TooDeep { .. }
            | K::TooLarge { .. }
            | K::TooCostly { .. }
            | K::TooMuchMemory { .. } => limit_detail(&self.kind, en),
        }
    }
}

/// The errors in reading the line: its length, its characters, its numbers and its grammar.
fn source_detail(kind: &ErrorKind, en: bool) -> String {
    use ErrorKind as K;
    match kind {
        K::LineTooLong { chars, max } => pick(
            en,
            format!("the line is {chars} characters long; at most {max} are allowed"),
            format!("这一行有 {chars} 个字符，最多允许 {max} 个"),
        ),
        K::UnexpectedChar { found } => {
            // Full-width punctuation from a Chinese input method is the likeliest culprit.
            let ascii = full_width_to_ascii(*found);
            match (en, ascii) {
                (true, Some(a)) => {
                    format!("'{found}' is a full-width character; type the ASCII '{a}' instead")
                }
                (true, None) => format!("'{found}' is not part of the language"),
                (false, Some(a)) => format!("'{found}' 是全角字符，请改用半角的 '{a}'"),
                (false, None) => format!("无法识别的字符 '{found}'"),
            }
        }
        K::BadNumber { text } => pick(
            en,
            format!("'{text}' is not a valid finite number"),
            format!("'{text}' 不是有效的有限数字"),
        ),
        K::Syntax { expected, found } => {
            let found = match found {
                Some(t) => format!("'{t}'"),
                None => pick(en, "the end of the line".into(), "行尾".into()),
            };
            pick(
                en,
                format!("expected {}, found {found}", expected_text(*expected, en)),
                format!("此处应为{}，却是{found}", expected_text(*expected, en)),
            )
        }
        _ => unreachable!("source_detail is only called for its own family"),
    }
}

/// The errors naming a variable or function that does not exist.
fn name_detail(kind: &ErrorKind, en: bool) -> String {
    use ErrorKind as K;
    match kind {
        K::UnknownName { name, suggestion } => {
            let base = pick(
                en,
                format!("'{name}' is not defined"),
                format!("未定义的名称 '{name}'"),
            );
            base + &suggest(en, suggestion.as_deref())
        }
        K::UnknownFunction { name, suggestion } => {
            let list = "softmax, onehot, sum, mean, exp, log, tanh, relu";
            let base = pick(
                en,
                format!("there is no function '{name}' (there are {list})"),
                format!("没有名为 '{name}' 的函数（可用的有 {list}）"),
            );
            base + &suggest(en, suggestion.as_deref())
        }
        _ => unreachable!("name_detail is only called for its own family"),
    }
}

/// The errors of tensor shapes that do not fit together.
fn shape_detail(kind: &ErrorKind, en: bool) -> String {
    use ErrorKind as K;
    match kind {
        K::Broadcast { op, left, right } => {
            let (l, r) = (shape_text(left), shape_text(right));
            pick(
                en,
                format!("'{op}' cannot broadcast {l} with {r}"),
                format!("'{op}' 无法把 {l} 与 {r} 广播到同一形状"),
            )
        }
        K::MatmulInner { left, right } => {
            let (l, r) = (shape_text(left), shape_text(right));
            pick(
                en,
                format!("@ needs the inner sizes equal: {l} @ {r}"),
                format!("@ 要求内侧的两个维度相等：{l} @ {r}"),
            )
        }
        K::MatmulRank { left, right } => {
            let (l, r) = (shape_text(left), shape_text(right));
            pick(
                en,
                format!("@ needs two 2-D tensors: {l} @ {r}"),
                format!("@ 需要两个二维张量：{l} @ {r}"),
            )
        }
        K::OnehotRank { shape } => {
            let s = shape_text(shape);
            pick(
                en,
                format!("onehot() takes labels of at most one dimension, not {s}"),
                format!("onehot() 的标签最多只能是一维的，而这里是 {s}"),
            )
        }
        _ => unreachable!("shape_detail is only called for its own family"),
    }
}

/// The errors in a function call's arguments: their number, names and values.
fn argument_detail(kind: &ErrorKind, en: bool) -> String {
    use ErrorKind as K;
    match kind {
        K::Arity {
            function,
            expected,
            got,
        } => pick(
            en,
            format!("{function}() takes {expected} argument(s); {got} given"),
            format!("{function}() 需要 {expected} 个参数，这里给了 {got} 个"),
        ),
        K::UnknownKeyword { function, name } => pick(
            en,
            format!("{function}() has no argument named '{name}'"),
            format!("{function}() 没有名为 '{name}' 的参数"),
        ),
        K::DuplicateArgument { function, name } => pick(
            en,
            format!("{function}() got the argument '{name}' twice"),
            format!("{function}() 的参数 '{name}' 给了两次"),
        ),
        K::DimOutOfRange {
            function,
            dim,
            rank,
        } => {
            let r = (*rank).max(1);
            let (lo, hi) = (-(r as i64), r as i64 - 1);
            pick(
                en,
                format!(
                    "{function}(): dim {dim} is out of range for a {rank}-D tensor (use {lo} to {hi})"
                ),
                format!("{function}()：维度 {dim} 超出了 {rank} 维张量的范围（应为 {lo} 到 {hi}）"),
            )
        }
        K::NotAnInteger {
            function,
            role,
            found,
        } => {
            let what = match (role, en) {
                (ArgRole::Dim, true) => "the dim",
                (ArgRole::Dim, false) => "维度",
                (ArgRole::Classes, true) => "the number of classes",
                (ArgRole::Classes, false) => "类别数",
                (ArgRole::Keepdim, true) => "keepdim",
                (ArgRole::Keepdim, false) => "keepdim ",
            };
            pick(
                en,
                format!("{function}(): {what} must be one whole number, not {found}"),
                format!("{function}()：{what}必须是单个整数，而不是 {found}"),
            )
        }
        K::LabelOutOfRange { value, classes } => pick(
            en,
            format!(
                "onehot(): label {value} is not a whole number from 0 to {}",
                classes.saturating_sub(1)
            ),
            format!(
                "onehot()：标签 {value} 不是 0 到 {} 之间的整数",
                classes.saturating_sub(1)
            ),
        ),
        _ => unreachable!("argument_detail is only called for its own family"),
    }
}

/// The errors of a line that exceeds a size, depth, cost or memory limit.
fn limit_detail(kind: &ErrorKind, en: bool) -> String {
    use ErrorKind as K;
    match kind {
        K::TooManyNodes { max } => pick(
            en,
            format!("the expression has more than {max} parts; shorten it"),
            format!("表达式超过了 {max} 个部分，请把它写得更短一些"),
        ),
        K::TooDeep { max } => pick(
            en,
            format!("the expression is nested more than {max} levels deep"),
            format!("表达式的嵌套超过了 {max} 层"),
        ),
        K::TooLarge { op, elements, max } => pick(
            en,
            format!("{op} would make a tensor of {elements} elements; at most {max} are allowed"),
            format!("{op} 会得到一个有 {elements} 个元素的张量，最多允许 {max} 个"),
        ),
        K::TooCostly { max } => pick(
            en,
            format!("this line needs more than {max} multiply-adds"),
            format!("这一行需要超过 {max} 次乘加运算"),
        ),
        K::TooMuchMemory { max } => pick(
            en,
            format!("this line's intermediate results hold more than {max} elements in all"),
            format!("这一行的中间结果合计超过 {max} 个元素"),
        ),
        _ => unreachable!("limit_detail is only called for its own family"),
    }
}

fn pick(en: bool, english: String, chinese: String) -> String {
    if en { english } else { chinese }
}

fn suggest(en: bool, suggestion: Option<&str>) -> String {
    match (suggestion, en) {
        (None, _) => String::new(),
        (Some(s), true) => format!("; did you mean '{s}'?"),
        (Some(s), false) => format!("；你是不是想写 '{s}'？"),
    }
}

fn expected_text(e: Expected, en: bool) -> &'static str {
    match (e, en) {
        (Expected::Expression, true) => "an expression (a name, a number, '(' or '-')",
        (Expected::Expression, false) => "表达式（名称、数字、'(' 或 '-'）",
        (Expected::Target, true) => "the name to assign, as in 'dz2 = …'",
        (Expected::Target, false) => "要赋值的名称（如 'dz2 = …'）",
        (Expected::Equals, true) => "'=' after the name",
        (Expected::Equals, false) => "名称后的 '='",
        (Expected::CloseParen, true) => "')'",
        (Expected::CloseParen, false) => " ')'",
        (Expected::CommaOrClose, true) => "',' or ')'",
        (Expected::CommaOrClose, false) => " ',' 或 ')'",
        (Expected::Transpose, true) => "'T' after '.' (.T is the only attribute)",
        (Expected::Transpose, false) => " '.' 之后的 'T'（只支持 .T）",
        (Expected::EndOfLine, true) => "the end of the line",
        (Expected::EndOfLine, false) => "行尾",
    }
}

/// The ASCII character a full-width form (U+FF01–U+FF5E, the ideographic space, Chinese quotes and
/// brackets) stands for.
fn full_width_to_ascii(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFF01 + 0x21),
        '\u{3000}' => Some(' '),
        '。' => Some('.'),
        '×' => Some('*'),
        '−' | '—' => Some('-'),
        _ => None,
    }
}
