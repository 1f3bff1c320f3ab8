//! The PyTorch program a student would write for the page's current setup — the model's widths, the
//! frozen layers, a kept or new head, each phase's rate, momentum and epochs — generated from that state
//! (not fixed text), complete with its imports so it runs as written (on stand-in data where the
//! student's own `DataLoader` goes).

/// One phase's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhaseCode {
    /// Learning rate.
    pub lr: f32,
    /// SGD momentum.
    pub momentum: f32,
    /// SGD weight decay.
    pub weight_decay: f32,
    /// Epochs.
    pub epochs: usize,
    /// Early stopping's patience in epochs (0: off), as the page's form sets it.
    pub patience: usize,
}

/// What the snippet is generated from.
#[derive(Clone, Debug, PartialEq)]
pub struct SnippetState {
    /// Layer widths of the model as loaded `[input, hidden…, classes]`.
    pub widths: Vec<usize>,
    /// Which layers are frozen for the head phase.
    pub frozen: Vec<bool>,
    /// The new head's classes, when the head was replaced.
    pub new_head: Option<usize>,
    /// The frozen layers are "frozen" by zeroing their gradients (they stay in the optimiser).
    pub zero_grad: bool,
    /// The head phase.
    pub head: PhaseCode,
    /// The full phase.
    pub full: PhaseCode,
    /// Rows per step.
    pub batch: usize,
    /// The seed.
    pub seed: u64,
}

/// The file name the page's *Download model* gives a model of these widths.
fn model_file(widths: &[usize]) -> String {
    let w: Vec<String> = widths.iter().map(usize::to_string).collect();
    format!("mlp-{}.safetensors", w.join("-"))
}

/// The program.
pub fn snippet(s: &SnippetState) -> String {
    let stopping = s.head.patience > 0 || s.full.patience > 0;
    let frozen: Vec<usize> = (0..s.widths.len() - 1)
        .filter(|&l| s.frozen.get(l).copied().unwrap_or(false))
        .collect();
    let zeroing = s.zero_grad && !frozen.is_empty();
    let mut out = imports(stopping);
    out.push_str(&model_class(&s.widths));
    out.push_str(&load_and_data(s, stopping));
    out.push_str(&freeze_and_head(s, &frozen, zeroing));
    out.push_str(train_function(stopping));
    out.push_str(&training_calls(s, zeroing));
    out
}

/// The imports (`copy` only where early stopping keeps the best weights).
fn imports(stopping: bool) -> String {
    let mut out = String::new();
    out.push_str(
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport torch.optim as optim\n",
    );
    if stopping {
        out.push_str("import copy\n");
    }
    out.push_str("from torch.utils.data import DataLoader, TensorDataset\n");
    out.push_str("from safetensors.torch import load_file\n\n");
    out
}

/// The network of these widths as an `nn.Module`.
fn model_class(w: &[usize]) -> String {
    let input = w[0];
    let layers = w.len() - 1;
    let mut out = String::new();
    out.push_str(&format!(
        "class Net(nn.Module):  # the article's §5.1 network, {}\n",
        w.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(" → ")
    ));
    out.push_str("    def __init__(self):\n        super().__init__()\n");
    for l in 0..layers {
        out.push_str(&format!(
            "        self.fc{} = nn.Linear({}, {})\n",
            l + 1,
            w[l],
            w[l + 1]
        ));
    }
    out.push_str(&format!(
        "\n    def forward(self, x):\n        x = x.view(-1, {input})\n"
    ));
    for l in 1..layers {
        out.push_str(&format!("        x = F.relu(self.fc{l}(x))\n"));
    }
    out.push_str(&format!("        return self.fc{layers}(x)\n\n"));
    out
}

