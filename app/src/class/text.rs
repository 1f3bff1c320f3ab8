//! Class mode's sentences in both languages (the student's bar, the teacher's dashboard, the notices).

use crate::ui::i18n::{Lang, Text, tx};

use super::socket::Status;

pub const JOIN_PROMPT: Text = tx(
    "Class {code}: join to send your runs' numbers (settings, accuracy, loss) to your teacher's screen. Never your drawings or images.",
    "班级 {code}：加入后，你的运行数字（设置、准确率、损失）会发送到老师的屏幕上。绝不发送你的手写数字或图像。",
);
pub const NAME_LABEL: Text = tx("Your name (optional)", "你的名字（可选）");
pub const NAME_HINT: Text = tx(
    "stays in this browser: the class sees only your pseudonym",
    "只保存在这个浏览器里：全班只看到你的化名",
);
pub const JOIN: Text = tx("Join the class", "加入班级");
pub const JOINING: Text = tx("Joining…", "正在加入…");
pub const NOT_A_CODE: Text = tx(
    "“{code}” is not a class code: a code is six letters and digits, as on the teacher's screen.",
    "“{code}”不是班级代码：代码由六个字母和数字组成，与老师屏幕上的一致。",
);
pub const UNKNOWN_CODE: Text = tx(
    "No class has the code {code}: check it against the teacher's screen (the class may have ended).",
    "没有代码为 {code} 的班级：请与老师屏幕上的代码核对（班级可能已经结束）。",
);
pub const TOO_MANY_TRIES: Text = tx(
    "Too many join attempts from this network: wait {s} s and try again.",
    "这个网络的加入尝试太多：请等待 {s} 秒后再试。",
);
pub const CLASS_FULL: Text = tx(
    "The class is full: ask your teacher.",
    "班级已满：请询问老师。",
);
pub const SERVER_SAYS: Text = tx("The server refused the join: ", "服务器拒绝了加入：");
pub const UNREACHABLE: Text = tx(
    "The class server could not be reached: ",
    "无法连接到班级服务器：",
);
pub const YOU_ARE: Text = tx("You are", "你的化名是");
pub const IN_CLASS: Text = tx("In class {code} · connected", "在班级 {code} 中 · 已连接");
pub const WAITING: Text = tx(
    "{n} reports waiting to be stored",
    "{n} 条报告等待服务器保存",
);
pub const LEAVE: Text = tx("Leave class", "退出班级");
pub const ENDED: Text = tx(
    "The class has ended: your page no longer sends anything.",
    "班级已结束：你的页面不再发送任何内容。",
);
pub const REFUSED: Text = tx("The server refused a message: ", "服务器拒绝了一条消息：");
pub const LR_SET: Text = tx(
    "Your teacher set the learning rate to {lr} for your next run.",
    "老师把你下一次运行的学习率设为 {lr}。",
);
pub const SEED_SET: Text = tx(
    "Your teacher set the seed to {seed} for your next run.",
    "老师把你下一次运行的随机种子设为 {seed}。",
);
pub const SIGMA_SET: Text = tx(
    "Your teacher set the noise multiplier σ to {sigma} for your next private run.",
    "老师把你下一次差分隐私运行的噪声乘数 σ 设为 {sigma}。",
);
pub const CLEARED: Text = tx(
    "Your teacher took the assigned settings back: choose your own.",
    "老师撤回了指定的设置：请自己选择。",
);
pub const FOLLOWING: Text = tx(
    "Your teacher brought everyone to this step.",
    "老师把所有人带到了这一步。",
);
pub const INSECURE: Text = tx(
    "This page came over plain http from another machine, so the browser does not treat it as secure: it gets no WebGPU, no offline copy and no shared memory, and the lessons train on the CPU engine (slower). Ask your teacher for the https address that backprop-lab serve --lan --tls prints.",
    "这个页面是通过普通 http 从另一台机器打开的，浏览器不把它当作安全页面：没有 WebGPU、没有离线副本、也没有共享内存，各课程在 CPU 引擎上训练（较慢）。请向老师要 backprop-lab serve --lan --tls 打印的 https 地址。",
);

pub const CONNECTING: Text = tx("connecting…", "正在连接…");
pub const CONNECTED: Text = tx("connected", "已连接");
pub const RECONNECTING: Text = tx(
    "connection lost: trying again in {s} s (attempt {n})",
    "连接中断：{s} 秒后重试（第 {n} 次）",
);
pub const CLOSED: Text = tx("closed", "已关闭");

/// The connection's status in words.
pub fn status(status: &Status, lang: Lang) -> String {
    match status {
        Status::Connecting => CONNECTING.get(lang).to_string(),
        Status::Open => CONNECTED.get(lang).to_string(),
        Status::Reconnecting { attempt, in_ms } => RECONNECTING
            .get(lang)
            .replace("{s}", &format!("{:.1}", in_ms / 1000.0))
            .replace("{n}", &attempt.to_string()),
        Status::Closed(reason) if reason.is_empty() => CLOSED.get(lang).to_string(),
        Status::Closed(reason) => format!("{} ({reason})", CLOSED.get(lang)),
    }
}

/// What a refused join says, in the page's language where the status is known: 404 an unknown code,
/// 429 too many tries (with the server's `Retry-After` when it gave one), 503 a full class; otherwise the
/// server's own text.
pub fn join_refusal(
    status: u16,
    body: &str,
    retry_after_s: Option<u64>,
    code: &str,
    lang: Lang,
) -> String {
    match status {
        404 => UNKNOWN_CODE.get(lang).replace("{code}", code),
        429 => TOO_MANY_TRIES
            .get(lang)
            .replace("{s}", &retry_after_s.unwrap_or(60).to_string()),
        503 => CLASS_FULL.get(lang).to_string(),
        _ => format!("{}{} {}", SERVER_SAYS.get(lang), status, body.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_join_says_why_in_the_pages_language() {
        assert!(join_refusal(404, "no such class", None, "ABCDEF", Lang::En).contains("ABCDEF"));
        assert!(join_refusal(404, "", None, "ABCDEF", Lang::Zh).contains("没有代码"));
        assert!(join_refusal(429, "", Some(42), "ABCDEF", Lang::En).contains("42 s"));
        assert!(join_refusal(429, "", None, "ABCDEF", Lang::Zh).contains("60 秒"));
        assert!(join_refusal(503, "", None, "ABCDEF", Lang::En).contains("full"));
        let other = join_refusal(
            400,
            "code: a class code is six letters\n",
            None,
            "X",
            Lang::En,
        );
        assert!(
            other.ends_with("400 code: a class code is six letters"),
            "{other}"
        );
    }

    #[test]
    fn the_status_reads_in_both_languages() {
        let r = Status::Reconnecting {
            attempt: 3,
            in_ms: 2000.0,
        };
        assert_eq!(
            status(&r, Lang::En),
            "connection lost: trying again in 2.0 s (attempt 3)"
        );
        assert_eq!(status(&r, Lang::Zh), "连接中断：2.0 秒后重试（第 3 次）");
        assert_eq!(
            status(&Status::Closed("ended".into()), Lang::En),
            "closed (ended)"
        );
    }
}
