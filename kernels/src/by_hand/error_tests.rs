//! Every error kind with its position, in both languages, and the bounds: long lines, deep nesting,
//! huge results and products are errors, never a crash.

use super::tests::{env, err};
use super::*;

#[test]
fn function_errors_name_the_argument() {
    let e = err("softmax(m)");
    assert_eq!(
        e.kind,
        ErrorKind::Arity {
            function: "softmax",
            expected: "2",
            got: 1
        }
    );
    assert!(matches!(
        err("exp(m, 1)").kind,
        ErrorKind::Arity { got: 2, .. }
    ));
    assert!(matches!(
        err("sum(m, 0, 1, 2)").kind,
        ErrorKind::Arity { got: 4, .. }
    ));
    let src = "sum(m, 2)";
    let e = err(src);
    assert_eq!(
        e.kind,
        ErrorKind::DimOutOfRange {
            function: "sum",
            dim: 2,
            rank: 2
        }
    );
    assert_eq!(e.span, Span { start: 7, end: 8 });
    assert_eq!(e.caret(src), "sum(m, 2)\n       ^");
    assert!(matches!(
        err("softmax(m, -3)").kind,
        ErrorKind::DimOutOfRange { dim: -3, .. }
    ));
    assert!(matches!(
        err("sum(m, 0.5)").kind,
        ErrorKind::NotAnInteger {
            role: ArgRole::Dim,
            ..
        }
    ));
    assert!(matches!(
        err("sum(m, v)").kind,
        ErrorKind::NotAnInteger { .. }
    ));
    assert!(matches!(
        err("onehot(y, 0)").kind,
        ErrorKind::NotAnInteger {
            role: ArgRole::Classes,
            ..
        }
    ));
    assert_eq!(
        err("onehot(y, 5)").kind,
        ErrorKind::LabelOutOfRange {
            value: 9.0,
            classes: 5
        }
    );
    assert!(matches!(
        err("onehot(m, 10)").kind,
        ErrorKind::OnehotRank { .. }
    ));
    assert!(matches!(
        err("sum(m, axis=0)").kind,
        ErrorKind::UnknownKeyword { .. }
    ));
    assert!(matches!(
        err("sum(m, 0, dim=1)").kind,
        ErrorKind::DuplicateArgument { name: "dim", .. }
    ));
    let e = err("sofmax(m, 1)");
    assert_eq!(
        e.kind,
        ErrorKind::UnknownFunction {
            name: "sofmax".into(),
            suggestion: Some("softmax".into())
        }
    );
    assert!(e.message(Lang::Zh).contains("你是不是想写 'softmax'"));
}

#[test]
fn syntax_errors_say_where_and_what() {
    let src = "softmax(m, 1";
    let e = err(src);
    assert_eq!(
        e.kind,
        ErrorKind::Syntax {
            expected: Expected::CommaOrClose,
            found: None
        }
    );
    assert_eq!(e.span.start, 12);
    assert_eq!(
        e.message(Lang::En),
        "at character 13: expected ',' or ')', found the end of the line"
    );
    assert_eq!(
        e.message(Lang::Zh),
        "第 13 个字符处：此处应为 ',' 或 ')'，却是行尾"
    );
    let e = err("m + * v");
    assert_eq!(e.span.start, 4);
    assert!(
        matches!(e.kind, ErrorKind::Syntax { expected: Expected::Expression, found: Some(ref f) } if f == "*")
    );
    assert!(matches!(
        err("(m + v").kind,
        ErrorKind::Syntax {
            expected: Expected::CloseParen,
            ..
        }
    ));
    assert!(matches!(
        err("m v").kind,
        ErrorKind::Syntax {
            expected: Expected::EndOfLine,
            ..
        }
    ));
    assert!(matches!(
        err("a < b < c").kind,
        ErrorKind::Syntax {
            expected: Expected::EndOfLine,
            ..
        }
    ));
    assert!(matches!(err("1e").kind, ErrorKind::BadNumber { .. }));
    assert!(matches!(err("1e999").kind, ErrorKind::BadNumber { .. }));
    let e = err("m # v");
    assert_eq!(
        (e.kind.clone(), e.span.start),
        (ErrorKind::UnexpectedChar { found: '#' }, 2)
    );
    // A full-width parenthesis from a Chinese input method is named as such.
    let src = "sum（m)";
    let e = err(src);
    assert_eq!(e.span.start, 3);
    assert!(e.message(Lang::En).contains("full-width"));
    assert!(e.message(Lang::Zh).contains("全角"));
    assert_eq!(e.caret(src), "sum（m)\n   ^^");
    let e = eval_line("= m", &env()).unwrap_err();
    assert!(matches!(
        e.kind,
        ErrorKind::Syntax {
            expected: Expected::Target,
            ..
        }
    ));
}