/// The seed, the model loaded from the page's download, and the stand-in training (and, with early
/// stopping, validation) data.
fn load_and_data(s: &SnippetState, stopping: bool) -> String {
    let w = &s.widths;
    let (input, classes) = (w[0], w[w.len() - 1]);
    let mut out = String::new();
    out.push_str(&format!("torch.manual_seed({})\n", s.seed));
    out.push_str("model = Net()\n");
    out.push_str(&format!(
        "model.load_state_dict(load_file(\"{}\"))  # this page's Download model\n",
        model_file(w)
    ));
    let k = s.new_head.unwrap_or(classes);
    out.push_str(&format!(
        "# Stand-in examples so this runs as written: use your own DataLoader of the new task here.\n\
         train_loader = DataLoader(TensorDataset(torch.randn(50, {input}), torch.randint(0, {k}, (50,))),\n\
         \x20                         batch_size={}, shuffle=True)\n",
        s.batch
    ));
    if stopping {
        out.push_str(&format!(
            "# Early stopping watches examples set aside from the training examples (the page takes 1 in 5\n\
             # of each class), never the test examples: your own validation DataLoader here.\n\
             val_loader = DataLoader(TensorDataset(torch.randn(12, {input}), torch.randint(0, {k}, (12,))),\n\
             \x20                       batch_size={})\n",
            s.batch
        ));
    }
    out.push('\n');
    out
}

/// Step 2, the freezing (none, by `requires_grad`, or by zeroed gradients), and step 3, the head kept
/// or replaced; `frozen` lists the frozen layers.
fn freeze_and_head(s: &SnippetState, frozen: &[usize], zeroing: bool) -> String {
    let w = &s.widths;
    let layers = w.len() - 1;
    let mut out = String::new();
    if frozen.is_empty() {
        out.push_str("# Step 2: nothing frozen (every layer trains in the head phase too)\n");
    } else if zeroing {
        out.push_str(
            "# Step 2: \"freeze\" by zeroing gradients: requires_grad stays True, so these stay in the\n\
             # optimiser and its momentum and weight decay still move them\n",
        );
        let names: Vec<String> = frozen
            .iter()
            .map(|l| format!("*model.fc{}.parameters()", l + 1))
            .collect();
        out.push_str(&format!("zeroed = [{}]\n", names.join(", ")));
    } else {
        out.push_str("# Step 2: freeze (requires_grad = False: p.grad stays None, SGD skips it)\n");
        for l in frozen {
            out.push_str(&format!(
                "for p in model.fc{}.parameters():\n    p.requires_grad = False\n",
                l + 1
            ));
        }
    }
    match s.new_head {
        Some(k) => out.push_str(&format!(
            "# Step 3: a new head for {k} classes, freshly initialised\nmodel.fc{layers} = nn.Linear({}, {k})\n\n",
            w[layers - 1]
        )),
        None => out.push_str("# Step 3: the pretrained head is kept (same classes)\n\n"),
    }
    out
}

/// The training loop, with the validation loss and best-weights bookkeeping when early stopping is on.
fn train_function(stopping: bool) -> &'static str {
    if stopping {
        "def validation_loss():\n\
             \x20   model.eval()\n\
             \x20   with torch.no_grad():\n\
             \x20       total = sum(F.cross_entropy(model(x), y, reduction=\"sum\").item() for x, y in val_loader)\n\
             \x20   model.train()\n\
             \x20   return total / len(val_loader.dataset)\n\n\
             def train(params, lr, momentum, weight_decay, epochs, patience=0, zeroed=()):\n\
             \x20   # a fresh optimiser per phase\n\
             \x20   opt = optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)\n\
             \x20   model.train()\n\
             \x20   best, best_weights, since_best = float(\"inf\"), None, 0\n\
             \x20   for epoch in range(epochs):\n\
             \x20       for x, y in train_loader:\n\
             \x20           opt.zero_grad()\n\
             \x20           loss = F.cross_entropy(model(x), y)  # the batch mean\n\
             \x20           loss.backward()\n\
             \x20           for p in zeroed:\n\
             \x20               p.grad.zero_()\n\
             \x20           opt.step()\n\
             \x20       if patience:  # \"until it converges\": stop once the validation loss stops falling\n\
             \x20           v = validation_loss()\n\
             \x20           if v < best:\n\
             \x20               best, best_weights, since_best = v, copy.deepcopy(model.state_dict()), 0\n\
             \x20           else:\n\
             \x20               since_best += 1\n\
             \x20               if since_best >= patience:\n\
             \x20                   break\n\
             \x20   if best_weights is not None:  # keep the best epoch's weights\n\
             \x20       model.load_state_dict(best_weights)\n\n"
    } else {
        "def train(params, lr, momentum, weight_decay, epochs, zeroed=()):\n\
             \x20   # a fresh optimiser per phase\n\
             \x20   opt = optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)\n\
             \x20   model.train()\n\
             \x20   for epoch in range(epochs):\n\
             \x20       for x, y in train_loader:\n\
             \x20           opt.zero_grad()\n\
             \x20           loss = F.cross_entropy(model(x), y)  # the batch mean\n\
             \x20           loss.backward()\n\
             \x20           for p in zeroed:\n\
             \x20               p.grad.zero_()\n\
             \x20           opt.step()\n\n"
    }
}

