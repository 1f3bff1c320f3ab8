//! The language: precedence, broadcasting, `.T`, every function, every error with its position in both
//! languages, and the bounds.

use super::*;

fn t(shape: &[usize], v: &[f64]) -> Tensor {
    Tensor::from_f64(shape, v.to_vec()).unwrap()
}

fn iota(shape: &[usize]) -> Tensor {
    let n = shape.iter().product::<usize>();
    t(shape, &(0..n).map(|i| i as f64 + 1.0).collect::<Vec<_>>())
}

/// a, b, c scalars 2, 3, 5; m [4, 10]; v [10]; col [4, 1]; row [1, 10]; w [10, 512]; hh [4, 512]; y [4].
fn env() -> Env {
    let mut e = Env::new();
    e.insert("a", Tensor::scalar(2.0));
    e.insert("b", Tensor::scalar(3.0));
    e.insert("c", Tensor::scalar(5.0));
    e.insert("m", iota(&[4, 10]));
    e.insert("v", iota(&[10]));
    e.insert("col", iota(&[4, 1]));
    e.insert("row", iota(&[1, 10]));
    e.insert("w", iota(&[10, 512]));
    e.insert("hh", iota(&[4, 512]));
    e.insert("y", t(&[4], &[3.0, 0.0, 9.0, 3.0]));
    e.insert("mat2", t(&[2, 2], &[1.0, 2.0, 3.0, 4.0]));
    e
}

fn val(src: &str) -> Tensor {
    eval_expr(src, &env(), Limits::default()).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn scalar(src: &str) -> f64 {
    let r = val(src);
    assert_eq!(r.shape(), &[] as &[usize], "{src}");
    r.data()[0]
}

fn err(src: &str) -> ByHandError {
    let e = eval_expr(src, &env(), Limits::default()).expect_err(src);
    // Every error reads in both languages, with its position.
    for lang in [Lang::En, Lang::Zh] {
        assert!(!e.message(lang).is_empty());
    }
    assert!(e.caret(src).contains('^'));
    e
}

#[test]
fn precedence_follows_python() {
    assert_eq!(scalar("1 + 2 * 3"), 7.0);
    assert_eq!(scalar("a - b - c"), -6.0);
    assert_eq!(scalar("c / a / a"), 1.25);
    assert_eq!(scalar("(1 + 2) * 3"), 9.0);
    assert_eq!(scalar("-a ** 2"), -4.0);
    assert_eq!(scalar("a ** b ** 2"), 512.0);
    assert_eq!(scalar("a ** -1"), 0.5);
    assert_eq!(scalar("2 * -3"), -6.0);
    assert_eq!(scalar("a > b + 1"), 0.0);
    assert_eq!(scalar("c > b + 1"), 1.0);
    assert_eq!(scalar("1e-3 * 1000 + .5"), 1.5);
    // -mat2 @ mat2 is (-mat2) @ mat2, the same value as -(mat2 @ mat2).
    assert_eq!(val("-mat2 @ mat2").data(), &[-7.0, -10.0, -15.0, -22.0]);
    // * and @ are one level, left to right: (a * mat2) @ mat2.
    assert_eq!(val("a * mat2 @ mat2").data(), &[14.0, 20.0, 30.0, 44.0]);
    for (src, want) in [
        ("a >= 2", 1.0),
        ("a <= 1", 0.0),
        ("a == 2", 1.0),
        ("a != 2", 0.0),
    ] {
        assert_eq!(scalar(src), want, "{src}");
    }
}

#[test]
fn lines_assign_and_only_use_defined_names() {
    let (name, value) = eval_line("dz2 = m * 2", &env()).unwrap();
    assert_eq!((name.as_str(), value.shape()), ("dz2", &[4usize, 10][..]));
    let e = eval_line("dz2 = dz + 1", &env()).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::UnknownName { .. }));
    let e = eval_line("m * 2", &env()).unwrap_err();
    assert!(matches!(
        e.kind,
        ErrorKind::Syntax {
            expected: Expected::Equals,
            ..
        }
    ));
    assert_eq!(e.span.start, 2);
}

#[test]
fn broadcasting_is_pytorchs() {
    let r = val("m + v");
    assert_eq!(r.shape(), &[4, 10]);
    assert_eq!((r.data()[0], r.data()[39]), (2.0, 50.0));
    let r = val("col * row");
    assert_eq!(r.shape(), &[4, 10]);
    assert_eq!((r.data()[11], r.data()[39]), (4.0, 40.0));
    assert_eq!(val("m * a").data()[3], 8.0);
    assert_eq!(val("1 - v").shape(), &[10]);
    let e = err("m + m.T");
    assert_eq!(
        e.kind,
        ErrorKind::Broadcast {
            op: "+",
            left: vec![4, 10],
            right: vec![10, 4]
        }
    );
    assert!(
        e.message(Lang::En)
            .contains("cannot broadcast [4, 10] with [10, 4]")
    );
    assert_eq!(e.span, Span { start: 0, end: 7 });
    assert!(matches!(
        err("m * col.T").kind,
        ErrorKind::Broadcast { op: "*", .. }
    ));
}