#[test]
fn unknown_names_suggest_the_closest() {
    let e = err("W + 1");
    assert!(
        matches!(e.kind, ErrorKind::UnknownName { ref suggestion, .. } if suggestion.as_deref() == Some("w"))
    );
    let e = err("hhh * 2");
    assert_eq!(e.span, Span { start: 0, end: 3 });
    assert!(e.message(Lang::En).contains("did you mean 'hh'?"));
    assert!(matches!(
        err("zzzzzz").kind,
        ErrorKind::UnknownName {
            suggestion: None,
            ..
        }
    ));
}

#[test]
fn chinese_messages_have_no_space_before_percent_and_name_the_position() {
    for src in [
        "m + m.T",
        "hh @ w",
        "sum(m, 7)",
        "softmax(m)",
        "q",
        "(m",
        "onehot(y, 3)",
    ] {
        let e = err(src);
        let zh = e.message(Lang::Zh);
        assert!(
            zh.starts_with(&format!("第 {} 个字符处：", e.span.start + 1)),
            "{zh}"
        );
        assert!(!zh.contains(" %"), "{zh}");
        assert_ne!(zh, e.message(Lang::En));
    }
}

#[test]
fn bounds_are_errors_not_crashes() {
    let long = format!("x = {}", "1 + ".repeat(100) + "1");
    let e = eval_line(&long, &env()).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::LineTooLong { max: 400, .. }));
    // 10,000 parentheses: refused by depth, not a stack overflow (the length limit lifted to reach it).
    let deep = format!("x = {}a{}", "(".repeat(10_000), ")".repeat(10_000));
    let lifted = Limits {
        max_line_chars: 100_000,
        ..Limits::default()
    };
    let e = eval_line_with(&deep, &env(), lifted).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooDeep { max: 40 });
    let minus = format!("x = {}a", "-".repeat(10_000));
    assert!(matches!(
        eval_line_with(&minus, &env(), lifted).unwrap_err().kind,
        ErrorKind::TooDeep { .. }
    ));
    let power = format!("x = a{}", " ** a".repeat(5_000));
    assert!(eval_line_with(&power, &env(), lifted).is_err());
    assert!(
        eval_line(
            &format!("x = {}a{}", "(".repeat(39), ")".repeat(39)),
            &env()
        )
        .is_ok()
    );
    let many = format!("x = {}", ["a"; 120].join("+"));
    assert!(matches!(
        eval_line(&many, &env()).unwrap_err().kind,
        ErrorKind::TooManyNodes { max: 200 }
    ));
    // A huge result is refused before it is allocated, a huge product before it is computed.
    let e = err("onehot(y, 100000000)");
    assert!(matches!(e.kind, ErrorKind::TooLarge { op: "onehot", .. }));
    // Two [2000, 2000] products are allowed; their product (8e9 multiply-adds) is not.
    let e = err("(onehot(v, 2000).T @ onehot(v, 2000)) @ (onehot(v, 2000).T @ onehot(v, 2000))");
    assert_eq!(e.kind, ErrorKind::TooCostly { max: 1 << 28 });
    let e = err(
        "sum(onehot(sum(onehot(v,1000),1)*0,200000).T @ onehot(sum(onehot(v,1000),1)*0,200000))",
    );
    assert!(matches!(e.kind, ErrorKind::TooLarge { .. }), "{e}");
    let small = Limits {
        max_madds: 1000,
        ..Limits::default()
    };
    let e = eval_expr("hh @ w.T", &env(), small).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooCostly { max: 1000 });
    let tight = Limits {
        max_total_elements: 100,
        ..Limits::default()
    };
    assert_eq!(
        eval_expr("m + m + m + m", &env(), tight).unwrap_err().kind,
        ErrorKind::TooMuchMemory { max: 100 }
    );
}

#[test]
fn display_is_the_english_message() {
    let e = err("softmax(m, 1");
    assert_eq!(e.to_string(), e.message(Lang::En));
    assert_eq!(
        e.detail(Lang::En),
        "expected ',' or ')', found the end of the line"
    );
}
