//! The offer to continue a run saved in this browser (IndexedDB), and the control that forgets it.

use leptos::prelude::*;

use super::protocol::{Command, SavedRun};
use crate::ui::i18n::{Lang, Text, tx};

const FOUND: Text = tx(
    "A run saved in this browser can continue where it stopped:",
    "此浏览器中保存了一次训练，可以从停下的地方继续：",
);
const RESUME: Text = tx("Resume it", "继续这次训练");
/// Said at once when "Resume it" is pressed: restoring takes a few seconds, and the run comes back paused.
const RESUMING: Text = tx(
    "Resuming… restoring its weights, optimiser state and curves; it comes back paused — press Start (or the space key) to go on.",
    "正在恢复……正在还原它的权重、优化器状态和曲线；恢复后处于暂停状态——按“开始”（或空格键）继续。",
);
const DISCARD: Text = tx("Discard it", "丢弃");
const OTHER_DATA: Text = tx(
    "It used other training or test subsets than this page loads. Open its setup to continue it:",
    "它使用的训练或测试子集与本页加载的不同。打开它的设置以继续：",
);
const OPEN_SETUP: Text = tx("open the saved setup", "打开保存的设置");
const CLEAR: Text = tx("Clear saved progress", "清除已保存的进度");
const CLEARED: Text = tx(
    "Cleared: a reload starts afresh (until the next save).",
    "已清除：重新加载将从头开始（直到下一次保存）。",
);
const SAVING: Text = tx(
    "Progress is saved in this browser at every evaluation and on pause (never uploaded).",
    "进度会在每次评估和暂停时保存在此浏览器中（从不上传）。",
);

/// "step 1,200, epoch 2 of 10, 784→512→10, saved 14:05 on the CPU engine".
fn describe(run: &SavedRun, lang: Lang) -> String {
    let when = js_sys::Date::new(&run.saved_at.into())
        .to_locale_string(lang.code(), &wasm_bindgen::JsValue::UNDEFINED);
    let hidden = run
        .config
        .hidden
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("→");
    match lang {
        Lang::En => format!(
            "step {}, epoch {} of {}, hidden {hidden}, learning rate {}, saved {} on the {} engine.",
            run.step,
            run.epoch,
            run.config.epochs,
            run.config.lr,
            String::from(when),
            run.engine
        ),
        Lang::Zh => format!(
            "第 {} 步，第 {} / {} 轮，隐藏层 {hidden}，学习率 {}，于 {} 在 {} 引擎上保存。",
            run.step,
            run.epoch,
            run.config.epochs,
            run.config.lr,
            String::from(when),
            run.engine
        ),
    }
}

/// The banner offering the saved run (`resume-offer`, `resume-run`, `discard-saved`).
#[component]
pub fn ResumeOffer(
    saved: RwSignal<Option<SavedRun>>,
    lang: RwSignal<Lang>,
    send: Callback<Command>,
    clear: Callback<()>,
) -> impl IntoView {
    // Pressed: the button is disabled and says what happens until the worker's answer takes the offer away.
    let resuming = RwSignal::new(false);
    move || {
        saved.get().map(|run| {
            let link = format!("?lesson=train&{}", run.config.to_query());
            view! {
                <div class="resume-offer" data-testid="resume-offer" role="status"
                    data-step=run.step.to_string() data-compatible=run.compatible.to_string()>
                    <p>{move || FOUND.get(lang.get())}" "{let r = run.clone(); move || describe(&r, lang.get())}</p>
                    {if run.compatible {
                        view! {
                            <button data-testid="resume-run" disabled=move || resuming.get()
                                on:click=move |_| { resuming.set(true); send.run(Command::Resume); }>
                                {move || RESUME.get(lang.get())}</button>
                            {move || resuming.get().then(|| view! {
                                <span class="hint" data-testid="resuming" role="status">{move || RESUMING.get(lang.get())}</span>
                            })}
                        }.into_any()
                    } else {
                        view! {
                            <p>{move || OTHER_DATA.get(lang.get())}" "
                                <a data-testid="resume-setup" href=link>{move || OPEN_SETUP.get(lang.get())}</a></p>
                        }.into_any()
                    }}
                    <button data-testid="discard-saved" on:click=move |_| clear.run(())>
                        {move || DISCARD.get(lang.get())}</button>
                </div>
            }
        })
    }
}

/// The control that forgets the saved run (`clear-saved`), with what is saved and when.
#[component]
pub fn ClearSaved(
    lang: RwSignal<Lang>,
    clear: Callback<()>,
    cleared: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <p class="saving-note">{move || SAVING.get(lang.get())}" "
            <button class="danger" data-testid="clear-saved" on:click=move |_| clear.run(())>
                {move || CLEAR.get(lang.get())}</button>
            {move || cleared.get().then(|| view! { " " <span data-testid="cleared">{move || CLEARED.get(lang.get())}</span> })}
        </p>
    }
}
