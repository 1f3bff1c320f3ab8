//! The multilayer perceptron: its shape, its parameters on the host, PyTorch's initialisation, head
//! replacement, freezing, and safetensors files that PyTorch's `load_state_dict` accepts.

use std::collections::HashMap;

use crate::error::ModelError;
use crate::rng::SeededRng;

/// The widest layer we accept; beyond this a typo (an extra zero) would exhaust memory.
pub const MAX_WIDTH: usize = 16_384;
/// The most layers we accept.
pub const MAX_LAYERS: usize = 16;

/// One fully connected layer `y = x · Wᵀ + b`, weights stored `[out, in]` as PyTorch stores them.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearLayer {
    /// Input width.
    pub in_features: usize,
    /// Output width.
    pub out_features: usize,
    /// `[out_features, in_features]`, row-major.
    pub weight: Vec<f32>,
    /// `[out_features]`.
    pub bias: Vec<f32>,
    /// A frozen weight is neither updated nor has its optimiser state changed.
    pub weight_frozen: bool,
    /// Likewise for the bias.
    pub bias_frozen: bool,
}

impl LinearLayer {
    /// PyTorch's default initialisation of `nn.Linear`: weight and bias uniform in ±1/√fan_in.
    pub fn new(in_features: usize, out_features: usize, rng: &mut SeededRng) -> Self {
        let bound = 1.0 / (in_features as f32).sqrt();
        let weight = (0..in_features * out_features)
            .map(|_| rng.uniform(-bound, bound))
            .collect();
        let bias = (0..out_features)
            .map(|_| rng.uniform(-bound, bound))
            .collect();
        Self {
            in_features,
            out_features,
            weight,
            bias,
            weight_frozen: false,
            bias_frozen: false,
        }
    }

    /// True when either tensor of the layer is trained.
    pub fn trainable(&self) -> bool {
        !self.weight_frozen || !self.bias_frozen
    }
}

/// Which tensor of a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorKind {
    /// The `[out, in]` weight matrix.
    Weight,
    /// The `[out]` bias vector.
    Bias,
}

/// A multilayer perceptron: Linear → ReLU → … → Linear, producing logits.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    /// Layers from input to output; every layer but the last is followed by a ReLU.
    pub layers: Vec<LinearLayer>,
}

fn check_width(what: &str, w: usize) -> Result<(), ModelError> {
    if w == 0 || w > MAX_WIDTH {
        return Err(ModelError::InvalidShape(format!(
            "{what} is {w}; it must be between 1 and {MAX_WIDTH}"
        )));
    }
    Ok(())
}

impl Mlp {
    /// A freshly initialised MLP `input → hidden[0] → … → classes`, reproducible from `seed`.
    pub fn new(
        input: usize,
        hidden: &[usize],
        classes: usize,
        seed: u64,
    ) -> Result<Self, ModelError> {
        check_width("the input size", input)?;
        check_width("the number of classes", classes)?;
        for (i, &h) in hidden.iter().enumerate() {
            check_width(&format!("hidden layer {} width", i + 1), h)?;
        }
        if hidden.len() + 1 > MAX_LAYERS {
            return Err(ModelError::InvalidShape(format!(
                "{} layers requested; at most {MAX_LAYERS}",
                hidden.len() + 1
            )));
        }
        let mut rng = SeededRng::new(seed);
        let mut widths = vec![input];
        widths.extend_from_slice(hidden);
        widths.push(classes);
        let layers = widths
            .windows(2)
            .map(|w| LinearLayer::new(w[0], w[1], &mut rng))
            .collect();
        Ok(Self { layers })
    }

    /// `[input, hidden…, classes]`.
    pub fn widths(&self) -> Vec<usize> {
        let mut w = vec![self.layers[0].in_features];
        w.extend(self.layers.iter().map(|l| l.out_features));
        w
    }

    /// Input size.
    pub fn input_size(&self) -> usize {
        self.layers[0].in_features
    }

    /// Number of output classes.
    pub fn classes(&self) -> usize {
        self.layers.last().map_or(0, |l| l.out_features)
    }

    /// PyTorch's name of a parameter: `fc{layer+1}.weight` / `fc{layer+1}.bias`.
    pub fn parameter_name(layer: usize, kind: TensorKind) -> String {
        match kind {
            TensorKind::Weight => format!("fc{}.weight", layer + 1),
            TensorKind::Bias => format!("fc{}.bias", layer + 1),
        }
    }

