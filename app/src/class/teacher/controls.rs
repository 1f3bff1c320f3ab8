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

/// The noise-multiplier range typed, if the server would take it.
pub fn sigma_range(min: &str, max: &str) -> Option<(f64, f64)> {
    let (a, b) = (
        min.trim().parse::<f64>().ok()?,
        max.trim().parse::<f64>().ok()?,
    );
    (a.is_finite() && b.is_finite() && 0.0 <= a && a <= b && b <= 100.0).then_some((a, b))
}

/// The factor between neighbouring rates of a log-even spread over `n` students, to 3 figures
/// ("1.37"); 1 for one student or equal ends.
pub fn spread_factor(min: f64, max: f64, n: usize) -> String {
    let f = if n <= 1 || !(min > 0.0 && max >= min) {
        1.0
    } else {
        (max / min).powf(1.0 / (n - 1) as f64)
    };
    let digits = (2 - f.log10().floor() as i32).max(0) as usize;
    format!("{f:.digits$}")
}

/// An export link's address.
pub fn export_href(format: &str, token: &str, code: &str) -> String {
    format!(
        "/class/export.{format}?token={}&code={}",
        js_sys::encode_uri_component(token),
        js_sys::encode_uri_component(code)
    )
}

/// The panel of actions: assign settings, bring everyone to a step, the exports and the class's lifetime.
#[component]
pub fn Controls(d: Dashboard) -> impl IntoView {
    view! {
        <div class="class-controls">
            <AssignPanel d />
            <FollowPanel d />
            <ExportPanel d />
        </div>
    }
}

/// Assigning settings: learning rates spread log-evenly over a typed range, a seed each, noise
/// multipliers spread over a typed range, or taking them back.
#[component]
fn AssignPanel(d: Dashboard) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let (lr_min, lr_max) = (
        RwSignal::new("0.001".to_string()),
        RwSignal::new("10".to_string()),
    );
    let bad = RwSignal::new(false);
    let (sigma_min, sigma_max) = (
        RwSignal::new("0.5".to_string()),
        RwSignal::new("4".to_string()),
    );
    let bad_sigma = RwSignal::new(false);
    let assign_sigma =
        move |_| match sigma_range(&sigma_min.get_untracked(), &sigma_max.get_untracked()) {
            Some((min, max)) => {
                bad_sigma.set(false);
                d.send(TeacherMessage::Assign {
                    spread: Spread::Sigmas { min, max },
                });
            }
            None => bad_sigma.set(true),
        };
    let students = move || d.model.with(|m| m.students.len());
    let how = move || {
        let lang = lang.get();
        let n = students().max(2);
        let (min, max) = lr_range(&lr_min.get(), &lr_max.get()).unwrap_or((0.001, 10.0));
        text::SPREAD_HOW
            .get(lang)
            .replace("{f}", &spread_factor(min, max, n))
            .replace("{n}", &n.to_string())
            .replace("{min}", &super::charts::tick_label(min))
            .replace("{max}", &super::charts::tick_label(max))
    };
    let assign_lr = move |_| match lr_range(&lr_min.get_untracked(), &lr_max.get_untracked()) {
        Some((min, max)) => {
            bad.set(false);
            d.send(TeacherMessage::Assign {
                spread: Spread::LearningRates { min, max },
            });
        }
        None => bad.set(true),
    };
    view! {
    <section class="panel">
        <h3>{move || text::ASSIGN_TITLE.get(lang.get())}</h3>
        <p class="hint">{move || text::ASSIGN_NOTE.get(lang.get()).replace("{n}", &students().to_string())}</p>
        <div class="fields">
            <label for="class-lr-min">{move || text::LR_MIN.get(lang.get())}</label>
            <input id="class-lr-min" data-testid="class-assign-lr-min" type="number" step="any" min="0" max="10"
                prop:value=move || lr_min.get() on:change=move |ev| lr_min.set(event_target_value(&ev)) />
            <label for="class-lr-max">{move || text::LR_MAX.get(lang.get())}</label>
            <input id="class-lr-max" data-testid="class-assign-lr-max" type="number" step="any" min="0" max="10"
                prop:value=move || lr_max.get() on:change=move |ev| lr_max.set(event_target_value(&ev)) />
        </div>
        <p class="hint" data-testid="class-assign-how">{how}</p>
        {move || bad.get().then(|| view! { <p class="error" role="alert" data-testid="class-assign-error">{move || text::BAD_RANGE.get(lang.get())}</p> })}
        <div class="buttons">
            <button data-testid="class-assign-lr" on:click=assign_lr>{move || text::ASSIGN_LR.get(lang.get())}</button>
            <button data-testid="class-assign-seeds" on:click=move |_| { d.send(TeacherMessage::Assign { spread: Spread::Seeds }); }>
                {move || text::ASSIGN_SEEDS.get(lang.get())}</button>
        </div>
        <div class="fields">
            <label for="class-sigma-min">{move || text::SIGMA_MIN.get(lang.get())}</label>
            <input id="class-sigma-min" data-testid="class-assign-sigma-min" type="number" step="any" min="0" max="100"
                prop:value=move || sigma_min.get() on:change=move |ev| sigma_min.set(event_target_value(&ev)) />
            <label for="class-sigma-max">{move || text::SIGMA_MAX.get(lang.get())}</label>
            <input id="class-sigma-max" data-testid="class-assign-sigma-max" type="number" step="any" min="0" max="100"
                prop:value=move || sigma_max.get() on:change=move |ev| sigma_max.set(event_target_value(&ev)) />
        </div>
        <p class="hint">{move || text::SIGMA_HOW.get(lang.get())}</p>
        {move || bad_sigma.get().then(|| view! { <p class="error" role="alert" data-testid="class-assign-sigma-error">{move || text::BAD_SIGMA.get(lang.get())}</p> })}
        <div class="buttons">
            <button data-testid="class-assign-sigma" on:click=assign_sigma>{move || text::ASSIGN_SIGMA.get(lang.get())}</button>
            <button class="secondary" data-testid="class-assign-clear" on:click=move |_| { d.send(TeacherMessage::Assign { spread: Spread::Clear }); }>
                {move || text::ASSIGN_CLEAR.get(lang.get())}</button>
        </div>
    </section>
    }
}

/// Bringing every student to one lesson's step, or letting them go again.
#[component]
fn FollowPanel(d: Dashboard) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
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
    view! {
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
    }
}

/// The CSV and JSON exports, when the class expires, keeping it past that, and ending it.
#[component]
fn ExportPanel(d: Dashboard) -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
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
        assert_eq!(sigma_range("0", "4"), Some((0.0, 4.0)));
        assert_eq!(sigma_range("-1", "4"), None);
        assert_eq!(sigma_range("2", "101"), None);
    }

    #[test]
    fn the_spread_factor_is_for_the_class_size() {
        assert_eq!(spread_factor(0.001, 10.0, 30), "1.37");
        assert_eq!(spread_factor(0.001, 10.0, 3), "100");
        assert_eq!(spread_factor(0.1, 0.1, 30), "1.00");
        assert_eq!(spread_factor(0.001, 10.0, 1), "1.00");
    }
}
