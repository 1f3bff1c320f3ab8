//! The cited figures of longer runs: the full-MNIST DP-SGD table, the optimisers' tuned rates and the
//! adversarial-examples figures (the book's "DP-SGD in the engine", "Optimisers", "Adversarial examples").

use super::{Check, Cited};
use crate::ui::i18n::{Text, tx};

/// `train` with the book's DP recipe: 784-512-10, lot 256, SGD lr 0.15, no momentum, seed 1.
const DP: Cited = Cited {
    id: "",
    value: "",
    unit: "%",
    what: Text { en: "", zh: "" }, // a template: every row sets its own
    command: "",
    check: Check::After("test accuracy", -1),
    source: "",
    measured: "2026-12-01",
    engine: "CPU engine, native, 2 threads, seed 1",
    cheap: false,
};

/// ε of a DP-SGD run (δ = 10⁻⁵, classic conversion) from its sampling rate 256/60,000, noise and lots:
/// the accountant alone, in a moment.
const EPSILON: Cited = Cited {
    unit: "ε",
    check: Check::After("\"epsilon\"", 0),
    engine: "the accountant (kernels::privacy), any machine",
    cheap: true,
    ..DP
};

/// The full-MNIST DP-SGD figures: the privacy lesson's step 4 and the book's tables.
pub const DP_FULL_MNIST: [Cited; 14] = [
    Cited {
        id: "dp-none-10-accuracy",
        value: "97.74",
        what: tx(
            "all of MNIST without privacy, 784-512-10, 10 epochs: test accuracy",
            "全部 MNIST、不加隐私保护，784-512-10，10 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --epochs 10 --batch-size 256 --lr 0.15 --momentum 0",
        ..DP
    },
    Cited {
        id: "dp-none-60-accuracy",
        value: "98.32",
        what: tx(
            "all of MNIST without privacy, 784-512-10, 60 epochs: test accuracy",
            "全部 MNIST、不加隐私保护，784-512-10，60 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --epochs 60 --batch-size 256 --lr 0.15 --momentum 0",
        ..DP
    },
    Cited {
        id: "dp-0.65-30-accuracy",
        value: "94.01",
        what: tx(
            "DP-SGD on all of MNIST, C 1, σ 0.65, 30 epochs: test accuracy",
            "在全部 MNIST 上做 DP-SGD，C 1，σ 0.65，30 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --epochs 30 --batch-size 256 --lr 0.15 --momentum 0 --dp-clip 1 --dp-noise 0.65",
        ..DP
    },
    Cited {
        id: "dp-0.65-30-epsilon",
        value: "7.93",
        what: tx(
            "ε of DP-SGD on all of MNIST, lot 256, σ 0.65, 30 epochs (7,020 lots)",
            "在全部 MNIST 上做 DP-SGD 的 ε，批大小 256，σ 0.65，30 轮（7,020 批）",
        ),
        command: "backprop-lab privacy --sampling-rate 0.004266666666666667 --noise 0.65 --steps 7020 --json",
        ..EPSILON
    },
    Cited {
        id: "dp-1.12-60-accuracy",
        value: "94.64",
        what: tx(
            "DP-SGD on all of MNIST, C 1, σ 1.12, 60 epochs: test accuracy",
            "在全部 MNIST 上做 DP-SGD，C 1，σ 1.12，60 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --epochs 60 --batch-size 256 --lr 0.15 --momentum 0 --dp-clip 1 --dp-noise 1.12",
        ..DP
    },
    Cited {
        id: "dp-1.12-60-epsilon",
        value: "2.92",
        what: tx(
            "ε of DP-SGD on all of MNIST, lot 256, σ 1.12, 60 epochs (14,040 lots)",
            "在全部 MNIST 上做 DP-SGD 的 ε，批大小 256，σ 1.12，60 轮（14,040 批）",
        ),
        command: "backprop-lab privacy --sampling-rate 0.004266666666666667 --noise 1.12 --steps 14040 --json",
        ..EPSILON
    },
    Cited {
        id: "dp-1.4-10-accuracy",
        value: "91.73",
        what: tx(
            "DP-SGD on all of MNIST, C 1, σ 1.4, 10 epochs: test accuracy",
            "在全部 MNIST 上做 DP-SGD，C 1，σ 1.4，10 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --epochs 10 --batch-size 256 --lr 0.15 --momentum 0 --dp-clip 1 --dp-noise 1.4",
        ..DP
    },
    Cited {
        id: "dp-1.4-10-epsilon",
        value: "0.91",
        what: tx(
            "ε of DP-SGD on all of MNIST, lot 256, σ 1.4, 10 epochs (2,340 lots)",
            "在全部 MNIST 上做 DP-SGD 的 ε，批大小 256，σ 1.4，10 轮（2,340 批）",
        ),
        command: "backprop-lab privacy --sampling-rate 0.004266666666666667 --noise 1.4 --steps 2340 --json",
        ..EPSILON
    },
    Cited {
        id: "dp-0.8-10-epsilon",
        value: "2.95",
        what: tx(
            "ε of DP-SGD on all of MNIST, lot 256, σ 0.8, 10 epochs (2,340 lots)",
            "在全部 MNIST 上做 DP-SGD 的 ε，批大小 256，σ 0.8，10 轮（2,340 批）",
        ),
        command: "backprop-lab privacy --sampling-rate 0.004266666666666667 --noise 0.8 --steps 2340 --json",
        ..EPSILON
    },
    Cited {
        id: "dp-0.9-20-epsilon",
        value: "2.72",
        what: tx(
            "ε of DP-SGD on all of MNIST, lot 256, σ 0.9, 20 epochs (4,680 lots)",
            "在全部 MNIST 上做 DP-SGD 的 ε，批大小 256，σ 0.9，20 轮（4,680 批）",
        ),
        command: "backprop-lab privacy --sampling-rate 0.004266666666666667 --noise 0.9 --steps 4680 --json",
        ..EPSILON
    },
    // The privacy lesson's own model in its full-MNIST mode (members=60000), measured in the page; the
    // same recipe natively printed the same 93.43 %.
    Cited {
        id: "dp-page-0.9-20-accuracy",
        value: "93.43",
        what: tx(
            "the privacy lesson's full-MNIST mode (784-128-10, SGD lr 0.1, momentum 0.5), DP-SGD C 1, σ 0.9, 20 epochs: test accuracy",
            "隐私课的全 MNIST 模式（784-128-10，SGD 学习率 0.1，动量 0.5），DP-SGD C 1，σ 0.9，20 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --hidden 128 --epochs 20 --batch-size 256 --lr 0.1 --momentum 0.5 --dp-clip 1 --dp-noise 0.9",
        engine: "CPU engine (wasm) in headless Chromium; the native command printed the same figure",
        ..DP
    },
    Cited {
        id: "dp-page-1.4-10-accuracy",
        value: "91.79",
        what: tx(
            "the privacy lesson's full-MNIST mode (784-128-10), DP-SGD C 1, σ 1.4, 10 epochs: test accuracy",
            "隐私课的全 MNIST 模式（784-128-10），DP-SGD C 1，σ 1.4，10 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --hidden 128 --epochs 10 --batch-size 256 --lr 0.1 --momentum 0.5 --dp-clip 1 --dp-noise 1.4",
        engine: "CPU engine (wasm) in headless Chromium, ?lesson=privacy&step=3&engine=cpu&members=60000&lot=256&clip=1&noise=1.4&epochs=10",
        ..DP
    },
    Cited {
        id: "dp-page-0.8-10-accuracy",
        value: "92.04",
        what: tx(
            "the privacy lesson's full-MNIST mode (784-128-10), DP-SGD C 1, σ 0.8, 10 epochs: test accuracy",
            "隐私课的全 MNIST 模式（784-128-10），DP-SGD C 1，σ 0.8，10 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --hidden 128 --epochs 10 --batch-size 256 --lr 0.1 --momentum 0.5 --dp-clip 1 --dp-noise 0.8",
        engine: "CPU engine (wasm) in headless Chromium, ?lesson=privacy&step=3&engine=cpu&members=60000&lot=256&clip=1&noise=0.8&epochs=10",
        ..DP
    },
    Cited {
        id: "dp-page-1.12-60-accuracy",
        value: "94.96",
        what: tx(
            "the privacy lesson's full-MNIST mode (784-128-10), DP-SGD C 1, σ 1.12, 60 epochs: test accuracy",
            "隐私课的全 MNIST 模式（784-128-10），DP-SGD C 1，σ 1.12，60 轮：测试准确率",
        ),
        command: "backprop-lab train --engine cpu --hidden 128 --epochs 60 --batch-size 256 --lr 0.1 --momentum 0.5 --dp-clip 1 --dp-noise 1.12",
        engine: "CPU engine (wasm) in headless Chromium, ?lesson=privacy&step=3&engine=cpu&members=60000&lot=256&clip=1&noise=1.12&epochs=60",
        ..DP
    },
];

const SWEEP: Cited = Cited {
    id: "",
    value: "",
    unit: "lr",
    what: Text { en: "", zh: "" }, // a template: every row sets its own
    command: "scripts/bench/optimizer-sweep.sh",
    check: Check::Published,
    source: "",
    measured: "2026-12-07",
    engine: "CPU engine, native, 2 threads; the seed MLP, batch 64, seeds 1–3, 3 epochs on MNIST with the first 5,000 training images held out and chosen on",
    cheap: false,
};

/// `kernels::NAMED`'s tuned rates, in its order: the sweep's choice on its validation split.
pub const TUNED_RATES: [Cited; 7] = [
    Cited {
        id: "tuned-rate-sgd",
        value: "0.1",
        what: tx(
            "the tuned learning rate of plain SGD (the race's preset)",
            "普通 SGD 调好的学习率（竞赛的预设）",
        ),
        check: Check::BestRate("sgd"),
        ..SWEEP
    },
    Cited {
        id: "tuned-rate-momentum",
        value: "0.01",
        what: tx(
            "the tuned learning rate of SGD with momentum 0.9",
            "动量 0.9 的 SGD 调好的学习率",
        ),
        check: Check::BestRate("momentum"),
        ..SWEEP
    },
    Cited {
        id: "tuned-rate-nesterov",
        value: "0.03",
        what: tx(
            "the tuned learning rate of Nesterov momentum 0.9",
            "Nesterov 动量 0.9 调好的学习率",
        ),
        check: Check::BestRate("nesterov"),
        ..SWEEP
    },
    Cited {
        id: "tuned-rate-adagrad",
        value: "0.01",
        what: tx("the tuned learning rate of AdaGrad", "AdaGrad 调好的学习率"),
        check: Check::BestRate("adagrad"),
        ..SWEEP
    },
    Cited {
        id: "tuned-rate-rmsprop",
        value: "0.0003",
        what: tx("the tuned learning rate of RMSprop", "RMSprop 调好的学习率"),
        check: Check::BestRate("rmsprop"),
        ..SWEEP
    },
    Cited {
        id: "tuned-rate-adam",
        value: "0.001",
        what: tx("the tuned learning rate of Adam", "Adam 调好的学习率"),
        check: Check::BestRate("adam"),
        ..SWEEP
    },
    Cited {
        id: "tuned-rate-adamw",
        value: "0.001",
        what: tx("the tuned learning rate of AdamW", "AdamW 调好的学习率"),
        check: Check::BestRate("adamw"),
        ..SWEEP
    },
];

/// `attack` on the shipped MNIST model: FGSM and PGD, each on all 10,000 test images.
const ATTACKED: Cited = Cited {
    id: "",
    value: "",
    unit: "%",
    what: Text { en: "", zh: "" }, // a template: every row sets its own
    command: "",
    check: Check::After("accuracy", -1),
    source: "",
    measured: "2026-12-01",
    engine: "CPU engine, native (lavapipe within 0.06 points)",
    cheap: true,
};

/// The shipped MNIST model under attack, and adversarial training against its control arm.
pub const ATTACK: [Cited; 11] = [
    Cited {
        id: "fgsm-mlp-0.05",
        value: "79.51",
        what: tx(
            "the shipped MNIST MLP under FGSM, ε = 0.05: test accuracy",
            "自带的 MNIST 多层感知机在 FGSM 攻击下的测试准确率，ε = 0.05",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --eps 0.05",
        ..ATTACKED
    },
    Cited {
        id: "fgsm-mlp-0.1",
        value: "24.38",
        what: tx(
            "the shipped MNIST MLP under FGSM, ε = 0.1: test accuracy",
            "自带的 MNIST 多层感知机在 FGSM 攻击下的测试准确率，ε = 0.1",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --eps 0.1",
        ..ATTACKED
    },
    Cited {
        id: "fgsm-mlp-0.15",
        value: "2.97",
        what: tx(
            "the shipped MNIST MLP under FGSM, ε = 0.15: test accuracy",
            "自带的 MNIST 多层感知机在 FGSM 攻击下的测试准确率，ε = 0.15",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --eps 0.15",
        ..ATTACKED
    },
    Cited {
        id: "fgsm-mlp-0.2",
        value: "0.24",
        what: tx(
            "the shipped MNIST MLP under FGSM, ε = 0.2: test accuracy",
            "自带的 MNIST 多层感知机在 FGSM 攻击下的测试准确率，ε = 0.2",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --eps 0.2",
        ..ATTACKED
    },
    Cited {
        id: "pgd-mlp-0.05",
        value: "77.50",
        what: tx(
            "the shipped MNIST MLP under PGD (10 steps), ε = 0.05: test accuracy",
            "自带的 MNIST 多层感知机在 PGD（10 步）攻击下的测试准确率，ε = 0.05",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --pgd-steps 10 --eps 0.05",
        ..ATTACKED
    },
    Cited {
        id: "pgd-mlp-0.1",
        value: "15.54",
        what: tx(
            "the shipped MNIST MLP under PGD (10 steps), ε = 0.1: test accuracy",
            "自带的 MNIST 多层感知机在 PGD（10 步）攻击下的测试准确率，ε = 0.1",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --pgd-steps 10 --eps 0.1",
        ..ATTACKED
    },
    // `--harden` prints the arms in order: as loaded (0), fine-tuned on clean images (1), adversarially
    // trained (2).
    Cited {
        id: "control-clean",
        value: "95.94",
        what: tx(
            "the shipped MNIST MLP fine-tuned one epoch on 6,000 clean images (the control arm): clean test accuracy",
            "自带的 MNIST 多层感知机在 6,000 张干净图像上微调一轮（对照组）：干净测试准确率",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --harden 6000 --eps 0",
        check: Check::After("accuracy", 1),
        ..ATTACKED
    },
    Cited {
        id: "control-fgsm-0.1",
        value: "25.05",
        what: tx(
            "the control arm under FGSM, ε = 0.1: test accuracy",
            "对照组在 FGSM 攻击下的测试准确率，ε = 0.1",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --harden 6000 --eps 0.1",
        check: Check::After("accuracy", 1),
        ..ATTACKED
    },
    Cited {
        id: "adversarial-clean",
        value: "95.69",
        what: tx(
            "the shipped MNIST MLP adversarially trained one epoch (6,000 images, FGSM ε = 0.1): clean test accuracy",
            "自带的 MNIST 多层感知机做一轮对抗训练（6,000 张图像，FGSM ε = 0.1）：干净测试准确率",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --harden 6000 --eps 0",
        check: Check::After("accuracy", 2),
        ..ATTACKED
    },
    Cited {
        id: "adversarial-fgsm-0.1",
        value: "69.30",
        what: tx(
            "the adversarially trained copy under FGSM, ε = 0.1: test accuracy",
            "对抗训练后的副本在 FGSM 攻击下的测试准确率，ε = 0.1",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --harden 6000 --eps 0.1",
        check: Check::After("accuracy", 2),
        ..ATTACKED
    },
    Cited {
        id: "adversarial-fgsm-0.2",
        value: "20.48",
        what: tx(
            "the adversarially trained copy under FGSM, ε = 0.2: test accuracy",
            "对抗训练后的副本在 FGSM 攻击下的测试准确率，ε = 0.2",
        ),
        command: "backprop-lab attack --model static/models/mnist-mlp-784-512-10.safetensors --engine cpu --harden 6000 --eps 0.2",
        check: Check::After("accuracy", 2),
        ..ATTACKED
    },
];
