//! The teacher's actions: assign settings (learning rates spread log-evenly, a seed each, or take them
//! back), bring everyone to a step, the exports, keep or end the class.

use backprop_classroom::{Follow, Spread, TeacherMessage};
use leptos::prelude::*;

use super::{Dashboard, text};
use crate::lessons::LESSONS;
use crate::ui::i18n::Lang;

/// The learning-rate range typed, if the server would take it.
pub fn lr_range(min: &str, max: &str) -> Option<(f64, f64)> {
    let (a, b) = (
        min.trim().parse::<f64>().ok()?,
        max.trim().parse::<f64>().ok()?,
    );
    (a.is_finite() && b.is_finite() && 0.0 < a && a <= b && b <= 10.0).then_some((a, b))
}

/// An export link's address.
pub fn export_href(format: &str, token: &str, code: &str) -> String {
    format!(
        "/class/export.{format}?token={}&code={}",
        js_sys::encode_uri_component(token),
        js_sys::encode_uri_component(code)
    )
}

/// The panel of actions.
#[component]
pub fn Controls(d: Dashboard) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let (lr_min, lr_max) = (
        RwSignal::new("0.001".to_string()),
        RwSignal::new("10".to_string()),
    );
    let bad = RwSignal::new(false);
    let assign_lr = move |_| match lr_range(&lr_min.get_untracked(), &lr_max.get_untracked()) {
        Some((min, max)) => {
            bad.set(false);
            d.send(TeacherMessage::Assign {
                spread: Spread::LearningRates { min, max },
            });
        }
        None => bad.set(true),
    };
    let follow_lesson = RwSignal::new(LESSONS.first().map_or("train", |l| l.info.id).to_string());
    let follow_step = RwSignal::new("1".to_string());
    let follow = move |_| {
        let step = follow_step
            .get_untracked()
            .trim()
            .parse::<u32>()
            .unwrap_or(1)
            .max(1);
        d.send(TeacherMessage::Follow {
            follow: Some(Follow {
                lesson: follow_lesson.get_untracked(),
                step,
            }),
        });
    };
    let code = move || {
        d.info
            .with(|i| i.as_ref().map(|i| i.code.clone()).unwrap_or_default())
    };
    let kept = move || d.info.with(|i| i.as_ref().is_some_and(|i| i.kept));
    let expires = move || {
        d.info.with(|i| {
            i.as_ref().map_or(String::new(), |i| {
                let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(i.expires_ms as f64));
                String::from(
                    date.to_locale_string(lang.get().code(), &wasm_bindgen::JsValue::UNDEFINED),
                )
            })
        })
    };
    let toggle_keep = move |_| {
        let keep = !kept();
        if d.send(TeacherMessage::Keep { keep }) {
            d.info.update(|i| {
                if let Some(i) = i {
                    i.kept = keep;
                }
            });
        }
    };
    view! {
        <div class="class-controls">
            <section class="panel">
                <h3>{move || text::ASSIGN_TITLE.get(lang.get())}</h3>
                <p class="hint">{move || text::ASSIGN_NOTE.get(lang.get())}</p>
                <div class="fields">
                    <label for="class-lr-min">{move || text::LR_MIN.get(lang.get())}</label>
                    <input id="class-lr-min" data-testid="class-assign-lr-min" type="number" step="any" min="0" max="10"
                        prop:value=move || lr_min.get() on:change=move |ev| lr_min.set(event_target_value(&ev)) />
                    <label for="class-lr-max">{move || text::LR_MAX.get(lang.get())}</label>
                    <input id="class-lr-max" data-testid="class-assign-lr-max" type="number" step="any" min="0" max="10"
                        prop:value=move || lr_max.get() on:change=move |ev| lr_max.set(event_target_value(&ev)) />
                </div>
                {move || bad.get().then(|| view! { <p class="error" role="alert" data-testid="class-assign-error">{move || text::BAD_RANGE.get(lang.get())}</p> })}
                <div class="buttons">
                    <button data-testid="class-assign-lr" on:click=assign_lr>{move || text::ASSIGN_LR.get(lang.get())}</button>
                    <button data-testid="class-assign-seeds" on:click=move |_| { d.send(TeacherMessage::Assign { spread: Spread::Seeds }); }>
                        {move || text::ASSIGN_SEEDS.get(lang.get())}</button>
                    <button class="secondary" data-testid="class-assign-clear" on:click=move |_| { d.send(TeacherMessage::Assign { spread: Spread::Clear }); }>
                        {move || text::ASSIGN_CLEAR.get(lang.get())}</button>
                </div>
            </section>
            <section class="panel">
                <h3>{move || text::FOLLOW_TITLE.get(lang.get())}</h3>
                <div class="fields">
                    <label for="class-follow-lesson">{move || text::FOLLOW_LESSON.get(lang.get())}</label>
                    <select id="class-follow-lesson" data-testid="class-follow-lesson" on:change=move |ev| follow_lesson.set(event_target_value(&ev))>
                        {LESSONS.iter().map(|l| view! {
                            <option value=l.info.id selected=move || follow_lesson.get() == l.info.id>{move || l.info.title.get(lang.get())}</option>
                        }).collect_view()}
                    </select>
                    <label for="class-follow-step">{move || text::FOLLOW_STEP.get(lang.get())}</label>
                    <input id="class-follow-step" data-testid="class-follow-step" type="number" min="1" step="1"
                        prop:value=move || follow_step.get() on:change=move |ev| follow_step.set(event_target_value(&ev)) />
                </div>
                <div class="buttons">
                    <button data-testid="class-follow" on:click=follow>{move || text::FOLLOW.get(lang.get())}</button>
                    <button class="secondary" data-testid="class-follow-stop" on:click=move |_| { d.send(TeacherMessage::Follow { follow: None }); }>
                        {move || text::FOLLOW_STOP.get(lang.get())}</button>
                </div>
            </section>
            <section class="panel">
                <h3>{move || text::EXPORT_TITLE.get(lang.get())}</h3>
                <p class="buttons">
                    <a class="button" data-testid="class-export-csv" download=move || format!("class-{}.csv", code())
                        href=move || export_href("csv", &d.token.get_value(), &code())>{move || text::EXPORT_CSV.get(lang.get())}</a>
                    <a class="button" data-testid="class-export-json" download=move || format!("class-{}.json", code())
                        href=move || export_href("json", &d.token.get_value(), &code())>{move || text::EXPORT_JSON.get(lang.get())}</a>
                </p>
                <p class="hint" data-testid="class-expiry">{move || if kept() { text::KEPT.get(lang.get()).to_string() } else { text::EXPIRES.get(lang.get()).replace("{t}", &expires()) }}</p>
                <div class="buttons">
                    <button class="secondary" data-testid="class-keep" aria-pressed=move || kept().to_string() on:click=toggle_keep>
                        {move || if kept() { text::UNKEEP.get(lang.get()) } else { text::KEEP.get(lang.get()) }}</button>
                    <button class="secondary" data-testid="class-end" disabled=move || d.ended.get() on:click=move |_| { d.send(TeacherMessage::End); }>
                        {move || text::END.get(lang.get())}</button>
                </div>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_learning_rate_range_is_checked_before_it_is_sent() {
        assert_eq!(lr_range("0.001", "10"), Some((0.001, 10.0)));
        assert_eq!(lr_range(" 0.01 ", "1"), Some((0.01, 1.0)));
        assert_eq!(lr_range("0", "1"), None);
        assert_eq!(lr_range("1", "0.1"), None);
        assert_eq!(lr_range("0.1", "11"), None);
        assert_eq!(lr_range("abc", "1"), None);
        assert_eq!(lr_range("NaN", "1"), None);
    }
}
