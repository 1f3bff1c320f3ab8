//! The interpretability worker's answers about one image: a saliency map (gradient, SmoothGrad or
//! integrated gradients, of a test image or a drawing) and FGSM's adversarial image with the model's
//! answers before and after.

use super::*;

impl Worker {
    pub(super) async fn explain(
        &mut self,
        image: usize,
        drawn: Option<&ByteBuf>,
        method: Method,
        randomized: usize,
    ) -> Result<MapView, EngineError> {
        let t0 = now();
        let (x, label) = self.subject(image, drawn)?;
        let class = argmax(&self.probabilities(&x).await?);
        let label = label.unwrap_or(class as u8);
        let (data, model) = self.ready()?;
        let norm = (data.test.mean, data.test.std);
        let baseline = match method {
            Method::Integrated { baseline, .. } => match baseline {
                Baseline::Black => vec![0.0; x.len()],
                Baseline::Blurred => blurred(&x, 28, 3),
                Baseline::Mean => data.mean_image.clone(),
            },
            _ => Vec::new(),
        };
        let trained = model.clone();
        let randomized = randomized.min(trained.layers.len());
        let main = self.main.as_mut().expect("loaded");
        if randomized > 0 {
            let hidden: Vec<usize> = trained.widths()[1..trained.layers.len()].to_vec();
            let fresh = Mlp::new(784, &hidden, 10, RANDOM_SEED)
                .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
            let mut m = trained.clone();
            let n = m.layers.len();
            for l in n - randomized..n {
                m.layers[l] = fresh.layers[l].clone();
            }
            main.set_model(&m)?;
        }
        let result = async {
            let (map, completeness) = match method {
                Method::Gradient => (saliency::gradient(main, &x, norm, class).await?, None),
                Method::SmoothGrad { samples, noise } => (
                    saliency::smoothgrad(
                        main,
                        &x,
                        norm,
                        class,
                        (samples.clamp(1, 200), noise.clamp(0.0, 1.0), image as u64),
                    )
                    .await?,
                    None,
                ),
                Method::Integrated { steps, .. } => {
                    let (map, c) =
                        saliency::integrated(main, &x, &baseline, norm, class, steps.clamp(1, 512))
                            .await?;
                    (map, Some((c.sum, c.difference, c.relative_error)))
                }
            };
            let z = main
                .predict(&kernels::attack::normalise(&x, norm.0, norm.1), 1)
                .await?;
            Ok::<_, EngineError>((map, completeness, softmax_rows(&z, 10)))
        }
        .await;
        if randomized > 0 {
            main.set_model(&trained)?;
        }
        let (map, completeness, probs) = result?;
        Ok(MapView {
            image,
            drawn: drawn.is_some(),
            pixels: bytes(&x),
            label,
            class,
            probs,
            method,
            randomized,
            map,
            completeness,
            ms: (now() - t0) * 1000.0,
        })
    }

    pub(super) async fn fgsm(
        &mut self,
        image: usize,
        drawn: Option<&ByteBuf>,
        epsilon: f32,
    ) -> Result<FgsmView, EngineError> {
        let (x, label) = self.subject(image, drawn)?;
        let before = self.probabilities(&x).await?;
        let label = label.unwrap_or(argmax(&before) as u8);
        let (data, _) = self.ready()?;
        let norm = (data.test.mean, data.test.std);
        let main = self.main.as_mut().expect("loaded");
        let epsilon = epsilon.clamp(0.0, 1.0);
        let adv = perturb(
            main,
            &x,
            &[u32::from(label)],
            norm,
            Attack { epsilon, steps: 1 },
        )
        .await?;
        let after = self.probabilities(&adv).await?;
        Ok(FgsmView {
            image,
            drawn: drawn.is_some(),
            label,
            epsilon,
            pixels: bytes(&x),
            adversarial: bytes(&adv),
            before,
            after,
        })
    }
}
