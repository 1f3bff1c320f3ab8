//! The dashboard's sentences in both languages.

use crate::ui::i18n::{Text, tx};

pub const TITLE: Text = tx("Class", "班级");
pub const NO_TOKEN: Text = tx(
    "This page needs the teacher's link: start the server with backprop-lab serve --class (add --lan for the classroom's network, and --tls for https) and open the URL it prints, which ends in ?page=class&token=…",
    "这个页面需要教师链接：用 backprop-lab serve --class 启动服务器（在教室网络上加 --lan，要 https 再加 --tls），然后打开它打印的网址，网址以 ?page=class&token=… 结尾。",
);
pub const START: Text = tx("Start a class", "开始上课");
pub const START_HINT: Text = tx(
    "Starting gives a six-character code and a QR code for the students; their pages send only their runs' numbers, never drawings.",
    "开始后会得到一个六位代码和一个二维码供学生加入；学生的页面只发送运行的数字，绝不发送手写数字或图像。",
);
pub const CODE: Text = tx("Join code", "加入代码");
pub const JOIN_AT: Text = tx("Students open", "学生打开");
pub const STUDENTS: Text = tx("Students", "学生");
pub const ONLINE: Text = tx("{n} online", "{n} 人在线");
pub const CAPACITY: Text = tx("of at most {n}", "最多 {n} 人");
pub const NO_STUDENTS: Text = tx("No student has joined yet.", "还没有学生加入。");
pub const HOME: Text = tx("home page", "首页");
pub const STEP: Text = tx("step {n}", "第 {n} 步");
pub const OFFLINE: Text = tx("offline", "离线");
pub const ONLINE_ONE: Text = tx("online", "在线");
pub const DIVERGED: Text = tx("diverged", "已发散");
pub const TEST: Text = tx("test", "测试");
pub const VAL: Text = tx("val.", "验证");
pub const ANONYMISE: Text = tx(
    "Anonymise (Student 1, 2, … for the projector)",
    "匿名显示（投影时显示为学生 1、2、…）",
);
pub const LR_TITLE: Text = tx("Accuracy against learning rate", "准确率与学习率");
pub const LR_NOTE: Text = tx(
    "One dot per student run: its test accuracy, or its last validation accuracy while it runs; private runs are in the privacy chart.",
    "每个点是一名学生的一次运行：它的测试准确率，运行中的则用最近一次验证准确率；差分隐私的运行在隐私图中。",
);
pub const LEARNING_RATE: Text = tx("learning rate (log scale)", "学习率（对数刻度）");
pub const ACCURACY: Text = tx("accuracy", "准确率");
pub const CURVES_TITLE: Text = tx("Every run's validation accuracy", "每次运行的验证准确率");
pub const PRIVACY_TITLE: Text = tx("Accuracy against privacy budget ε", "准确率与隐私预算 ε");
pub const NO_PRIVATE: Text = tx("No private runs yet.", "还没有差分隐私的运行。");
pub const EPSILON: Text = tx("ε (smaller: more private)", "ε（越小越隐私）");
pub const ASSIGN_TITLE: Text = tx("Assign settings", "分配设置");
pub const ASSIGN_NOTE: Text = tx(
    "Pushed to the students' forms for their next run, in join order.",
    "按加入顺序推送到学生的表单中，用于他们的下一次运行。",
);
pub const LR_MIN: Text = tx("Smallest learning rate", "最小学习率");
pub const LR_MAX: Text = tx("Largest learning rate", "最大学习率");
pub const ASSIGN_LR: Text = tx(
    "Spread learning rates (log-evenly)",
    "分配学习率（对数均匀）",
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
pub const FOLLOW_TITLE: Text = tx("Everyone to a step", "全班到同一步");
pub const FOLLOW_LESSON: Text = tx("Lesson", "课程");
pub const FOLLOW_STEP: Text = tx("Step", "步骤");
pub const FOLLOW: Text = tx("Bring everyone there", "带所有人过去");
pub const FOLLOW_STOP: Text = tx("Stop following", "停止跟随");
pub const EXPORT_TITLE: Text = tx("Export and the class", "导出与班级");
pub const EXPORT_CSV: Text = tx("Download CSV", "下载 CSV");
pub const EXPORT_JSON: Text = tx("Download JSON", "下载 JSON");
pub const EXPIRES: Text = tx("The class expires at {t}.", "班级将于 {t} 过期。");
pub const KEPT: Text = tx(
    "The class is kept past its expiry.",
    "班级在过期后仍会保留。",
);
pub const KEEP: Text = tx("Keep the class", "保留班级");
pub const UNKEEP: Text = tx("Let it expire", "让它按时过期");
pub const END: Text = tx("End the class", "结束班级");
pub const ENDED: Text = tx(
    "The class has ended: the students' pages were told. Its data stays until it expires; the exports still work.",
    "班级已结束：学生的页面已收到通知。数据会保留到过期；导出仍然可用。",
);
pub const REFUSED: Text = tx("The server refused: ", "服务器拒绝了：");
pub const CONNECTION: Text = tx("Connection:", "连接：");
