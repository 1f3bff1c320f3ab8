//! The CPU engine: the same step as the GPU engine, with matrix products on matrixmultiply's sgemm and
//! the element-wise kernels' plain-Rust references. Used where no GPU adapter exists, and as the oracle
//! of the GPU engine's golden runs. Products and reductions run on rayon threads ([`parallel`]) in an
//! order that does not depend on how many there are: any thread count gives the same bits.

use std::sync::Arc;

use crate::cpu_gemm::Strided;
use crate::dataset::{Dataset, Split};
use crate::engine::{
    Engine, EngineError, EngineInfo, EngineKind, Evaluation, Freezing, InputGradient, KernelLaunch,
    LayerGradients, OptimizerConfig, OptimizerKind, Privacy, StepOptions, StepPart, StepPlan,
    StepShape, StepTrace, TensorOptimizerState, check_data_fits, check_input_gradient_request,
    check_optimizer_state, check_rows,
};
use crate::model::Mlp;

mod dp;
mod parallel;
mod step;
use crate::ops::{accuracy, gather_normalize, optim, relu_backward, softmax_cross_entropy};
use parallel::par_sgemm;

/// Rows per chunk when evaluating or predicting.
const EVAL_CHUNK: usize = 1000;
/// Losses kept between two `take_losses` calls (as the GPU engine's ring).
const LOSS_RING: usize = 4096;

/// The most parameters the CPU engine takes: each is stored four times (value, gradient, two moments),
/// so this is 400 MB, about what a browser tab can hold beside the data.
pub const MAX_PARAMETERS: usize = 25_000_000;

/// Refuses a model too large for the CPU engine, with a message that says so.
fn check_parameters(model: &Mlp) -> Result<(), EngineError> {
    let n = model.parameter_count();
    if n > MAX_PARAMETERS {
        return Err(EngineError::Limit {
            what: "parameters on the CPU engine".into(),
            needed: n as u64,
            allowed: MAX_PARAMETERS as u64,
        });
    }
    Ok(())
}

/// Optimiser state of one tensor.
#[derive(Clone, Debug, Default)]
struct TensorState {
    grad: Vec<f32>,
    /// SGD velocity, or Adam's first moment.
    m: Vec<f32>,
    /// Adam's second moment.
    v: Vec<f32>,
    /// Updates applied to this tensor (Adam's bias correction).
    steps: u64,
}

impl TensorState {
    fn new(n: usize) -> Self {
        Self {
            grad: vec![0.0; n],
            m: vec![0.0; n],
            v: vec![0.0; n],
            steps: 0,
        }
    }
}

/// The CPU engine.
pub struct CpuEngine {
    info: EngineInfo,
    model: Mlp,
    /// Per layer: (weight, bias) state.
    state: Vec<(TensorState, TensorState)>,
    /// Whether each layer's gradients were computed in the last step.
    computed: Vec<(bool, bool)>,
    train: Option<Dataset>,
    test: Option<Dataset>,
    /// Activations of the last step: `acts[0]` is the input, `acts[l + 1]` the output of layer l.
    acts: Vec<Vec<f32>>,
    /// δ of each layer in the last step (`None` where not computed).
    deltas: Vec<Option<Vec<f32>>>,
    labels: Vec<u32>,
    rows: usize,
    max_rows: usize,
    losses: Vec<f32>,
    last_optimizer: Option<OptimizerKind>,
    /// The plan of the last training step (the GPU engine's, untuned): its launch list.
    last_plan: Option<StepPlan>,
    /// Flip/crop of training batches (the gather kernel's reference).
    augmentation: Option<gather_normalize::Augmentation>,
    /// Training steps taken (the augmentation's per-step seed).
    steps: u64,
    /// What a step does with frozen tensors.
    freezing: Freezing,
    /// A step walked one part at a time.
    walk: Option<step::PendingStep>,
    /// DP-SGD's settings (`None`: plain steps).
    dp: Option<crate::ops::dp::DpConfig>,
    /// With DP-SGD, the last step's per-example gradient norms before clipping.
    example_norms: Vec<f32>,
    /// The threads the engine's work runs on.
    pool: Threads,
}

