//! The language: precedence, broadcasting, `.T`, every function, odd values, the environment (errors
//! and bounds are in `error_tests`).

use super::*;

pub(super) fn t(shape: &[usize], v: &[f64]) -> Tensor {
    Tensor::from_f64(shape, v.to_vec()).unwrap()
}

pub(super) fn iota(shape: &[usize]) -> Tensor {
    let n = shape.iter().product::<usize>();
    t(shape, &(0..n).map(|i| i as f64 + 1.0).collect::<Vec<_>>())
}

/// a, b, c scalars 2, 3, 5; m [4, 10]; v [10]; col [4, 1]; row [1, 10]; w [10, 512]; hh [4, 512]; y [4].
pub(super) fn env() -> Env {
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

pub(super) fn val(src: &str) -> Tensor {
    eval_expr(src, &env(), Limits::default()).unwrap_or_else(|e| panic!("{src}: {e}"))
}

pub(super) fn scalar(src: &str) -> f64 {
    let r = val(src);
    assert_eq!(r.shape(), &[] as &[usize], "{src}");
    r.data()[0]
}

pub(super) fn err(src: &str) -> ByHandError {
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
