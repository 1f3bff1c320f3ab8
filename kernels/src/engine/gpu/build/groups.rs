//! One function per bind-group family of the GPU engine: each layer's products, split-K passes and
//! DP-SGD group; the fused head; the update; the input gradient; the loss and accuracy; the gathers.

use super::*;

/// Layer `l`'s uniform slots and bind groups: its four products (forward, weight gradient, bias
/// gradient, input gradient), split-K's passes of the forward and input-gradient products, and its
/// DP-SGD group.
pub(super) fn layer_groups(
    bind: &Binder<'_>,
    buf: &mut Buffers,
    l: usize,
    layer: &crate::model::LinearLayer,
) -> LayerBuffers {
    let [weight, bias] = buf.tensors[l].clone();
    let (fwd_slot, dw_slot, db_slot, dx_slot) = (
        buf.arena.alloc(),
        buf.arena.alloc(),
        buf.arena.alloc(),
        buf.arena.alloc(),
    );
    let dp_slot = buf.arena.alloc_bytes(size_of::<dp::DpParams>());
    let buf = &*buf;
    let (empty, empty_out) = (bind.empty, bind.empty_out);
    let gl = |label: &str, res: Vec<(&str, wgpu::BindingResource<'_>)>| {
        bind.group(&linear::SHADER, &format!("fc{} {label}", l + 1), res)
    };
    let (param, grad) = (&buf.packed.param, &buf.packed.grad);
    let (x, g_out) = (&buf.acts[l], buf.grad_out(l));
    let fwd_group = gl(
        "forward",
        vec![
            ("p", buf.arena.binding(fwd_slot)),
            ("a", x.as_entire_binding()),
            ("b", weight.slice(param)),
            ("bias", bias.slice(param)),
            ("c", buf.acts[l + 1].as_entire_binding()),
            ("sums", empty_out.as_entire_binding()),
        ],
    );
    let dw_group = gl(
        "weight grad",
        vec![
            ("p", buf.arena.binding(dw_slot)),
            ("a", g_out.as_entire_binding()),
            ("b", x.as_entire_binding()),
            ("bias", empty.as_entire_binding()),
            ("c", weight.slice(grad)),
            // FLAG_ROW_SUMS: the bias gradient comes out of the same dispatch.
            ("sums", bias.slice(grad)),
        ],
    );
    let db_group = gl(
        "bias grad",
        vec![
            ("p", buf.arena.binding(db_slot)),
            ("a", g_out.as_entire_binding()),
            ("b", empty.as_entire_binding()),
            ("bias", empty.as_entire_binding()),
            ("c", bias.slice(grad)),
            ("sums", empty_out.as_entire_binding()),
        ],
    );
    let dx_group = buf.grads[l].as_ref().map(|g_in| {
        gl(
            "input grad",
            vec![
                ("p", buf.arena.binding(dx_slot)),
                ("a", g_out.as_entire_binding()),
                ("b", weight.slice(param)),
                // FLAG_RELU_MASK: the ReLU below, backward, in the same dispatch.
                ("bias", x.as_entire_binding()),
                ("c", g_in.as_entire_binding()),
                ("sums", empty_out.as_entire_binding()),
            ],
        )
    });
    let out = &buf.acts[l + 1];
    let fwd_split = split_groups(bind, buf, l, fwd_slot, [x, out], bias.slice(param));
    let dx_split = (buf.grads[l].as_ref())
        .and_then(|g_in| split_groups(bind, buf, l, dx_slot, [g_out, g_in], x.as_entire_binding()));
    let dp_group = dp_group(bind, buf, l, dp_slot);
    LayerBuffers {
        in_f: layer.in_features,
        out_f: layer.out_features,
        weight,
        bias,
        fwd_slot,
        dw_slot,
        db_slot,
        dx_slot,
        fwd_group,
        dw_group,
        db_group,
        dx_group,
        fwd_split,
        dx_split,
        dp_slot,
        dp_group,
    }
}