/// Where a CPU engine's work runs.
#[derive(Clone)]
enum Threads {
    /// The calling thread alone (`with_threads(…, 1)`).
    One,
    /// A pool of the engine's own.
    Pool(Arc<parallel::Pool>),
    /// rayon's global pool: the calling thread on wasm without threads, or the pool a threaded wasm
    /// build starts.
    Global,
}

impl CpuEngine {
    /// A CPU engine training `model`, taking batches of up to `max_rows` rows, on rayon's global pool:
    /// every core natively (`available_parallelism`, or `RAYON_NUM_THREADS`), shared by every engine of
    /// the process; in wasm the calling thread, or the workers a threaded build started
    /// (wasm-bindgen-rayon's `initThreadPool`).
    pub fn new(model: &Mlp, max_rows: usize) -> Result<Self, EngineError> {
        Self::on_pool(model, max_rows, Threads::Global)
    }

    /// A CPU engine on a pool of its own of `threads` threads (1 to 256). The results are the same bits
    /// for every thread count. Where threads cannot start here (wasm, whose workers only rayon's global
    /// pool gets) it runs on the global pool, and its adapter string says how many threads that has.
    pub fn with_threads(model: &Mlp, max_rows: usize, threads: usize) -> Result<Self, EngineError> {
        if threads == 0 || threads > 256 {
            return Err(EngineError::InvalidInput(format!(
                "{threads} threads; the CPU engine takes 1 to 256"
            )));
        }
        if threads == 1 {
            // No pool: the calling thread does the work, without a hand-off to a pool's thread and
            // back at every step.
            return Self::on_pool(model, max_rows, Threads::One);
        }
        let pool = parallel::build_pool(threads).map(Arc::new);
        Self::on_pool(model, max_rows, pool.map_or(Threads::Global, Threads::Pool))
    }

    fn on_pool(model: &Mlp, max_rows: usize, pool: Threads) -> Result<Self, EngineError> {
        if max_rows == 0 || max_rows > 65_536 {
            return Err(EngineError::InvalidInput(format!(
                "a batch of {max_rows} rows; the CPU engine takes 1 to 65,536"
            )));
        }
        check_parameters(model)?;
        let threads = match &pool {
            Threads::One => 1,
            Threads::Pool(p) => p.current_num_threads(),
            Threads::Global => parallel::global_threads(),
        };
        let mut engine = Self {
            info: EngineInfo {
                kind: EngineKind::Cpu,
                adapter: format!(
                    "CPU ({threads} thread{}, matrixmultiply sgemm)",
                    if threads == 1 { "" } else { "s" }
                ),
                backend: "cpu".into(),
                software: false,
            },
            model: model.clone(),
            state: Vec::new(),
            computed: Vec::new(),
            train: None,
            test: None,
            acts: Vec::new(),
            deltas: Vec::new(),
            labels: Vec::new(),
            rows: 0,
            max_rows,
            losses: Vec::new(),
            last_optimizer: None,
            last_plan: None,
            augmentation: None,
            steps: 0,
            freezing: Freezing::Skip,
            walk: None,
            dp: None,
            example_norms: Vec::new(),
            pool,
        };
        engine.set_model(model)?;
        Ok(engine)
    }

    /// Runs `f` on the engine's threads: the parallel loops inside it spread over its pool.
    fn in_pool<R: Send>(&mut self, f: impl FnOnce(&mut Self) -> R + Send) -> R {
        match &self.pool {
            Threads::Pool(pool) => pool.clone().install(|| f(self)),
            Threads::One => parallel::sequential(|| f(self)),
            Threads::Global => f(self),
        }
    }

