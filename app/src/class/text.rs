//! Class mode's sentences in both languages (the student's bar, the teacher's dashboard, the notices).

use crate::ui::i18n::{Lang, Text, tx};

use super::socket::Status;

pub const JOIN_PROMPT: Text = tx(
    "Class {code}: if you join, your teacher sees your pseudonym, which lesson and step you are on, and a summary of each run (settings, loss, accuracy). Your drawings, images and name are never sent. Your teacher may set your learning rate or seed and open a step for you.",
    "课堂 {code}：加入后，老师能看到你的化名、你所在的课程和步骤，以及每次运行的摘要（设置、损失、准确率）。你画的数字、图像和名字都不会发送。老师可能为你设定学习率或随机种子，并带你打开某一步。",
);
pub const NAME_LABEL: Text = tx("Your name (optional)", "你的名字（可选）");
pub const NAME_HINT: Text = tx(
    "stays in this browser, never sent: the class sees only your pseudonym",
    "只保存在这个浏览器里，不会发送：全班只看到你的化名",
);
pub const JOIN: Text = tx("Join the class", "加入课堂");
pub const JOINING: Text = tx("Joining…", "正在加入…");
pub const NOT_A_CODE: Text = tx(
    "“{code}” is not a class code: a code is six letters and digits, as on the teacher's screen.",
    "“{code}”不是加入码：加入码由 6 个字母和数字组成，与老师屏幕上的一致。",
);
pub const UNKNOWN_CODE: Text = tx(
    "No class has the code {code}: check it against the teacher's screen (a code stops working when its class expires).",
    "没有加入码为 {code} 的课堂：请与老师屏幕上的加入码核对（课堂到期后加入码失效）。",
);
pub const ENDED_CODE: Text = tx(
    "Class {code} has ended: ask your teacher for the new code.",
    "课堂 {code} 已结束：请向老师要新的加入码。",
);
pub const TOO_MANY_TRIES: Text = tx(
    "Too many join attempts from this device or network: wait {s} s and try again.",
    "这台设备或这个网络尝试加入的次数太多：请等待 {s} 秒后再试。",
);
pub const CLASS_FULL: Text = tx("The class is full ({n} students).", "课堂已满（{n} 人）。");
pub const SERVER_SAYS: Text = tx("The server refused the join", "服务器拒绝了加入");
pub const UNREACHABLE: Text = tx(
    "The class server could not be reached: ",
    "无法连接到课堂服务器，请检查网络后再试。",
);
pub const YOU_ARE: Text = tx("You are", "你的化名是");
pub const IN_CLASS: Text = tx("In class {code} · connected", "已加入课堂 {code} · 已连接");
pub const WAITING: Text = tx(
    "{n} run summaries not yet stored by the class server (kept here; sent when connected)",
    "{n} 条运行摘要尚未存到课堂服务器（已保存在本机，连接后自动发送）",
);
pub const LEAVE: Text = tx("Leave class", "退出课堂");
pub const ENDED: Text = tx(
    "The class has ended: your page no longer sends anything.",
    "本次课堂已结束：你的页面不再发送任何内容。",
);
pub const REFUSED: Text = tx("The server refused a message: ", "服务器拒绝了一条消息：");
pub const LR_SET: Text = tx(
    "Your teacher set your learning rate to {lr}.",
    "老师把你的学习率设为 {lr}。",
);
pub const SEED_SET: Text = tx(
    "Your teacher set your seed to {seed}.",
    "老师把你的随机种子设为 {seed}。",
);
pub const PRESS_RESET: Text = tx(
    "Press Reset to start a new run with it.",
    "按“重置”开始一次使用它的新运行。",
);
pub const NEXT_START: Text = tx("Your next Start uses it.", "下一次按“开始”时就会使用它。");
pub const SIGMA_SET: Text = tx(
    "Your teacher set the noise multiplier σ to {sigma} for your next DP-SGD run.",
    "老师把你下一次 DP-SGD 训练的噪声乘数 σ 设为 {sigma}。",
);
pub const CLEARED: Text = tx(
    "Your teacher took the assigned settings back: your form keeps them until you change them.",
    "老师撤回了指定的设置：表单中的值会保留，你可以自己修改。",
);
pub const FOLLOWING: Text = tx(
    "Your teacher brought everyone to this step.",
    "老师让全班来到了这一步。",
);
pub const INSECURE: Text = tx(
    "This page came over plain http from another machine, so the browser does not treat it as secure: it gets no WebGPU, no offline copy and no shared memory, and the lessons train on the CPU engine (slower). The https address that backprop-lab serve --lan --tls prints gives WebGPU and shared memory; an offline copy also needs a certificate this device trusts (a self-signed one clicked through is not enough). Ask your teacher.",
    "这个页面是通过普通 http 从另一台机器打开的，浏览器不把它当作安全页面：没有 WebGPU、没有离线副本、也没有共享内存，各课程在 CPU 引擎上训练（较慢）。backprop-lab serve --lan --tls 打印的 https 地址可以提供 WebGPU 和共享内存；离线副本还需要这台设备信任的证书（点击跳过警告的自签名证书不够）。请询问老师。",
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
        Status::Closed(reason) => match reason.as_str() {
            "ended" => CLOSED_ENDED.get(lang).to_string(),
            "left" => CLOSED_LEFT.get(lang).to_string(),
            "page left" => CLOSED_PAGE_LEFT.get(lang).to_string(),
            _ => CLOSED.get(lang).to_string(),
        },
    }
}