    /// Total number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weight.len() + l.bias.len())
            .sum()
    }

    /// Replaces the output layer by a fresh one with `classes` outputs (PyTorch init from `seed`);
    /// the new head is trainable whatever was frozen before.
    pub fn replace_head(&mut self, classes: usize, seed: u64) -> Result<(), ModelError> {
        check_width("the number of classes", classes)?;
        let last = self
            .layers
            .last_mut()
            .expect("an Mlp always has at least one layer");
        let mut rng = SeededRng::new(seed);
        *last = LinearLayer::new(last.in_features, classes, &mut rng);
        Ok(())
    }

    /// Freezes or unfreezes both tensors of `layer`.
    pub fn set_layer_frozen(&mut self, layer: usize, frozen: bool) -> Result<(), ModelError> {
        let layers = self.layers.len();
        let l = self.layers.get_mut(layer).ok_or(ModelError::NoSuchLayer {
            index: layer,
            layers,
        })?;
        l.weight_frozen = frozen;
        l.bias_frozen = frozen;
        Ok(())
    }

    /// Freezes both tensors of `layer`.
    pub fn freeze(&mut self, layer: usize) -> Result<(), ModelError> {
        self.set_layer_frozen(layer, true)
    }

    /// Unfreezes both tensors of `layer`.
    pub fn unfreeze(&mut self, layer: usize) -> Result<(), ModelError> {
        self.set_layer_frozen(layer, false)
    }

    /// Whether the input gradient of `layer` is needed: only when a trainable tensor lies below it.
    pub fn needs_input_grad(&self, layer: usize) -> bool {
        self.layers[..layer].iter().any(LinearLayer::trainable)
    }

    /// Logits for `rows` inputs of `x` (`[rows, input]`), computed with the plain reference kernels.
    pub fn forward_reference(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut h = x.to_vec();
        for (i, layer) in self.layers.iter().enumerate() {
            let relu = i + 1 < self.layers.len();
            h = crate::ops::linear::reference_forward(
                &h,
                &layer.weight,
                &layer.bias,
                rows,
                layer.in_features,
                layer.out_features,
                relu,
            );
        }
        h
    }

    /// Serialises the parameters as safetensors (F32, PyTorch names and shapes): the seed's `Net`
    /// loads the file with `model.load_state_dict(safetensors.torch.load_file(path))`.
    pub fn to_safetensors(&self) -> Result<Vec<u8>, ModelError> {
        let mut owned: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            owned.push((
                Self::parameter_name(i, TensorKind::Weight),
                vec![l.out_features, l.in_features],
                bytemuck::cast_slice(&l.weight).to_vec(),
            ));
            owned.push((
                Self::parameter_name(i, TensorKind::Bias),
                vec![l.out_features],
                bytemuck::cast_slice(&l.bias).to_vec(),
            ));
        }
        let views = owned
            .iter()
            .map(|(name, shape, data)| {
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), data)
                    .map(|v| (name.clone(), v))
                    .map_err(|e| ModelError::Safetensors(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
        safetensors::serialize(views, Some(metadata))
            .map_err(|e| ModelError::Safetensors(e.to_string()))
    }

    /// Loads parameters saved by [`Mlp::to_safetensors`] or by PyTorch (`fc1.weight`, `fc1.bias`, …;
    /// F32, F64, F16 or BF16). Every layer is trainable after loading.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self, ModelError> {
        let st = safetensors::SafeTensors::deserialize(bytes)
            .map_err(|e| ModelError::Safetensors(e.to_string()))?;
        let mut layers = Vec::new();
        loop {
            let i = layers.len();
            let wname = Self::parameter_name(i, TensorKind::Weight);
            let Ok(w) = st.tensor(&wname) else { break };
            let bname = Self::parameter_name(i, TensorKind::Bias);
            let b = st
                .tensor(&bname)
                .map_err(|_| ModelError::NotAnMlp(format!("{wname} has no matching {bname}")))?;
            let [out_f, in_f] = w.shape() else {
                return Err(ModelError::NotAnMlp(format!(
                    "{wname} has shape {:?}, expected [out, in]",
                    w.shape()
                )));
            };
            let (out_f, in_f) = (*out_f, *in_f);
            if b.shape() != [out_f] {
                return Err(ModelError::NotAnMlp(format!(
                    "{bname} has shape {:?}, expected [{out_f}]",
                    b.shape()
                )));
            }
            check_width(&wname, out_f)?;
            check_width(&wname, in_f)?;
            if let Some(prev) = layers.last().map(|l: &LinearLayer| l.out_features) {
                if prev != in_f {
                    return Err(ModelError::NotAnMlp(format!(
                        "{wname} takes {in_f} inputs but the previous layer gives {prev}"
                    )));
                }
            }
            layers.push(LinearLayer {
                in_features: in_f,
                out_features: out_f,
                weight: to_f32(&wname, &w)?,
                bias: to_f32(&bname, &b)?,
                weight_frozen: false,
                bias_frozen: false,
            });
        }
        if layers.is_empty() {
            return Err(ModelError::NotAnMlp("no tensor named fc1.weight".into()));
        }
        if layers.len() > MAX_LAYERS {
            return Err(ModelError::NotAnMlp(format!(
                "{} layers; at most {MAX_LAYERS}",
                layers.len()
            )));
        }
        let model = Self { layers };
        if let Some(bad) = model
            .layers
            .iter()
            .flat_map(|l| l.weight.iter().chain(&l.bias))
            .find(|v| !v.is_finite())
        {
            return Err(ModelError::NotAnMlp(format!(
                "a parameter is not finite ({bad})"
            )));
        }
        Ok(model)
    }
}