    /// [`Self::in_pool`] for work that only reads the engine.
    fn in_pool_ref<R: Send>(&self, f: impl FnOnce(&Self) -> R + Send) -> R {
        match &self.pool {
            Threads::Pool(pool) => pool.install(|| f(self)),
            Threads::One => parallel::sequential(|| f(self)),
            Threads::Global => f(self),
        }
    }

    /// Forward pass of `rows` inputs, keeping every layer's output in `acts`.
    fn forward(&self, x: Vec<f32>, rows: usize) -> Vec<Vec<f32>> {
        let mut acts = vec![x];
        let last = self.model.layers.len() - 1;
        for (l, layer) in self.model.layers.iter().enumerate() {
            let (i, o) = (layer.in_features, layer.out_features);
            // y = b broadcast over rows, then y += x · Wᵀ.
            let mut y: Vec<f32> = layer.bias.iter().copied().cycle().take(rows * o).collect();
            par_sgemm(
                rows,
                i,
                o,
                1.0,
                Strided::row_major(&acts[l], i),
                Strided::transposed(&layer.weight, i),
                1.0,
                &mut y,
            );
            if l < last {
                parallel::for_each_chunk(&mut y, |y| y.iter_mut().for_each(|v| *v = v.max(0.0)));
            }
            acts.push(y);
        }
        acts
    }

    fn reset_optimizer_state(&mut self) {
        self.state = self
            .model
            .layers
            .iter()
            .map(|l| {
                (
                    TensorState::new(l.weight.len()),
                    TensorState::new(l.bias.len()),
                )
            })
            .collect();
    }

    fn update(opt: &OptimizerConfig, st: &mut TensorState, param: &mut [f32]) {
        st.steps += 1;
        let hyper = opt.hyper();
        let step = optim::TensorStep::new(opt.kind, opt.lr, &hyper, st.steps);
        parallel::optimizer_update(
            opt.kind, &hyper, &step, &st.grad, param, &mut st.m, &mut st.v,
        );
    }
}

impl Engine for CpuEngine {
    fn info(&self) -> &EngineInfo {
        &self.info
    }

    fn widths(&self) -> Vec<usize> {
        self.model.widths()
    }

    fn max_rows(&self) -> usize {
        self.max_rows
    }

    fn set_data(&mut self, split: Split, data: &Dataset) -> Result<(), EngineError> {
        check_data_fits(data.features(), data.classes(), &self.model.widths())?;
        match split {
            Split::Train => self.train = Some(data.clone()),
            Split::Test => self.test = Some(data.clone()),
        }
        Ok(())
    }

    fn train_step(&mut self, rows: &[u32], opt: &OptimizerConfig) -> Result<(), EngineError> {
        self.walk = None;
        self.in_pool(|engine| {
            let mut step = engine.begin_step(rows, opt)?;
            for part in &StepPart::ALL[1..] {
                engine.run_part(&mut step, *part);
            }
            Ok(())
        })
    }

    fn train_step_part(
        &mut self,
        rows: &[u32],
        opt: &OptimizerConfig,
        part: StepPart,
    ) -> Result<(), EngineError> {
        if part == StepPart::Gather {
            let mut step = self.in_pool(|engine| engine.begin_step(rows, opt))?;
            // Walked part by part, the loss is a part of its own (the GPU runs the head unfused).
            step.whole = false;
            self.walk = Some(step);
            return Ok(());
        }
        crate::engine::check_part_order(self.walk.as_ref().map(|w| w.next), part)?;
        let mut step = self.walk.take().expect("checked above");
        self.in_pool(|engine| engine.run_part(&mut step, part));
        if part != StepPart::Update {
            self.walk = Some(step);
        }
        Ok(())
    }

    async fn take_losses(&mut self) -> Result<Vec<f32>, EngineError> {
        Ok(std::mem::take(&mut self.losses))
    }