pub const CLOSED_ENDED: Text = tx("closed (the class has ended)", "已关闭（课堂已结束）");
pub const CLOSED_LEFT: Text = tx("closed (you left the class)", "已关闭（你已退出课堂）");
pub const CLOSED_PAGE_LEFT: Text = tx("closed (the page was left)", "已关闭（已离开页面）");
pub const REFUSED_RATE: Text = tx(
    "too many messages at once; the page sends the rest again later",
    "消息发送过快；页面稍后会重新发送其余消息",
);
pub const REFUSED_ENDED: Text = tx("the class has ended", "课堂已结束");
pub const REFUSED_OTHER: Text = tx(
    "the message did not pass the server's checks",
    "消息未通过服务器的检查",
);

/// A refusal's reason from the server (English, for developers) in the page's language: known ones in
/// words, others as a generic line; the raw reason follows only in English.
pub fn refusal(reason: &str, lang: Lang) -> String {
    let known = if reason.starts_with("too many messages") {
        Some(REFUSED_RATE)
    } else if reason.contains("has ended") {
        Some(REFUSED_ENDED)
    } else {
        None
    };
    match (known, lang) {
        (Some(t), _) => t.get(lang).to_string(),
        (None, Lang::En) => format!("{} (server said: {reason})", REFUSED_OTHER.get(lang)),
        (None, Lang::Zh) => REFUSED_OTHER.get(lang).to_string(),
    }
}

/// What a refused join says, in the page's language where the status is known: 404 an unknown code,
/// 409 an ended class, 429 too many tries (with the server's `Retry-After` when it gave one), 503 a full
/// class; otherwise a generic line (the server's own text follows in English only).
pub fn join_refusal(
    status: u16,
    body: &str,
    retry_after_s: Option<u64>,
    code: &str,
    lang: Lang,
) -> String {
    match status {
        404 => UNKNOWN_CODE.get(lang).replace("{code}", code),
        409 => ENDED_CODE.get(lang).replace("{code}", code),
        429 => TOO_MANY_TRIES
            .get(lang)
            .replace("{s}", &retry_after_s.unwrap_or(60).to_string()),
        503 => CLASS_FULL
            .get(lang)
            .replace("{n}", &backprop_classroom::CLASS_CAPACITY.to_string()),
        _ => match lang {
            Lang::En => format!("{} ({status} {})", SERVER_SAYS.get(lang), body.trim()),
            Lang::Zh => format!("{}（{status}）", SERVER_SAYS.get(lang)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_join_says_why_in_the_pages_language() {
        assert!(join_refusal(404, "no such class", None, "ABCDEF", Lang::En).contains("ABCDEF"));
        assert!(join_refusal(404, "", None, "ABCDEF", Lang::Zh).contains("没有加入码"));
        assert!(join_refusal(409, "", None, "ABCDEF", Lang::Zh).contains("课堂 ABCDEF 已结束"));
        assert!(join_refusal(503, "", None, "ABCDEF", Lang::Zh).contains("200 人"));
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
            other.ends_with("(400 code: a class code is six letters)"),
            "{other}"
        );
        let zh = join_refusal(400, "code: a class code", None, "X", Lang::Zh);
        assert!(!zh.contains("code:"), "no English in Chinese: {zh}");
        assert!(refusal("too many messages: at most 20 a second", Lang::Zh).contains("过快"));
        assert!(!refusal("settings.lr: out of range", Lang::Zh).contains("lr"));
        assert!(refusal("settings.lr: out of range", Lang::En).contains("settings.lr"));
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
            "closed (the class has ended)"
        );
        assert_eq!(
            status(&Status::Closed("left".into()), Lang::Zh),
            "已关闭（你已退出课堂）"
        );
    }
}