/// Steps 4 and 5: the calls that train the head and then the whole model.
fn training_calls(s: &SnippetState, zeroing: bool) -> String {
    let mut out = String::new();
    let args = |p: &PhaseCode| {
        let mut a = format!(
            "lr={}, momentum={}, weight_decay={}, epochs={}",
            p.lr, p.momentum, p.weight_decay, p.epochs
        );
        if p.patience > 0 {
            a.push_str(&format!(", patience={}", p.patience));
        }
        a
    };
    if zeroing {
        out.push_str(&format!(
            "# Step 4: train the head (the zeroed layers are still in the optimiser)\ntrain(model.parameters(), {}, zeroed=zeroed)\n",
            args(&s.head)
        ));
    } else {
        out.push_str(&format!(
            "# Step 4: train the head\ntrain([p for p in model.parameters() if p.requires_grad], {})\n",
            args(&s.head)
        ));
    }
    out.push_str(&format!(
        "# Step 5: unfreeze everything, fine-tune at a smaller rate\nfor p in model.parameters():\n    p.requires_grad = True\ntrain(model.parameters(), {})\n",
        args(&s.full)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(new_head: Option<usize>) -> SnippetState {
        SnippetState {
            widths: vec![784, 512, 10],
            frozen: vec![true, false],
            new_head,
            zero_grad: false,
            head: PhaseCode {
                lr: 0.001,
                momentum: 0.9,
                weight_decay: 0.0,
                epochs: 20,
                patience: 0,
            },
            full: PhaseCode {
                lr: 0.0001,
                momentum: 0.9,
                weight_decay: 0.0,
                epochs: 20,
                patience: 0,
            },
            batch: 10,
            seed: 1,
        }
    }

    #[test]
    fn the_snippet_follows_the_page() {
        let kept = snippet(&state(None));
        assert!(kept.starts_with("import torch\n"), "{kept}");
        assert!(kept.contains("self.fc1 = nn.Linear(784, 512)"));
        assert!(kept.contains("for p in model.fc1.parameters():\n    p.requires_grad = False"));
        assert!(!kept.contains("model.fc2 = nn.Linear"), "{kept}");
        assert!(kept.contains("lr=0.001, momentum=0.9, weight_decay=0, epochs=20"));
        assert!(kept.contains("load_file(\"mlp-784-512-10.safetensors\")"));
        let replaced = snippet(&state(Some(3)));
        assert!(replaced.contains("model.fc2 = nn.Linear(512, 3)"));
        assert!(replaced.contains("torch.randint(0, 3, (50,))"));
        let mut edited = state(None);
        edited.head.lr = 0.01;
        edited.frozen = vec![false, false];
        let e = snippet(&edited);
        assert!(
            e.contains("lr=0.01, momentum=0.9") && e.contains("nothing frozen"),
            "{e}"
        );
        let mut zeroing = state(None);
        zeroing.zero_grad = true;
        zeroing.head.weight_decay = 0.01;
        let z = snippet(&zeroing);
        assert!(z.contains("zeroed = [*model.fc1.parameters()]"), "{z}");
        assert!(z.contains("train(model.parameters(), lr=0.001, momentum=0.9, weight_decay=0.01, epochs=20, zeroed=zeroed)"), "{z}");
        assert!(!z.contains("requires_grad = False"), "{z}");
        assert!(!z.contains("patience") && !z.contains("import copy"), "{z}");
        let mut stopping = state(None);
        stopping.full.patience = 3;
        let st = snippet(&stopping);
        assert!(
            st.contains("import copy\n") && st.contains("val_loader = DataLoader"),
            "{st}"
        );
        assert!(st.contains("epochs=20, patience=3)"), "{st}");
        assert!(st.contains("model.load_state_dict(best_weights)"), "{st}");
        assert!(
            st.contains("lr=0.001, momentum=0.9, weight_decay=0, epochs=20)"),
            "the head phase has none: {st}"
        );
    }

    /// Every combination of the page's settings that changes the program: two- and three-layer
    /// models, head kept or new, nothing / the first / every hidden layer frozen, frozen by
    /// `requires_grad` or by zeroed gradients, early stopping off, in the head phase or in the full one.
    fn every_variant() -> Vec<SnippetState> {
        let phase = |lr, momentum, weight_decay, epochs, patience| PhaseCode {
            lr,
            momentum,
            weight_decay,
            epochs,
            patience,
        };
        let mut out = Vec::new();
        for widths in [
            vec![784, 512, 10],
            vec![784, 256, 128, 10],
            vec![3072, 512, 6],
        ] {
            let layers = widths.len() - 1;
            for new_head in [None, Some(3)] {
                for frozen_layers in [0, 1, layers - 1] {
                    for zero_grad in [false, true] {
                        for (head_patience, full_patience) in [(0, 0), (2, 0), (0, 3)] {
                            out.push(SnippetState {
                                widths: widths.clone(),
                                frozen: (0..layers).map(|l| l < frozen_layers).collect(),
                                new_head,
                                zero_grad,
                                head: phase(0.001, 0.9, 0.0, 20, head_patience),
                                full: phase(0.0001, 0.5, 0.01, 7, full_patience),
                                batch: 32,
                                seed: 7,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// FNV-1a, 64 bits: a digest of the programs that needs no dependency.
    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[test]
    fn every_variant_of_the_program_is_byte_for_byte_as_recorded() {
        // The digest of all the variants' programs, recorded when `snippet` was split into one
        // function per part: a change to any generated byte fails here. If the change is meant,
        // check the new programs with scripts/check_pytorch_snippets.py and record the new digest.
        let all: Vec<String> = every_variant().iter().map(snippet).collect();
        if let Ok(dir) = std::env::var("BACKPROP_SNIPPET_DUMP") {
            for (i, p) in all.iter().enumerate() {
                std::fs::write(format!("{dir}/variant-{i}.py"), p).expect("written");
            }
        }
        assert_eq!(all.len(), 108);
        let digest = fnv1a(all.join("\u{0}").as_bytes());
        assert_eq!(digest, 0xb95f_2a53_a075_dd57, "digest {digest:#018x}");
    }
}

/// Writes every variant the page can produce (head kept or new, frozen or not) into
/// `$BACKPROP_SNIPPETS` for `scripts/pytorch/check_pytorch_snippets.py`, which runs each in PyTorch.
#[cfg(test)]
#[test]
#[ignore = "run by scripts/pytorch/check_pytorch_snippets.py, where PyTorch is installed"]
fn write_snippets_for_the_pytorch_check() {
    let dir = std::env::var("BACKPROP_SNIPPETS").expect("BACKPROP_SNIPPETS names a folder");
    let phase = |lr, momentum, epochs, patience| PhaseCode {
        lr,
        momentum,
        weight_decay: 0.01,
        epochs,
        patience,
    };
    let mut n = 0;
    for (widths, heads) in [
        (vec![784, 512, 10], vec![None, Some(10), Some(3)]),
        (vec![3072, 512, 6], vec![Some(4)]),
    ] {
        for new_head in heads {
            for (frozen, zero_grad, patience) in [
                (vec![true, false], false, 0),
                (vec![false, false], false, 0),
                (vec![true, false], true, 0),
                (vec![true, false], false, 1),
                (vec![true, false], true, 2),
            ] {
                let s = SnippetState {
                    widths: widths.clone(),
                    frozen,
                    new_head,
                    zero_grad,
                    head: phase(0.001, 0.9, 3, patience),
                    full: phase(0.0001, 0.9, 2, patience),
                    batch: 10,
                    seed: 1,
                };
                std::fs::write(format!("{dir}/snippet-{n}.py"), snippet(&s)).expect("written");
                n += 1;
            }
        }
    }
    assert_eq!(n, 20);
}