    async fn evaluate(&mut self, limit: Option<usize>) -> Result<Evaluation, EngineError> {
        let test = self
            .test
            .as_ref()
            .ok_or_else(|| EngineError::InvalidInput("no test data has been set".into()))?;
        let n = limit.unwrap_or(usize::MAX).min(test.len());
        let classes = self.model.classes();
        let (mut loss_sum, mut correct, mut predictions) = (0.0f64, 0usize, Vec::with_capacity(n));
        let mut all_losses = Vec::with_capacity(n);
        for start in (0..n).step_by(EVAL_CHUNK) {
            let idx: Vec<u32> = (start as u32..(start + EVAL_CHUNK).min(n) as u32).collect();
            let (x, y) = gather_normalize::reference(
                &test.images,
                &test.labels,
                test.features(),
                &idx,
                test.mean,
                test.std,
            );
            let logits = self
                .in_pool_ref(|engine| engine.forward(x, idx.len()))
                .pop()
                .expect("forward returns the logits last");
            let (losses, _) =
                softmax_cross_entropy::reference(&logits, &y, idx.len(), classes, 0.0);
            loss_sum += losses.iter().map(|&l| f64::from(l)).sum::<f64>();
            all_losses.extend_from_slice(&losses);
            let (p, c) = accuracy::reference(&logits, &y, classes);
            correct += c as usize;
            predictions.extend(p);
        }
        Ok(Evaluation {
            loss: (loss_sum / n.max(1) as f64) as f32,
            correct,
            total: n,
            predictions,
            losses: all_losses,
        })
    }

    async fn model(&mut self) -> Result<Mlp, EngineError> {
        Ok(self.model.clone())
    }

    fn set_model(&mut self, model: &Mlp) -> Result<(), EngineError> {
        // A step walked part by part belongs to the model it began on.
        self.walk = None;
        check_parameters(model)?;
        for data in [&self.train, &self.test].into_iter().flatten() {
            check_data_fits(data.features(), data.classes(), &model.widths())?;
        }
        self.model = model.clone();
        self.reset_optimizer_state();
        self.computed = vec![(false, false); model.layers.len()];
        self.acts.clear();
        self.deltas.clear();
        self.rows = 0;
        Ok(())
    }

    fn set_freezing(&mut self, freezing: Freezing) -> Result<(), EngineError> {
        self.freezing = freezing;
        Ok(())
    }

    fn set_privacy(&mut self, dp: Option<crate::ops::dp::DpConfig>) -> Result<(), EngineError> {
        if let Some(dp) = &dp {
            dp.validate()?;
        }
        self.dp = dp;
        Ok(())
    }

    fn set_frozen(&mut self, layer: usize, frozen: bool) -> Result<(), EngineError> {
        Ok(self.model.set_layer_frozen(layer, frozen)?)
    }

    async fn trace(&mut self) -> Result<StepTrace, EngineError> {
        if self.rows == 0 {
            return Err(EngineError::InvalidInput(
                "no training step has run yet".into(),
            ));
        }
        let gradients = self
            .state
            .iter()
            .zip(&self.computed)
            .map(|((w, b), &(cw, cb))| LayerGradients {
                weight: cw.then(|| w.grad.clone()),
                bias: cb.then(|| b.grad.clone()),
            })
            .collect();
        let classes = self.model.classes();
        let (losses, _) = softmax_cross_entropy::reference(
            &self.acts[self.acts.len() - 1],
            &self.labels,
            self.rows,
            classes,
            0.0,
        );
        Ok(StepTrace {
            rows: self.rows,
            inputs: self.acts[0].clone(),
            labels: self.labels.clone(),
            activations: self.acts[1..].to_vec(),
            gradients,
            deltas: self.deltas.clone(),
            model: self.model.clone(),
            loss: softmax_cross_entropy::reference_mean(&losses),
            example_norms: self.example_norms.clone(),
        })
    }