fn to_f32(name: &str, t: &safetensors::tensor::TensorView<'_>) -> Result<Vec<f32>, ModelError> {
    use safetensors::Dtype;
    let d = t.data();
    let v: Vec<f32> = match t.dtype() {
        Dtype::F32 => d
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        Dtype::F64 => d
            .chunks_exact(8)
            .map(|c| {
                f64::from_le_bytes(c.try_into().expect("chunks_exact(8) yields 8 bytes")) as f32
            })
            .collect(),
        Dtype::BF16 => d
            .chunks_exact(2)
            .map(|c| f32::from_bits(u32::from(u16::from_le_bytes([c[0], c[1]])) << 16))
            .collect(),
        Dtype::F16 => d
            .chunks_exact(2)
            .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
            .collect(),
        other => {
            return Err(ModelError::NotAnMlp(format!(
                "{name} has dtype {other:?}; expected a float type"
            )));
        }
    };
    Ok(v)
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f32::from(h & 0x3ff);
    match exp {
        0 => sign * frac * 2f32.powi(-24),
        31 => {
            if frac == 0.0 {
                sign * f32::INFINITY
            } else {
                f32::NAN
            }
        }
        _ => sign * (1.0 + frac / 1024.0) * 2f32.powi(exp - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_is_pytorch_bounds_and_reproducible() {
        let a = Mlp::new(784, &[512], 10, 3).unwrap();
        let b = Mlp::new(784, &[512], 10, 3).unwrap();
        let c = Mlp::new(784, &[512], 10, 4).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.widths(), vec![784, 512, 10]);
        assert_eq!(a.parameter_count(), 784 * 512 + 512 + 512 * 10 + 10);
        let bound = 1.0 / 784f32.sqrt();
        assert!(a.layers[0].weight.iter().all(|w| w.abs() <= bound));
        let max = a.layers[0].weight.iter().fold(0f32, |m, w| m.max(w.abs()));
        assert!(
            max > 0.99 * bound,
            "weights should fill the range, max {max}"
        );
    }

    #[test]
    fn rejects_absurd_shapes() {
        assert!(Mlp::new(784, &[0], 10, 0).is_err());
        assert!(Mlp::new(784, &[1_000_000], 10, 0).is_err());
        assert!(Mlp::new(0, &[], 10, 0).is_err());
        assert!(Mlp::new(4, &[4; 20], 10, 0).is_err());
    }

    #[test]
    fn safetensors_round_trip_and_errors() {
        let m = Mlp::new(6, &[5, 4], 3, 1).unwrap();
        let bytes = m.to_safetensors().unwrap();
        let back = Mlp::from_safetensors(&bytes).unwrap();
        assert_eq!(m, back);
        assert!(matches!(
            Mlp::from_safetensors(&bytes[..bytes.len() / 2]),
            Err(ModelError::Safetensors(_))
        ));
        assert!(Mlp::from_safetensors(b"not a safetensors file at all").is_err());
    }

    #[test]
    fn head_replacement_and_freezing() {
        let mut m = Mlp::new(6, &[5], 3, 1).unwrap();
        m.freeze(0).unwrap();
        assert!(!m.needs_input_grad(1));
        m.unfreeze(0).unwrap();
        assert!(m.needs_input_grad(1));
        assert!(!m.needs_input_grad(0));
        let fc1 = m.layers[0].clone();
        m.replace_head(7, 9).unwrap();
        assert_eq!(m.classes(), 7);
        assert_eq!(m.layers[0], fc1);
        assert!(matches!(
            m.freeze(5),
            Err(ModelError::NoSuchLayer {
                index: 5,
                layers: 2
            })
        ));
    }

    #[test]
    fn f16_conversion() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0000), 0.0);
    }
}
