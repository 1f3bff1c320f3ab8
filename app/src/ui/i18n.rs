//! The page in English and Chinese (`?lang=zh`, or the toggle in the header). The first lesson keys its
//! text by the English string ([`t`]); newer lessons hold every sentence as a [`Text`] with both
//! languages side by side, so a missing translation cannot compile, and their tests check that none is
//! empty or left in English.

/// The page's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// From the `lang` URL parameter, else the browser's preference.
    pub fn detect(query: &str) -> Self {
        let from_url = query
            .trim_start_matches('?')
            .split('&')
            .find_map(|p| p.strip_prefix("lang="));
        let pick = |s: &str| {
            if s.to_ascii_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            }
        };
        match from_url {
            Some(v) => pick(v),
            None => web_sys::window()
                .and_then(|w| w.navigator().language())
                .map_or(Lang::En, |l| pick(&l)),
        }
    }

    /// The `lang` attribute value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }
}

/// One sentence in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// English.
    pub en: &'static str,
    /// Simplified Chinese.
    pub zh: &'static str,
}

impl Text {
    /// The sentence in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// Shorthand for a [`Text`].
pub const fn tx(en: &'static str, zh: &'static str) -> Text {
    Text { en, zh }
}

/// Checks a lesson's table of texts: every Chinese text present and translated (text without Latin
/// letters, such as a formula, may be the same in both). Returns the offending English texts.
#[cfg(test)]
pub fn untranslated(texts: &[Text]) -> Vec<&'static str> {
    texts
        .iter()
        .filter(|t| {
            t.zh.trim().is_empty()
                || (t.zh == t.en && t.en.chars().filter(|c| c.is_ascii_alphabetic()).count() > 3)
        })
        .map(|t| t.en)
        .collect()
}

/// `english` in `lang`.
pub fn t(lang: Lang, english: &'static str) -> &'static str {
    if lang == Lang::En {
        return english;
    }
    match english {
        "Lesson: Train a network" => "课程：训练一个神经网络",
        "Starting the engine…" => "正在启动计算引擎…",
        "The training loop" => "训练循环",
        "Initialise" => "初始化",
        "weights uniform in ±1/√fan_in, from the seed" => {
            "按随机种子，权重在 ±1/√fan_in 内均匀初始化"
        }
        "Forward" => "前向传播",
        "Loss" => "损失",
        "cross-entropy: −log softmax(logits)[label]" => "交叉熵：−log softmax(logits)[标签]",
        "Gradients" => "梯度",
        "backpropagation: dW = dYᵀ·X, dX = dY·W" => "反向传播：dW = dYᵀ·X，dX = dY·W",
        "Update" => "更新",
        "Repeat" => "重复",
        "next batch; a new shuffle every epoch" => "下一批数据；每个轮次重新打乱",
        "Controls" => "控制",
        "Start" => "开始",
        "Pause" => "暂停",
        "Pausing…" => "正在暂停…",
        "Resume" => "继续",
        "Finished" => "已完成",
        "Step" => "单步",
        "Reset" => "重置",
        "Keys: space start/pause · s step · r reset. Learning rate and momentum apply at once; the rest on Reset." => {
            "快捷键：空格 开始/暂停 · s 单步 · r 重置。学习率和动量立即生效，其余设置在重置后生效。"
        }
        "Learning rate" => "学习率",
        "Momentum" => "动量",
        "Batch size" => "批大小",
        "Epochs" => "轮次",
        "Seed" => "随机种子",
        "Hidden widths" => "隐藏层宽度",
        "Optimiser" => "优化器",
        "SGD + momentum" => "SGD + 动量",
        "Progress" => "进度",
        "Steps" => "步数",
        "Epoch" => "轮次",
        "Test accuracy" => "测试准确率",
        "Speed" => "速度",
        "Data" => "数据",
        "samples/s" => "样本/秒",
        "Training loss per step" => "每一步的训练损失",
        "First-layer weights" => "第一层权重",
        "Each tile is one hidden unit's 784 weights as a 28×28 image: red positive, blue negative." => {
            "每个小图是一个隐藏单元的 784 个权重（28×28）：红色为正，蓝色为负。"
        }
        "hidden units shown" => "个隐藏单元",
        "Confusion matrix (test set)" => "混淆矩阵（测试集）",
        "Appears after the first evaluation." => "第一次评估后显示。",
        "Click a cell to see its test images." => "点击格子查看对应的测试图片。",
        "Draw a digit" => "手写一个数字",
        "Draw a digit in the box." => "请在方框里写一个数字。",
        "The model says" => "模型认为是",
        "sure" => "把握",
        "Clear" => "清除",
        "Check against autodiff" => "与自动微分对照",
        "Check gradients" => "检查梯度",
        "Runs one step of the current weights on our hand-written backward pass and on burn's automatic differentiation (same GPU, same batch) and compares every gradient." => {
            "用当前权重各跑一步：一次用我们手写的反向传播，一次用 burn 的自动微分（同一块 GPU、同一批数据），并逐个比较梯度。"
        }
        "MNIST: LeCun, Cortes, Burges (CC BY-SA 3.0). Every number on this page comes live from the model." => {
            "MNIST：LeCun、Cortes、Burges（CC BY-SA 3.0）。页面上的每个数字都实时来自模型。"
        }
        _ => english,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_the_key_and_chinese_is_complete_for_buttons() {
        assert_eq!(t(Lang::En, "Start"), "Start");
        for key in [
            "Start",
            "Pause",
            "Resume",
            "Step",
            "Reset",
            "Clear",
            "Learning rate",
            "Test accuracy",
        ] {
            assert_ne!(t(Lang::Zh, key), key, "{key} has no Chinese");
        }
        assert_eq!(Lang::detect("?lang=zh&lr=0.1"), Lang::Zh);
        assert_eq!(Lang::detect("?lr=0.1&lang=en"), Lang::En);
    }
}
