//! The optimisers' update rules, element by element, exactly as PyTorch's `torch.optim` writes them
//! (single-tensor path; the order of every rounding follows PyTorch's code). This is the one place the
//! rules are written in Rust: the CPU engine, the fused kernel's reference ([`super::update`]) and the
//! lessons' 2-D surfaces call [`element`]; `shaders/update.wgsl` has one entry point per rule that
//! mirrors it line by line.
//!
//! | rule | PyTorch | state `m` | state `v` |
//! |---|---|---|---|
//! | `sgd` | `SGD(lr, momentum, weight_decay)` (dampening 0) | velocity | – |
//! | `nesterov` | `SGD(…, nesterov=True)` | velocity | – |
//! | `adagrad` | `Adagrad(lr, weight_decay, eps)` (lr_decay 0, initial accumulator 0) | – | Σ g² |
//! | `rmsprop` | `RMSprop(lr, alpha, eps, weight_decay, momentum)` (not centred) | velocity | mean g² |
//! | `adam` | `Adam(lr, betas, eps, weight_decay)` (L2 decay, no amsgrad) | mean g | mean g² |
//! | `adamw` | `AdamW(lr, betas, eps, weight_decay)` (decoupled decay) | mean g | mean g² |

/// The optimiser: the rule [`element`] applies and the fused update kernel's entry point. PyTorch's SGD with
/// momentum is `Sgd` with μ > 0 (the lessons call it `momentum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum OptimizerKind {
    /// SGD, with momentum when μ > 0 (PyTorch's `SGD`).
    Sgd,
    /// SGD with Nesterov momentum (PyTorch's `SGD(nesterov=True)`).
    Nesterov,
    /// AdaGrad (PyTorch's `Adagrad`).
    Adagrad,
    /// RMSprop (PyTorch's `RMSprop`, not centred).
    Rmsprop,
    /// Adam with L2 weight decay (PyTorch's `Adam`).
    Adam,
    /// Adam with decoupled weight decay (PyTorch's `AdamW`).
    AdamW,
}

impl OptimizerKind {
    /// Every rule, as the command line and the lessons name them.
    pub const ALL: [OptimizerKind; 6] = [
        Self::Sgd,
        Self::Nesterov,
        Self::Adagrad,
        Self::Rmsprop,
        Self::Adam,
        Self::AdamW,
    ];

    /// Its name (`sgd`, `nesterov`, `adagrad`, `rmsprop`, `adam`, `adamw`): the command line's value
    /// and the kernel's entry point.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sgd => "sgd",
            Self::Nesterov => "nesterov",
            Self::Adagrad => "adagrad",
            Self::Rmsprop => "rmsprop",
            Self::Adam => "adam",
            Self::AdamW => "adamw",
        }
    }

    /// Whether the rule keeps a second moment (`v`) as well as `m`.
    pub fn uses_second_moment(self) -> bool {
        matches!(
            self,
            Self::Adagrad | Self::Rmsprop | Self::Adam | Self::AdamW
        )
    }
}

impl std::fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for OptimizerKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|k| k.name()).collect();
                format!("unknown optimiser {s:?} ({})", names.join(", "))
            })
    }
}

/// The hyperparameters every element of every tensor sees (the kernel's uniform holds the same).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hyper {
    /// SGD's, Nesterov's and RMSprop's momentum μ; Adam's and AdamW's β1.
    pub beta1: f32,
    /// Adam's and AdamW's β2; RMSprop's α.
    pub beta2: f32,
    /// ε (AdaGrad, RMSprop, Adam, AdamW).
    pub eps: f32,
    /// L2 weight decay added to the gradient (every rule but AdamW, which decays the weights).
    pub weight_decay: f32,
    /// `1 − β1`, computed as PyTorch does (see [`typed`]).
    pub one_minus_beta1: f32,
    /// `1 − β2` (RMSprop: `1 − α`), computed as PyTorch does.
    pub one_minus_beta2: f32,
}

impl Hyper {
    /// The hyperparameters as the user typed them (`1 − β` is computed from the typed decimal in f64
    /// and rounded once, as PyTorch's `1 - beta` of a Python float is: in f32, `1 − 0.999` would be
    /// 1.3e-5 off).
    pub fn new(beta1: f32, beta2: f32, eps: f32, weight_decay: f32) -> Self {
        Self {
            beta1,
            beta2,
            eps,
            weight_decay,
            one_minus_beta1: (1.0 - typed(beta1)) as f32,
            one_minus_beta2: (1.0 - typed(beta2)) as f32,
        }
    }
}