/// Split-K's two passes of layer `l`'s product of `input` into `out`: the product into the scratch,
/// then the reduction with the epilogue (`third`: the bias or the ReLU mask) into `out`. The same
/// uniform slot serves both passes. `None` without a scratch.
fn split_groups(
    bind: &Binder<'_>,
    buf: &Buffers,
    l: usize,
    slot: UniformSlot,
    [input, out]: [&wgpu::Buffer; 2],
    third: wgpu::BindingResource<'_>,
) -> Option<(wgpu::BindGroup, wgpu::BindGroup)> {
    let scratch = buf.scratch.as_ref()?;
    let (empty, empty_out) = (bind.empty, bind.empty_out);
    let weight = &buf.tensors[l][0];
    let gl = |label: &str, res| bind.group(&linear::SHADER, &format!("fc{} {label}", l + 1), res);
    let partial = gl(
        "split-K partial sums",
        vec![
            ("p", buf.arena.binding(slot)),
            ("a", input.as_entire_binding()),
            ("b", weight.slice(&buf.packed.param)),
            ("bias", empty.as_entire_binding()),
            ("c", scratch.as_entire_binding()),
            ("sums", empty_out.as_entire_binding()),
        ],
    );
    let reduce = gl(
        "split-K reduction",
        vec![
            ("p", buf.arena.binding(slot)),
            ("a", scratch.as_entire_binding()),
            ("b", empty.as_entire_binding()),
            ("bias", third),
            ("c", out.as_entire_binding()),
            ("sums", empty_out.as_entire_binding()),
        ],
    );
    Some((partial, reduce))
}

/// Layer `l`'s DP-SGD group (`dp.wgsl`): its δ and input, the per-example norms, the packed gradients.
fn dp_group(bind: &Binder<'_>, buf: &Buffers, l: usize, slot: UniformSlot) -> wgpu::BindGroup {
    bind.group(
        &dp::SHADER,
        &format!("fc{} DP-SGD", l + 1),
        vec![
            ("p", buf.arena.binding(slot)),
            ("delta", buf.grad_out(l).as_entire_binding()),
            ("act", buf.acts[l].as_entire_binding()),
            ("norms", buf.norms.as_entire_binding()),
            ("grad", buf.packed.grad.as_entire_binding()),
        ],
    )
}

/// The fused output layer (`head.wgsl`) for heads narrow enough to keep their logits in registers.
pub(super) fn head_group(
    bind: &Binder<'_>,
    buf: &mut Buffers,
    layers: &[LayerBuffers],
    model: &Mlp,
) -> Option<(UniformSlot, wgpu::BindGroup)> {
    if model.classes() > head::MAX_CLASSES {
        return None;
    }
    let slot = buf.arena.alloc();
    let buf = &*buf;
    let nl = layers.len();
    let top = &layers[nl - 1];
    let below = if nl >= 2 {
        buf.grads[nl - 1].as_ref()
    } else {
        None
    };
    let group = bind.group(
        &head::SHADER,
        "fused head",
        vec![
            ("p", buf.arena.binding(slot)),
            ("x", buf.acts[nl - 1].as_entire_binding()),
            ("w", top.weight.slice(&buf.packed.param)),
            ("bias", top.bias.slice(&buf.packed.param)),
            ("labels", buf.labels.as_entire_binding()),
            ("logits", buf.acts[nl].as_entire_binding()),
            ("loss_rows", buf.loss_rows.as_entire_binding()),
            ("dlogits", buf.grad_out(nl - 1).as_entire_binding()),
            ("dx", below.unwrap_or(bind.empty_out).as_entire_binding()),
        ],
    );
    Some((slot, group))
}

