//! The dashboard's sentences in both languages.

use crate::ui::i18n::{Text, tx};

pub const TITLE: Text = tx("Class", "课堂");
pub const NO_TOKEN: Text = tx(
    "This page needs the teacher's link: start the server with backprop-lab serve --class (add --lan for the classroom's network, and --tls for https) and open the URL it prints, which ends in ?page=class&token=…",
    "这个页面需要教师链接：用 backprop-lab serve --class 启动服务器（在教室网络上加 --lan，要 https 再加 --tls），然后打开它打印的网址，网址以 ?page=class&token=… 结尾。",
);
pub const START: Text = tx("Start a class", "开始上课");
pub const START_HINT: Text = tx(
    "Starting gives a six-character code and a QR code for the students. Their pages send their pseudonym, which lesson and step they are on, and a summary of each run (settings, loss, accuracy); never drawings, images or names.",
    "开始后会得到一个 6 个字符的加入码和一个二维码供学生加入。学生的页面会发送化名、所在的课程和步骤，以及每次运行的摘要（设置、损失、准确率）；绝不发送画的数字、图像或名字。",
);
pub const CODE: Text = tx("Join code", "加入码");
pub const JOIN_AT: Text = tx("Students open", "学生打开");
pub const STUDENTS: Text = tx("Students", "学生");
pub const ONLINE: Text = tx("{n} online", "{n} 人在线");
pub const CAPACITY: Text = tx("room for {n}", "上限 {n} 人");
pub const NO_STUDENTS: Text = tx("No student has joined yet.", "还没有学生加入。");
pub const HOME: Text = tx("home page", "首页");
pub const STEP: Text = tx("step {n}", "第 {n} 步");
pub const OFFLINE: Text = tx("offline", "离线");
pub const ONLINE_ONE: Text = tx("online", "在线");
pub const DIVERGED_AT: Text = tx(
    "diverged at step {n} (val. before: {pct})",
    "第 {n} 步发散（此前验证 {pct}）",
);
pub const TEST: Text = tx("test", "测试");
pub const VAL: Text = tx("val.", "验证");
pub const FIGURE_HELP: Text = tx(
    "val.: validation accuracy, images held out from training; test: measured once at the end",
    "验证：在未参与训练的留出图像上的准确率；测试：运行结束时只测一次",
);
pub const TAG_TRAIN: Text = tx("Train", "训练");
pub const TAG_PRIVACY: Text = tx("Privacy", "隐私");
pub const CONTINUED: Text = tx("continued run", "接续的运行");
pub const LR_CHANGED: Text = tx("settings changed mid-run", "运行中改过设置");
pub const ASSIGNED_LR: Text = tx("assigned lr {v}", "指定学习率 {v}");
pub const ASSIGNED_SEED: Text = tx("seed {v}", "种子 {v}");
pub const ASSIGNED_SIGMA: Text = tx("σ {v}", "σ {v}");
pub const ANONYMISE: Text = tx(
    "Anonymise (Student 1, 2, … for the projector)",
    "匿名显示（投影时显示为学生 1、2、…）",
);
pub const LR_TITLE: Text = tx("Accuracy against learning rate", "不同学习率下的准确率");
pub const LR_NOTE: Text = tx(
    "One dot per Train run (three runs, three dots). Filled: test accuracy of a finished run. Hollow: last validation accuracy of a run with no test figure (running, paused, reloaded or left), which may be far from where it would end. ×: diverged (at the bottom, whatever it measured before). Shape: the optimiser (● SGD, ■ momentum, ▲ Adam). Dots are comparable only when everything else is equal: compare like with like. A run continued from trained weights or whose rate changed mid-run is left out. One run per dot: a point or two can be luck (the seed).",
    "每个点是“训练”课中的一次运行（运行三次就有三个点）。实心：已完成运行的测试准确率。空心：没有测试结果的运行（仍在运行、已暂停、页面重新加载或已离开）最近一次的验证准确率，可能与运行结束时相差很远。×：已发散（画在底部，不论此前测得多少）。形状表示优化器（● SGD、■ 动量、▲ Adam）。只有其他设置都相同时，各点才可比较：只比较设置相同的点。从已训练权重接续的运行或运行中改过学习率的运行不在图中。每个点只是一次运行：一两个百分点的差异可能只是运气（随机种子）。",
);
pub const LEGEND_DIVERGED: Text = tx(
    "× diverged (its loss stopped being a number: no accuracy to show)",
    "× 已发散（损失不再是一个数：没有准确率可显示）",
);
pub const FILTER_LATEST: Text = tx("Latest run per student", "每名学生的最近一次运行");
pub const FILTER_ALL: Text = tx("Every run", "全部运行");
pub const LEARNING_RATE: Text = tx("learning rate (log scale)", "学习率（对数刻度）");
pub const LR_ACCURACY: Text = tx(
    "test accuracy (hollow: validation)",
    "测试准确率（空心：验证准确率）",
);
pub const VAL_ACCURACY: Text = tx("validation accuracy", "验证准确率");
pub const TEST_ACCURACY: Text = tx("test accuracy", "测试准确率");
pub const VALIDATION: Text = tx("validation", "验证");
pub const TEST_WORD: Text = tx("test", "测试");
pub const DIVERGED_AT_STEP: Text = tx("diverged at step {n}", "第 {n} 步发散");
pub const LR_SHORT: Text = tx("lr", "学习率");
pub const EPS_SHORT: Text = tx("ε", "ε");
pub const CURVES_NOTE: Text = tx(
    "Colour: learning rate (blue ≤ 0.001, then teal, green, orange, red ≥ 10).",
    "颜色表示学习率（蓝色 ≤ 0.001，其后依次为青色、绿色、橙色，红色 ≥ 10）。",
);
pub const CURVES_TITLE: Text = tx("Every run's validation accuracy", "每次运行的验证准确率");
pub const CURVES_X: Text = tx(
    "training steps (batch sizes may differ)",
    "训练步数（各运行的批大小可能不同）",
);
pub const PRIVACY_TITLE: Text = tx(
    "Test accuracy against privacy budget ε (δ = 10⁻⁵)",
    "不同隐私预算 ε 下的测试准确率（δ = 10⁻⁵）",
);
pub const NO_PRIVATE: Text = tx(
    "No finished private run with a finite ε yet.",
    "还没有已完成、ε 有限的差分隐私训练。",
);
pub const EPSILON: Text = tx(
    "privacy budget ε (log scale; smaller: more private)",
    "隐私预算 ε（对数刻度；越小，隐私保护越强）",
);
pub const ASSIGN_TITLE: Text = tx("Assign settings", "分配设置");
pub const ASSIGN_NOTE: Text = tx(
    "Spread over all {n} students who have joined, online or not, in join order; each push replaces the previous one.",
    "按加入顺序分给已加入的全部 {n} 名学生（无论是否在线）；每次分配都会取代上一次。",
);
pub const LR_MIN: Text = tx("Smallest learning rate", "最小学习率");
pub const LR_MAX: Text = tx("Largest learning rate", "最大学习率");
pub const ASSIGN_LR: Text = tx("Spread learning rates", "分配学习率");
pub const SPREAD_HOW: Text = tx(
    "Each rate is the previous one × the same factor (×{f} for {n} students from {min} to {max}); rounded to 3 figures. To give everyone the same rate, set smallest = largest.",
    "每个学习率是前一个乘以同一个倍数（{n} 名学生从 {min} 到 {max}：×{f}），保留三位有效数字。要让全班使用相同的学习率，把最小值和最大值设为相同。",
);
pub const SIGMA_MIN: Text = tx("Smallest noise multiplier σ", "最小噪声乘数 σ");
pub const SIGMA_MAX: Text = tx("Largest noise multiplier σ", "最大噪声乘数 σ");
pub const ASSIGN_SIGMA: Text = tx("Spread σ", "分配噪声乘数 σ");
pub const SIGMA_HOW: Text = tx(
    "For the privacy lesson's next DP-SGD run: evenly spaced from smallest to largest, in join order.",
    "用于隐私课下一次 DP-SGD 训练：按加入顺序，从最小值到最大值均匀分配。",
);
pub const BAD_SIGMA: Text = tx(
    "Noise multipliers need 0 ≤ smallest ≤ largest ≤ 100.",
    "噪声乘数 σ 需满足 0 ≤ 最小值 ≤ 最大值 ≤ 100。",
);
pub const ASSIGN_SEEDS: Text = tx(
    "A seed per student (1, 2, 3, …)",
    "每人一个随机种子（1、2、3、…）",
);
pub const ASSIGN_CLEAR: Text = tx("Take assignments back", "撤回分配");
pub const BAD_RANGE: Text = tx(
    "Learning rates need 0 < smallest ≤ largest ≤ 10.",
    "学习率需满足 0 < 最小值 ≤ 最大值 ≤ 10。",
);
pub const FOLLOW_TITLE: Text = tx("Everyone to a step", "让全班跳到某一步");
pub const FOLLOW_LESSON: Text = tx("Lesson", "课程");
pub const FOLLOW_STEP: Text = tx("Step", "步骤");
pub const FOLLOW: Text = tx(
    "Open this step on every student's page (runs in other lessons stop)",
    "让全班打开这一步（其他课程中的运行会停止）",
);
pub const FOLLOW_STOP: Text = tx(
    "Don't send late joiners there",
    "不再把后加入的学生带到这里",
);
pub const EXPORT_TITLE: Text = tx("Export and expiry", "导出与课堂期限");
pub const EXPORT_CSV: Text = tx("Download CSV", "下载 CSV");
pub const EXPORT_JSON: Text = tx("Download JSON", "下载 JSON");
pub const EXPIRES: Text = tx(
    "The class expires at {t}; then its data is deleted from this computer. Download it first, or keep the class.",
    "本次课堂将于 {t} 到期，届时数据会从这台电脑上删除。请先下载，或保留课堂。",
);
pub const KEPT: Text = tx(
    "The class is kept past its expiry.",
    "课堂在到期后仍会保留。",
);
pub const KEEP: Text = tx("Keep the class", "保留课堂");
pub const UNKEEP: Text = tx("Let it expire", "让它按时到期");
pub const END: Text = tx("End the class", "结束课堂");
pub const ENDED: Text = tx(
    "The class has ended: the students' pages were told. Its data stays until it expires (then it is deleted); the exports still work.",
    "本次课堂已结束：学生的页面已收到通知。数据会保留到课堂到期（之后删除）；导出仍然可用。",
);
pub const REFUSED: Text = tx("The server refused: ", "服务器拒绝了此操作：");
pub const CONNECTION: Text = tx("Connection:", "连接：");