    fn last_step_kernels(&self) -> Vec<KernelLaunch> {
        self.last_plan
            .as_ref()
            .map_or_else(Vec::new, StepPlan::kernels)
    }

    fn set_augmentation(
        &mut self,
        augmentation: Option<gather_normalize::Augmentation>,
    ) -> Result<(), EngineError> {
        self.augmentation = augmentation;
        Ok(())
    }

    fn reset_optimizer_state(&mut self) -> Result<(), EngineError> {
        CpuEngine::reset_optimizer_state(self);
        Ok(())
    }

    async fn optimizer_state(&mut self) -> Result<Vec<TensorOptimizerState>, EngineError> {
        use crate::model::TensorKind;
        Ok(self
            .state
            .iter()
            .enumerate()
            .flat_map(|(l, (w, b))| [(l, TensorKind::Weight, w), (l, TensorKind::Bias, b)])
            .map(|(l, kind, st)| TensorOptimizerState {
                name: Mlp::parameter_name(l, kind),
                momentum: st.m.clone(),
                second_moment: st.v.clone(),
                steps: st.steps,
            })
            .collect())
    }

    fn set_optimizer_state(&mut self, state: &[TensorOptimizerState]) -> Result<(), EngineError> {
        check_optimizer_state(&self.model, state)?;
        let tensors = self.state.iter_mut().flat_map(|(w, b)| [w, b]);
        for (t, s) in tensors.zip(state) {
            t.m.clone_from(&s.momentum);
            t.v.clone_from(&s.second_moment);
            t.steps = s.steps;
        }
        Ok(())
    }

    async fn input_gradients(
        &mut self,
        inputs: &[f32],
        labels: &[u32],
        target: InputGradient,
    ) -> Result<Vec<f32>, EngineError> {
        let rows = labels.len();
        let input = self.model.input_size();
        let classes = self.model.classes();
        check_input_gradient_request(inputs.len(), rows, input, classes, labels, target)?;
        self.in_pool_ref(|engine| engine.input_gradients_now(inputs, labels, target))
    }

    async fn predict(&mut self, inputs: &[f32], rows: usize) -> Result<Vec<f32>, EngineError> {
        let input = self.model.input_size();
        if inputs.len() != rows * input {
            return Err(EngineError::InvalidInput(format!(
                "{} inputs for {rows} rows of {input}",
                inputs.len()
            )));
        }
        Ok(self
            .in_pool_ref(|engine| engine.forward(inputs.to_vec(), rows))
            .pop()
            .expect("forward returns the logits last"))
    }
}

impl CpuEngine {
    /// The body of [`Engine::input_gradients`] (checked), run on the engine's threads.
    fn input_gradients_now(
        &self,
        inputs: &[f32],
        labels: &[u32],
        target: InputGradient,
    ) -> Result<Vec<f32>, EngineError> {
        let rows = labels.len();
        let classes = self.model.classes();
        let acts = self.forward(inputs.to_vec(), rows);
        let mut grad = match target {
            InputGradient::Loss => {
                softmax_cross_entropy::reference(&acts[acts.len() - 1], labels, rows, classes, 1.0)
                    .1
            }
            InputGradient::Logit(c) => {
                let mut g = vec![0.0; rows * classes];
                g.iter_mut().skip(c).step_by(classes).for_each(|v| *v = 1.0);
                g
            }
        };
        for l in (0..self.model.layers.len()).rev() {
            let layer = &self.model.layers[l];
            let (i, o) = (layer.in_features, layer.out_features);
            let mut dx = vec![0.0; rows * i];
            par_sgemm(
                rows,
                o,
                i,
                1.0,
                Strided::row_major(&grad, o),
                Strided::row_major(&layer.weight, i),
                0.0,
                &mut dx,
            );
            if l > 0 {
                parallel::zip_chunks(&mut dx, &acts[l], |dx, a| relu_backward::reference(a, dx));
            }
            grad = dx;
        }
        Ok(grad)
    }
}