/// `update.wgsl`: every trainable tensor's update and the mean loss (one group for every rule).
pub(super) fn update_group(bind: &Binder<'_>, buf: &mut Buffers) -> (UniformSlot, wgpu::BindGroup) {
    let slot = buf.arena.alloc_bytes(size_of::<update::UpdateParams>());
    let buf = &*buf;
    let group = bind.group(
        &update::SHADER,
        "update",
        vec![
            ("p", buf.arena.binding(slot)),
            ("grad", buf.packed.grad.as_entire_binding()),
            ("loss_rows", buf.loss_rows.as_entire_binding()),
            ("param", buf.packed.param.as_entire_binding()),
            ("m", buf.packed.m.as_entire_binding()),
            ("v", buf.packed.v.as_entire_binding()),
            ("loss_log", buf.loss_log.as_entire_binding()),
        ],
    );
    (slot, group)
}

/// ∂/∂x of the inputs (attacks, saliency): layer 0's input-gradient product, with no ReLU below (its
/// uniform slot is layer 0's, which training never uses).
pub(super) fn input_grad_group(
    bind: &Binder<'_>,
    buf: &Buffers,
    layers: &[LayerBuffers],
) -> wgpu::BindGroup {
    bind.group(
        &linear::SHADER,
        "fc1 input grad (to the inputs)",
        vec![
            ("p", buf.arena.binding(layers[0].dx_slot)),
            ("a", buf.grad_out(0).as_entire_binding()),
            ("b", layers[0].weight.slice(&buf.packed.param)),
            ("bias", bind.empty.as_entire_binding()),
            ("c", buf.input_grad.as_entire_binding()),
            ("sums", bind.empty_out.as_entire_binding()),
        ],
    )
}

/// Softmax with cross-entropy (training without the fused head, and evaluation), and the accuracy.
pub(super) fn loss_groups(
    bind: &Binder<'_>,
    buf: &mut Buffers,
) -> [(UniformSlot, wgpu::BindGroup); 2] {
    let (softmax_slot, accuracy_slot) = (buf.arena.alloc(), buf.arena.alloc());
    let buf = &*buf;
    let nl = buf.acts.len() - 1;
    let logits = &buf.acts[nl];
    let softmax = bind.group(
        &softmax_cross_entropy::SHADER,
        "softmax cross-entropy",
        vec![
            ("p", buf.arena.binding(softmax_slot)),
            ("logits", logits.as_entire_binding()),
            ("labels", buf.labels.as_entire_binding()),
            ("loss_rows", buf.loss_rows.as_entire_binding()),
            ("dlogits", buf.grad_out(nl - 1).as_entire_binding()),
        ],
    );
    let accuracy = bind.group(
        &accuracy::SHADER,
        "accuracy",
        vec![
            ("p", buf.arena.binding(accuracy_slot)),
            ("logits", logits.as_entire_binding()),
            ("labels", buf.labels.as_entire_binding()),
            ("predictions", buf.predictions.as_entire_binding()),
            ("correct", buf.correct.as_entire_binding()),
        ],
    );
    [(softmax_slot, softmax), (accuracy_slot, accuracy)]
}

/// A split's gather into the first activations and the batch labels (placeholders until its data is
/// set).
pub(super) fn gather_group(
    bind: &Binder<'_>,
    buf: &mut Buffers,
    label: &str,
    data: Option<&DataBuffers>,
) -> (UniformSlot, wgpu::BindGroup) {
    let slot = buf.arena.alloc();
    let buf = &*buf;
    let (pixels, labels) = data.map_or((bind.empty, bind.empty), |d| (&d.pixels, &d.labels));
    let group = bind.group(
        &gather_normalize::SHADER,
        label,
        vec![
            ("p", buf.arena.binding(slot)),
            ("pixels", pixels.as_entire_binding()),
            ("labels", labels.as_entire_binding()),
            ("indices", buf.indices.as_entire_binding()),
            ("x", buf.acts[0].as_entire_binding()),
            ("y", buf.labels.as_entire_binding()),
        ],
    );
    (slot, group)
}