#[test]
fn transpose_and_matmul() {
    let r = val("m.T");
    assert_eq!(r.shape(), &[10, 4]);
    assert_eq!(r.data()[1], 11.0);
    assert_eq!(val("m.T.T"), val("m"));
    // PyTorch returns 0-D and 1-D tensors unchanged.
    assert_eq!(val("v.T"), val("v"));
    assert_eq!(scalar("a.T"), 2.0);
    assert_eq!(val("(m @ w).T").shape(), &[512, 4]);
    assert_eq!(val("mat2 @ mat2").data(), &[7.0, 10.0, 15.0, 22.0]);
    let e = err("hh @ w");
    assert_eq!(
        e.kind,
        ErrorKind::MatmulInner {
            left: vec![4, 512],
            right: vec![10, 512]
        }
    );
    assert!(
        e.message(Lang::En)
            .contains("@ needs the inner sizes equal: [4, 512] @ [10, 512]")
    );
    assert!(matches!(err("v @ m").kind, ErrorKind::MatmulRank { .. }));
    assert!(matches!(
        err("m.t").kind,
        ErrorKind::Syntax {
            expected: Expected::Transpose,
            ..
        }
    ));
}

#[test]
fn every_function() {
    let s = val("softmax(m, 1)");
    assert_eq!(s.shape(), &[4, 10]);
    let row0: f64 = s.data()[..10].iter().sum();
    assert!((row0 - 1.0).abs() < 1e-12);
    let s0 = val("softmax(m, dim=0)");
    assert!((s0.data()[0] + s0.data()[10] + s0.data()[20] + s0.data()[30] - 1.0).abs() < 1e-12);
    assert_eq!(val("softmax(m, -1)"), val("softmax(m, 1)"));
    assert_eq!(val("F.softmax(m, 1)"), val("torch.softmax(m, 1)"));
    // Large logits do not overflow.
    assert!((scalar("sum(softmax(v * 1000, 0))") - 1.0).abs() < 1e-12);
    assert_eq!(scalar("softmax(a, 0)"), 1.0);

    let o = val("onehot(y, 10)");
    assert_eq!(o.shape(), &[4, 10]);
    assert_eq!(
        (o.data()[3], o.data()[10], o.data()[29], o.data()[0]),
        (1.0, 1.0, 1.0, 0.0)
    );
    assert_eq!(val("one_hot(y, num_classes=10)"), o);
    assert_eq!(val("onehot(b, 4)").data(), &[0.0, 0.0, 0.0, 1.0]);

    assert_eq!(scalar("sum(m)"), 820.0);
    assert_eq!(val("sum(m, 0)").shape(), &[10]);
    assert_eq!(val("sum(m, 0)").data()[0], 1.0 + 11.0 + 21.0 + 31.0);
    assert_eq!(val("sum(m, 1)").data()[0], 55.0);
    assert_eq!(val("sum(m, -1)"), val("sum(m, 1)"));
    assert_eq!(val("sum(m, 1, keepdim=True)").shape(), &[4, 1]);
    assert_eq!(val("sum(m, 0, True)").shape(), &[1, 10]);
    assert_eq!(val("sum(m, dim=1, keepdim=False)").shape(), &[4]);
    assert_eq!(scalar("sum(v, 0)"), 55.0);
    assert_eq!(scalar("mean(m)"), 20.5);
    assert_eq!(val("mean(m, 1)").data()[0], 5.5);
    assert_eq!(scalar("exp(0)"), 1.0);
    assert_eq!(scalar("log(exp(a))"), 2.0);
    assert_eq!(scalar("tanh(0)"), 0.0);
    assert_eq!(
        val("relu(v - 5)").data()[..6],
        [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    );
    assert_eq!(val("relu(m - 20)"), val("(m - 20) * (m > 20)"));
}

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
fn odd_values_give_values_not_panics() {
    assert!(scalar("log(0 - 1)").is_nan());
    assert_eq!(scalar("1 / 0"), f64::INFINITY);
    assert_eq!(val("sum(onehot(y, 10) * 0, 1)").data(), &[0.0; 4]);
    let mut e = Env::new();
    e.insert("empty", Tensor::from_f64(&[0, 3], vec![]).unwrap());
    for src in [
        "empty @ empty.T",
        "empty.T @ empty",
        "sum(empty, 0)",
        "mean(empty)",
        "softmax(empty, 0)",
        "onehot(sum(empty, 1), 3)",
    ] {
        assert!(eval_expr(src, &e, Limits::default()).is_ok(), "{src}");
    }
}

#[test]
fn env_keeps_definition_order() {
    let mut e = Env::new();
    e.insert("b", Tensor::scalar(1.0));
    e.insert("a", Tensor::scalar(2.0));
    e.insert("b", Tensor::scalar(3.0));
    assert_eq!(e.names().collect::<Vec<_>>(), ["b", "a"]);
    assert_eq!(e.get("b"), Some(&Tensor::scalar(3.0)));
    assert_eq!(e.remove("b"), Some(Tensor::scalar(3.0)));
    assert_eq!(e.len(), 1);
}