/// The f64 a user meant by an f32 setting: the shortest decimal that rounds to it (`0.999`, not
/// 0.99900001287…), which is the Python float PyTorch would have computed with.
pub fn typed(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

/// One tensor's factors for its `t`-th update, computed on the host in f64 from the typed settings, as
/// PyTorch computes them (Python floats), then rounded to f32 once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TensorStep {
    /// Adam and AdamW: `lr / (1 − β1ᵗ)`; every other rule: the learning rate.
    pub step_size: f32,
    /// Adam and AdamW: `√(1 − β2ᵗ)`; otherwise 1.
    pub bc2_sqrt: f32,
    /// AdamW: `1 − lr · weight_decay`, the weights' decoupled decay; otherwise 1.
    pub decay: f32,
}

impl TensorStep {
    /// The factors of update `step` (1-based) of a tensor under `kind`.
    pub fn new(kind: OptimizerKind, lr: f32, hyper: &Hyper, step: u64) -> Self {
        let lr64 = typed(lr);
        let mut s = Self {
            step_size: lr,
            bc2_sqrt: 1.0,
            decay: 1.0,
        };
        if matches!(kind, OptimizerKind::Adam | OptimizerKind::AdamW) {
            let t = step.min(i32::MAX as u64) as i32;
            let bc1 = 1.0 - typed(hyper.beta1).powi(t);
            let bc2 = 1.0 - typed(hyper.beta2).powi(t);
            s.step_size = (lr64 / bc1) as f32;
            s.bc2_sqrt = bc2.sqrt() as f32;
        }
        if kind == OptimizerKind::AdamW {
            s.decay = (1.0 - lr64 * typed(hyper.weight_decay)) as f32;
        }
        s
    }
}

/// One element's update: gradient `grad`, weight `p`, optimiser state `m` and `v` (see the table).
#[inline]
pub fn element(
    kind: OptimizerKind,
    h: &Hyper,
    t: &TensorStep,
    grad: f32,
    p: &mut f32,
    m: &mut f32,
    v: &mut f32,
) {
    // Each line is PyTorch's tensor op in its order of rounding: `a.add_(b, alpha=x)` is a + x·b,
    // `a.addcmul_(b, c, value=x)` is a + (x·b)·c, `a.addcdiv_(b, c, value=x)` is a + (x·b)/c.
    match kind {
        OptimizerKind::Sgd => {
            let g = grad + h.weight_decay * *p;
            *m = h.beta1 * *m + g;
            *p -= t.step_size * *m;
        }
        OptimizerKind::Nesterov => {
            let g = grad + h.weight_decay * *p;
            *m = h.beta1 * *m + g;
            let look_ahead = g + h.beta1 * *m;
            *p -= t.step_size * look_ahead;
        }
        OptimizerKind::Adagrad => {
            let g = grad + h.weight_decay * *p;
            *v += g * g;
            let std = v.sqrt() + h.eps;
            *p -= (t.step_size * g) / std;
        }
        OptimizerKind::Rmsprop => {
            let g = grad + h.weight_decay * *p;
            *v = h.beta2 * *v + (h.one_minus_beta2 * g) * g;
            let avg = v.sqrt() + h.eps;
            if h.beta1 > 0.0 {
                *m = h.beta1 * *m + g / avg;
                *p -= t.step_size * *m;
            } else {
                *p -= (t.step_size * g) / avg;
            }
        }
        OptimizerKind::Adam | OptimizerKind::AdamW => {
            let g = if kind == OptimizerKind::Adam {
                grad + h.weight_decay * *p
            } else {
                *p *= t.decay;
                grad
            };
            *m = lerp(*m, g, h.one_minus_beta1);
            *v = h.beta2 * *v + (h.one_minus_beta2 * g) * g;
            let denom = v.sqrt() / t.bc2_sqrt + h.eps;
            *p -= (t.step_size * *m) / denom;
        }
    }
}

/// `a.lerp_(b, w)` as PyTorch computes it: a + w·(b − a) for w < 0.5, b − (b − a)·(1 − w) otherwise.
#[inline]
pub fn lerp(a: f32, b: f32, w: f32) -> f32 {
    if w < 0.5 {
        a + w * (b - a)
    } else {
        b - (b - a) * (1.0 - w)
    }
}

/// [`element`] over a whole tensor.
pub fn tensor(
    kind: OptimizerKind,
    h: &Hyper,
    t: &TensorStep,
    grad: &[f32],
    param: &mut [f32],
    m: &mut [f32],
    v: &mut [f32],
) {
    for i in 0..param.len() {
        element(kind, h, t, grad[i], &mut param[i], &mut m[i], &mut v[i]);
    }
}
